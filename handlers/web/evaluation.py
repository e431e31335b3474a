"""The evaluation page: the form's questions, the same validation and anonymity as in
chat (``bot.services.evaluation_answers``); nothing here stores or logs an answer."""

from __future__ import annotations

from aiohttp import web

from bot.interactions import evaluations as uc
from bot.interactions.errors import Problems
from bot.limits import ANSWER_LIMIT
from handlers.web.common import Page

CHOICES: tuple[str, ...] = ()
DONE = ("sent",)
PREFIX = "answer:"


async def _view(page: Page) -> dict:
    view = await uc.open_form(page.ctx, page.visitor.user, page.record_id)
    return {"vm": view.vm, "questions": view.questions, "prefix": PREFIX, "answer_limit": ANSWER_LIMIT}


def _earlier(vm: dict) -> dict:
    """A named form comes back filled in: the earlier answers as form values."""
    values: dict = {}
    for q in vm["questions"]:
        answer = vm["answers"].get(q["key"])
        if answer is not None:
            values[PREFIX + q["key"]] = [str(a) for a in answer] if isinstance(answer, list) else str(answer)
    return values


async def show(page: Page, choice: str) -> web.Response:
    view = await _view(page)
    return page.render("evaluation.html", **view, values=_earlier(view["vm"]))


async def submit(page: Page) -> web.Response:
    form = uc.PromptForm(page.record_id or 0)
    view = await uc.open_form(page.ctx, page.visitor.user, form.prompt_id)
    raw = {}
    for q in view.questions:
        name = PREFIX + q["key"]
        raw[q["key"]] = page.many(name) if q["type"] == "multi" else page.text(name)
    await uc.submit(page.ctx, page.visitor.user, form, raw)
    return page.done("sent")


async def again(page: Page, problems: Problems) -> web.Response:
    return page.problems("evaluation.html", problems, **(await _view(page)))
