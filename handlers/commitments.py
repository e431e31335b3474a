"""Slack: commitment buttons and forms (parse, call the use case, render)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot import lines
from bot.interactions import commitments as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.slack import home
from bot.slack.blocks.commitments import status_modal
from bot.slack.blocks.common import done_view, lines_reply
from bot.slack.forms import errors_for, picked_date, selected, typed, values_of
from bot.services.overview import my_overview
from bot.slack.ids import COMMIT_ACTIONS, Action, Block, View
from handlers import commands

STATUS_FIELDS = {"note": Block.NOTE, "snooze_date": Block.SNOOZE_DATE}
ADD_FIELDS = {
    "organisation": Block.ADD_ORG,
    "owner": Block.ADD_OWNER,
    "description": Block.ADD_DESC,
    "due": Block.ADD_DUE,
    "phase": Block.ADD_PHASE,
}


def from_home(body: dict) -> bool:
    return body.get("container", {}).get("type") == "view"


async def tell(body: dict, context, respond, client, text: str) -> None:
    """An answer to a click, for the clicker only: ephemeral under a message, a fresh
    Home in the Home tab."""
    if from_home(body):
        await client.views_publish(user_id=context["user"].id, view=await home.build_for(context["ctx"], context["user"].id, notice=text))
    else:
        await respond(response_type="ephemeral", replace_original=False, **lines_reply([text]))


async def on_button(ack, body: dict, action: dict, respond, client, context):
    await ack()
    origin = "home" if from_home(body) else "message"
    try:
        pressed = await uc.press(context["ctx"], context["user"], action.get("value"), COMMIT_ACTIONS[Action(action["action_id"])], origin)
    except Refused as refused:
        await tell(body, context, respond, client, refused.text(context["tr"]))
        return
    if pressed.form is not None:
        await client.views_open(trigger_id=body["trigger_id"], view=status_modal(pressed.form, context["tr"]))
    elif origin == "home" and body.get("view", {}).get("type") == "home":
        await client.views_publish(user_id=context["user"].id, view=await home.build_for(context["ctx"], context["user"].id))


async def on_status_submit(ack, body: dict, view: dict, client, context):
    tr = context["tr"]
    values = values_of(view)
    given = uc.StatusInput(
        note=(typed(values, Block.NOTE, Action.NOTE) or "").strip(),
        snooze=selected(values, Block.SNOOZE_CHOICE, Action.SNOOZE_CHOICE),
        snooze_date=picked_date(values, Block.SNOOZE_DATE, Action.SNOOZE_DATE),
    )
    try:
        form = decode(uc.StatusForm, view.get("private_metadata"))
        await uc.submit_status(context["ctx"], context["user"], form, given)
    except BadContext:
        await ack(response_action="errors", errors={Block.NOTE: tr("commitment.unknown")})
        return
    except Problems as problems:
        await ack(response_action="errors", errors=errors_for(problems, STATUS_FIELDS, tr))
        return
    except Refused as refused:
        block = Block.SNOOZE_DATE if form.to == "snoozed" else Block.NOTE
        await ack(response_action="errors", errors={block: refused.text(tr)})
        return
    await ack()
    if form.origin == "home":
        await client.views_publish(user_id=context["user"].id, view=await home.build_for(context["ctx"], context["user"].id))


async def on_round_button(ack, body: dict, action: dict, client, respond, context):
    await ack()
    tr = context["tr"]
    try:
        done = await uc.reminder_round(context["ctx"], context["user"], action.get("value"))
    except Refused as refused:
        await tell(body, context, respond, client, refused.text(tr))
        return
    notice = "\n".join(lines.round_lines(tr, done))
    await client.views_publish(user_id=context["user"].id, view=await home.build_for(context["ctx"], context["user"].id, notice=notice))


async def on_add_submit(ack, view: dict, context):
    tr = context["tr"]
    values = values_of(view)
    given = uc.NewInput(
        organisation=selected(values, Block.ADD_ORG, Action.ADD_ORG),
        owner=selected(values, Block.ADD_OWNER, Action.ADD_OWNER),
        description=typed(values, Block.ADD_DESC, Action.ADD_DESC) or "",
        due=picked_date(values, Block.ADD_DUE, Action.ADD_DUE),
        phase=selected(values, Block.ADD_PHASE, Action.ADD_PHASE),
    )
    try:
        c = await uc.add(context["ctx"], context["user"], decode(uc.AddForm, view.get("private_metadata")), given)
    except BadContext:
        await ack(response_action="errors", errors={Block.ADD_DESC: tr("commitment.unknown")})
        return
    except Problems as problems:
        await ack(response_action="errors", errors=errors_for(problems, ADD_FIELDS, tr))
        return
    except Refused as refused:
        await ack(response_action="errors", errors={Block.ADD_DESC: refused.text(tr)})
        return
    done = lines.commitment_added(tr, c)
    await ack(response_action="update", view=done_view(tr("commitment.add_modal.title"), done, tr("commitment.add_modal.done")))


def register(app: AsyncApp, ctx=None) -> None:
    for action_id in COMMIT_ACTIONS:
        app.action(action_id)(on_button)
    app.view(View.COMMIT_STATUS)(on_status_submit)
    app.action(Action.COMMIT_ROUND)(on_round_button)
    app.view(View.COMMIT_ADD)(on_add_submit)


# -- subcommands (Slack and Teams) --------------------------------------------------


async def do_round(call: commands.Call) -> None:
    trajectory = await commands.trajectory_for(call)
    try:
        done = await uc.reminder_round(call.ctx, call.user, trajectory.id)
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        return
    await call.say_lines(lines.round_lines(call.tr, done))


async def do_add(call: commands.Call) -> None:
    trajectory = await commands.trajectory_for(call)
    try:
        vm = await uc.add_form(call.ctx, call.user, trajectory.id)
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        return
    await call.open_form("commitment_add", vm)


async def do_mine(call: commands.Call) -> None:
    vm = await my_overview(call.ctx, call.user)
    call.use_language(vm["language"])
    await call.show("mine", vm)

