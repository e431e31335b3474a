"""What waits for one person: their commitments and sessions; for a trekker also
the trajectory at a glance.  App Home and ``/dialoog mijn`` show this."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.context import Context
from bot.identity import User, matches
from bot.models import Commitment, Invitation, Organisation, Person, Session, Trajectory
from bot.services import commitments, directory, invitations
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
    out = []
    for inv in rows[:limit]:
        base = await invitations.sent_context(s, inv.session, inv.person)
        out.append(invitations.invitation_vm(ctx, base, inv.session, inv, inv.person))
    return out, max(0, len(rows) - limit)


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
