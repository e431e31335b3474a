"""``/dialoog memo``: the form, the preview, sending; the *Gelezen* button; who has read it."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.context import Context
from bot.identity import slack
from bot.models import Memo, Session, Trajectory
from bot.services import directory, memos
from bot.slack.blocks.common import section, text_reply, translator
from bot.slack import surface
from bot.slack.blocks.memos import memo_form, memo_preview, memo_status
from bot.slack.ids import Action, Block, View
from bot.slack.text import MODAL_TITLE, plain
from handlers import commands

log = logging.getLogger(__name__)

STATUS_WORDS = ("gelezen", "status", "read")
FIELD_BLOCKS = {
    "title": Block.MEMO_TITLE,
    "body": Block.MEMO_BODY,
    "audience": Block.MEMO_AUDIENCE,
    "roles": Block.MEMO_ROLES,
    "organisations": Block.MEMO_ORGS,
    "session": Block.MEMO_SESSION,
    "report": Block.MEMO_REPORT,
    "reminder": Block.MEMO_REMINDER_DAYS,
}


def state_value(values: dict, block_id: str, action_id: str) -> Any:
    """What an input holds in ``view.state.values``: text, one option value, or a list of them."""
    entry = (values.get(block_id) or {}).get(action_id) or {}
    if "selected_options" in entry:
        return [o.get("value") for o in entry.get("selected_options") or []]
    if "selected_option" in entry:
        return (entry.get("selected_option") or {}).get("value")
    return entry.get("value")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def read_draft(view: dict) -> memos.Draft:
    values = view.get("state", {}).get("values", {})
    report = state_value(values, Block.MEMO_REPORT, Action.MEMO_REPORT)
    reminder = _int(state_value(values, Block.MEMO_REMINDER_DAYS, Action.MEMO_REMINDER))
    return memos.Draft(
        title=state_value(values, Block.MEMO_TITLE, Action.MEMO_TITLE) or "",
        body=state_value(values, Block.MEMO_BODY, Action.MEMO_BODY) or "",
        audience=state_value(values, Block.MEMO_AUDIENCE, Action.MEMO_AUDIENCE),
        roles=state_value(values, Block.MEMO_ROLES, Action.MEMO_ROLES) or [],
        organisations=state_value(values, Block.MEMO_ORGS, Action.MEMO_ORGS) or [],
        session=state_value(values, Block.MEMO_SESSION, Action.MEMO_SESSION) or None,
        report=None if report in (None, "", "none") else report,
        reminder_days=reminder or None,
    )


def error_blocks(view: dict, errors: dict[str, str], tr) -> dict[str, str]:
    """Errors by input block; one whose input is not in this view goes to the audience."""
    present = {b.get("block_id") for b in view.get("blocks", [])}
    out: dict[str, str] = {}
    for field, code in errors.items():
        block = FIELD_BLOCKS[field] if FIELD_BLOCKS[field] in present else Block.MEMO_AUDIENCE
        out[block] = (out[block] + " " if block in out else "") + tr(f"memo.errors.{code}")
    return out


def notice_view(text: str, tr) -> dict:
    return {
        "type": "modal",
        "callback_id": View.MEMO_PREVIEW + "_notice",
        "title": plain(tr("memo.preview.modal_title"), MODAL_TITLE),
        "close": plain(tr("memo.form.close"), MODAL_TITLE),
        "blocks": [section(text)],
    }


async def form_vm(ctx: Context, s, trajectory: Trajectory, memo: Memo | None = None) -> dict:
    """The form's choices, filled in with ``memo`` when going back from the preview."""
    vm = await memos.form_options(s, ctx, trajectory)
    if memo is not None:
        session = await s.get(Session, memo.session_id) if memo.session_id else None
        vm["draft"] = asdict(memos.draft_of(memo, session.key if session else None))
        vm["memo_id"] = memo.id
    return vm


async def do_memo(call: commands.Call) -> None:
    """``/dialoog memo``: the form (a modal); ``memo gelezen``: who has read the latest memos."""
    ctx = call.ctx
    trajectory = await commands.trajectory_for(call)
    await commands.require_trekker(call, trajectory)
    if call.words and call.words[0].lower() in STATUS_WORDS:
        async with ctx.db.sessionmaker() as s:
            vm = await memos.read_overview(s, ctx, trajectory)
        await call.show("memo_status", vm)
        return
    async with ctx.db.sessionmaker() as s:
        vm = await form_vm(ctx, s, trajectory)
    await call.open_form("memo", vm)


def register_commands() -> None:
    surface.add_view("memo_status", memo_status)
    surface.add_form("memo", memo_form)


