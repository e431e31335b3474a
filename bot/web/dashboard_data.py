"""What the trekker's dashboard shows for one trajectory: plain data for the template.

Read-only.  The trekker check is the use cases' (``actors.trekker``); the figures come
from the services the summary uses (``summary.build``: phase, engagement watch,
sign-off, last evaluation; ``followthrough.classify``; ``evaluation_results``: the
anonymity rules), so no rule is written twice.  A fixed number of statements whatever
the trajectory's size: every list is one query, grouped in Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.identity import User
from bot.interactions import actors
from bot.interactions.errors import Refused
from bot.models import (
    Commitment,
    Evaluation,
    EvaluationPrompt,
    EvaluationResponse,
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
from bot.services import evaluation_results, summary
from bot.services.followthrough import classify

ANSWERS = ("yes", "maybe", "no", "pending", "delegated")
COMMITMENT_STATES = ("open", "busy", "done", "blocked", "not_applicable")
MAX_POINTS = 26  # weeks in the follow-through chart


async def trajectory_of(s: AsyncSession, key: str, user: User) -> tuple[Trajectory, Person]:
    """The trajectory with this key and the acting trekker; Refused for anyone else
    (and for an unknown key: a stranger learns nothing from the answer)."""
    trajectory = (await s.execute(select(Trajectory).where(Trajectory.key == key))).scalar_one_or_none()
    if trajectory is None:
        raise Refused("dashboard.forbidden")
    return trajectory, await actors.trekker(s, trajectory, user)


async def evaluation(ctx: Context, user: User, key: str, session_key: str) -> dict[str, Any]:
    """One evaluation's results, as ``evaluation_results.results_vm`` shows them in chat
    (anonymous answers only from the threshold and once closed)."""
    async with ctx.db.sessionmaker() as s:
        trajectory, actor = await trajectory_of(s, key, user)
        session = (await s.execute(select(Session).where(Session.trajectory_id == trajectory.id, Session.key == session_key))).scalar_one_or_none()
        ev = (await s.execute(select(Evaluation).where(Evaluation.session_id == session.id))).scalar_one_or_none() if session else None
        if ev is None:
            raise Refused("dashboard.files.no_evaluation")
        results = await evaluation_results.results_vm(s, ctx, ev, session, trajectory)
    return {"results": results, "language": actor.language or trajectory.language or "nl", "actor": actor.name,
            "trajectory": {"key": trajectory.key, "title": trajectory.title, "timezone": trajectory.timezone}}


async def page(ctx: Context, user: User, key: str) -> dict[str, Any]:
    async with ctx.db.sessionmaker() as s:
        trajectory, actor = await trajectory_of(s, key, user)
        base = await summary.build(s, ctx, trajectory)
        sessions = await _timeline(s, trajectory, ctx.now())
        commitments = await commitments_of(s, trajectory)
        evaluations = await _evaluations(s, trajectory)
        vm = {
            "trajectory": {"key": trajectory.key, "title": trajectory.title, "id": trajectory.id, "timezone": trajectory.timezone},
            "language": actor.language or trajectory.language or "nl",
            "actor": actor.name,
            "phase": base["phase"],
            "goals_met": (base["last_evaluation"] or {}).get("goals_met"),
            "transitions": base["transitions"],
            "sessions": sessions,
            "organisations": _per_organisation(commitments),
            "follow_through": base["follow_through"],
            "series": follow_through_series(commitments, ctx.now(), trajectory.timezone),
            "evaluations": evaluations,
            "last_evaluation": base["last_evaluation"],
            "memos": await _memos(s, trajectory),
            "signoff": base["signoff"],
            "signoff_organisations": await _signoff(s, trajectory),
            "keep_involved": base["keep_involved"],
            "undelivered": base["undelivered"],
            "unreachable": await _unreachable(s, trajectory),
        }
    return vm


async def _timeline(s: AsyncSession, trajectory: Trajectory, now: datetime) -> list[dict]:
    """Every session (held, planned, cancelled) with its answers and who came."""
    rows = await s.execute(
        select(Session.id, Session.key, Session.title, Session.phase, Session.starts_at, Session.ends_at, Session.cancelled,
               Session.invited_at, Invitation.status, Invitation.attended, func.count(Invitation.id))
        .outerjoin(Invitation, Invitation.session_id == Session.id)
        .where(Session.trajectory_id == trajectory.id)
        .group_by(Session.id, Session.key, Session.title, Session.phase, Session.starts_at, Session.ends_at,
                  Session.cancelled, Session.invited_at, Invitation.status, Invitation.attended)
        .order_by(Session.starts_at, Session.id)
    )
    out: dict[int, dict] = {}
    for sid, key, title, phase, starts, ends, cancelled, invited_at, status, attended, n in rows:
        state = "cancelled" if cancelled else ("held" if ends <= now else "planned")
        entry = out.setdefault(sid, {
            "id": sid, "key": key, "title": title, "phase": phase, "starts_at": starts, "ends_at": ends, "state": state,
            "invited": invited_at is not None, "counts": dict.fromkeys(ANSWERS, 0), "attended": 0, "absent": 0,
            "attendance_known": False,
        })
        if status:
            entry["counts"][status] = entry["counts"].get(status, 0) + n
        if attended is not None:
            entry["attendance_known"] = True
            entry["attended" if attended else "absent"] += n
    return list(out.values())


async def commitments_of(s: AsyncSession, trajectory: Trajectory) -> list[dict]:
    rows = await s.execute(
        select(Commitment.id, Commitment.key, Commitment.description, Commitment.due, Commitment.status, Commitment.done_at,
               Commitment.snoozed_until, Organisation.name, Person.name)
        .join(Organisation, Organisation.id == Commitment.organisation_id)
        .join(Person, Person.id == Commitment.owner_id)
        .where(Commitment.trajectory_id == trajectory.id)
        .order_by(Organisation.name, Commitment.due, Commitment.id)
    )
    return [
        {"id": cid, "key": key, "description": text, "due": due, "status": status, "done_at": done_at,
         "snoozed_until": snoozed, "organisation": org, "owner": owner}
        for cid, key, text, due, status, done_at, snoozed, org, owner in rows
    ]


def _per_organisation(commitments: list[dict]) -> list[dict]:
    by_org: dict[str, dict] = {}
    for c in commitments:
        entry = by_org.setdefault(c["organisation"], {"name": c["organisation"], "counts": dict.fromkeys(COMMITMENT_STATES, 0), "items": []})
        entry["counts"][c["status"]] = entry["counts"].get(c["status"], 0) + 1
        entry["items"].append(c)
    return list(by_org.values())


def follow_through_series(commitments: list[dict], now: datetime, timezone: str) -> list[dict]:
    """Per week: the share of commitments due by then that were done on time by then
    (``followthrough.classify`` as the commitment stood that day)."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    if not commitments:
        return []
    first = min(c["due"] for c in commitments)
    start = max(first, today - timedelta(weeks=MAX_POINTS - 1))
    points = []
    day = start
    while day <= today:
        points.append(_point(commitments, day, zone))
        day += timedelta(weeks=1)
    if not points or points[-1]["day"] != today:
        points.append(_point(commitments, today, zone))
    return points


