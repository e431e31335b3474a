"""A person's own pages, reached from e-mail: ``/p/<token>``.

``GET /p/<token>`` shows the page for the link's purpose (``?choice=<value>`` only
preselects an answer); ``POST /p/<token>`` records the answer through the same use case
as a chat button, then redirects (303) to ``GET /p/<token>/klaar``.  A GET never
changes anything: mail scanners open every link in a mail.

Every POST must carry ``csrf``, the HMAC of the link token (``LinkSigner.csrf``);
without it, or with another link's, nothing changes (403).  There is no one-time
nonce: a replayed POST can only come from someone who holds the link itself (the
token is the credential, and the CSRF value is bound to it), and every answer sets a
state rather than adding one (the same RSVP again records nothing new, a memo is read
once, a status is set, an anonymous evaluation is taken once), so a replay changes
nothing a second submit by the person would not.  The only exception, a sign-off
question, reaches the trekker twice, exactly like pressing the chat button twice; a
nonce would need a table and would break the browser's back button.  Forged, expired
and revoked links (the person left the file or was erased) are refused on every
request, GET or POST.
"""

from __future__ import annotations

import logging
import uuid
from importlib.resources import files

from aiohttp import web

from bot.i18n import Translator
from bot.interactions.errors import Problems, Refused
from handlers.web import attendance, commitment, common, evaluation, memo, mine, rsvp, signoff
from handlers.web.common import HEADERS, Page

log = logging.getLogger(__name__)
PURPOSES = {
    "rsvp": rsvp,
    "memo": memo,
    "commitment": commitment,
    "evaluation": evaluation,
    "signoff": signoff,
    "mine": mine,
    "attendance": attendance,
}


def register(app: web.Application) -> None:
    app.router.add_get("/web/web.css", stylesheet)
    app.router.add_get("/p/{token}", guarded(show))
    app.router.add_post("/p/{token}", guarded(submit))
    app.router.add_get("/p/{token}/klaar", guarded(confirmation))


def guarded(handler):
    """The one error handler of the pages: anything unexpected is logged with a
    correlation id and answered with a friendly page, never a traceback."""

    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception:
            reference = uuid.uuid4().hex[:8]
            log.exception("personal page failed (ref %s)", reference)
            return common.html("failed.html", "nl", 500, reference=reference, en=Translator("en"))

    return run


async def _page(request: web.Request) -> Page | web.Response:
    found = await common.visitor_of(request)
    if isinstance(found, web.Response):
        return found
    ctx, visitor = found
    return Page(request, ctx, visitor, request.match_info["token"])


async def show(request: web.Request) -> web.Response:
    page = await _page(request)
    if isinstance(page, web.Response):
        return page
    module = PURPOSES[page.visitor.grant.purpose]
    choice = request.query.get("choice", "")
    try:
        return await module.show(page, choice if choice in module.CHOICES else "")
    except Refused as refused:
        return page.refused(refused)


async def submit(request: web.Request) -> web.Response:
    page = await _page(request)
    if isinstance(page, web.Response):
        return page
    page.form = await common.read_form(request)
    if not page.ctx.links.csrf_ok(page.token, page.text("csrf")):
        return common.link_refused("csrf")
    module = PURPOSES[page.visitor.grant.purpose]
    try:
        try:
            return await module.submit(page)
        except Problems as problems:
            return await module.again(page, problems)  # may find the record gone meanwhile
    except Refused as refused:
        return page.refused(refused)


async def confirmation(request: web.Request) -> web.Response:
    page = await _page(request)
    if isinstance(page, web.Response):
        return page
    purpose = page.visitor.grant.purpose
    choice = request.query.get("v", "")
    module = PURPOSES[purpose]
    key = f"web.done.{purpose}.{choice if choice in module.DONE else module.DONE[0]}"
    back = f"/p/{page.token}" if purpose != "evaluation" else None
    title = page.tr(getattr(module, "DONE_TITLE", "web.done.title"))
    return page.render("done.html", message=page.say(page.tr(key)), back=back, title=page.say(title))


async def stylesheet(request: web.Request) -> web.Response:
    css = files("templates").joinpath("web/web.css").read_text(encoding="utf-8")
    headers = {**HEADERS, "Cache-Control": "public, max-age=3600"}
    return web.Response(text=css, content_type="text/css", charset="utf-8", headers=headers)
