"""Invitation buttons and the colleague picker."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.context import Context
from bot.identity import is_user, slack
from bot.services import invitations
from bot.slack import home
from bot.slack.blocks.common import text_reply, translator
from bot.slack.blocks.invitations import delegate_modal
from bot.slack.ids import RSVP_ACTIONS, Action, Block, View


def _invitation_id(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def register(app: AsyncApp, ctx: Context) -> None:
    async def refuse(respond, lang: str, reason: str) -> None:
        await respond(response_type="ephemeral", replace_original=False, **text_reply(translator(lang), f"rsvp.{reason}"))

    async def on_answer(ack, body: dict, action: dict, respond, client):
        await ack()
        from_home = body.get("container", {}).get("type") == "view"
        answer = RSVP_ACTIONS[Action(action["action_id"])]
        invitation_id = _invitation_id(action.get("value"))
        user_id = body["user"]["id"]
        async with ctx.db.transaction() as s:
            result = await invitations.answer(s, ctx, invitation_id or 0, slack(user_id), answer)
            lang = result.invitation.person.language if result.invitation else None
        if not result.ok:
            if not from_home:
                await refuse(respond, lang or "nl", result.reason)
            return
        ctx.wake_dispatcher()
        if from_home:
            await client.views_publish(user_id=user_id, view=await home.build_for(ctx, user_id))
            return
        if action.get("block_id") == Block.RSVP_REMINDER:  # the invitation itself updates in place
            tr = translator(lang or "nl")
            await respond(response_type="ephemeral", replace_original=False, **text_reply(tr, "rsvp.thanks", answer=tr(f"rsvp.status.{answer}")))

    for action_id in RSVP_ACTIONS:
        app.action(action_id)(on_answer)

    @app.action(Action.CALENDAR_LINK)
    async def on_calendar_link(ack):
        await ack()  # a link button: Slack opens the URL, nothing to do here

    @app.action(Action.RSVP_DELEGATE)
    async def on_delegate(ack, body: dict, action: dict, client, respond):
        await ack()
        invitation_id = _invitation_id(action.get("value")) or 0
        async with ctx.db.sessionmaker() as s:
            inv = await invitations.load_invitation(s, invitation_id)
            mine = is_user(inv.person if inv else None, slack(body["user"]["id"]))
            if inv is None or not mine or inv.session.cancelled:
                reason = "unknown" if inv is None else ("not_yours" if not mine else "cancelled")
                await refuse(respond, inv.person.language if inv else "nl", reason)
                return
            vm = {
                "invitation_id": inv.id,
                "organisation": inv.person.organisation.name,
                "title": inv.session.title,
                "colleagues": [{"id": p.id, "name": p.name} for p in await invitations.colleagues(s, inv)],
            }
            lang = inv.person.language
        await client.views_open(trigger_id=body["trigger_id"], view=delegate_modal(vm, translator(lang or "nl")))

    @app.view(View.DELEGATE)
    async def on_delegate_submit(ack, body: dict, view: dict, respond=None):
        invitation_id = _invitation_id(view.get("private_metadata")) or 0
        state = view.get("state", {}).get("values", {})
        selected = state.get(Block.COLLEAGUE, {}).get(Action.COLLEAGUE, {}).get("selected_option") or {}
        colleague_id = _invitation_id(selected.get("value"))
        tr = translator("nl")
        if colleague_id is None:
            await ack(response_action="errors", errors={Block.COLLEAGUE: tr("invite.delegate_modal.placeholder")})
            return
        async with ctx.db.transaction() as s:
            result = await invitations.delegate(s, ctx, invitation_id, slack(body["user"]["id"]), colleague_id)
        if not result.ok:
            await ack(response_action="errors", errors={Block.COLLEAGUE: tr(f"invite.delegate_errors.{result.reason}")})
            return
        await ack()
        ctx.wake_dispatcher()

