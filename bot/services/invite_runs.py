"""A large ``uitnodigen`` in the background: committed chunks, resumable after a crash.

The command records the run as a ``scheduled_task`` (kind ``invite_run``, its key names
the session and the trekker) and answers at once.  The run writes the invitations
chunk by chunk (``invite_chunks``), each chunk its own short transaction, so a click
in between is stored at once.  While it works it keeps the task's ``due_at`` a lease
ahead; when the process dies, the lease runs out and the sweep starts the run again.
Writing is idempotent, so the resumed run completes it without doubles.

When every chunk is written the run leaves an ``invite_report`` task: the sweep checks
it until no invitation message of the session waits any more, then the trekker gets a
message with what was sent and what failed.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox
from bot.context import Context
from bot.models import Invitation, OutboxMessage, Person, ScheduledTask, Session, Trajectory
from bot.services import directory, invite_chunks, people
from bot.services.invitations import InviteResult

log = logging.getLogger(__name__)
BREATHER = 0.15  # at most this long between chunks on SQLite: more than the busy handler's 100 ms step
BREATHER_STEP = 0.005

TASK_RUN = "invite_run"
TASK_REPORT = "invite_report"
LEASE = timedelta(minutes=5)  # a run that has not written for this long is taken as dead
REPORT_EVERY = timedelta(minutes=1)
DONE_STATUSES = ("sent", "failed", "expired", "skipped")


def job_name(task_id: int) -> str:
    return f"{TASK_RUN}:{task_id}"


async def open_run(s: AsyncSession, session_id: int) -> ScheduledTask | None:
    return (
        await s.execute(
            select(ScheduledTask).where(
                ScheduledTask.kind == TASK_RUN, ScheduledTask.ref_id == session_id, ScheduledTask.done_at.is_(None)
            )
        )
    ).scalars().first()


async def start(ctx: Context, session_id: int, trekker_id: int) -> bool:
    """Record a run for the session and start it; False when one is under way already."""
    async with ctx.db.transaction() as s:
        await _lock(s, session_id)
        if await open_run(s, session_id) is not None:
            return False
        task = ScheduledTask(
            key=f"{TASK_RUN}:{session_id}:{trekker_id}:{secrets.token_hex(6)}",
            kind=TASK_RUN,
            ref_id=session_id,
            due_at=ctx.now() + LEASE,
        )
        s.add(task)
        await s.flush()
    ctx.jobs.start(job_name(task.id), run(ctx, task.id))
    return True


async def _lock(s: AsyncSession, session_id: int) -> Session:
    return (await s.execute(select(Session).where(Session.id == session_id).with_for_update())).scalar_one()


async def _renew(s: AsyncSession, ctx: Context, task_id: int) -> bool:
    """Push the lease on; False when the run is finished (by another worker)."""
    renewed = await s.execute(
        update(ScheduledTask)
        .where(ScheduledTask.id == task_id, ScheduledTask.done_at.is_(None))
        .values(due_at=ctx.now() + LEASE)
        .execution_options(synchronize_session=False)
    )
    return bool(renewed.rowcount)


async def run(ctx: Context, task_id: int) -> InviteResult | None:
    """Write the run's invitations chunk by chunk; safe to run again at any point."""
    async with ctx.db.sessionmaker() as s:
        task = await s.get(ScheduledTask, task_id)
        if task is None or task.done_at is not None:
            return None
        trajectory_id = (await s.get(Session, task.ref_id)).trajectory_id
    await people.link_unresolved(ctx, trajectory_id)
    async with ctx.db.sessionmaker() as s:
        session = await s.get(Session, task.ref_id)
        trajectory = await s.get(Trajectory, session.trajectory_id)
        invitees = await directory.invitees(s, session)
        result = InviteResult(send_at=ctx.send_time(trajectory.timezone))
        plan = await invite_chunks.plan(s, ctx, trajectory, session, invitees, result.send_at)
    for chunk in invite_chunks.run_chunks(invitees):
        async with ctx.db.transaction() as s:
            locked = await _lock(s, session.id)
            if locked.cancelled or not await _renew(s, ctx, task_id):
                break
            await invite_chunks.write(s, plan, chunk, result)
        await _make_way(ctx)
    await _finish(ctx, task_id, session.id)
    log.info("invite run %s: %s sent, %s already, %s unreachable", task_id, result.sent, result.already, len(result.unreachable))
    return result


