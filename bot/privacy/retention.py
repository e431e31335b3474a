"""Retention: a trajectory's personal data is erased ``retention_days`` (default 365)
after it ended: its last session, or the completion of its last sign-off round,
whichever is later.  What stays is an anonymous summary (``privacy_archive``): counts
per organisation kind and evaluation averages.  Independently, every message older
than ``MESSAGE_DAYS`` (90) loses its content once it is no longer waiting.

``run`` is the daily job (``scheduling/scheduler.py``); ``plan`` is what
``python -m bot privacy status`` shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.models import (
    Commitment,
    CommitmentEvent,
    Evaluation,
    EvaluationPoolAnswer,
    EvaluationResponse,
    Invitation,
    Organisation,
    OutboxMessage,
    Person,
    PrivacyArchive,
    Session,
    SignOffEvent,
    SignOffRequest,
    SignOffRound,
    Trajectory,
)
from bot.privacy.erase import erase_person
from bot.services import evaluation_results, evaluations
from bot.services.evaluation_answers import flush_pool

DEFAULT_DAYS = 365
MESSAGE_DAYS = 90


@dataclass
class Plan:
    key: str
    title: str
    ended: datetime | None  # None: still running (a session to come, or none at all)
    days: int
    erase_on: datetime | None
    erased_at: datetime | None


async def ended_at(s: AsyncSession, trajectory: Trajectory, now: datetime) -> datetime | None:
    last = (
        await s.execute(select(func.max(Session.ends_at)).where(Session.trajectory_id == trajectory.id, Session.cancelled.is_(False)))
    ).scalar_one()
    if last is None or last > now:
        return None
    signed = (
        await s.execute(select(func.max(SignOffRound.completed_at)).where(SignOffRound.trajectory_id == trajectory.id))
    ).scalar_one()
    return max(last, signed) if signed is not None else last


async def plan(s: AsyncSession, now: datetime) -> list[Plan]:
    out = []
    for tr in (await s.execute(select(Trajectory).order_by(Trajectory.key))).scalars():
        days = tr.retention_days or DEFAULT_DAYS
        end = None if tr.erased_at else await ended_at(s, tr, now)
        out.append(Plan(tr.key, tr.title, end, days, end + timedelta(days=days) if end else None, tr.erased_at))
    return out


async def messages_to_empty(s: AsyncSession, now: datetime) -> int:
    return int((await s.execute(select(func.count()).select_from(OutboxMessage).where(*_old_messages(now)))).scalar_one())


def _old_messages(now: datetime):
    return (
        OutboxMessage.created_at < now - timedelta(days=MESSAGE_DAYS),
        OutboxMessage.status.not_in(("pending", "sending")),
        cast(OutboxMessage.data, Text) != "{}",
    )


async def empty_old_messages(s: AsyncSession, now: datetime) -> int:
    rows = (await s.execute(select(OutboxMessage).where(*_old_messages(now)))).scalars().all()
    for row in rows:
        row.data = {}
    return len(rows)


async def run(ctx) -> list[str]:
    """The daily job: erase what is due; returns the keys of the trajectories erased."""
    now = ctx.now()
    erased = []
    async with ctx.db.transaction() as s:
        await empty_old_messages(s, now)
        for item in await plan(s, now):
            if item.erase_on is not None and item.erase_on <= now:
                # Locked: a second process running the job at the same time waits, then finds it done.
                query = select(Trajectory).where(Trajectory.key == item.key).with_for_update()
                tr = (await s.execute(query.execution_options(populate_existing=True))).scalar_one()
                if tr.erased_at is None:
                    await erase_trajectory(s, tr, item.ended, now)
                    erased.append(item.key)
    await ctx.db.checkpoint()
    return erased


async def erase_trajectory(s: AsyncSession, tr: Trajectory, ended: datetime | None, now: datetime) -> None:
    """Keep the anonymous summary; erase every person, the free texts and the answers."""
    evs = (await s.execute(select(Evaluation).join(Session, Session.id == Evaluation.session_id).where(Session.trajectory_id == tr.id))).scalars().all()
    for ev in evs:
        await flush_pool(s, ev.id)
    s.add(PrivacyArchive(trajectory_key=tr.key, title=tr.title, ended_at=ended, erased_at=now, summary=await summary(s, tr, evs, now)))
    people = (await s.execute(select(Person).where(Person.trajectory_id == tr.id).options(selectinload(Person.trajectory)))).scalars()
    for person in people:
        if person.erased_at is None:
            await erase_person(s, person, now)
    commitments = select(Commitment.id).where(Commitment.trajectory_id == tr.id)
    await s.execute(update(Commitment).where(Commitment.trajectory_id == tr.id).values(last_note=None))
    await s.execute(update(CommitmentEvent).where(CommitmentEvent.commitment_id.in_(commitments)).values(note=None))
    rounds = select(SignOffRound.id).where(SignOffRound.trajectory_id == tr.id)
    await s.execute(update(SignOffRequest).where(SignOffRequest.round_id.in_(rounds)).values(reason=None))
    requests = select(SignOffRequest.id).where(SignOffRequest.round_id.in_(rounds))
    await s.execute(update(SignOffEvent).where(SignOffEvent.request_id.in_(requests)).values(note=None))
    for ev in evs:
        await s.execute(EvaluationResponse.__table__.delete().where(EvaluationResponse.evaluation_id == ev.id))
        await s.execute(EvaluationPoolAnswer.__table__.delete().where(EvaluationPoolAnswer.evaluation_id == ev.id))
    await s.execute(update(OutboxMessage).where(OutboxMessage.trajectory_id == tr.id, OutboxMessage.status == "pending")
                    .values(status="skipped", last_error="erased"))
    await s.execute(update(OutboxMessage).where(OutboxMessage.trajectory_id == tr.id).values(data={}, target=None))
    tr.erased_at = now


async def summary(s: AsyncSession, tr: Trajectory, evs: list[Evaluation], now: datetime) -> dict:
    """Counts per organisation kind, and per evaluation the response and the averages
    of its rating questions (an anonymous form only from its threshold)."""
    kinds: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for org in (await s.execute(select(Organisation).where(Organisation.trajectory_id == tr.id))).scalars():
        kinds[org.kind or "-"]["organisations"] += 1
    rows = await s.execute(
        select(Organisation.kind, Invitation.status, func.count())
        .join(Person, Person.organisation_id == Organisation.id).join(Invitation, Invitation.person_id == Person.id)
        .where(Organisation.trajectory_id == tr.id).group_by(Organisation.kind, Invitation.status)
    )
    for kind, status, n in rows:
        kinds[kind or "-"][f"invitations_{status}"] += n
    rows = await s.execute(
        select(Organisation.kind, Commitment.status, func.count()).join(Commitment, Commitment.organisation_id == Organisation.id)
        .where(Organisation.trajectory_id == tr.id).group_by(Organisation.kind, Commitment.status)
    )
    for kind, status, n in rows:
        kinds[kind or "-"][f"commitments_{status}"] += n
    people = await s.execute(
        select(Organisation.kind, func.count()).join(Person, Person.organisation_id == Organisation.id)
        .where(Organisation.trajectory_id == tr.id).group_by(Organisation.kind)
    )
    for kind, n in people:
        kinds[kind or "-"]["people"] += n
    return {"organisation_kinds": {k: dict(v) for k, v in kinds.items()}, "evaluations": [await _averages(s, tr, ev, now) for ev in evs]}


async def _averages(s: AsyncSession, tr: Trajectory, ev: Evaluation, now: datetime) -> dict:
    session = await s.get(Session, ev.session_id)
    prompted, responded = await evaluation_results.counts(s, ev)
    found = await evaluation_results.tallies(s, ev)
    item = {"session": session.key, "phase": session.phase, "anonymous": ev.anonymous, "prompted": prompted, "responded": responded}
    if ev.anonymous and found.sets < evaluations.config(tr).threshold:
        return item
    item["averages"] = {key: round(found.average(key), 2) for key, (_, n) in found.ratings.items() if n}
    return item