def _point(commitments: list[dict], day: date, zone: ZoneInfo) -> dict:
    tally: dict[str, int] = defaultdict(int)
    for c in commitments:
        if c["due"] > day or c["status"] == "not_applicable":
            continue
        done = c["done_at"] is not None and c["done_at"].astimezone(zone).date() <= day and c["status"] == "done"
        tally[classify("done" if done else "open", c["due"], c["done_at"] if done else None, day, zone)] += 1
    due = sum(tally.values())
    share = tally["done_on_time"] / due if due else None
    return {"day": day, "due": due, "on_time": tally["done_on_time"], "share": share}


async def _evaluations(s: AsyncSession, trajectory: Trajectory) -> list[dict]:
    """Every evaluation with its prompted / answered counts (two grouped queries)."""
    rows = (await s.execute(
        select(Evaluation.id, Evaluation.anonymous, Evaluation.closes_at, Evaluation.closed_at, Session.key, Session.title,
               Session.starts_at, func.count(EvaluationPrompt.id))
        .join(Session, Session.id == Evaluation.session_id)
        .outerjoin(EvaluationPrompt, EvaluationPrompt.evaluation_id == Evaluation.id)
        .where(Session.trajectory_id == trajectory.id)
        .group_by(Evaluation.id, Evaluation.anonymous, Evaluation.closes_at, Evaluation.closed_at, Session.key, Session.title, Session.starts_at)
        .order_by(Session.starts_at)
    )).all()
    answered = dict((await s.execute(
        select(EvaluationResponse.evaluation_id, func.count(EvaluationResponse.id))
        .join(Evaluation, Evaluation.id == EvaluationResponse.evaluation_id)
        .join(Session, Session.id == Evaluation.session_id)
        .where(Session.trajectory_id == trajectory.id)
        .group_by(EvaluationResponse.evaluation_id)
    )).all())
    return [
        {"id": eid, "anonymous": anonymous, "closes_at": closes, "session_key": key, "title": title, "prompted": prompted,
         "answers": answered.get(eid, 0)}
        for eid, anonymous, closes, _closed, key, title, _starts, prompted in rows
    ]


async def _memos(s: AsyncSession, trajectory: Trajectory) -> list[dict]:
    rows = await s.execute(
        select(Memo.title, Memo.sent_at, func.count(MemoRecipient.id), func.count(MemoRecipient.read_at))
        .join(MemoRecipient, MemoRecipient.memo_id == Memo.id)
        .where(Memo.trajectory_id == trajectory.id, Memo.status == "sent")
        .group_by(Memo.id, Memo.title, Memo.sent_at)
        .order_by(Memo.sent_at.desc())
    )
    return [{"title": title, "sent_at": sent, "total": total, "read": read} for title, sent, total, read in rows]


async def _signoff(s: AsyncSession, trajectory: Trajectory) -> list[dict]:
    """The latest round's decision per organisation."""
    latest = select(func.max(SignOffRound.id)).where(SignOffRound.trajectory_id == trajectory.id).scalar_subquery()
    rows = await s.execute(
        select(Organisation.name, SignOffRequest.decision, SignOffRequest.decided_at, SignOffRequest.reason)
        .join(Organisation, Organisation.id == SignOffRequest.organisation_id)
        .where(SignOffRequest.round_id == latest)
        .order_by(Organisation.name)
    )
    return [{"organisation": name, "decision": decision, "decided_at": at, "reason": reason} for name, decision, at, reason in rows]


async def _unreachable(s: AsyncSession, trajectory: Trajectory) -> list[dict]:
    """Active people the bot cannot reach on any channel (``Person.reachable``)."""
    rows = await s.execute(
        select(Person, Organisation.name)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(Person.trajectory_id == trajectory.id, Person.active.is_(True))
        .order_by(Organisation.name, Person.name)
    )
    return [{"name": p.name, "organisation": org, "email": p.email} for p, org in rows if not p.reachable]
