"""Teams: invitation buttons, "Ik stuur een collega" and its picker (parse, call the use
case, render).  A refusal is always a short message to the presser: the card they
pressed (which may be someone else's) is never replaced."""

from __future__ import annotations

from functools import partial

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot.context import Context
from bot.i18n import Translator
from bot.identity import User
from bot.interactions import invitations as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.teams.cards.invitations import BUILDERS, delegate_form
from bot.teams.ids import ORIGIN_MINE, Input, Verb
from handlers.teams.common import Answer, acting, on_card
from handlers.teams.home import overview

DELEGATE_FIELDS = {"colleague": Input.COLLEAGUE}


async def invitation_card(ctx: Context, user: User, tr: Translator, origin, card, invitation_id) -> dict:
    """The card the button was on, with the invitation as it is now (Refused if it is
    not the user's own)."""
    if origin == ORIGIN_MINE:
        return await overview(ctx, user)
    vm = await uc.invitation_vm(ctx, user, invitation_id)
    return BUILDERS[card if card in ("invitation", "rsvp_reminder") else "invitation"](vm, tr)["card"]


async def on_answer(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        await uc.answer(ctx, user, data.get("invitation_id"), str(data.get("answer")))
        shown = await invitation_card(ctx, user, tr, data.get("origin"), data.get("card"), data.get("invitation_id"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    return Answer(card=shown)


async def on_delegate(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    try:
        picker = await uc.picker(ctx, user, data.get("invitation_id"), str(data.get("origin") or "message"), str(data.get("card")))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    return Answer(card=delegate_form(picker, tr))


async def on_delegate_submit(ctx: Context, context: TurnContext, data: dict) -> Answer:
    user, tr = await acting(ctx, context)
    colleague = data.get(Input.COLLEAGUE)
    try:
        form = decode(uc.DelegateForm, data)
        await uc.delegate(ctx, user, form, colleague)
        shown = await invitation_card(ctx, user, tr, form.origin, form.card, form.invitation_id)
    except BadContext:
        return Answer(text=tr("rsvp.unknown"))
    except Refused as refused:
        return Answer(text=refused.text(tr))
    except Problems as problems:
        picker = await uc.picker(ctx, user, form.invitation_id, form.origin, form.card)
        errors = {DELEGATE_FIELDS[k]: v for k, v in problems.texts(tr).items() if k in DELEGATE_FIELDS}
        return Answer(card=delegate_form(picker, tr, errors, str(colleague) if colleague else None))
    return Answer(card=shown)


async def on_back(ctx: Context, context: TurnContext, data: dict) -> Answer:
    """"Annuleren" on the picker: the invitation again, unchanged."""
    user, tr = await acting(ctx, context)
    try:
        form = decode(uc.DelegateForm, data)
        return Answer(card=await invitation_card(ctx, user, tr, form.origin, form.card, form.invitation_id))
    except (BadContext, Refused):
        return Answer(text=tr("teams.form_closed"))


def register(agent: AgentApplication, ctx: Context, chat=None) -> None:
    on_card(agent, Verb.RSVP, partial(on_answer, ctx))
    on_card(agent, Verb.DELEGATE, partial(on_delegate, ctx))
    on_card(agent, Verb.DELEGATE_SUBMIT, partial(on_delegate_submit, ctx))
    on_card(agent, Verb.DELEGATE_BACK, partial(on_back, ctx))
