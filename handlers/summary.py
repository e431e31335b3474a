"""``/dialoog status`` (the phase-status summary), its buttons, and ``/dialoog fase <n>``."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.context import Context
from bot.formatting import format_datetime
from bot.identity import slack
from bot.models import Session, Trajectory
from bot.services import channels, directory, invitations, phases, summary
from bot.slack.blocks.common import done_view, text_reply, translator
from bot.slack.blocks.phases import phase_modal
from bot.slack.ids import Action, Block, View
from bot.slack.surface import add_form
from handlers import commands


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


async def post_summary(call: commands.Call) -> None:
    """``status`` without a session: post the summary in the status channel."""
    trajectory = await commands.trajectory_for(call)
    await commands.require_trekker(call, trajectory)
    if not trajectory.status_channels:
        await call.say("summary.no_channel")
        return
    async with call.ctx.db.transaction() as s:
        await summary.post(s, call.ctx, await s.get(Trajectory, trajectory.id))
    call.ctx.wake_dispatcher()
    names = channels.channel_names(trajectory)
    send_at = call.ctx.send_time(trajectory.timezone)
    if send_at > call.ctx.now():
        await call.say("summary.posted_later", channels=names, when=format_datetime(send_at, trajectory.timezone, call.tr.lang))
    else:
        await call.say("summary.posted", channels=names)


async def do_phase(call: commands.Call) -> None:
    trajectory = await commands.trajectory_for(call)
    await commands.require_trekker(call, trajectory)
    to = _int(call.words[0]) if call.words else None
    if to not in (1, 2, 3):
        await call.say("phase.bad_number", trajectory=trajectory.title, current=trajectory.current_phase)
        return
    if to == trajectory.current_phase:
        await call.say("phase.same_phase", trajectory=trajectory.title, current=trajectory.current_phase)
        return
    async with call.ctx.db.sessionmaker() as s:
        vm = await phases.confirmation_vm(s, trajectory, to)
    await call.open_form("phase", vm)


def register_commands() -> None:
    add_form("phase", phase_modal)


def register(app: AsyncApp, ctx: Context) -> None:
    register_commands()

    @app.view(View.PHASE)
    async def on_phase_submit(ack, body: dict, view: dict):
        trajectory_id, to = (_int(x) for x in (view.get("private_metadata") or ":").split(":", 1))
        values = view.get("state", {}).get("values", {})
        reached = ((values.get(Block.PHASE_REACHED, {}).get(Action.PHASE_REACHED) or {}).get("selected_option") or {}).get("value")
        note = ((values.get(Block.NOTE, {}).get(Action.NOTE) or {}).get("value") or "").strip()
        async with ctx.db.transaction() as s:
            trajectory = await s.get(Trajectory, trajectory_id or 0)
            tr = translator(trajectory.language if trajectory else "nl")
            actor = await directory.person_in(s, trajectory.id, slack(body["user"]["id"])) if trajectory else None
            if actor is None or not actor.has_role("trekker"):
                await ack(response_action="errors", errors={Block.PHASE_REACHED: tr("command.not_trekker", trajectory=trajectory.title if trajectory else "")})
                return
            if reached not in phases.REACHED:
                await ack(response_action="errors", errors={Block.PHASE_REACHED: tr("phase.errors.reached")})
                return
            if len(note) > phases.NOTE_LIMIT:
                await ack(response_action="errors", errors={Block.NOTE: tr("phase.errors.note_long")})
                return
            if to == trajectory.current_phase or to not in (1, 2, 3):
                await ack(response_action="errors", errors={Block.PHASE_REACHED: tr("phase.same_phase", trajectory=trajectory.title, current=trajectory.current_phase)})
                return
            await phases.move(s, ctx, trajectory, to, reached, note, actor)
            await summary.schedule(s, ctx, trajectory)
            names = channels.channel_names(trajectory)
            done = tr("phase.moved", trajectory=trajectory.title, number=to, channels=names) if names else tr("phase.moved_no_channel", trajectory=trajectory.title, number=to)
        await ack(response_action="update", view=done_view(tr("phase.modal.title", number=to), done, tr("commitment.add_modal.done")))
        ctx.wake_dispatcher()

    @app.action(Action.SUMMARY_REMIND)
    async def on_remind_button(ack, body: dict, action: dict, respond):
        """From the summary: remind the next session's non-responders (trekkers only)."""
        await ack()
        async with ctx.db.transaction() as s:
            session = await s.get(Session, _int(action.get("value")) or 0)
            trajectory = await s.get(Trajectory, session.trajectory_id) if session else None
            tr = translator(trajectory.language if trajectory else "nl")
            if session is None or not await directory.is_trekker(s, trajectory.id, slack(body["user"]["id"])):
                await respond(response_type="ephemeral", replace_original=False, **text_reply(tr, "command.not_trekker", trajectory=trajectory.title if trajectory else ""))
                return
            result = await invitations.remind_now(s, ctx, session)
        ctx.wake_dispatcher()
        key = "command.remind_done" if result.sent else ("command.remind_already" if result.already_today else "command.remind_none")
        await respond(response_type="ephemeral", replace_original=False, **text_reply(tr, key, title=session.title, count=result.sent or result.already_today))
