"""Commitments (afspraken): their schedule, status changes with history, new ones made in
chat.  The reminders and the escalation themselves: ``bot.services.commitment_reminders``.

Reminder days for a commitment due on D (defaults, per trajectory configurable):
D-7, D, then D+7, D+14, ... while it stays open.  A reminder goes out at
``REMINDER_HOUR`` local time (or the next working morning), at most once per
local day whatever the sweep or the trekker does.  Done and not-applicable
commitments are never reminded; a snoozed one comes back on its date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import outbox
from bot.context import Context
from bot.identity import User, matches
from bot.interactions.errors import Problem, Problems, Refused
from bot.limits import DESCRIPTION_LIMIT, NOTE_LIMIT
from bot.models import (
    REMINDED_STATUSES,
    Commitment,
    CommitmentEvent,
    Organisation,
    Person,
    ScheduledTask,
    Trajectory,
)
from bot.bulk import insert_ignore
from bot.services.notify import tell_trekkers

REMINDER_HOUR = 9
TASK_REMIND = "commitment_reminder"
TASK_ESCALATE = "commitment_escalation"
CHANGEABLE_TO = ("done", "busy", "blocked", "snoozed", "not_applicable", "open")
# Statuses that ask for more than a click: a note, or a date to come back on.
FORM_STATUSES = ("busy", "blocked", "snoozed", "not_applicable")
NOTE_REQUIRED = ("blocked", "not_applicable")
SNOOZE_DAYS = 7


# -- schedule ---------------------------------------------------------------------


def config(trajectory: Trajectory) -> tuple[int, int, int]:
    r = trajectory.reminders or {}
    return (
        int(r.get("commitment_days_before", 7)),
        int(r.get("commitment_overdue_every", 7)),
        int(r.get("commitment_escalate_after", 7)),
    )


def local_today(ctx: Context, trajectory: Trajectory) -> date:
    return ctx.now().astimezone(ZoneInfo(trajectory.timezone)).date()


def at_local(day: date, trajectory: Trajectory, hour: int = REMINDER_HOUR) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(trajectory.timezone))


def is_snoozed(c: Commitment, today: date) -> bool:
    return c.snoozed_until is not None and c.snoozed_until > today


def next_reminder_day(c: Commitment, trajectory: Trajectory, after: date) -> date | None:
    """The first reminder day on or after ``after`` (None when nothing is left to remind)."""
    if c.status not in REMINDED_STATUSES:
        return None
    before, every, _ = config(trajectory)
    if c.snoozed_until is not None and c.snoozed_until >= after:
        return c.snoozed_until
    for day in (c.due - timedelta(days=before), c.due):
        if day >= after:
            return day
    overdue = (after - c.due).days
    steps = -(-overdue // every)  # ceil: the next multiple of ``every`` past due
    return c.due + timedelta(days=max(1, steps) * every)


async def reschedule(s: AsyncSession, ctx: Context, c: Commitment, trajectory: Trajectory) -> None:
    """Drop open reminder tasks and plan the next one (and the escalation)."""
    await reschedule_many(s, ctx, [c], trajectory)


async def reschedule_many(s: AsyncSession, ctx: Context, rows: list[Commitment], trajectory: Trajectory) -> None:
    """``reschedule`` for many commitments in two statements (the importer)."""
    if not rows:
        return
    await s.execute(
        delete(ScheduledTask).where(
            ScheduledTask.kind.in_((TASK_REMIND, TASK_ESCALATE)),
            ScheduledTask.ref_id.in_([c.id for c in rows]),
            ScheduledTask.done_at.is_(None),
        ).execution_options(synchronize_session=False)  # no walk over every object in the session
    )
    today = local_today(ctx, trajectory)
    tasks = [task for c in rows for task in _planned(c, trajectory, today)]
    await insert_ignore(s, ScheduledTask, tasks, ["key"])  # a key that exists (done) stays


def _planned(c: Commitment, trajectory: Trajectory, today: date) -> list[dict]:
    """The next reminder task of ``c`` and its escalation (rows by unique key)."""
    planned = []
    start = today + timedelta(days=1) if c.last_reminded_on == today else today
    day = next_reminder_day(c, trajectory, start)
    if day is not None:
        planned.append({"key": f"{TASK_REMIND}:{c.id}:{day.isoformat()}", "kind": TASK_REMIND, "ref_id": c.id,
                        "due_at": at_local(day, trajectory), "expires_at": None})
    if c.status in REMINDED_STATUSES and c.escalated_at is None:
        _, _, escalate_after = config(trajectory)
        day = max(c.due + timedelta(days=escalate_after), c.snoozed_until or c.due, today)
        planned.append({"key": f"{TASK_ESCALATE}:{c.id}:{day.isoformat()}", "kind": TASK_ESCALATE, "ref_id": c.id,
                        "due_at": at_local(day, trajectory), "expires_at": None})
    return planned


# -- view-models ------------------------------------------------------------------


def commitment_vm(c: Commitment, trajectory: Trajectory, today: date) -> dict:
    return {
        "commitment_id": c.id,
        "trajectory": trajectory.title,
        "description": c.description,
        "due": c.due.isoformat(),
        "organisation": c.organisation.name,
        "owner": c.owner.name,
        "status": c.status,
        "snoozed_until": c.snoozed_until.isoformat() if c.snoozed_until else None,
        "last_note": c.last_note,
        "overdue_days": max(0, (today - c.due).days) if c.status in REMINDED_STATUSES else 0,
    }


async def load(s: AsyncSession, commitment_id: int, lock: bool = False) -> Commitment | None:
    """The commitment; ``lock``: held until the transaction ends (a press delivered twice
    at once is then seen as a repeat by the second)."""
    query = select(Commitment).where(Commitment.id == commitment_id)
    if lock:
        query = query.with_for_update(of=Commitment)
    return (
        await s.execute(query.options(selectinload(Commitment.organisation), selectinload(Commitment.owner)))
    ).scalar_one_or_none()


# -- telling the trekkers ------------------------------------------------------------


async def tell_trekkers_unreachable(s: AsyncSession, ctx: Context, c: Commitment, trajectory: Trajectory) -> None:
    data = commitment_vm(c, trajectory, local_today(ctx, trajectory)) | {"email": c.owner.email}
    await tell_trekkers(s, ctx, trajectory, key=f"commitment-unreachable:{c.id}", template="commitment_unreachable", data=data)


# -- status changes -------------------------------------------------------------------


async def may_change(s: AsyncSession, c: Commitment, user: User) -> Person | None:
    """The owner, another ambassador of the same organisation, or a trekker."""
    actor = (
        await s.execute(
            select(Person).where(
                Person.trajectory_id == c.trajectory_id, matches(user), Person.active.is_(True)
            )
        )
    ).scalars().first()
    if actor is None:
        return None
    if actor.id == c.owner_id or actor.has_role("trekker"):
        return actor
    if actor.organisation_id == c.organisation_id and actor.has_role("ambassadeur"):
        return actor
    return None


async def changeable(s: AsyncSession, commitment_id: int | None, user: User) -> tuple[Commitment, Person]:
    """The commitment and the actor who may change it; anyone else is refused."""
    c = await load(s, commitment_id, lock=True) if commitment_id else None
    if c is None:
        raise Refused("commitment.unknown")
    actor = await may_change(s, c, user)
    if actor is None:
        raise Refused("commitment.refused", organisation=c.organisation.name)
    return c, actor


def check_status_input(to: str, note: str, snooze: str | None, snooze_date: str | None, today: date) -> date | None:
    """The rules of the status form: a note where one is needed and not too long, a
    snooze date in the future (default a week).  Returns the snooze date, if any."""
    problems: dict[str, Problem] = {}
    until = None
    if to == "snoozed":
        if snooze == "date":
            try:
                until = date.fromisoformat(snooze_date or "")
            except ValueError:
                until = None
            if until is None or until <= today:
                problems["snooze_date"] = Problem("commitment.errors.snooze_date")
        else:
            until = today + timedelta(days=SNOOZE_DAYS)
    elif to in NOTE_REQUIRED and not note:
        problems["note"] = Problem("commitment.errors.note_required")
    if len(note) > NOTE_LIMIT:
        problems["note"] = Problem("commitment.errors.note_long", {"limit": NOTE_LIMIT})
    if problems:
        raise Problems(problems)
    return until


async def change_status(
    s: AsyncSession,
    ctx: Context,
    commitment_id: int | None,
    user: User,
    to: str,
    note: str | None = None,
    snooze: str | None = None,
    snooze_date: str | None = None,
) -> Commitment:
    """Record a status change (with history), update the message, tell the trekker when
    blocked.  Raises Refused (unknown, not allowed) or Problems (the form's rules)."""
    if to not in CHANGEABLE_TO:
        raise Refused("commitment.unknown")
    c, actor = await changeable(s, commitment_id, user)
    trajectory = await s.get(Trajectory, c.trajectory_id)
    note = (note or "").strip()
    snooze_until = check_status_input(to, note, snooze, snooze_date, local_today(ctx, trajectory))
    if unchanged(c, to, note, snooze_until):
        return c  # the same press or form twice: one history row, one message update
    before = c.status
    if to == "snoozed":
        c.snoozed_until = snooze_until
        new_status = c.status if c.status in ("open", "busy") else "open"
    else:
        new_status = to
        c.snoozed_until = None
    c.status = new_status
    if note:
        c.last_note = note
    c.done_at = ctx.now() if new_status == "done" else None
    if new_status in REMINDED_STATUSES and before not in REMINDED_STATUSES:
        c.escalated_at = None
    s.add(
        CommitmentEvent(
            commitment_id=c.id,
            actor_id=actor.id,
            at=ctx.now(),
            from_status=before,
            to_status=to,
            note=note or None,
            snoozed_until=c.snoozed_until,
        )
    )
    await s.flush()
    if c.status not in REMINDED_STATUSES or c.snoozed_until is not None:
        await outbox.withdraw(s, f"commitment-remind:{c.id}:%")  # waiting for the working morning
    await reschedule(s, ctx, c, trajectory)
    await refresh_message(s, ctx, c, trajectory)
    if new_status == "blocked":
        await tell_trekkers_blocked(s, ctx, c, trajectory, actor)
    return c


def unchanged(c: Commitment, to: str, note: str, snooze_until) -> bool:
    """True when the change would change nothing (same status, same snooze, no new note)."""
    if note and note != c.last_note:
        return False
    if to == "snoozed":
        return c.status in ("open", "busy") and c.snoozed_until == snooze_until
    return c.status == to and c.snoozed_until is None


async def refresh_message(s: AsyncSession, ctx: Context, c: Commitment, trajectory: Trajectory) -> None:
    """Show the new state in the owner's latest message about this commitment."""
    if not c.message_key:
        return
    version = (await s.execute(select(func.count()).select_from(CommitmentEvent).where(CommitmentEvent.commitment_id == c.id))).scalar_one()
    data = commitment_vm(c, trajectory, local_today(ctx, trajectory))
    await outbox.revise(s, original_key=c.message_key, key=f"commitment-rev:{c.id}:{version}", data=data, person=c.owner, now=ctx.now())


async def tell_trekkers_blocked(s: AsyncSession, ctx: Context, c: Commitment, trajectory: Trajectory, actor: Person) -> None:
    version = (await s.execute(select(func.count()).select_from(CommitmentEvent).where(CommitmentEvent.commitment_id == c.id))).scalar_one()
    data = commitment_vm(c, trajectory, local_today(ctx, trajectory)) | {"actor": actor.name}
    await tell_trekkers(
        s, ctx, trajectory, key=f"commitment-blocked:{c.id}:{version}", template="commitment_blocked", data=data,
        except_person_id=actor.id,
    )


# -- creating ---------------------------------------------------------------------------


@dataclass
class NewCommitment:
    organisation_id: int | None
    owner_id: int | None
    description: str
    due: date | None
    phase: int | None


async def validate_new(s: AsyncSession, ctx: Context, trajectory: Trajectory, new: NewCommitment) -> None:
    """The rules of a new commitment; raises Problems per field (organisation, owner,
    description, due, phase)."""
    errors: dict[str, Problem] = {}
    organisation = await s.get(Organisation, new.organisation_id) if new.organisation_id else None
    if organisation is None or organisation.trajectory_id != trajectory.id:
        errors["organisation"] = Problem("commitment.errors.organisation")
    owner = await s.get(Person, new.owner_id) if new.owner_id else None
    if owner is None or owner.trajectory_id != trajectory.id or not owner.active:
        errors["owner"] = Problem("commitment.errors.owner")
    elif organisation is not None and owner.organisation_id != organisation.id:
        errors["owner"] = Problem("commitment.errors.owner_organisation")
    if not new.description.strip():
        errors["description"] = Problem("commitment.errors.description_empty")
    elif len(new.description) > DESCRIPTION_LIMIT:
        errors["description"] = Problem("commitment.errors.description_long", {"limit": DESCRIPTION_LIMIT})
    if new.due is None:
        errors["due"] = Problem("commitment.errors.due_missing")
    elif new.due < local_today(ctx, trajectory):
        errors["due"] = Problem("commitment.errors.due_past")
    if new.phase is not None and new.phase not in (1, 2, 3):
        errors["phase"] = Problem("commitment.errors.phase")
    if errors:
        raise Problems(errors)


async def create(s: AsyncSession, ctx: Context, trajectory: Trajectory, new: NewCommitment, actor: Person) -> Commitment:
    """A new commitment made in chat (after ``validate_new``), announced to its owner."""
    await validate_new(s, ctx, trajectory, new)
    count = (await s.execute(select(func.count()).select_from(Commitment).where(Commitment.trajectory_id == trajectory.id))).scalar_one()
    key = f"chat-{count + 1}"
    while (await s.execute(select(Commitment.id).where(Commitment.trajectory_id == trajectory.id, Commitment.key == key))).first():
        count += 1
        key = f"chat-{count + 1}"
    c = Commitment(
        trajectory_id=trajectory.id,
        key=key,
        organisation_id=new.organisation_id,
        owner_id=new.owner_id,
        description=new.description.strip(),
        due=new.due,
        phase=new.phase,
        status="open",
        source="chat",
    )
    s.add(c)
    await s.flush()
    s.add(CommitmentEvent(commitment_id=c.id, actor_id=actor.id, at=ctx.now(), from_status="new", to_status="open"))
    c = await load(s, c.id)
    await announce(s, ctx, c, trajectory)
    await reschedule(s, ctx, c, trajectory)
    return c


async def announce(s: AsyncSession, ctx: Context, c: Commitment, trajectory: Trajectory) -> None:
    """Tell the owner at once that a commitment is theirs (the message then updates in place)."""
    if not c.owner.reachable:
        await tell_trekkers_unreachable(s, ctx, c, trajectory)
        return
    key = f"commitment-new:{c.id}"
    await outbox.enqueue(
        s,
        key=key,
        op="direct",
        template="commitment_new",
        data=commitment_vm(c, trajectory, local_today(ctx, trajectory)),
        person=c.owner,
        now=ctx.now(),
        not_before=ctx.send_time(trajectory.timezone),
    )
    c.message_key = key


# -- lists ------------------------------------------------------------------------------


async def open_for(s: AsyncSession, user: User) -> list[tuple[Commitment, Trajectory]]:
    """Open commitments the user owns (every trajectory), soonest due first."""
    rows = await s.execute(
        select(Commitment, Trajectory)
        .join(Person, Person.id == Commitment.owner_id)
        .join(Trajectory, Trajectory.id == Commitment.trajectory_id)
        .where(matches(user), Commitment.status.in_(REMINDED_STATUSES))
        .options(selectinload(Commitment.organisation), selectinload(Commitment.owner))
        .order_by(Commitment.due)
    )
    return [(c, t) for c, t in rows]
