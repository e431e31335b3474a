"""The sign-off page: akkoord, niet akkoord (with a reason) or a question to the trekker."""

from __future__ import annotations

from aiohttp import web

from bot.interactions import signoff as uc
from bot.interactions.errors import Problems
from bot.limits import NOTE_LIMIT
from handlers.web.common import Page

CHOICES = ("agree", "decline", "question")
DONE = CHOICES
ALIASES = {"agreed": "agree", "declined": "decline"}  # the decisions' own names


async def _view(page: Page) -> dict:
    vm = await uc.request_view(page.ctx, page.visitor.user, page.record_id)
    return {"vm": vm, "choices": CHOICES, "note_limit": NOTE_LIMIT}


async def show(page: Page, choice: str) -> web.Response:
    choice = ALIASES.get(page.request.query.get("choice", ""), choice)
    return page.render("signoff.html", **(await _view(page)), values={"decision": choice})


async def submit(page: Page) -> web.Response:
    decision = page.text("decision")
    if decision not in CHOICES:
        raise Problems.one("decision", "web.errors.choose")
    if decision == "agree":
        await uc.agree(page.ctx, page.visitor.user, page.record_id)
    else:
        form = uc.NoteForm(page.record_id or 0, decision)  # type: ignore[arg-type]
        await uc.submit_note(page.ctx, page.visitor.user, form, page.text("note"))
    return page.done(decision)


async def again(page: Page, problems: Problems) -> web.Response:
    return page.problems("signoff.html", problems, **(await _view(page)))
