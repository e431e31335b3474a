"""The memo page: the memo itself and its *Gelezen* button."""

from __future__ import annotations

from aiohttp import web

from bot.interactions import memos as uc
from bot.interactions.errors import Problems
from handlers.web.common import Page

CHOICES = ("read",)
DONE = CHOICES


async def show(page: Page, choice: str) -> web.Response:
    vm = await uc.shown(page.ctx, page.visitor.user, page.record_id)
    return page.render("memo.html", vm=vm)


async def submit(page: Page) -> web.Response:
    await uc.read(page.ctx, page.visitor.user, page.record_id)
    return page.done("read")


async def again(page: Page, problems: Problems) -> web.Response:  # the memo form has no fields
    return await show(page, "")
