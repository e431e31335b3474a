"""Commitment buttons in Teams: status changes (with a note or a snooze date in a card
form), the trekker's reminder round, and the "new commitment" form of ``afspraak``."""

from __future__ import annotations

from datetime import date, timedelta

from microsoft_agents.hosting.core import AgentApplication, TurnContext

from bot.context import Context
from bot.formatting import format_date
from bot.identity import User
from bot.models import Trajectory
from bot.services import commitments, directory
from bot.teams.cards.commitments import BUILDERS, NOTE_MAX, add_form, done_card, status_form
from bot.teams.ids import ORIGIN_MINE, Input, Verb
from bot.teams.text import translator
from handlers.commitments import add_form_vm, reminder_round
from handlers.teams.common import Answer, number, on_card, teams_user
from handlers.teams.home import overview

FORM_STATUSES = ("busy", "blocked", "snoozed", "not_applicable")
CARDS = ("commitment_reminder", "commitment_new")
ADD_FIELDS = {
    "organisation": Input.ADD_ORG,
    "owner": Input.ADD_OWNER,
    "description": Input.ADD_DESC,
    "due": Input.ADD_DUE,
    "phase": Input.ADD_PHASE,
}


async def language_of(ctx: Context, user: User) -> str:
    from sqlalchemy import select

    from bot.identity import matches
    from bot.models import Person

    async with ctx.db.sessionmaker() as s:
        person = (await s.execute(select(Person).where(matches(user)))).scalars().first()
    return (person.language if person else None) or "nl"


async def commitment_card(ctx: Context, user: User, data: dict, notice: str | None = None) -> dict | None:
    if data.get("origin") == ORIGIN_MINE:
        return await overview(ctx, user, notice)
    async with ctx.db.sessionmaker() as s:
        c = await commitments.load(s, number(data.get("commitment_id")))
        if c is None:
            return None
        trajectory = await s.get(Trajectory, c.trajectory_id)
        vm = commitments.commitment_vm(c, trajectory, commitments.local_today(ctx, trajectory))
        lang = c.owner.language or trajectory.language
    name = data.get("card") if data.get("card") in CARDS else "commitment_reminder"
    return BUILDERS[name](vm, translator(lang))["card"]


