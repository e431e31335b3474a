"""``/dialoog ondertekenen`` and the decision buttons (phase 3)."""

from __future__ import annotations

from datetime import date

from slack_bolt.async_app import AsyncApp
from sqlalchemy import select

from bot.context import Context
from bot.identity import slack
from bot.models import Organisation, Trajectory
from bot.services import directory, signoff
from bot.slack.blocks.common import done_view, text_reply, translator
from bot.slack.blocks.signoff import note_modal, start_modal
from bot.slack.ids import Action, Block, View
from bot.slack.surface import add_form
from handlers import commands

FIELDS = {"title": Block.SIGN_TITLE, "link": Block.SIGN_LINK, "organisations": Block.SIGN_ORGS, "deadline": Block.SIGN_DEADLINE}
REFUSALS = {"not_allowed": "signoff.refused", "too_late": "signoff.too_late", "unknown": "signoff.unknown", "invalid": "signoff.errors.note"}


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


async def do_start(call: commands.Call) -> None:
    trajectory = await commands.trajectory_for(call)
    await commands.require_trekker(call, trajectory)
    async with call.ctx.db.sessionmaker() as s:
        organisations = (
            await s.execute(select(Organisation).where(Organisation.trajectory_id == trajectory.id).order_by(Organisation.name))
        ).scalars().all()
    vm = {"trajectory_id": trajectory.id, "organisations": [{"id": o.id, "name": o.name} for o in organisations]}
    await call.open_form("signoff_start", vm)


def register_commands() -> None:
    add_form("signoff_start", start_modal)


def register(app: AsyncApp, ctx: Context) -> None:
    register_commands()

    @app.view(View.SIGN_START)
    async def on_start_submit(ack, body: dict, view: dict):
        values = view.get("state", {}).get("values", {})

        def value(block: str, action: str) -> dict:
            return values.get(block, {}).get(action) or {}

        title = value(Block.SIGN_TITLE, Action.SIGN_TITLE).get("value") or ""
        link = value(Block.SIGN_LINK, Action.SIGN_LINK).get("value") or ""
        org_ids = [_int(o.get("value")) for o in value(Block.SIGN_ORGS, Action.SIGN_ORGS).get("selected_options") or []]
        try:
            deadline = date.fromisoformat(value(Block.SIGN_DEADLINE, Action.SIGN_DEADLINE).get("selected_date") or "")
        except ValueError:
            deadline = None
        async with ctx.db.transaction() as s:
            trajectory = await s.get(Trajectory, _int(view.get("private_metadata")) or 0)
            tr = translator(trajectory.language if trajectory else "nl")
            actor = await directory.person_in(s, trajectory.id, slack(body["user"]["id"])) if trajectory else None
            if actor is None or not actor.has_role("trekker"):
                await ack(response_action="errors", errors={Block.SIGN_TITLE: tr("command.not_trekker", trajectory=trajectory.title if trajectory else "")})
                return
            known = set((await s.execute(select(Organisation.id).where(Organisation.trajectory_id == trajectory.id))).scalars())
            problems = signoff.validate(title, link, [i for i in org_ids if i], deadline, signoff.today_in(ctx, trajectory), known)
            if problems:
                await ack(response_action="errors", errors={FIELDS[field]: tr(key) for field, key in problems.items()})
                return
            started = await signoff.start(s, ctx, trajectory, actor, title, link, org_ids, deadline)
        lines = [tr("signoff.started", title=title, organisations=len(org_ids), sent=started.sent)]
        if started.unreachable:
            lines.append(tr("signoff.started_unreachable", names=", ".join(started.unreachable)))
        if started.without_signer:
            lines.append(tr("signoff.started_without", names=", ".join(started.without_signer)))
        await ack(response_action="update", view=done_view(tr("signoff.modal.start_title"), "\n".join(lines), tr("commitment.add_modal.done")))
        ctx.wake_dispatcher()

    async def refuse(respond, tr, reason: str) -> None:
        await respond(response_type="ephemeral", replace_original=False, **text_reply(tr, REFUSALS.get(reason, "signoff.unknown")))

    @app.action(Action.SIGN_AGREE)
    async def on_agree(ack, body: dict, action: dict, respond):
        await ack()
        async with ctx.db.transaction() as s:
            result = await signoff.decide(s, ctx, _int(action.get("value")) or 0, slack(body["user"]["id"]), "agreed")
        if not result.ok:
            await refuse(respond, translator("nl"), result.reason)
            return
        ctx.wake_dispatcher()

    async def open_note(ack, body: dict, action: dict, respond, client, kind: str):
        await ack()
        request_id = _int(action.get("value")) or 0
        async with ctx.db.sessionmaker() as s:
            allowed = await signoff.may_decide(s, ctx, request_id, slack(body["user"]["id"]))
        if not allowed.ok:
            await refuse(respond, translator("nl"), allowed.reason)
            return
        vm = {"request_id": request_id, "kind": kind, "title": allowed.request.round.title}
        await client.views_open(trigger_id=body["trigger_id"], view=note_modal(vm, translator("nl")))

    @app.action(Action.SIGN_DECLINE)
    async def on_decline(ack, body: dict, action: dict, respond, client):
        await open_note(ack, body, action, respond, client, "decline")

    @app.action(Action.SIGN_QUESTION)
    async def on_question(ack, body: dict, action: dict, respond, client):
        await open_note(ack, body, action, respond, client, "question")

    @app.view(View.SIGN_NOTE)
    async def on_note_submit(ack, body: dict, view: dict):
        request_id, kind = (view.get("private_metadata") or "0:decline").split(":", 1)
        note = ((view.get("state", {}).get("values", {}).get(Block.NOTE, {}).get(Action.NOTE) or {}).get("value") or "").strip()
        tr = translator("nl")
        if not note:
            await ack(response_action="errors", errors={Block.NOTE: tr("signoff.errors.note")})
            return
        if len(note) > signoff.TEXT_LIMIT:
            await ack(response_action="errors", errors={Block.NOTE: tr("signoff.errors.note_long")})
            return
        user = slack(body["user"]["id"])
        async with ctx.db.transaction() as s:
            if kind == "question":
                result = await signoff.ask(s, ctx, _int(request_id) or 0, user, note)
            else:
                result = await signoff.decide(s, ctx, _int(request_id) or 0, user, "declined", note)
        if not result.ok:
            await ack(response_action="errors", errors={Block.NOTE: tr(REFUSALS.get(result.reason, "signoff.unknown"))})
            return
        if kind == "question":
            await ack(response_action="update", view=done_view(tr("signoff.modal.question_title"), tr("signoff.saved_question"), tr("commitment.add_modal.done")))
        else:
            await ack()
        ctx.wake_dispatcher()
