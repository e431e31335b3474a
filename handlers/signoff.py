"""Slack: ``/dialoog ondertekenen`` and the decision buttons (phase 3): parse, call the
use case, render.  Answers are in the language of the person who acts."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot import lines
from bot.interactions import signoff as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.slack.blocks.common import done_view, lines_reply
from bot.slack.blocks.signoff import note_modal, start_modal
from bot.slack.forms import errors_for, picked_date, picked_many, typed, values_of
from bot.slack.ids import Action, Block, View
from bot.slack.surface import add_form
from handlers import commands

START_FIELDS = {"title": Block.SIGN_TITLE, "link": Block.SIGN_LINK, "organisations": Block.SIGN_ORGS, "deadline": Block.SIGN_DEADLINE}
NOTE_FIELDS = {"note": Block.NOTE}
KINDS = {Action.SIGN_DECLINE: "decline", Action.SIGN_QUESTION: "question"}


async def do_start(call: commands.Call) -> None:
    trajectory = await commands.trajectory_for(call)
    try:
        vm = await uc.start_form(call.ctx, call.user, trajectory.id)
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        return
    await call.open_form("signoff_start", vm)


def _start_input(view: dict) -> uc.StartInput:
    values = values_of(view)
    return uc.StartInput(
        title=typed(values, Block.SIGN_TITLE, Action.SIGN_TITLE) or "",
        link=typed(values, Block.SIGN_LINK, Action.SIGN_LINK) or "",
        organisations=picked_many(values, Block.SIGN_ORGS, Action.SIGN_ORGS),
        deadline=picked_date(values, Block.SIGN_DEADLINE, Action.SIGN_DEADLINE),
    )


async def on_start_submit(ack, view: dict, context):
    tr = context["tr"]
    try:
        started = await uc.start(context["ctx"], context["user"], decode(uc.StartForm, view.get("private_metadata")), _start_input(view))
    except BadContext:
        await ack(response_action="errors", errors={Block.SIGN_TITLE: tr("command.unknown_trajectory_record")})
        return
    except Problems as problems:
        await ack(response_action="errors", errors=errors_for(problems, START_FIELDS, tr))
        return
    except Refused as refused:
        await ack(response_action="errors", errors={Block.SIGN_TITLE: refused.text(tr)})
        return
    await ack(response_action="update", view=done_view(tr("signoff.modal.start_title"), lines.signoff_started(tr, started), tr("commitment.add_modal.done")))


async def tell(respond, text: str) -> None:
    await respond(response_type="ephemeral", replace_original=False, **lines_reply([text]))


async def on_agree(ack, action: dict, respond, context):
    await ack()
    try:
        await uc.agree(context["ctx"], context["user"], action.get("value"))
    except Refused as refused:
        await tell(respond, refused.text(context["tr"]))


async def on_note_button(ack, body: dict, action: dict, respond, client, context):
    """"Niet akkoord" / "Vraag stellen": a modal for the reason or the question."""
    await ack()
    try:
        shown = await uc.note_form(context["ctx"], context["user"], action.get("value"), KINDS[Action(action["action_id"])])
    except Refused as refused:
        await tell(respond, refused.text(context["tr"]))
        return
    await client.views_open(trigger_id=body["trigger_id"], view=note_modal(shown, context["tr"]))


async def on_note_submit(ack, view: dict, context):
    tr = context["tr"]
    note = (typed(values_of(view), Block.NOTE, Action.NOTE) or "").strip()
    try:
        form = decode(uc.NoteForm, view.get("private_metadata"))
        await uc.submit_note(context["ctx"], context["user"], form, note)
    except BadContext:
        await ack(response_action="errors", errors={Block.NOTE: tr("signoff.unknown")})
        return
    except Problems as problems:
        await ack(response_action="errors", errors=errors_for(problems, NOTE_FIELDS, tr))
        return
    except Refused as refused:
        await ack(response_action="errors", errors={Block.NOTE: refused.text(tr)})
        return
    if form.kind == "question":
        await ack(response_action="update", view=done_view(tr("signoff.modal.question_title"), tr("signoff.saved_question"), tr("commitment.add_modal.done")))
    else:
        await ack()


def register_commands() -> None:
    add_form("signoff_start", start_modal)


def register(app: AsyncApp, ctx=None) -> None:
    register_commands()
    app.view(View.SIGN_START)(on_start_submit)
    app.action(Action.SIGN_AGREE)(on_agree)
    app.action(Action.SIGN_DECLINE)(on_note_button)
    app.action(Action.SIGN_QUESTION)(on_note_button)
    app.view(View.SIGN_NOTE)(on_note_submit)
