"""What waits for one person: their commitments and sessions, open evaluation forms,
unread memos and sign-off requests for their organisation; for a trekker also the
trajectory at a glance.  App Home, ``/dialoog mijn`` and the Teams overview card show
this.  Every list is one query, however long it is."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from bot.context import Context
from bot.identity import User, matches
from bot.models import (
    Commitment,
    Evaluation,
    EvaluationPrompt,
    Invitation,
    Memo,
    MemoRecipient,
    Organisation,
    Person,
    Session,
    SignOffRequest,
    SignOffRound,
    Trajectory,
)
from bot.services import commitments, directory, invitations, signoff
from bot.services.followthrough import classify


async def my_overview(ctx: Context, user: User, limit: int = 20, notice: str | None = None) -> dict:
    async with ctx.db.sessionmaker() as s:
        me = (
            await s.execute(select(Person).where(matches(user), Person.active.is_(True)).order_by(Person.id))
        ).scalars().all()
        language = await directory.language_of(s, user)
        sessions, sessions_more = await _my_sessions(s, ctx, user, limit)
        own = await commitments.open_for(s, user)
        my_commitments = [commitments.commitment_vm(c, t, commitments.local_today(ctx, t)) for c, t in own[:limit]]
        evaluations, evaluations_more = await _open_evaluations(s, ctx, user, limit)
        memos, memos_more = await _unread_memos(s, user, limit)
        signoffs, signoffs_more = await _pending_signoffs(s, ctx, user, limit)
        glance = []
        for trajectory_id in sorted({p.trajectory_id for p in me if p.has_role("trekker")}):
            glance.append(await _glance(s, ctx, await s.get(Trajectory, trajectory_id)))
    return {
        "language": language or "nl",
        "notice": notice,
        "commitments": my_commitments,
        "commitments_more": max(0, len(own) - limit),
        "sessions": sessions,
        "sessions_more": sessions_more,
        "evaluations": evaluations,
        "evaluations_more": evaluations_more,
        "memos": memos,
        "memos_more": memos_more,
        "signoffs": signoffs,
        "signoffs_more": signoffs_more,
        "trekker": glance,
    }


async def _my_sessions(s, ctx: Context, user: User, limit: int) -> tuple[list[dict], int]:
    rows = (
        await s.execute(
            select(Invitation)
            .join(Session, Session.id == Invitation.session_id)
            .join(Person, Person.id == Invitation.person_id)
            .where(
                matches(user),
                Person.active.is_(True),
                Invitation.invited_at.is_not(None),
                Session.cancelled.is_(False),
                Session.starts_at > ctx.now(),
            )
            .order_by(Session.starts_at)
            .limit(limit + 1)
            .options(
                selectinload(Invitation.person),
                selectinload(Invitation.session),
                selectinload(Invitation.delegated_to),
                selectinload(Invitation.delegated_from),
            )
        )
    ).scalars().all()
    shown = rows[:limit]
    bases = await invitations.sent_contexts(s, [(inv.session, inv.person) for inv in shown])
    out = [invitations.invitation_vm(ctx, base, inv.session, inv, inv.person) for base, inv in zip(bases, shown)]
    return out, max(0, len(rows) - limit)


async def _open_evaluations(s, ctx: Context, user: User, limit: int) -> tuple[list[dict], int]:
    """Open forms the person has not filled in.  "Not yet" is the prompt's own marker
    (``responded``), never the answers: an anonymous answer is not linked to anyone."""
    rows = (
        await s.execute(
            select(EvaluationPrompt.id, Session.title, Evaluation.closes_at, Evaluation.anonymous, Trajectory.timezone)
            .join(Evaluation, Evaluation.id == EvaluationPrompt.evaluation_id)
            .join(Session, Session.id == Evaluation.session_id)
            .join(Trajectory, Trajectory.id == Session.trajectory_id)
            .join(Person, Person.id == EvaluationPrompt.person_id)
            .where(
                matches(user),
                Person.active.is_(True),
                EvaluationPrompt.responded.is_(False),
                Evaluation.closed_at.is_(None),
                Evaluation.closes_at > ctx.now(),
            )
            .order_by(Evaluation.closes_at, EvaluationPrompt.id)
            .limit(limit + 1)
        )
    ).all()
    items = [
        {"prompt_id": pid, "title": title, "closes": closes.isoformat(), "anonymous": anonymous, "timezone": timezone}
        for pid, title, closes, anonymous, timezone in rows[:limit]
    ]
    return items, max(0, len(rows) - limit)


async def _unread_memos(s, user: User, limit: int) -> tuple[list[dict], int]:
    author = aliased(Person)
    rows = (
        await s.execute(
            select(MemoRecipient.id, Memo.title, author.name, Trajectory.title)
            .join(Memo, Memo.id == MemoRecipient.memo_id)
            .join(Trajectory, Trajectory.id == Memo.trajectory_id)
            .join(Person, Person.id == MemoRecipient.person_id)
            .outerjoin(author, author.id == Memo.author_id)
            .where(matches(user), Person.active.is_(True), Memo.status == "sent", MemoRecipient.read_at.is_(None))
            .order_by(Memo.sent_at.desc(), MemoRecipient.id)
            .limit(limit + 1)
        )
    ).all()
    items = [
        {"recipient_id": rid, "title": title, "author": name or "", "trajectory": trajectory}
        for rid, title, name, trajectory in rows[:limit]
    ]
    return items, max(0, len(rows) - limit)


async def _pending_signoffs(s, ctx: Context, user: User, limit: int) -> tuple[list[dict], int]:
    """Undecided requests of a running round for an organisation the person may decide
    for (``signoff.signer``'s rule: a bestuurder or ambassadeur of it), before the deadline."""
    rows = (
        await s.execute(
            select(SignOffRequest, SignOffRound, Organisation, Trajectory, Person)
            .join(SignOffRound, SignOffRound.id == SignOffRequest.round_id)
            .join(Organisation, Organisation.id == SignOffRequest.organisation_id)
            .join(Trajectory, Trajectory.id == SignOffRound.trajectory_id)
            .join(Person, (Person.organisation_id == SignOffRequest.organisation_id) & (Person.trajectory_id == Trajectory.id))
            .where(matches(user), Person.active.is_(True), SignOffRequest.decision == "pending", SignOffRound.completed_at.is_(None))
            .order_by(SignOffRound.deadline, SignOffRequest.id)
        )
    ).all()
    items = [
        signoff.request_vm(rnd, request, org, trajectory, me.name)
        for request, rnd, org, trajectory, me in rows
        if signoff.may_sign(me) and signoff.today_in(ctx, trajectory) <= rnd.deadline
    ]
    return items[:limit], max(0, len(items) - limit)


async def _glance(s, ctx: Context, trajectory: Trajectory, limit: int = 10) -> dict:
    """Upcoming sessions with RSVP counts; commitments per organisation by status."""
    counts = await s.execute(
        select(Session.id, Session.title, Session.starts_at, Session.ends_at, Invitation.status, func.count(Invitation.id))
        .outerjoin(Invitation, Invitation.session_id == Session.id)
        .where(Session.trajectory_id == trajectory.id, Session.cancelled.is_(False), Session.starts_at > ctx.now())
        .group_by(Session.id, Session.title, Session.starts_at, Session.ends_at, Invitation.status)
        .order_by(Session.starts_at)
    )
    sessions: dict[int, dict] = {}
    for sid, title, starts, ends, status, n in counts:
        entry = sessions.setdefault(
            sid,
            {"title": title, "starts": starts.isoformat(), "ends": ends.isoformat(), "timezone": trajectory.timezone,
             "counts": {"yes": 0, "no": 0, "maybe": 0, "pending": 0, "delegated": 0}},
        )
        if status:
            entry["counts"][status] += n
    today = commitments.local_today(ctx, trajectory)
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(trajectory.timezone)
    rows = await s.execute(
        select(Organisation.name, Commitment.status, Commitment.due, Commitment.done_at)
        .join(Organisation, Organisation.id == Commitment.organisation_id)
        .where(Commitment.trajectory_id == trajectory.id)
        .order_by(Organisation.name)
    )
    by_org: dict[str, dict[str, int]] = {}
    for name, status, due, done_at in rows:
        bucket = by_org.setdefault(name, {"open": 0, "busy": 0, "done": 0, "overdue": 0, "blocked": 0})
        kind = classify(status, due, done_at, today, zone)
        if kind in ("done_on_time", "done_late"):
            bucket["done"] += 1
        elif kind == "overdue":
            bucket["overdue"] += 1
        elif kind == "blocked":
            bucket["blocked"] += 1
        elif kind == "open":
            bucket["busy" if status == "busy" else "open"] += 1
    session_list = list(sessions.values())
    return {
        "trajectory_id": trajectory.id,
        "title": trajectory.title,
        "sessions": session_list[:limit],
        "sessions_more": max(0, len(session_list) - limit),
        "organisations": [{"name": k, **v} for k, v in by_org.items()],
    }
