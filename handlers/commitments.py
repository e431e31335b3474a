"""Commitment buttons and modals, ``/dialoog afspraak``, ``herinneren afspraken``, ``mijn``."""

from __future__ import annotations

from datetime import date, timedelta

from slack_bolt.async_app import AsyncApp
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.context import Context
from bot.formatting import format_date, format_datetime
from bot.identity import matches, slack
from bot.models import Organisation, Person, Trajectory
from bot.services import commitments, directory
from bot.services.overview import my_overview
from bot.slack import home
from bot.slack.blocks.commitments import NOTE_MAX, status_modal
from bot.slack.blocks.common import done_view, text_reply, translator
from bot.slack.ids import COMMIT_ACTIONS, Action, Block, View
from handlers import commands

MODAL_STATUSES = ("busy", "blocked", "snoozed", "not_applicable")
ADD_BLOCKS = {
    "organisation": Block.ADD_ORG,
    "owner": Block.ADD_OWNER,
    "description": Block.ADD_DESC,
    "due": Block.ADD_DUE,
    "phase": Block.ADD_PHASE,
}


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _values(view: dict) -> dict:
    return view.get("state", {}).get("values", {})


def _selected(values: dict, block: str, action: str) -> str | None:
    return ((values.get(block, {}).get(action) or {}).get("selected_option") or {}).get("value")


def register(app: AsyncApp, ctx: Context) -> None:
    async def language_of(user_id: str) -> str:
        async with ctx.db.sessionmaker() as s:
            person = (await s.execute(select(Person).where(matches(slack(user_id))))).scalars().first()
        return (person.language if person else None) or "nl"

    async def tell(body: dict, respond, client, key: str, **params) -> None:
        """An answer to a click: ephemeral under a message, a fresh Home in the Home tab."""
        user_id = body["user"]["id"]
        tr = translator(await language_of(user_id))
        if body.get("container", {}).get("type") == "view":
            await client.views_publish(user_id=user_id, view=await home.build_for(ctx, user_id, notice=tr(key, **params)))
        else:
            await respond(response_type="ephemeral", replace_original=False, **text_reply(tr, key, **params))

    async def refused(body: dict, respond, client, change: commitments.Change) -> None:
        if change.reason == "not_allowed":
            await tell(body, respond, client, "commitment.refused", organisation=change.commitment.organisation.name)
        else:
            await tell(body, respond, client, "commitment.unknown")

    async def after_change(body: dict, client) -> None:
        ctx.wake_dispatcher()
        if body.get("container", {}).get("type") == "view" and body.get("view", {}).get("type") == "home":
            await client.views_publish(user_id=body["user"]["id"], view=await home.build_for(ctx, body["user"]["id"]))

    async def on_button(ack, body: dict, action: dict, respond, client):
        await ack()
        to = COMMIT_ACTIONS[Action(action["action_id"])]
        commitment_id = _int(action.get("value")) or 0
        user_id = body["user"]["id"]
        if to in MODAL_STATUSES:
            async with ctx.db.sessionmaker() as s:
                c = await commitments.load(s, commitment_id)
                allowed = c is not None and await commitments.may_change(s, c, slack(user_id)) is not None
            if not allowed:
                await refused(body, respond, client, commitments.Change(False, "unknown" if c is None else "not_allowed", c))
                return
            origin = "home" if body.get("container", {}).get("type") == "view" else "message"
            vm = {"commitment_id": c.id, "description": c.description, "to": to, "origin": origin}
            await client.views_open(trigger_id=body["trigger_id"], view=status_modal(vm, translator(await language_of(user_id))))
            return
        async with ctx.db.transaction() as s:
            change = await commitments.change_status(s, ctx, commitment_id, slack(user_id), to)
        if not change.ok:
            await refused(body, respond, client, change)
            return
        await after_change(body, client)

    for action_id in COMMIT_ACTIONS:
        app.action(action_id)(on_button)

    @app.view(View.COMMIT_STATUS)
    async def on_status_submit(ack, body: dict, view: dict, client):
        commitment_id, to, origin = (view.get("private_metadata") or "0::").split(":", 2)
        values = _values(view)
        tr = translator(await language_of(body["user"]["id"]))
        note = ((values.get(Block.NOTE, {}).get(Action.NOTE) or {}).get("value") or "").strip()
        snooze_until = None
        if to == "snoozed":
            async with ctx.db.sessionmaker() as s:
                c = await commitments.load(s, _int(commitment_id) or 0)
                today = commitments.local_today(ctx, await s.get(Trajectory, c.trajectory_id)) if c else date.today()
            if _selected(values, Block.SNOOZE_CHOICE, Action.SNOOZE_CHOICE) == "date":
                raw = (values.get(Block.SNOOZE_DATE, {}).get(Action.SNOOZE_DATE) or {}).get("selected_date")
                try:
                    snooze_until = date.fromisoformat(raw or "")
                except ValueError:
                    snooze_until = None
                if snooze_until is None or snooze_until <= today:
                    await ack(response_action="errors", errors={Block.SNOOZE_DATE: tr("commitment.errors.snooze_date")})
                    return
            else:
                snooze_until = today + timedelta(days=7)
        elif to in ("blocked", "not_applicable") and not note:
            await ack(response_action="errors", errors={Block.NOTE: tr("commitment.errors.note_required")})
            return
        if len(note) > NOTE_MAX:
            await ack(response_action="errors", errors={Block.NOTE: tr("commitment.errors.note_long", limit=NOTE_MAX)})
            return
        async with ctx.db.transaction() as s:
            change = await commitments.change_status(s, ctx, _int(commitment_id) or 0, slack(body["user"]["id"]), to, note, snooze_until)
        if not change.ok:
            key = {"invalid": "commitment.errors.snooze_date", "not_allowed": "commitment.refused"}.get(change.reason, "commitment.unknown")
            block = Block.SNOOZE_DATE if to == "snoozed" else Block.NOTE
            organisation = change.commitment.organisation.name if change.commitment else ""
            await ack(response_action="errors", errors={block: tr(key, organisation=organisation)})
            return
        await ack()
        ctx.wake_dispatcher()
        if origin == "home":
            await client.views_publish(user_id=body["user"]["id"], view=await home.build_for(ctx, body["user"]["id"]))

    @app.action(Action.COMMIT_ROUND)
    async def on_round_button(ack, body: dict, action: dict, client, respond):
        await ack()
        user_id = body["user"]["id"]
        async with ctx.db.sessionmaker() as s:
            trajectory = await s.get(Trajectory, _int(action.get("value")) or 0)
            allowed = trajectory is not None and await directory.is_trekker(s, trajectory.id, slack(user_id))
        if not allowed:
            await tell(body, respond, client, "command.not_trekker", trajectory=trajectory.title if trajectory else "")
            return
        lines = await reminder_round(ctx, trajectory, translator(trajectory.language))
        await client.views_publish(user_id=user_id, view=await home.build_for(ctx, user_id, notice="\n".join(lines)))

    @app.view(View.COMMIT_ADD)
    async def on_add_submit(ack, body: dict, view: dict):
        values = _values(view)
        user_id = body["user"]["id"]
        raw_due = (values.get(Block.ADD_DUE, {}).get(Action.ADD_DUE) or {}).get("selected_date")
        description = (values.get(Block.ADD_DESC, {}).get(Action.ADD_DESC) or {}).get("value") or ""
        async with ctx.db.transaction() as s:
            trajectory = await s.get(Trajectory, _int(view.get("private_metadata")) or 0)
            tr = translator(trajectory.language if trajectory else "nl")
            actor = await directory.person_in(s, trajectory.id, slack(user_id)) if trajectory else None
            if actor is None or not actor.has_role("trekker"):
                await ack(response_action="errors", errors={Block.ADD_DESC: tr("command.not_trekker", trajectory=trajectory.title if trajectory else "")})
                return
            try:
                due = date.fromisoformat(raw_due or "")
            except ValueError:
                await ack(response_action="errors", errors={Block.ADD_DUE: tr("commitment.errors.due_missing")})
                return
            new = commitments.NewCommitment(
                organisation_id=_int(_selected(values, Block.ADD_ORG, Action.ADD_ORG)) or 0,
                owner_id=_int(_selected(values, Block.ADD_OWNER, Action.ADD_OWNER)) or 0,
                description=description,
                due=due,
                phase=_int(_selected(values, Block.ADD_PHASE, Action.ADD_PHASE)),
            )
            problems = await commitments.validate_new(s, ctx, trajectory, new)
            if problems:
                await ack(response_action="errors", errors={ADD_BLOCKS[field]: tr(key) for field, key in problems.items()})
                return
            c = await commitments.create(s, ctx, trajectory, new, actor)
            done = tr("commitment.added", organisation=c.organisation.name, owner=c.owner.name, due=format_date(c.due, tr.lang))
        await ack(response_action="update", view=done_view(tr("commitment.add_modal.title"), done, tr("commitment.add_modal.done")))
        ctx.wake_dispatcher()


