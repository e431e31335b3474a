"""Slack: ``/dialoog status`` (the phase-status summary), its buttons, and
``/dialoog fase <n>`` with its confirmation modal (parse, call the use case, render)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot import lines
from bot.interactions import phases as phase_uc
from bot.interactions import summary as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.slack.blocks.common import done_view, lines_reply
from bot.slack.blocks.phases import phase_modal
from bot.slack.forms import errors_for, selected, typed, values_of
from bot.slack.ids import Action, Block, View
from bot.slack.surface import add_form
from handlers import commands

PHASE_FIELDS = {"reached": Block.PHASE_REACHED, "note": Block.NOTE}


async def post_summary(call: commands.Call) -> None:
    """``status`` without a session: post the summary in the status channel."""
    trajectory = await commands.trajectory_for(call)
    try:
        done = await uc.post(call.ctx, call.user, trajectory.id)
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        return
    await call.say_lines([lines.summary_posted(call.tr, done)])


async def do_phase(call: commands.Call) -> None:
    trajectory = await commands.trajectory_for(call)
    try:
        vm = await phase_uc.open_move(call.ctx, call.user, trajectory.id, call.words[0] if call.words else None)
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        return
    await call.open_form("phase", vm)


async def on_phase_submit(ack, view: dict, context):
    tr = context["tr"]
    values = values_of(view)
    given = phase_uc.MoveInput(
        reached=selected(values, Block.PHASE_REACHED, Action.PHASE_REACHED),
        note=(typed(values, Block.NOTE, Action.NOTE) or "").strip(),
    )
    try:
        done = await phase_uc.move(context["ctx"], context["user"], decode(phase_uc.PhaseForm, view.get("private_metadata")), given)
    except BadContext:
        await ack(response_action="errors", errors={Block.PHASE_REACHED: tr("command.unknown_trajectory_record")})
        return
    except Problems as problems:
        await ack(response_action="errors", errors=errors_for(problems, PHASE_FIELDS, tr))
        return
    except Refused as refused:
        await ack(response_action="errors", errors={Block.PHASE_REACHED: refused.text(tr)})
        return
    await ack(response_action="update", view=done_view(tr("phase.modal.title", number=done.number), lines.phase_moved(tr, done), tr("commitment.add_modal.done")))


async def on_remind_button(ack, action: dict, respond, context):
    """From the summary: remind the next session's non-responders (trekkers only)."""
    await ack()
    tr = context["tr"]
    try:
        text = lines.reminded(tr, await uc.remind(context["ctx"], context["user"], action.get("value")))
    except Refused as refused:
        text = refused.text(tr)
    await respond(response_type="ephemeral", replace_original=False, **lines_reply([text]))


def register_commands() -> None:
    add_form("phase", phase_modal)


def register(app: AsyncApp, ctx=None) -> None:
    register_commands()
    app.view(View.PHASE)(on_phase_submit)
    app.action(Action.SUMMARY_REMIND)(on_remind_button)
