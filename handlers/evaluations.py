"""Slack: ``/dialoog evaluatie <sessie> [resultaten]``, the prompt button, the form and
the results' "Download als Excel" button (parse, call the use case, render)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot import lines
from bot.interactions import evaluations as uc
from bot.interactions.codec import BadContext, decode
from bot.interactions.errors import Problems, Refused
from bot.slack.blocks.common import lines_reply
from bot.slack.blocks.evaluations import evaluation_modal, question_action_id, question_block_id
from bot.slack.forms import state_value, values_of
from bot.slack.ids import Action, Block, View
from handlers import commands

RESULT_WORDS = ("resultaten", "results", "uitslag")


def read_answers(view: dict) -> tuple[dict, list[str]]:
    """Question key -> submitted value (text, one option value or a list of them), and
    the question block ids in form order."""
    values = values_of(view)
    prefix = f"{Block.EVAL_QUESTION}:"
    blocks = [b["block_id"] for b in view.get("blocks", []) if str(b.get("block_id", "")).startswith(prefix)]
    keys = [block[len(prefix):] for block in blocks]
    return {key: state_value(values, block, question_action_id(key)) for key, block in zip(keys, blocks)}, blocks


async def reply(respond, text: str) -> None:
    """A short answer to the clicker only, under the message."""
    await respond(response_type="ephemeral", replace_original=False, **lines_reply([text]))


async def on_open(ack, body: dict, action: dict, client, respond, context):
    await ack()
    try:
        view = await uc.open_form(context["ctx"], context["user"], action.get("value"))
    except Refused as refused:
        await reply(respond, refused.text(context["tr"]))
        return
    # The trigger_id is valid for 3 seconds: open the form before anything else.
    await client.views_open(trigger_id=body["trigger_id"], view=evaluation_modal(view, context["tr"]))


async def on_submit(ack, view: dict, context):
    tr = context["tr"]
    raw, blocks = read_answers(view)
    first = blocks[0] if blocks else question_block_id("-")
    try:
        form = decode(uc.PromptForm, view.get("private_metadata"))
        await uc.submit(context["ctx"], context["user"], form, raw)
    except BadContext:
        await ack(response_action="errors", errors={first: tr("evaluation.errors.unknown")})
        return
    except Problems as problems:
        await ack(response_action="errors", errors={question_block_id(k): text for k, text in problems.texts(tr).items()})
        return
    except Refused as refused:
        await ack(response_action="errors", errors={first: refused.text(tr)})
        return
    await ack()


async def on_export(ack, action: dict, respond, context):
    """From the results: the answers as an xlsx file in the trekker's DM."""
    await ack()
    try:
        params = await uc.export(context["ctx"], context["user"], action.get("value"))
    except Refused as refused:
        await reply(respond, refused.text(context["tr"]))
        return
    await reply(respond, context["tr"]("evaluation.export.sent", **params))


def register(app: AsyncApp, ctx=None) -> None:
    app.action(Action.EVAL_OPEN)(on_open)
    app.view(View.EVALUATION)(on_submit)
    app.action(Action.EVAL_EXPORT)(on_export)


# -- the subcommand (Slack and Teams) ------------------------------------------------


async def do_evaluate(call: commands.Call) -> None:
    """``/dialoog evaluatie <sessie>``: prompt now; ``... resultaten``: the results as a direct message."""
    trajectory = await commands.trajectory_for(call)
    session = await commands.session_for(call, trajectory, "evaluatie")
    wants_results = len(call.words) > 1 and call.words[1].lower() in RESULT_WORDS
    try:
        if wants_results:
            call.use_language(await uc.request_results(call.ctx, call.user, trajectory.id, session.id))
            await call.say("evaluation.command.results_sent", title=session.title)
            return
        done = await uc.prompt_now(call.ctx, call.user, trajectory.id, session.id)
    except Refused as refused:
        await call.say_lines([refused.text(call.tr)])
        return
    call.use_language(done.language)
    await call.say_lines(lines.prompted_lines(call.tr, done))
