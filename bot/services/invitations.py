"""Invitations: the messages, the calendar entry, sending them, reminders on demand.

Answers, handing an invitation to a colleague and the overview of answers are in
``bot.services.rsvp``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import outbox
from bot.calendar import CalendarEvent, build_ics, ics_filename, session_uid
from bot.context import Context
from bot.interactions.errors import Refused
from bot.models import Invitation, OutboxMessage, Person, Phase, ScheduledTask, Session, Trajectory
from bot.quiet_hours import working_day_before
from bot.services import directory

ATTENDEE_REMINDER_HOUR = 10  # local time on the working day before


def new_ics_token() -> str:
    return secrets.token_urlsafe(24)


# The invitation names this many invited organisations and counts the rest: a province-wide
# session invites hundreds, and every invitee's stored message would carry them all.
SHOWN_ORGANISATIONS = 15


def invite_key(session: Session, person: Person) -> str:
    return f"invite:{session.id}:{person.id}"


# -- view-models ------------------------------------------------------------------


def invited_organisations(people: list[Person]) -> list[str]:
    """The invitees' organisations, in the invitees' order, once each."""
    return list(dict.fromkeys(person.organisation.name for person in people))


async def session_context(s: AsyncSession, session: Session, people: list[Person] | None = None) -> dict:
    """The parts of an invitation that are the same for every invitee (``people``: the
    invitees, when the caller has them already)."""
    trajectory = await s.get(Trajectory, session.trajectory_id)
    phase = (
        await s.execute(select(Phase).where(Phase.trajectory_id == session.trajectory_id, Phase.number == session.phase))
    ).scalar_one_or_none()
    people = people if people is not None else await directory.invitees(s, session)
    organisations = invited_organisations(people)
    return {
        "trajectory": trajectory.title,
        "timezone": trajectory.timezone,
        "session_key": session.key,
        "title": session.title,
        "starts": session.starts_at.isoformat(),
        "ends": session.ends_at.isoformat(),
        "location": session.location,
        "agenda": session.agenda,
        "phase": {"number": session.phase, "name": phase.name} if phase else {"number": session.phase, "name": ""},
        "organisations": organisations[:SHOWN_ORGANISATIONS],
        "organisations_more": max(0, len(organisations) - SHOWN_ORGANISATIONS),
        "cancelled": session.cancelled,
    }


async def sent_context(s: AsyncSession, session: Session, person: Person) -> dict:
    """The session part of this person's invitation as last sent: no query over every
    invitee (reminders, Home and card refreshes run often).  Falls back to
    ``session_context`` when no invitation message exists or the one stored does not
    fit the current view-model (``bot.viewmodels``)."""
    [context] = await sent_contexts(s, [(session, person)])
    return context


async def sent_contexts(s: AsyncSession, pairs: list[tuple[Session, Person]]) -> list[dict]:
    """:func:`sent_context` for many invitations: one statement for all the messages
    (App Home and ``mijn`` list every upcoming session), and ``session_context`` only
    for a session whose message is missing or stale, once per session."""
    keys = [invite_key(session, person) for session, person in pairs]
    sent = await outbox.latest_data_by_key(s, keys)
    rebuilt: dict[int, dict] = {}
    out = []
    for key, (session, _) in zip(keys, pairs):
        context = sent.get(key)
        if context is None:
            if session.id not in rebuilt:
                rebuilt[session.id] = await session_context(s, session)
            context = rebuilt[session.id]
        out.append(context)
    return out


def invitation_vm(ctx: Context, base: dict, session: Session, inv: Invitation, person: Person) -> dict:
    return {**base, **invitee_part(ctx, session, inv, person)}


def invitee_part(ctx: Context, session: Session, inv: Invitation, person: Person) -> dict:
    """What :func:`invitation_vm` adds to the session's part (``base``) for one invitee."""
    return dict(
        invitation_id=inv.id,
        name=person.name,
        status=inv.status,
        colleague=inv.delegated_to.name if inv.delegated_to is not None else None,
        delegated_from=inv.delegated_from.name if inv.delegated_from is not None else None,
        calendar_url=ctx.calendar_url(session.ics_token),
        calendar_file=ctx.settings.public_url is None,
    )


async def load_invitation(s: AsyncSession, invitation_id: int) -> Invitation | None:
    return (
        await s.execute(
            select(Invitation)
            .where(Invitation.id == invitation_id)
            .options(
                selectinload(Invitation.person).selectinload(Person.organisation),
                selectinload(Invitation.session),
                selectinload(Invitation.delegated_to),
                selectinload(Invitation.delegated_from),
            )
        )
    ).scalar_one_or_none()


# -- calendar ---------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarFile:
    filename: str
    content: bytes  # text/calendar, UTF-8


