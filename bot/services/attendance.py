"""Who came: after a session the trekkers get a short "Wie was er?" form.

The form lists the session's invitees, pre-filled with those who said yes.  Its answer
writes ``Invitation.attended`` for every invitee and ``Session.attendance_at``.  From
then on the evaluation goes to those marked present (``evaluations.recipients``); an
evaluation that opened already prompts the present people it had not prompted yet
(nobody's prompt is taken back).  Without an answer the evaluation goes to who said
yes or maybe, as before.

The question goes out when the session ends (a due task, key with the session's
sequence, so a moved session asks at its new end), within the sending window, to every
trekker the bot reaches: in Slack and Teams the form opens from the message, by e-mail
its button links to the personal page ``/p/<token>`` (``handlers/web/attendance.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import outbox
from bot.context import Context
from bot.identity import reached_by
from bot.interactions.errors import Problem, Problems
from bot.models import Invitation, Person, ScheduledTask, Session, Trajectory
from bot.services import evaluations
from bot.services.directory import trekkers
from bot.services.invitations import add_task

TASK = "attendance_ask"
MAX_PEOPLE = 100  # a Slack multi-select holds 100 options


def ask_key(session: Session, trekker_id: int) -> str:
    return f"attendance:{session.id}:{trekker_id}"


async def schedule(s: AsyncSession, ctx: Context, trajectory: Trajectory) -> None:
    """A due task per session that is still to end: ask who came when it ends."""
    rows = (
        await s.execute(select(Session).where(Session.trajectory_id == trajectory.id, Session.cancelled.is_(False), Session.ends_at > ctx.now()))
    ).scalars().all()
    for session in rows:
        await add_task(s, f"attendance:{session.id}:{session.sequence}", TASK, session.id, session.ends_at)


async def on_task(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    session = await s.get(Session, task.ref_id)
    if session is None or session.cancelled or int(task.key.split(":")[2]) != session.sequence:
        return "obsolete"
    if session.invited_at is None or session.attendance_at is not None:
        return "not_needed"
    trajectory = await s.get(Trajectory, session.trajectory_id)
    data = ask_vm(session, trajectory, None)
    for trekker in await trekkers(s, trajectory.id):
        # The form is a Slack modal, a Teams card, or a personal web page linked from the mail.
        if reached_by(trekker) is not None:
            await outbox.enqueue(
                s, key=ask_key(session, trekker.id), op="direct", template="attendance_ask", data=data,
                person=trekker, now=ctx.now(), not_before=ctx.send_time(trajectory.timezone),
            )
    return "asked"


HANDLERS = {TASK: on_task}


def ask_vm(session: Session, trajectory: Trajectory, recorded: tuple[int, int] | None) -> dict:
    """The question message; ``recorded``: (present, invited) once answered."""
    return {
        "session_id": session.id,
        "trajectory": trajectory.title,
        "title": session.title,
        "starts": session.starts_at.isoformat(),
        "ends": session.ends_at.isoformat(),
        "timezone": trajectory.timezone,
        "present": recorded[0] if recorded else None,
        "invited": recorded[1] if recorded else None,
    }


async def _invitations(s: AsyncSession, session_id: int) -> list[Invitation]:
    rows = await s.execute(
        select(Invitation)
        .join(Person, Person.id == Invitation.person_id)
        .where(Invitation.session_id == session_id, Person.active.is_(True))
        .options(selectinload(Invitation.person).selectinload(Person.organisation))
        .order_by(Person.name)
    )
    return list(rows.scalars())


async def form_vm(s: AsyncSession, session: Session) -> dict:
    """The form: every invitee (name and organisation), checked: present if said, else yes-sayers."""
    invitations = (await _invitations(s, session.id))[:MAX_PEOPLE]
    said = session.attendance_at is not None
    return {
        "session_id": session.id,
        "title": session.title,
        "people": [{"id": inv.person_id, "name": inv.person.name, "organisation": inv.person.organisation.name} for inv in invitations],
        "present": [inv.person_id for inv in invitations if (inv.attended if said else inv.status == "yes")],
    }


@dataclass
class Recorded:
    title: str
    present: int
    invited: int
    prompted: int  # evaluation prompts added for people marked present


async def record(s: AsyncSession, ctx: Context, session: Session, present_ids: list[int]) -> Recorded:
    """Write who came; raises Problems for a person who was not invited."""
    invitations = await _invitations(s, session.id)
    invited = {inv.person_id for inv in invitations}
    if any(pid not in invited for pid in present_ids):
        raise Problems({"present": Problem("attendance.errors.unknown_person")})
    chosen = set(present_ids)
    for inv in invitations:
        inv.attended = inv.person_id in chosen
    session.attendance_at = ctx.now()
    await s.flush()
    trajectory = await s.get(Trajectory, session.trajectory_id)
    data = ask_vm(session, trajectory, (len(chosen), len(invitations)))
    for trekker in await trekkers(s, trajectory.id):
        await outbox.revise(s, original_key=ask_key(session, trekker.id), key=f"attendance-rev:{session.id}:{trekker.id}:{uuid.uuid4().hex}",
                            data=data, person=trekker, now=ctx.now())
    prompted = 0
    ev = await evaluations.find(s, session.id)
    if ev is not None:
        prompted = (await evaluations.send_prompts(s, ctx, ev, session, trajectory)).sent
    return Recorded(session.title, len(chosen), len(invitations), prompted)


async def counts(s: AsyncSession, session_ids: list[int]) -> dict[int, dict]:
    """Per session whose attendance was said: {present, invited}."""
    if not session_ids:
        return {}
    rows = await s.execute(  # from the sessions: those without attendance are skipped, not their invitations
        select(Session.id, func.count(Invitation.id), func.coalesce(func.sum(case((Invitation.attended.is_(True), 1), else_=0)), 0))
        .join(Invitation, Invitation.session_id == Session.id)
        .where(Session.id.in_(session_ids), Session.attendance_at.is_not(None))
        .group_by(Session.id)
    )
    return {sid: {"present": int(present), "invited": int(invited)} for sid, invited, present in rows}
