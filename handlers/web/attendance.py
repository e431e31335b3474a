""""Wie was er?" for a trekker on e-mail: the session's invitees as checkboxes (those
who said yes ticked, or who was marked present before), saved through the same use case
as the Slack modal and the Teams card (``bot.interactions.attendance``)."""

from __future__ import annotations

from aiohttp import web

from bot.interactions import attendance as uc
from bot.interactions.errors import Problems
from handlers.web.common import Page

CHOICES: tuple[str, ...] = ()
DONE = ("saved",)
FIELD = "present"


async def _view(page: Page) -> dict:
    return {"vm": await uc.open_form(page.ctx, page.visitor.user, page.record_id), "field": FIELD}


async def show(page: Page, choice: str) -> web.Response:
    view = await _view(page)
    return page.render("attendance.html", **view, values={FIELD: [str(i) for i in view["vm"]["present"]]})


async def submit(page: Page) -> web.Response:
    await uc.record(page.ctx, page.visitor.user, uc.AttendanceForm(page.record_id or 0), page.many(FIELD))
    return page.done("saved")


async def again(page: Page, problems: Problems) -> web.Response:
    return page.problems("attendance.html", problems, **(await _view(page)))
