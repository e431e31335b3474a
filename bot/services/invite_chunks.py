"""Invitations written in bulk: a fixed number of statements per chunk of invitees.

Per chunk: the invitation rows (the insert returns those it made), the invitation
messages, the calendar files (without PUBLIC_URL: a read of the messages' ids and the
files) and the reminder tasks; only when some invitees had an invitation already, a
read of theirs and the "invited" stamp of those never sent.  Every insert is
``ON CONFLICT DO NOTHING`` on the row's unique key (``bot.bulk``), so writing a chunk twice, after a crash or from a
second command at the same time, adds nothing twice.  ``invitations.invite`` writes
all chunks in one transaction (a small session); ``invite_runs`` commits each chunk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import String, cast, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot import outbox
from bot.bulk import chunks, insert_ignore, insert_select_ignore
from bot.calendar import build_ics, ics_filename
from bot.context import Context
from bot.i18n import t
from bot.identity import reached_by
from bot.models import Invitation, OutboxMessage, Person, ScheduledTask, Session, Trajectory, UTCDateTime
from bot.services import directory, invitations

CHUNK = 250  # invitees per chunk: a transaction of a few tens of milliseconds
FIRST_CHUNK = 50  # a background run's first chunk: sending starts while the rest is written


@dataclass(frozen=True)
class Plan:
    """What is the same for every invitee of one run."""

    ctx: Context
    trajectory: Trajectory
    session: Session
    base: dict
    send_at: datetime
    files: bool  # without PUBLIC_URL the calendar entry travels as a file after the message
    organizer: Person | None  # the calendar entry's organiser (the first trekker)
    base_json: str  # ``base`` as JSON, encoded once (see _data_json)


async def plan(
    s: AsyncSession, ctx: Context, trajectory: Trajectory, session: Session, people: list[Person] | None, send_at: datetime,
    base: dict | None = None,
) -> Plan:
    if base is None:
        base = await invitations.session_context(s, session, people)
    files = not ctx.settings.public_url
    organizer = next(iter(await directory.trekkers(s, session.trajectory_id)), None) if files else None
    return Plan(ctx, trajectory, session, base, send_at, files, organizer, json.dumps(base))


def chunked(people: Sequence[Person]):
    return chunks(people, CHUNK)


def run_chunks(people: Sequence[Person]):
    """The chunks of a background run (``invite_runs``): a small first one, committed in
    a few milliseconds, so the dispatcher has invitations to send while the rest is written."""
    yield from chunks(people[:FIRST_CHUNK], FIRST_CHUNK)
    yield from chunks(people[FIRST_CHUNK:], CHUNK)


async def write(s: AsyncSession, plan: Plan, people: Sequence[Person], result) -> None:
    """Invite ``people`` who have no invitation yet; counts go into ``result``
    (``sent``, ``already``, ``unreachable``: an ``invitations.InviteResult``).

    A new invitation is written stamped "invited" when its person can be reached (the
    message follows in this transaction); the insert returns only the rows it made, so
    only people with an invitation already (a re-run, a colleague handed a seat) are
    read back, and stamped when theirs never went out."""
    session, now = plan.session, plan.ctx.now()
    rows = [{"session_id": session.id, "person_id": p.id, "status": "pending", "revision": 0, "invited_at": now if p.reachable else None}
            for p in people]
    made = dict(await insert_ignore(s, Invitation, rows, ["session_id", "person_id"], returning=(Invitation.person_id, Invitation.id)))
    had = [p for p in people if p.id not in made]
    by_person = await _invitations(s, session, had) if had else {}
    todo: list[tuple[Person, _Invitation]] = []
    stamp: list[int] = []
    for person in people:
        new = person.id in made
        inv = _Invitation(made[person.id], "pending", None, None, None) if new else by_person[person.id]
        if inv.invited_at is not None:
            result.already += 1
        elif not person.reachable:
            result.unreachable.append(person.name)
        else:
            todo.append((person, inv))
            if not new:
                stamp.append(inv.id)
    if not todo:
        return
    await outbox.insert_many(s, [_message(plan, person, inv) for person, inv in todo], now=now)
    if plan.files:
        await _calendar_files(s, plan, todo)
    await _reminder_tasks(s, plan, [inv.id for _, inv in todo])
    if stamp:
        await _stamp(s, stamp, now)
    result.sent += len(todo)
    for person, _ in todo:  # where each went ("Verstuurd: 4 via Slack, 2 per e-mail")
        where = reached_by(person)
        result.reached[where] = result.reached.get(where, 0) + 1


async def _stamp(s: AsyncSession, invitation_ids: list[int], now: datetime) -> None:
    """Existing invitations whose message goes out now: "invited", also on an
    Invitation object the caller holds (``send_invitation``)."""
    await s.execute(
        update(Invitation)
        .where(Invitation.id.in_(invitation_ids), Invitation.invited_at.is_(None))
        .values(invited_at=now)
        .execution_options(synchronize_session=False)
    )
    stamped = set(invitation_ids)
    for loaded in list(s.identity_map.values()):
        if isinstance(loaded, Invitation) and loaded.id in stamped:
            set_committed_value(loaded, "invited_at", now)


@dataclass(frozen=True)
class _Named:
    name: str


@dataclass(frozen=True)
class _Invitation:
    """The fields of an invitation that ``invitations.invitee_part`` reads, as plain rows
    (no ORM objects for a chunk of hundreds)."""

    id: int
    status: str
    invited_at: datetime | None
    delegated_to: _Named | None
    delegated_from: _Named | None


async def _invitations(s: AsyncSession, session: Session, people: Sequence[Person]) -> dict[int, _Invitation]:
    """The session's invitations of ``people``, by person id, as the database has them now."""
    rows = (
        await s.execute(
            select(Invitation.person_id, Invitation.id, Invitation.status, Invitation.invited_at,
                   Invitation.delegated_to_id, Invitation.delegated_from_id)
            .where(Invitation.session_id == session.id, Invitation.person_id.in_([p.id for p in people]))
        )
    ).all()
    others = {other for row in rows for other in row[4:] if other is not None}
    names = dict((await s.execute(select(Person.id, Person.name).where(Person.id.in_(others)))).all()) if others else {}

    def named(person_id: int | None) -> _Named | None:
        return _Named(names[person_id]) if person_id is not None else None

    return {
        person_id: _Invitation(inv_id, status, invited_at, named(to), named(from_))
        for person_id, inv_id, status, invited_at, to, from_ in rows
    }


