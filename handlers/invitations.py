"""Slack: invitation buttons and the colleague picker (parse, call the use case, render)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.interactions import invitations as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.slack import home
from bot.slack.blocks.common import lines_reply
from bot.slack.blocks.invitations import delegate_modal
from bot.slack.forms import errors_for, selected, values_of
from bot.slack.ids import RSVP_ACTIONS, Action, Block, View

DELEGATE_FIELDS = {"colleague": Block.COLLEAGUE}


def from_home(body: dict) -> bool:
    return body.get("container", {}).get("type") == "view"


async def tell(respond, text: str) -> None:
    """A word for the presser alone; the message they pressed stays as it is."""
    await respond(response_type="ephemeral", replace_original=False, **lines_reply([text]))


async def show_home(client, context, notice: str | None = None) -> None:
    await client.views_publish(user_id=context["user"].id, view=await home.build_for(context["ctx"], context["user"].id, notice=notice))


async def on_answer(ack, body: dict, action: dict, respond, client, context):
    await ack()
    tr = context["tr"]
    answer = RSVP_ACTIONS[Action(action["action_id"])]
    try:
        await uc.answer(context["ctx"], context["user"], action.get("value"), answer)
    except Refused as refused:
        if from_home(body):
            await show_home(client, context, refused.text(tr))
        else:
            await tell(respond, refused.text(tr))
        return
    if from_home(body):
        await show_home(client, context)
    elif action.get("block_id") == Block.RSVP_REMINDER:  # the invitation itself updates in place
        await tell(respond, tr("rsvp.thanks", answer=tr(f"rsvp.status.{answer}")))


async def on_calendar_link(ack):
    await ack()  # a link button: Slack opens the URL, nothing to do here


async def on_delegate(ack, body: dict, action: dict, client, respond, context):
    await ack()
    origin = "home" if from_home(body) else "message"
    try:
        picker = await uc.picker(context["ctx"], context["user"], action.get("value"), origin)
    except Refused as refused:
        await tell(respond, refused.text(context["tr"]))
        return
    await client.views_open(trigger_id=body["trigger_id"], view=delegate_modal(picker, context["tr"]))


async def on_delegate_submit(ack, view: dict, client, context):
    tr = context["tr"]
    colleague = selected(values_of(view), Block.COLLEAGUE, Action.COLLEAGUE)
    try:
        form = decode(uc.DelegateForm, view.get("private_metadata"))
        await uc.delegate(context["ctx"], context["user"], form, colleague)
    except BadContext:
        await ack(response_action="errors", errors={Block.COLLEAGUE: tr("rsvp.unknown")})
        return
    except Problems as problems:
        await ack(response_action="errors", errors=errors_for(problems, DELEGATE_FIELDS, tr))
        return
    except Refused as refused:
        await ack(response_action="errors", errors={Block.COLLEAGUE: refused.text(tr)})
        return
    await ack()
    if form.origin == "home":
        await show_home(client, context)


def register(app: AsyncApp, ctx=None) -> None:
    for action_id in RSVP_ACTIONS:
        app.action(action_id)(on_answer)
    app.action(Action.CALENDAR_LINK)(on_calendar_link)
    app.action(Action.RSVP_DELEGATE)(on_delegate)
    app.view(View.DELEGATE)(on_delegate_submit)