async def calendar_file(ctx: Context, token: str) -> CalendarFile | None:
    """The ``.ics`` behind a session's calendar link, or None for an unknown token."""
    async with ctx.db.sessionmaker() as s:
        session = (await s.execute(select(Session).where(Session.ics_token == token))).scalar_one_or_none()
        if session is None:
            return None
        event = await calendar_event(s, ctx, session)
    return CalendarFile(ics_filename(session.title), build_ics(event))


async def calendar_event(
    s: AsyncSession, ctx: Context, session: Session, attendee: Person | None = None, organizer: Person | None = None
) -> CalendarEvent:
    """The session as a calendar event; with ``attendee`` it is that person's invitation
    (METHOD:REQUEST with them as ATTENDEE), without it the shared file (PUBLISH).  The
    organiser is the trajectory's first trekker (``organizer`` when the caller has it)."""
    trajectory = await s.get(Trajectory, session.trajectory_id)
    if organizer is None:
        organizer = next(iter(await directory.trekkers(s, session.trajectory_id)), None)
    trekker = organizer
    description = "\n\n".join(part for part in (trajectory.title, session.agenda or "") if part)
    return CalendarEvent(
        uid=session_uid(trajectory.key, session.key),
        sequence=session.sequence,
        title=session.title,
        description=description,
        location=session.location,
        starts=session.starts_at,
        ends=session.ends_at,
        timezone=trajectory.timezone,
        cancelled=session.cancelled,
        url=ctx.calendar_url(session.ics_token),
        organizer_name=trekker.name if trekker else None,
        organizer_email=trekker.email if trekker else None,
        attendee_email=attendee.email if attendee is not None else None,
        attendee_name=attendee.name if attendee is not None else None,
        stamp=ctx.now(),
    )


async def enqueue_calendar_file(
    s: AsyncSession, ctx: Context, session: Session, person: Person, not_before: datetime, after: OutboxMessage | None = None
) -> None:
    """Without PUBLIC_URL the calendar entry travels as a file in the DM, right after ``after``."""
    if ctx.settings.public_url:
        return
    event = await calendar_event(s, ctx, session, attendee=person)
    from bot.i18n import t

    await outbox.enqueue(
        s,
        key=f"ics:{session.id}:{person.id}:{session.sequence}",
        op="file",
        template="file",
        data={
            "filename": ics_filename(session.title),
            "content": build_ics(event).decode("utf-8"),
            "title": t(person.language, "invite.calendar_file_title", title=session.title),
            "thread": False,  # after the message, not in its thread
        },
        person=person,
        now=ctx.now(),
        not_before=not_before,
        update_of=after,
    )


# -- reminders schedule -----------------------------------------------------------


def reminder_tasks(ctx: Context, trajectory: Trajectory, session: Session, invitation_id: int) -> list[dict]:
    """The reminder tasks of one invitation (``scheduled_task`` rows, by unique key
    ``<head>:<invitation id>:<tail>``; ``invite_chunks`` builds the same keys in SQL)."""
    return [
        {"key": f"{head}:{invitation_id}:{tail}", "kind": kind, "ref_id": invitation_id, "due_at": due,
         "expires_at": session.starts_at}
        for head, tail, kind, due in reminder_plan(ctx, trajectory, session)
    ]


def reminder_plan(ctx: Context, trajectory: Trajectory, session: Session) -> list[tuple[str, str, str, datetime]]:
    """The reminders every invitation of the session gets, worked out once for many
    invitations: (key before the invitation id, key after it, kind, due)."""
    now = ctx.now()
    config = trajectory.reminders or {}
    plan = []
    for days in config.get("rsvp_days_before", [7, 2]):
        due = session.starts_at - timedelta(days=days)
        if due > now:
            plan.append(("rsvp", f"{session.sequence}:{days}", "rsvp_reminder", due))
    if config.get("attendee_day_before", True):
        zone = ZoneInfo(trajectory.timezone)
        day = working_day_before(session.starts_at.astimezone(zone).date(), ctx.window.holidays)
        due = datetime(day.year, day.month, day.day, ATTENDEE_REMINDER_HOUR, tzinfo=zone)
        if due > now and due < session.starts_at:
            plan.append(("attendee", str(session.sequence), "attendee_reminder", due))
    return plan


async def schedule_reminders(s: AsyncSession, ctx: Context, trajectory: Trajectory, session: Session, inv: Invitation) -> None:
    for task in reminder_tasks(ctx, trajectory, session, inv.id):
        await add_task(s, task["key"], task["kind"], task["ref_id"], task["due_at"], task["expires_at"])


async def add_task(s: AsyncSession, key: str, kind: str, ref_id: int, due: datetime, expires: datetime | None = None) -> None:
    exists = (await s.execute(select(ScheduledTask.id).where(ScheduledTask.key == key))).scalar_one_or_none()
    if exists is None:
        s.add(ScheduledTask(key=key, kind=kind, ref_id=ref_id, due_at=due, expires_at=expires))