async def _make_way(ctx: Context) -> None:
    """Between chunks: let whoever else needs the database go first, without a fixed pause.

    Writers queue at the write gate (or for PostgreSQL's row locks), so a yield lets them
    in before the next chunk.  On SQLite a reader takes the write lock too (BEGIN
    IMMEDIATE) but waits in SQLite's busy handler, retrying up to 100 ms apart: while
    another connection of this process is in use, the run waits (up to ``BREATHER``) so
    that it gets its turn.  With nobody else there the next chunk starts at once."""
    await asyncio.sleep(0)
    if ctx.db.is_postgres:
        return
    loop = asyncio.get_running_loop()
    until = loop.time() + BREATHER
    while ctx.db.connections_in_use() and loop.time() < until:
        await asyncio.sleep(BREATHER_STEP)


async def _finish(ctx: Context, task_id: int, session_id: int) -> None:
    async with ctx.db.transaction() as s:
        locked = await _lock(s, session_id)
        task = await s.get(ScheduledTask, task_id, with_for_update=True)
        if task.done_at is not None:
            return
        locked.invited_at = locked.invited_at or ctx.now()
        task.done_at, task.outcome = ctx.now(), "cancelled" if locked.cancelled else "written"
        s.add(ScheduledTask(key=f"{TASK_REPORT}:{task_id}", kind=TASK_REPORT, ref_id=task_id, due_at=ctx.now()))


# -- the sweep: resuming a run, reporting when it is sent --------------------------------


async def _resume(s: AsyncSession, ctx: Context, task: ScheduledTask) -> None:
    """A run whose lease ran out (its process died): start it again here."""
    task.due_at = ctx.now() + LEASE
    ctx.jobs.start(job_name(task.id), run(ctx, task.id))
    return None


async def _report(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str | None:
    """Once no invitation of the run's session waits any more: tell the trekker."""
    run_task = await s.get(ScheduledTask, task.ref_id)
    _, session_id, trekker_id, _ = run_task.key.split(":")
    session = await s.get(Session, int(session_id))
    counts = dict(
        (
            await s.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.key.like(f"invite:{session.id}:%"))
                .group_by(OutboxMessage.status)
            )
        ).all()
    )
    if any(status not in DONE_STATUSES for status in counts):
        task.due_at = ctx.now() + REPORT_EVERY
        return None
    trekker = await s.get(Person, int(trekker_id))
    if trekker is None or not trekker.reachable:
        return "no_trekker"
    unreachable = (
        await s.execute(
            select(Person.name)
            .join(Invitation, Invitation.person_id == Person.id)
            .where(Invitation.session_id == session.id, Invitation.invited_at.is_(None))
            .order_by(Person.id)
        )
    ).scalars().all()
    trajectory = await s.get(Trajectory, session.trajectory_id)
    data = {
        "trajectory": trajectory.title,
        "title": session.title,
        "session_key": session.key,
        "sent": counts.get("sent", 0),
        "failed": sum(counts.get(status, 0) for status in ("failed", "expired")),
        "unreachable": list(unreachable),
        "cancelled": run_task.outcome == "cancelled",
    }
    await outbox.enqueue(
        s, key=f"{TASK_REPORT}:{run_task.id}", op="direct", template="invite_report", data=data, person=trekker, now=ctx.now()
    )
    return "reported"


HANDLERS = {TASK_RUN: _resume, TASK_REPORT: _report}


async def waiting(s: AsyncSession, session: Session) -> int:
    """How many of the session's invitees have no invitation yet."""
    invitees = await directory.invitee_ids(s, session)
    invited = set(
        (
            await s.execute(
                select(Invitation.person_id).where(Invitation.session_id == session.id, Invitation.invited_at.is_not(None))
            )
        ).scalars()
    )
    return sum(1 for person_id in invitees if person_id not in invited)
