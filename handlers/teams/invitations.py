"""Invitation buttons in Teams: the answers, "Ik stuur een collega" and its picker."""

from __future__ import annotations

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot.context import Context
from bot.identity import User, is_user
from bot.services import invitations
from bot.teams.cards.invitations import BUILDERS, delegate_form
from bot.teams.ids import ORIGIN_MINE, Input, Verb
from bot.teams.text import translator
from handlers.teams.common import Answer, number, on_card, teams_user
from handlers.teams.home import overview

CARDS = ("invitation", "rsvp_reminder")


async def invitation_card(ctx: Context, user: User, data: dict, notice: str | None = None) -> dict | None:
    """The card the button was on, with the invitation as it is now."""
    if data.get("origin") == ORIGIN_MINE:
        return await overview(ctx, user, notice)
    async with ctx.db.sessionmaker() as s:
        inv = await invitations.load_invitation(s, number(data.get("invitation_id")))
        if inv is None:
            return None
        base = await invitations.sent_context(s, inv.session, inv.person)
        vm = invitations.invitation_vm(ctx, base, inv.session, inv, inv.person)
        lang = inv.person.language or "nl"
    name = data.get("card") if data.get("card") in CARDS else "invitation"
    return BUILDERS[name](vm, translator(lang))["card"]


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    async def on_answer(context: TurnContext, data: dict) -> Answer:
        user = teams_user(context)
        answer = data.get("answer")
        if answer not in invitations.ANSWERS:
            return Answer(text=translator("nl")("rsvp.unknown"))
        async with ctx.db.transaction() as s:
            result = await invitations.answer(s, ctx, number(data.get("invitation_id")), user, answer)
            lang = result.invitation.person.language if result.invitation else None
        if not result.ok:
            return Answer(text=translator(lang)(f"rsvp.{result.reason}"))
        ctx.wake_dispatcher()
        return Answer(card=await invitation_card(ctx, user, data))

    async def delegate_vm(context: TurnContext, data: dict) -> tuple[dict | None, Answer | None]:
        user = teams_user(context)
        async with ctx.db.sessionmaker() as s:
            inv = await invitations.load_invitation(s, number(data.get("invitation_id")))
            mine = is_user(inv.person if inv else None, user)
            if inv is None or not mine or inv.session.cancelled:
                reason = "unknown" if inv is None else ("not_yours" if not mine else "cancelled")
                return None, Answer(text=translator(inv.person.language if inv else "nl")(f"rsvp.{reason}"))
            vm = {
                "invitation_id": inv.id,
                "organisation": inv.person.organisation.name,
                "title": inv.session.title,
                "colleagues": [{"id": p.id, "name": p.name} for p in await invitations.colleagues(s, inv)],
                "origin": data.get("origin"),
                "card": data.get("card") if data.get("card") in CARDS else "invitation",
                "language": inv.person.language,
            }
        return vm, None

    async def on_delegate(context: TurnContext, data: dict) -> Answer:
        vm, refusal = await delegate_vm(context, data)
        if refusal is not None:
            return refusal
        return Answer(card=delegate_form(vm, translator(vm["language"])))

    async def on_delegate_submit(context: TurnContext, data: dict) -> Answer:
        vm, refusal = await delegate_vm(context, data)
        if refusal is not None:
            return refusal
        tr = translator(vm["language"])
        colleague_id = number(data.get(Input.COLLEAGUE)) or None
        if colleague_id is None:
            return Answer(card=delegate_form(vm, tr, {Input.COLLEAGUE: tr("invite.delegate_modal.placeholder")}))
        async with ctx.db.transaction() as s:
            result = await invitations.delegate(s, ctx, vm["invitation_id"], teams_user(context), colleague_id)
        if not result.ok:
            vm["selected"] = str(colleague_id)
            return Answer(card=delegate_form(vm, tr, {Input.COLLEAGUE: tr(f"invite.delegate_errors.{result.reason}")}))
        ctx.wake_dispatcher()
        return Answer(card=await invitation_card(ctx, teams_user(context), data))

    on_card(agent, Verb.RSVP, on_answer)
    on_card(agent, Verb.DELEGATE, on_delegate)
    on_card(agent, Verb.DELEGATE_SUBMIT, on_delegate_submit)
