"""``/dialoog evaluatie <sessie> [resultaten]``, the prompt button, the form and the
results' "Download als Excel" button."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from sqlalchemy import select

from bot.context import Context
from bot.formatting import format_datetime
from bot.identity import slack
from bot.models import Session
from bot.services import directory, evaluations, exports
from bot.slack.blocks.common import text_reply, translator
from bot.slack.blocks.evaluations import evaluation_modal, question_action_id, question_block_id
from bot.slack.ids import Action, Block, View
from handlers import commands
from handlers.memos import state_value

RESULT_WORDS = ("resultaten", "results", "uitslag")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def read_answers(view: dict) -> tuple[dict, list[str]]:
    """Question key -> submitted value, and the question block ids in form order."""
    values = view.get("state", {}).get("values", {})
    prefix = f"{Block.EVAL_QUESTION}:"
    blocks = [b["block_id"] for b in view.get("blocks", []) if str(b.get("block_id", "")).startswith(prefix)]
    raw = {block[len(prefix):]: state_value(values, block, question_action_id(block[len(prefix):])) for block in blocks}
    return raw, blocks


async def do_evaluate(call: commands.Call) -> None:
    """``/dialoog evaluatie <sessie>``: prompt now; ``... resultaten``: the results as a direct message."""
    ctx = call.ctx
    trajectory = await commands.trajectory_for(call)
    await commands.require_trekker(call, trajectory)
    session = await commands.session_for(call, trajectory, "evaluatie")
    rest = [w.lower() for w in call.words[1:]]
    if rest and rest[0] in RESULT_WORDS:
        async with ctx.db.transaction() as s:
            me = await directory.person_in(s, trajectory.id, call.user)
            request = await evaluations.request_results(s, ctx, session, me)
        if not request.ok:
            await call.say("evaluation.command.not_open", title=session.title, key=session.key)
            return
        ctx.wake_dispatcher()
        await call.say("evaluation.command.results_sent", title=session.title)
        return
    async with ctx.db.transaction() as s:
        locked = (await s.execute(select(Session).where(Session.id == session.id).with_for_update())).scalar_one()
        ev = await evaluations.open_evaluation(s, ctx, locked, trajectory)
        result = await evaluations.send_prompts(s, ctx, ev, locked, trajectory) if ev is not None else None
        closes = ev.closes_at if ev is not None else None
    if result is None:
        await call.say("evaluation.command.no_form", title=session.title)
        return
    ctx.wake_dispatcher()
    if result.closed:
        await call.say("evaluation.command.closed", title=session.title, key=session.key)
        return
    lines = []
    if result.sent == 0 and result.already == 0:
        lines.append(call.tr("evaluation.command.nobody", title=session.title))
    else:
        when = format_datetime(closes, trajectory.timezone, call.tr.lang)
        lines.append(call.tr("evaluation.command.sent", title=session.title, sent=result.sent, already=result.already, closes=when))
    if result.unreachable:
        lines.append(call.tr("command.unreachable", names=", ".join(result.unreachable)))
    lines += commands.later_line(call, trajectory, result.send_at if result.sent else None)
    await call.say_lines(lines)


def register(app: AsyncApp, ctx: Context) -> None:

    @app.action(Action.EVAL_OPEN)
    async def on_open(ack, body: dict, action: dict, client, respond):
        await ack()
        user = slack(body["user"]["id"])
        async with ctx.db.sessionmaker() as s:
            access = await evaluations.form_for(s, ctx, _int(action.get("value")) or 0, user)
        tr = translator(access.language or "nl")
        if not access.ok:
            await respond(response_type="ephemeral", replace_original=False, **text_reply(tr, f"evaluation.refuse.{access.reason}"))
            return
        # The trigger_id is valid for 3 seconds: open the form before anything else.
        await client.views_open(trigger_id=body["trigger_id"], view=evaluation_modal(access.vm, tr))

    @app.action(Action.EVAL_EXPORT)
    async def on_export(ack, body: dict, action: dict, respond):
        """From the results: the answers as an xlsx file in the trekker's DM."""
        await ack()
        request = await exports.request_export(ctx, _int(action.get("value")) or 0, slack(body["user"]["id"]))
        if request.ok:
            ctx.wake_dispatcher()
        key, params = exports.reply(request)
        await respond(response_type="ephemeral", replace_original=False, **text_reply(translator(request.language), key, **params))

    @app.view(View.EVALUATION)
    async def on_submit(ack, body: dict, view: dict):
        raw, blocks = read_answers(view)
        result = await evaluations.submit(ctx, _int(view.get("private_metadata")) or 0, slack(body["user"]["id"]), raw)
        if result.ok:
            await ack()
            ctx.wake_dispatcher()
            return
        tr = translator(result.language or "nl")
        if result.reason == "invalid":
            errors = {question_block_id(key): tr(f"evaluation.errors.{code}", **params) for key, (code, params) in result.errors.items()}
        else:
            errors = {blocks[0] if blocks else question_block_id("-"): tr(f"evaluation.errors.{result.reason}")}
        await ack(response_action="errors", errors=errors)