async def drop_open_tasks(s: AsyncSession, invitation_ids: list[int]) -> None:
    if invitation_ids:
        await s.execute(
            delete(ScheduledTask).where(
                ScheduledTask.kind.in_(("rsvp_reminder", "attendee_reminder")),
                ScheduledTask.ref_id.in_(invitation_ids),
                ScheduledTask.done_at.is_(None),
            )
        )


# -- sending invitations ----------------------------------------------------------


def check_ahead(session: Session, now: datetime) -> None:
    """Invitations and reminders are for sessions that still take place."""
    if session.cancelled:
        raise Refused("command.session_cancelled", title=session.title)
    if session.starts_at <= now:
        raise Refused("command.session_past", title=session.title)


@dataclass
class InviteResult:
    sent: int = 0
    already: int = 0
    unreachable: list[str] = field(default_factory=list)
    send_at: datetime | None = None
    reached: dict[str, int] = field(default_factory=dict)  # platform -> invitations sent there


async def send_invitation(
    s: AsyncSession, ctx: Context, trajectory: Trajectory, session: Session, inv: Invitation, base: dict, not_before: datetime
) -> None:
    """Invite one person (a colleague a seat was handed to) the way ``invite`` invites many."""
    from bot.services import invite_chunks

    plan = await invite_chunks.plan(s, ctx, trajectory, session, None, not_before, base=base)
    await invite_chunks.write(s, plan, [inv.person], InviteResult(send_at=not_before))


async def invite(s: AsyncSession, ctx: Context, session: Session) -> InviteResult:
    """Invite everyone the session names who has not had an invitation yet, in this
    transaction (``bot.services.invite_runs`` does it in committed chunks)."""
    from bot.services import invite_chunks

    trajectory = await s.get(Trajectory, session.trajectory_id)
    result = InviteResult(send_at=ctx.send_time(trajectory.timezone))
    people = await directory.invitees(s, session)
    plan = await invite_chunks.plan(s, ctx, trajectory, session, people, result.send_at)
    for chunk in invite_chunks.chunked(people):
        await invite_chunks.write(s, plan, chunk, result)
    session.invited_at = session.invited_at or ctx.now()
    return result


# -- message refresh ----------------------------------------------------------


async def refresh_invitation_message(s: AsyncSession, ctx: Context, inv: Invitation, session_changed: bool = False) -> None:
    """Queue an in-place update of the invitation message with its current state.

    After an answer only the person's part changes: the session's part is taken from
    the message as sent (no query over every invitee on each click).
    """
    session = inv.session
    original = await outbox.find(s, invite_key(session, inv.person))
    if original is None:
        return
    inv.revision += 1
    await s.flush()
    await s.refresh(inv, ["delegated_to", "delegated_from"])
    base = None if session_changed else await outbox.latest_data(s, original)
    base = base if base is not None else await session_context(s, session)
    await outbox.enqueue(
        s,
        key=f"invite-rev:{inv.id}:{inv.revision}",
        op="update",
        template="invitation",
        data=invitation_vm(ctx, base, session, inv, inv.person),
        person=inv.person,
        now=ctx.now(),
        update_of=original,
    )


# -- reminders on demand ----------------------------------------------------------


@dataclass
class RemindResult:
    sent: int = 0
    already_today: int = 0
    invited: bool = True
    send_at: datetime | None = None


async def remind_now(s: AsyncSession, ctx: Context, session: Session) -> RemindResult:
    """Remind the invitees who have not answered (at most once a day each)."""
    trajectory = await s.get(Trajectory, session.trajectory_id)
    result = RemindResult(send_at=ctx.send_time(trajectory.timezone))
    if session.invited_at is None:
        result.invited = False
        return result
    today = ctx.now().astimezone(ZoneInfo(trajectory.timezone)).date().isoformat()
    pending = (
        await s.execute(
            select(Invitation)
            .where(Invitation.session_id == session.id, Invitation.status == "pending", Invitation.invited_at.is_not(None))
            .options(selectinload(Invitation.person))
        )
    ).scalars().all()
    base = await session_context(s, session)
    for inv in pending:
        if not inv.person.reachable:
            continue
        _, created = await enqueue_rsvp_reminder(s, ctx, session, inv, base, f"remind-now:{inv.id}:{today}", result.send_at)
        if created:
            result.sent += 1
        else:
            result.already_today += 1
    return result


async def enqueue_rsvp_reminder(
    s: AsyncSession, ctx: Context, session: Session, inv: Invitation, base: dict, key: str, not_before: datetime
) -> tuple[OutboxMessage, bool]:
    await s.refresh(inv, ["delegated_to", "delegated_from"])
    return await outbox.enqueue(
        s,
        key=key,
        op="direct",
        template="rsvp_reminder",
        data=invitation_vm(ctx, base, session, inv, inv.person),
        person=inv.person,
        now=ctx.now(),
        not_before=not_before,
        expires_at=session.starts_at,
    )
