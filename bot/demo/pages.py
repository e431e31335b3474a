"""The demo pages (``/demo``), registered only by ``python -m bot demo``: the clock, the
people and their inboxes, one mail, and a signed-in trekker's dashboard.  Forms carry
a CSRF token; a GET never changes anything except ``/demo/dashboard`` (it signs the
trekker in, which is what the link is for)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache

import jinja2
from aiohttp import web

from bot.formatting import format_datetime
from bot.i18n import TEMPLATES_DIR, Translator

DEMO_KEY: web.AppKey = web.AppKey("demo", object)
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)
STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
EVE_TIME = (10, 0)
AFTER_END = timedelta(minutes=30)  # "the day before the session": at 10:00 local time


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "demo"), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def page(name: str, status: int = 200, **vm) -> web.Response:
    text = environment().get_template(name).render(nl=Translator("nl"), en=Translator("en"), **vm)
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8", headers=HEADERS)


def demo_of(request: web.Request):
    return request.app[DEMO_KEY]


def when(value: datetime) -> str:
    return format_datetime(value, "Europe/Amsterdam", "nl")


async def index(request: web.Request) -> web.Response:
    demo = demo_of(request)
    people = await demo.people()
    counts = {p.id: len(demo.inbox.for_person(p.email)) for p in people}
    upcoming = await demo.next_session()
    return page(
        "index.html", now=when(demo.clock.now()), people=people, counts=counts,
        upcoming=upcoming, upcoming_at=when(upcoming.starts_at) if upcoming else "",
        csrf=demo.ctx.links.csrf("demo"), moved=request.query.get("klaar", ""),
        new=int(request.query["nieuw"]) if request.query.get("nieuw", "").isdigit() else 0,
    )


async def _person(request: web.Request):
    demo = demo_of(request)
    wanted = request.match_info["person"]
    person = next((p for p in await demo.people() if str(p.id) == wanted), None)
    if person is None:
        raise web.HTTPNotFound(text="Onbekende persoon / Unknown person")
    return demo, person


async def inbox(request: web.Request) -> web.Response:
    demo, person = await _person(request)
    mails = demo.inbox.for_person(person.email)
    return page("inbox.html", person=person, mails=mails, now=when(demo.clock.now()))


async def mail(request: web.Request) -> web.Response:
    demo, person = await _person(request)
    number = request.match_info["number"]
    found = demo.inbox.get(int(number)) if number.isdigit() else None
    if found is None or person.email.lower() not in found.recipients:
        raise web.HTTPNotFound(text="Onbekende mail / Unknown mail")
    # The mail's own HTML in a sandboxed frame (no scripts, no forms); its links open here.
    framed = HEAD.sub(lambda m: m.group(0) + '<base target="_top">', found.html, count=1) if found.html else ""
    return page("mail.html", person=person, mail=found, framed=framed, now=when(demo.clock.now()))


async def move_clock(request: web.Request) -> web.Response:
    demo = demo_of(request)
    form = await request.post()
    if not demo.ctx.links.csrf_ok("demo", form.get("csrf")):
        return page("refused.html", status=403)
    step = form.get("stap", "")
    before = len(demo.inbox.all())
    if step in STEPS:
        await demo.advance(STEPS[step])
    elif step in ("eve", "end"):
        upcoming = await demo.next_session()
        if upcoming is not None:
            await demo.move_to(_target(upcoming, step))
    else:
        return page("refused.html", status=400)
    raise web.HTTPSeeOther(f"/demo?klaar={step}&nieuw={len(demo.inbox.all()) - before}")


def _target(session, step: str) -> datetime:
    """The day before ``session`` at 10:00 local time, or half an hour after it ended
    ("Wie was er?" and the evaluation prompts are out by then)."""
    from bot.clock import as_utc
    from bot.demo import TIMEZONE

    if step == "end":
        return as_utc(session.ends_at) + AFTER_END
    local = as_utc(session.starts_at).astimezone(TIMEZONE) - timedelta(days=1)
    return local.replace(hour=EVE_TIME[0], minute=EVE_TIME[1], second=0, microsecond=0)


async def invite(request: web.Request) -> web.Response:
    from bot.demo import send_invitations

    demo = demo_of(request)
    form = await request.post()
    if not demo.ctx.links.csrf_ok("demo", form.get("csrf")):
        return page("refused.html", status=403)
    await send_invitations(demo)
    raise web.HTTPSeeOther("/demo?klaar=invite")


async def dashboard(request: web.Request) -> web.Response:
    """Sign the trekker in (a fresh one-time link, used at once) and open the dashboard."""
    from bot.web import dashboard_auth as auth
    from handlers.dashboard.signin import signed_in

    demo = demo_of(request)
    link = await demo.sign_in_url()
    started = await auth.redeem(demo.ctx, link.rsplit("/", 1)[1])
    if isinstance(started, str):  # cannot happen with a link made a moment ago
        return page("refused.html", status=403)
    return signed_in(started, HEADERS)


def register(app: web.Application, demo) -> None:
    app[DEMO_KEY] = demo
    app.router.add_get("/demo", index)
    app.router.add_get("/demo/inbox/{person}", inbox)
    app.router.add_get("/demo/inbox/{person}/{number}", mail)
    app.router.add_post("/demo/klok", move_clock)
    app.router.add_post("/demo/uitnodigen", invite)
    app.router.add_get("/demo/dashboard", dashboard)