async def _reminder_tasks(s: AsyncSession, plan: Plan, invitation_ids: list[int]) -> None:
    """Each invitation's reminder tasks (``invitations.reminder_tasks``: the same keys),
    made by the database in one statement: one SELECT per kind of reminder over the
    chunk's invitations, the due times bound once (6,000 rows at 2,000 invitees)."""
    session = plan.session
    queries = [
        select(
            literal(f"{head}:") + cast(Invitation.id, String) + literal(f":{tail}"),
            literal(kind),
            Invitation.id,
            literal(due, UTCDateTime()),
            literal(session.starts_at, UTCDateTime()),
        ).where(Invitation.id.in_(invitation_ids))
        for head, tail, kind, due in invitations.reminder_plan(plan.ctx, plan.trajectory, session)
    ]
    if queries:
        query = queries[0] if len(queries) == 1 else union_all(*queries)
        await insert_select_ignore(s, ScheduledTask, ["key", "kind", "ref_id", "due_at", "expires_at"], query, ["key"])


def _message(plan: Plan, person: Person, inv: _Invitation) -> dict:
    return dict(
        key=invitations.invite_key(plan.session, person),
        op="direct",
        template="invitation",
        data_json=_data_json(plan, person, inv),
        person=person,
        not_before=plan.send_at,
    )


def _data_json(plan: Plan, person: Person, inv: _Invitation) -> str:
    """``json.dumps(invitations.invitation_vm(...))``, the same text, with the session's part
    encoded once per run instead of once per invitee (its list of organisations can be
    hundreds of names: most of the bulk insert's work)."""
    part = json.dumps(invitations.invitee_part(plan.ctx, plan.session, inv, person))
    return f"{plan.base_json[:-1]}, {part[1:]}" if plan.base else part


async def _calendar_files(s: AsyncSession, plan: Plan, todo: list[tuple[Person, _Invitation]]) -> None:
    """The calendar entry as a file, right after each invitation message (its update_of):
    each invitee's own entry (they are its ATTENDEE), as ``enqueue_calendar_file`` writes it."""
    session = plan.session
    keys = [invitations.invite_key(session, person) for person, _ in todo]
    ids = dict((await s.execute(select(OutboxMessage.key, OutboxMessage.id).where(OutboxMessage.key.in_(keys)))).all())
    filename = ics_filename(session.title)
    files = []
    for person, _ in todo:
        event = await invitations.calendar_event(s, plan.ctx, session, attendee=person, organizer=plan.organizer)
        files.append(
            dict(
                key=f"ics:{session.id}:{person.id}:{session.sequence}",
                op="file",
                template="file",
                data={
                    "filename": filename,
                    "content": build_ics(event).decode("utf-8"),
                    "title": t(person.language, "invite.calendar_file_title", title=session.title),
                    "thread": False,  # after the message, not in its thread
                },
                person=person,
                not_before=plan.send_at,
                update_of_id=ids[invitations.invite_key(session, person)],
            )
        )
    await outbox.insert_many(s, files, now=plan.ctx.now())
