"""The page "Wat wacht er op mij": everything open for the person, as ``mijn`` shows it
(``bot.services.overview``), each item linked to its own page.  A trekker also finds a
button per trajectory they lead that mails them a sign-in link for its dashboard
(``dashboard_auth.mail_link``, the same trekker check as the chat command ``dashboard``)."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from aiohttp import web

from bot.interactions.errors import Problems, Refused
from bot.services.overview import my_overview
from bot.web import dashboard_auth
from handlers.web.common import Page

CHOICES: tuple[str, ...] = ()
DONE = ("none", "dashboard", "dashboard_again")
DONE_TITLE = "web.mine.dashboard.done_title"


def _instant(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


def _day(raw: str) -> datetime:
    return datetime.combine(date.fromisoformat(raw), time(12), tzinfo=timezone.utc)


def _links(page: Page, vm: dict) -> dict:
    """Each item's own link, valid until 60 days after its session, due date or deadline."""
    return {
        "sessions": [page.link("rsvp", i["invitation_id"], _instant(i["starts"])) for i in vm["sessions"]],
        "commitments": [page.link("commitment", c["commitment_id"], _day(c["due"])) for c in vm["commitments"]],
        "evaluations": [page.link("evaluation", e["prompt_id"], _instant(e["closes"])) for e in vm["evaluations"]],
        "memos": [page.link("memo", m["recipient_id"]) for m in vm["memos"]],
        "signoffs": [page.link("signoff", r["request_id"], _day(r["deadline"])) for r in vm["signoffs"]],
    }


async def show(page: Page, choice: str) -> web.Response:
    vm = await my_overview(page.ctx, page.visitor.user)
    empty = not any(vm[k] for k in ("sessions", "commitments", "evaluations", "memos", "signoffs"))
    return page.render("mine.html", vm=vm, links=_links(page, vm), empty=empty)


async def submit(page: Page) -> web.Response:
    """The dashboard button: a sign-in link by mail, for a trekker of that trajectory only
    (anyone else: ``command.not_trekker``, the chat command's refusal)."""
    chosen = page.text("dashboard")
    if not chosen.isdigit() or len(chosen) > 12:
        raise Refused("web.mine_no_form")
    try:
        sent = await dashboard_auth.mail_link(page.ctx, int(chosen), page.visitor.user)
    except dashboard_auth.NotReady as missing:
        raise Refused(f"web.mine.dashboard.no_{missing.setting.lower()}") from None
    return page.done("dashboard" if sent else "dashboard_again")


async def again(page: Page, problems: Problems) -> web.Response:
    return await show(page, "")