def register(app: AsyncApp, ctx: Context) -> None:
    register_commands()

    @app.view(View.MEMO_FORM)
    async def on_form(ack, body: dict, view: dict):
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        user = slack(body["user"]["id"])
        draft = read_draft(view)
        async with ctx.db.transaction() as s:
            trajectory = await s.get(Trajectory, _int(meta.get("t")) or 0)
            tr = translator(trajectory.language if trajectory else "nl")
            author = await directory.person_in(s, trajectory.id, user) if trajectory else None
            if author is None or not author.has_role("trekker"):
                await ack(response_action="errors", errors={Block.MEMO_TITLE: tr("memo.errors.not_yours")})
                return
            options = await memos.form_options(s, ctx, trajectory)
            errors = memos.validate(draft, options)
            if not errors and await memos.reachable_count(s, trajectory, author, draft) == 0:
                errors["audience"] = "nobody"
            if errors:
                await ack(response_action="errors", errors=error_blocks(view, errors, tr))
                return
            memo = await memos.save_draft(s, ctx, trajectory, author, draft, _int(meta.get("m")))
            if memo is None:
                await ack(response_action="errors", errors={Block.MEMO_TITLE: tr("memo.errors.unknown")})
                return
            vm = await memos.preview_vm(s, ctx, memo)
        await ack(response_action="update", view=memo_preview(vm, tr))

    @app.action(Action.MEMO_EDIT)
    async def on_edit(ack, body: dict, action: dict, client):
        """Back from the preview to the form, filled in with the draft."""
        await ack()
        user = slack(body["user"]["id"])
        async with ctx.db.sessionmaker() as s:
            memo, problem = await memos.load_own_draft(s, _int(action.get("value")) or 0, user)
            if memo is None:
                return
            trajectory = await s.get(Trajectory, memo.trajectory_id)
            tr = translator(trajectory.language)
            view = notice_view(tr(f"memo.errors.{problem}"), tr) if problem else memo_form(await form_vm(ctx, s, trajectory, memo), tr)
        current = body.get("view") or {}
        await client.views_update(view_id=current.get("id"), hash=current.get("hash"), view=view)

    @app.action(Action.MEMO_PREVIEW_READ)
    async def on_preview_read(ack):
        await ack()  # the Gelezen button inside the preview does nothing

    @app.view(View.MEMO_PREVIEW)
    async def on_send(ack, body: dict, view: dict):
        memo_id = _int(view.get("private_metadata")) or 0
        user = slack(body["user"]["id"])
        async with ctx.db.sessionmaker() as s:
            memo, problem = await memos.load_own_draft(s, memo_id, user)
            trajectory = await s.get(Trajectory, memo.trajectory_id) if memo else None
            if not problem and not any(p.reachable for p in await memos.audience_of(s, memo)):
                problem = "nobody"
        tr = translator(trajectory.language if trajectory else "nl")
        if problem == "already_sent":
            await ack()  # pressed twice: it is on its way
            return
        if problem:
            await ack(response_action="update", view=notice_view(tr(f"memo.errors.{problem}"), tr))
            return
        # Close the modal first: writing hundreds of outbox rows must not hold up Slack's 3 seconds.
        await ack()
        async with ctx.db.transaction() as s:
            result = await memos.send(s, ctx, memo_id, user)
        if result.ok:
            ctx.wake_dispatcher()
        else:
            log.info("memo %s not sent: %s", memo_id, result.reason)

    @app.action(Action.MEMO_READ)
    async def on_read(ack, body: dict, action: dict, respond):
        await ack()
        async with ctx.db.transaction() as s:
            result = await memos.mark_read(s, ctx, _int(action.get("value")) or 0, slack(body["user"]["id"]))
        if not result.ok:
            tr = translator(result.language or "nl")
            await respond(response_type="ephemeral", replace_original=False, **text_reply(tr, f"memo.read_errors.{result.reason}"))
            return
        if result.changed:
            ctx.wake_dispatcher()

    @app.action(Action.MEMO_STATUS)
    async def on_status(ack, body: dict, action: dict, respond):
        await ack()
        user = slack(body["user"]["id"])
        async with ctx.db.sessionmaker() as s:
            memo = await s.get(Memo, _int(action.get("value")) or 0)
            trajectory = await s.get(Trajectory, memo.trajectory_id) if memo else None
            allowed = trajectory is not None and await directory.is_trekker(s, trajectory.id, user)
            if allowed:
                vm = await memos.read_overview(s, ctx, trajectory, memo_id=memo.id)
        tr = translator(trajectory.language if trajectory else "nl")
        if not allowed:
            await respond(response_type="ephemeral", replace_original=False, **text_reply(tr, "memo.errors.not_yours"))
            return
        await respond(response_type="ephemeral", replace_original=False, **memo_status(vm, tr))