def register(agent: AgentApplication, ctx: Context, chat) -> None:
    async def refusal(user: User, change: commitments.Change) -> Answer:
        tr = translator(await language_of(ctx, user))
        if change.reason == "not_allowed":
            return Answer(text=tr("commitment.refused", organisation=change.commitment.organisation.name))
        return Answer(text=tr("commitment.unknown"))

    async def on_status(context: TurnContext, data: dict) -> Answer:
        user = teams_user(context)
        to = data.get("to")
        commitment_id = number(data.get("commitment_id"))
        if to not in commitments.CHANGEABLE_TO:
            return Answer(text=translator("nl")("commitment.unknown"))
        if to in FORM_STATUSES:
            async with ctx.db.sessionmaker() as s:
                c = await commitments.load(s, commitment_id)
                allowed = c is not None and await commitments.may_change(s, c, user) is not None
            if not allowed:
                return await refusal(user, commitments.Change(False, "unknown" if c is None else "not_allowed", c))
            vm = {"commitment_id": c.id, "description": c.description, "to": to, "origin": data.get("origin"), "card": data.get("card")}
            return Answer(card=status_form(vm, translator(await language_of(ctx, user))))
        async with ctx.db.transaction() as s:
            change = await commitments.change_status(s, ctx, commitment_id, user, to)
        if not change.ok:
            return await refusal(user, change)
        ctx.wake_dispatcher()
        return Answer(card=await commitment_card(ctx, user, data))

    async def on_status_submit(context: TurnContext, data: dict) -> Answer:
        """The status form, validated here whatever the client checked."""
        user = teams_user(context)
        to = data.get("to")
        commitment_id = number(data.get("commitment_id"))
        if to not in FORM_STATUSES:
            return Answer(text=translator("nl")("commitment.unknown"))
        tr = translator(await language_of(ctx, user))
        async with ctx.db.sessionmaker() as s:
            c = await commitments.load(s, commitment_id)
            if c is None:
                return Answer(text=tr("commitment.unknown"))
            today = commitments.local_today(ctx, await s.get(Trajectory, c.trajectory_id))
        note = str(data.get(Input.NOTE) or "").strip()
        values = {k: data.get(k) for k in (Input.NOTE, Input.SNOOZE_CHOICE, Input.SNOOZE_DATE) if data.get(k)}
        vm = {"commitment_id": commitment_id, "description": c.description, "to": to, "origin": data.get("origin"),
              "card": data.get("card"), "values": values}

        def form_error(field: str, key: str, **params) -> Answer:
            return Answer(card=status_form(vm, tr, {field: tr(key, **params)}))

        snooze_until = None
        if to == "snoozed":
            if data.get(Input.SNOOZE_CHOICE) == "date":
                try:
                    snooze_until = date.fromisoformat(str(data.get(Input.SNOOZE_DATE) or ""))
                except ValueError:
                    snooze_until = None
                if snooze_until is None or snooze_until <= today:
                    return form_error(Input.SNOOZE_DATE, "commitment.errors.snooze_date")
            else:
                snooze_until = today + timedelta(days=7)
        elif to in ("blocked", "not_applicable") and not note:
            return form_error(Input.NOTE, "commitment.errors.note_required")
        if len(note) > NOTE_MAX:
            return form_error(Input.NOTE, "commitment.errors.note_long", limit=NOTE_MAX)
        async with ctx.db.transaction() as s:
            change = await commitments.change_status(s, ctx, commitment_id, user, to, note, snooze_until)
        if not change.ok:
            if change.reason == "invalid":
                return form_error(Input.SNOOZE_DATE, "commitment.errors.snooze_date")
            return await refusal(user, change)
        ctx.wake_dispatcher()
        return Answer(card=await commitment_card(ctx, user, data))

    async def on_round(context: TurnContext, data: dict) -> Answer:
        user = teams_user(context)
        async with ctx.db.sessionmaker() as s:
            trajectory = await s.get(Trajectory, number(data.get("trajectory_id")))
            allowed = trajectory is not None and await directory.is_trekker(s, trajectory.id, user)
        if not allowed:
            tr = translator(await language_of(ctx, user))
            return Answer(text=tr("command.not_trekker", trajectory=trajectory.title if trajectory else ""))
        lines = await reminder_round(ctx, trajectory, translator(trajectory.language))
        if data.get("origin") == ORIGIN_MINE:
            return Answer(card=await overview(ctx, user, "\n".join(lines)))
        return Answer(text="\n".join(lines))

    async def on_add_submit(context: TurnContext, data: dict) -> Answer:
        user = teams_user(context)
        async with ctx.db.transaction() as s:
            trajectory = await s.get(Trajectory, number(data.get("trajectory_id")))
            tr = translator(trajectory.language if trajectory else "nl")
            actor = await directory.person_in(s, trajectory.id, user) if trajectory else None
            if actor is None or not actor.has_role("trekker"):
                return Answer(text=tr("command.not_trekker", trajectory=trajectory.title if trajectory else ""))
            values = {field: data.get(field) for field in ADD_FIELDS.values() if data.get(field)}
            try:
                due = date.fromisoformat(str(data.get(Input.ADD_DUE) or ""))
            except ValueError:
                due = None
            new = commitments.NewCommitment(
                organisation_id=number(data.get(Input.ADD_ORG)),
                owner_id=number(data.get(Input.ADD_OWNER)),
                description=str(data.get(Input.ADD_DESC) or ""),
                due=due or date.max,
                phase=number(data.get(Input.ADD_PHASE)) or None,
            )
            problems = await commitments.validate_new(s, ctx, trajectory, new)
            if due is None:
                problems["due"] = "commitment.errors.due_missing"
            if not problems:
                c = await commitments.create(s, ctx, trajectory, new, actor)
                done = tr("commitment.added", organisation=c.organisation.name, owner=c.owner.name, due=format_date(c.due, tr.lang))
        if problems:
            vm = await add_form_vm(ctx, trajectory)
            vm["values"] = values
            return Answer(card=add_form(vm, tr, {ADD_FIELDS[field]: tr(key) for field, key in problems.items()}))
        ctx.wake_dispatcher()
        return Answer(card=done_card(tr("commitment.add_modal.title"), done))

    async def on_back(context: TurnContext, data: dict) -> Answer:
        """"Annuleren" on a form: the card it came from, unchanged."""
        from handlers.teams.invitations import invitation_card

        from bot.identity import is_user
        from bot.services import invitations

        user = teams_user(context)
        shown = None
        async with ctx.db.sessionmaker() as s:
            if data.get("invitation_id"):
                inv = await invitations.load_invitation(s, number(data.get("invitation_id")))
                allowed = inv is not None and is_user(inv.person, user)
            else:
                c = await commitments.load(s, number(data.get("commitment_id")))
                allowed = c is not None and await commitments.may_change(s, c, user) is not None
        if allowed:
            shown = await (invitation_card if data.get("invitation_id") else commitment_card)(ctx, user, data)
        if shown is None:
            return Answer(text=translator("nl")("teams.form_closed"))
        return Answer(card=shown)

    on_card(agent, Verb.COMMIT, on_status)
    on_card(agent, Verb.COMMIT_SUBMIT, on_status_submit)
    on_card(agent, Verb.COMMIT_ROUND, on_round)
    on_card(agent, Verb.COMMIT_ADD_SUBMIT, on_add_submit)
    on_card(agent, Verb.BACK, on_back)
