"""The invitation page: Ik kom / Ik kan niet / Misschien / Ik stuur een collega (one from
the list, or a colleague who is not in the file yet: name and e-mail)."""

from __future__ import annotations

from aiohttp import web

from bot.interactions import invitations as uc
from bot.interactions.errors import Problems
from bot.limits import EMAIL_LIMIT, NAME_LIMIT
from handlers.web.common import Page

CHOICES = ("yes", "no", "maybe", "delegated")
DONE = CHOICES
NEW = "new"  # the colleague list's "someone else" option
FIELDS = {"colleague": "colleague", "colleague_name": "colleague_name", "colleague_email": "colleague_email"}


async def _view(page: Page) -> dict:
    user, record = page.visitor.user, page.record_id
    vm = await uc.invitation_vm(page.ctx, user, record)
    picker = await uc.picker(page.ctx, user, record)
    return {"vm": vm, "colleagues": picker.colleagues, "organisation": picker.organisation,
            "choices": CHOICES, "new": NEW, "name_limit": NAME_LIMIT, "email_limit": EMAIL_LIMIT}


async def show(page: Page, choice: str) -> web.Response:
    view = await _view(page)
    values = {"answer": choice or view["vm"]["status"]}
    return page.render("rsvp.html", **view, values=values)


async def submit(page: Page) -> web.Response:
    answer = page.text("answer")
    if answer not in CHOICES:
        raise Problems.one("answer", "web.errors.choose")
    if answer != "delegated":
        await uc.answer(page.ctx, page.visitor.user, page.record_id, answer)
        return page.done(answer)
    colleague = page.text("colleague")
    if colleague and colleague != NEW:
        form = uc.DelegateForm(page.record_id)
        await uc.delegate(page.ctx, page.visitor.user, form, colleague)
    else:
        name, email = page.text("colleague_name"), page.text("colleague_email")
        if not colleague and not (name or email):
            raise Problems.one("colleague", "invite.delegate_modal.placeholder")
        await uc.delegate_new(page.ctx, page.visitor.user, page.record_id, name, email)
    return page.done(answer)


async def again(page: Page, problems: Problems) -> web.Response:
    return page.problems("rsvp.html", problems, **(await _view(page)))
