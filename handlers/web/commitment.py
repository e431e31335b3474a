"""The commitment page: gedaan / bezig / lukt niet / uitstellen / niet van toepassing,
with the status form's note and date rules."""

from __future__ import annotations

from aiohttp import web

from bot.interactions import commitments as uc
from bot.interactions.errors import Problems, Refused
from bot.limits import NOTE_LIMIT
from handlers.web.common import Page

CHOICES = ("done", "busy", "blocked", "snoozed", "not_applicable")
DONE = CHOICES


async def _view(page: Page) -> dict:
    shown = await uc.shown(page.ctx, page.record_id, page.visitor.user)
    if shown is None:
        raise Refused("commitment.unknown")
    return {"vm": shown.vm, "choices": CHOICES, "note_limit": NOTE_LIMIT}


async def show(page: Page, choice: str) -> web.Response:
    view = await _view(page)
    return page.render("commitment.html", **view, values={"to": choice, "snooze": "week"})


async def submit(page: Page) -> web.Response:
    to = page.text("to")
    if to not in CHOICES:
        raise Problems.one("to", "web.errors.choose")
    snooze = "date" if page.text("snooze") == "date" else "week"
    given = uc.StatusInput(note=page.text("note"), snooze=snooze, snooze_date=page.text("snooze_date") or None)
    await uc.update(page.ctx, page.visitor.user, page.record_id, to, given)
    return page.done(to)


async def again(page: Page, problems: Problems) -> web.Response:
    return page.problems("commitment.html", problems, **(await _view(page)))
