"""Slack: the "Wie was er?" button on the trekker's question opens the modal; its
submission saves who came.  Parse, call the use case, render."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.interactions import attendance as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.slack.blocks.attendance import attendance_modal
from bot.slack.blocks.common import done_view, lines_reply
from bot.slack.forms import errors_for, picked_many, values_of
from bot.slack.ids import Action, Block, View

FIELDS = {"present": Block.ATTEND_PEOPLE}


async def on_open(ack, body: dict, action: dict, respond, client, context):
    await ack()
    try:
        vm = await uc.open_form(context["ctx"], context["user"], action.get("value"))
    except Refused as refused:
        await respond(response_type="ephemeral", replace_original=False, **lines_reply([refused.text(context["tr"])]))
        return
    await client.views_open(trigger_id=body["trigger_id"], view=attendance_modal(vm, context["tr"]))


async def on_submit(ack, view: dict, context):
    tr = context["tr"]
    present = picked_many(values_of(view), Block.ATTEND_PEOPLE, Action.ATTEND_PEOPLE)
    try:
        saved = await uc.record(context["ctx"], context["user"], decode(uc.AttendanceForm, view.get("private_metadata")), present)
    except BadContext:
        await ack(response_action="update", view=done_view(tr("attendance.modal.title"), tr("attendance.unknown_session"), tr("attendance.modal.done")))
        return
    except Problems as problems:
        await ack(response_action="errors", errors=errors_for(problems, FIELDS, tr))
        return
    except Refused as refused:
        await ack(response_action="update", view=done_view(tr("attendance.modal.title"), refused.text(tr), tr("attendance.modal.done")))
        return
    text = tr("attendance.saved", present=saved.present, invited=saved.invited, prompted=saved.prompted)
    await ack(response_action="update", view=done_view(tr("attendance.modal.title"), text, tr("attendance.modal.done")))


def register(app: AsyncApp, ctx=None) -> None:
    app.action(Action.ATTEND_OPEN)(on_open)
    app.view(View.ATTENDANCE)(on_submit)
