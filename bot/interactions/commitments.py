"""Commitment interactions: a status button, the status form, a new commitment and the
trekker's reminder round.  Slack and Teams call these and render what comes back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Literal

from sqlalchemy import select

from bot.context import Context
from bot.identity import User
from bot.interactions import actors
from bot.interactions.errors import Refused
from bot.interactions.codec import parse_id
from bot.models import Commitment, Person, Trajectory
from bot.services import commitment_reminders, commitments, directory

FormStatus = Literal["busy", "blocked", "snoozed", "not_applicable"]


@dataclass(frozen=True)
class StatusForm:
    """What the status form carries back: which commitment, to which status, and where
    the button was (``origin``: message, home, mine; ``card``: the Teams card shown)."""

    VERSION: ClassVar[int] = 1
    commitment_id: int
    to: FormStatus
    description: str = ""
    origin: str = "message"
    card: str | None = None


@dataclass(frozen=True)
class Pressed:
    """A status button's outcome: either a form to fill in, or the changed commitment."""

    form: StatusForm | None = None
    commitment: Commitment | None = None


async def press(ctx: Context, user: User, commitment_id, to: str, origin: str = "message", card: str | None = None) -> Pressed:
    """A status button.  Statuses that need a note or a date open the form first."""
    if to not in commitments.CHANGEABLE_TO:
        raise Refused("commitment.unknown")
    if to in commitments.FORM_STATUSES:
        async with ctx.db.sessionmaker() as s:
            c, _ = await commitments.changeable(s, parse_id(commitment_id), user)
        return Pressed(form=StatusForm(c.id, to, c.description[:200], origin, card))  # type: ignore[arg-type]
    async with ctx.db.transaction() as s:
        return Pressed(commitment=await commitments.change_status(s, ctx, parse_id(commitment_id), user, to))


@dataclass(frozen=True)
class StatusInput:
    note: str = ""
    snooze: str | None = None  # "week" or "date"
    snooze_date: str | None = None


async def submit_status(ctx: Context, user: User, form: StatusForm, given: StatusInput) -> Commitment:
    """The status form, checked with the service's rules whatever the client checked."""
    async with ctx.db.transaction() as s:
        return await commitments.change_status(
            s, ctx, form.commitment_id, user, form.to, given.note, given.snooze, given.snooze_date
        )


async def update(ctx: Context, user: User, commitment_id, to: str, given: StatusInput) -> Commitment:
    """The web page: one form for every status (done too), with the same note and date
    rules as the status form."""
    async with ctx.db.transaction() as s:
        return await commitments.change_status(
            s, ctx, parse_id(commitment_id), user, to, given.note, given.snooze, given.snooze_date
        )


# -- a new commitment ---------------------------------------------------------------


@dataclass(frozen=True)
class AddForm:
    """What the "new commitment" form carries back."""

    VERSION: ClassVar[int] = 1
    trajectory_id: int


async def add_form(ctx: Context, user: User, trajectory_id) -> dict:
    """The trekker's "new commitment" form: organisations with their people."""
    async with ctx.db.sessionmaker() as s:
        trajectory = await actors.trajectory(s, parse_id(trajectory_id))
        await actors.trekker(s, trajectory, user)
        organisations = await directory.organisations(s, trajectory.id)
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


@dataclass(frozen=True)
class NewInput:
    organisation: str | int | None = None
    owner: str | int | None = None
    description: str = ""
    due: str | None = None
    phase: str | int | None = None


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


async def add(ctx: Context, user: User, form: AddForm, given: NewInput) -> Commitment:
    """Record the new commitment; raises Refused (not a trekker) or Problems per field."""
    new = commitments.NewCommitment(
        organisation_id=parse_id(given.organisation),
        owner_id=parse_id(given.owner),
        description=given.description or "",
        due=_day(given.due),
        phase=parse_id(given.phase),
    )
    async with ctx.db.transaction() as s:
        trajectory = await actors.trajectory(s, form.trajectory_id)
        actor = await actors.trekker(s, trajectory, user)
        return await commitments.create(s, ctx, trajectory, new, actor)


# -- the reminder round ----------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    trajectory: str
    sent: int
    already_today: int
    snoozed: int
    unreachable: int
    timezone: str
    send_at: datetime | None  # when the reminders go out, if later than now (quiet hours)


async def reminder_round(ctx: Context, user: User, trajectory_id) -> Round:
    """Remind every open commitment that was not reminded today (trekkers only)."""
    async with ctx.db.transaction() as s:
        trajectory: Trajectory = await actors.trajectory(s, parse_id(trajectory_id))
        await actors.trekker(s, trajectory, user)
        counts = await commitment_reminders.reminder_round(s, ctx, trajectory)
    send_at = ctx.send_time(trajectory.timezone)
    return Round(
        trajectory=trajectory.title,
        sent=counts.get("sent", 0),
        already_today=counts.get("already_today", 0),
        snoozed=counts.get("snoozed", 0),
        unreachable=counts.get("unreachable", 0),
        timezone=trajectory.timezone,
        send_at=send_at if counts.get("sent") and send_at > ctx.now() else None,
    )


# -- showing one commitment again ---------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A commitment as its card shows it, in the owner's language (the card is theirs)."""

    vm: dict
    lang: str


async def shown(ctx: Context, commitment_id, user: User | None = None) -> Shown | None:
    """The commitment's view-model, or None when it is unknown (or, with ``user``, when
    that user may not change it)."""
    found = parse_id(commitment_id)
    if found is None:
        return None
    async with ctx.db.sessionmaker() as s:
        c = await commitments.load(s, found)
        if c is None or (user is not None and await commitments.may_change(s, c, user) is None):
            return None
        trajectory = await s.get(Trajectory, c.trajectory_id)
        vm = commitments.commitment_vm(c, trajectory, commitments.local_today(ctx, trajectory))
        return Shown(vm, c.owner.language or trajectory.language)