# -- subcommands (Slack and Teams) --------------------------------------------------


async def reminder_round(ctx: Context, trajectory: Trajectory, tr) -> list[str]:
    async with ctx.db.transaction() as s:
        counts = await commitments.reminder_round(s, ctx, await s.get(Trajectory, trajectory.id))
    ctx.wake_dispatcher()
    lines = [tr("commitment.round_done", trajectory=trajectory.title, sent=counts.get("sent", 0))]
    skipped = {k: counts.get(k, 0) for k in ("already_today", "snoozed", "unreachable")}
    if any(skipped.values()):
        lines.append(tr("commitment.round_skipped", already=skipped["already_today"], snoozed=skipped["snoozed"], unreachable=skipped["unreachable"]))
    send_at = ctx.send_time(trajectory.timezone)
    if counts.get("sent") and send_at > ctx.now():
        lines.append(tr("commitment.round_later", when=format_datetime(send_at, trajectory.timezone, tr.lang)))
    return lines


async def do_round(call: commands.Call) -> None:
    trajectory = await commands.trajectory_for(call)
    await commands.require_trekker(call, trajectory)
    await call.say_lines(await reminder_round(call.ctx, trajectory, call.tr))


async def add_form_vm(ctx: Context, trajectory: Trajectory) -> dict:
    """Organisations with their people, for the "new commitment" form."""
    async with ctx.db.sessionmaker() as s:
        organisations = (
            await s.execute(select(Organisation).where(Organisation.trajectory_id == trajectory.id).order_by(Organisation.name))
        ).scalars().all()
        people = (
            await s.execute(
                select(Person).where(Person.trajectory_id == trajectory.id, Person.active.is_(True)).order_by(Person.name)
            )
        ).scalars().all()
    return {
        "trajectory_id": trajectory.id,
        "current_phase": trajectory.current_phase,
        "organisations": [
            {"id": o.id, "name": o.name, "people": [{"id": p.id, "name": p.name} for p in people if p.organisation_id == o.id]}
            for o in organisations
        ],
    }


async def do_add(call: commands.Call) -> None:
    trajectory = await commands.trajectory_for(call)
    await commands.require_trekker(call, trajectory)
    await call.open_form("commitment_add", await add_form_vm(call.ctx, trajectory))


async def do_mine(call: commands.Call) -> None:
    vm = await my_overview(call.ctx, call.user)
    call.use_language(vm["language"])
    await call.show("mine", vm)
