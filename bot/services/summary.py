"""The phase-status summary: gathered with a fixed number of aggregate queries
(the same count for 10 people or 2,000), posted to the status channel(s) with a
chart, on the trajectory's weekly schedule and on demand.

Scheduling: one open due-work task per trajectory for the next slot.  When it
fires it posts (a ``SummaryPost`` row per slot makes a slot post at most once) and
plans the next slot *after now*, so after downtime it catches up once, never twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox
from bot.context import Context
from bot.i18n import t
from bot.models import (
    Evaluation,
    Invitation,
    Memo,
    MemoRecipient,
    Organisation,
    OutboxMessage,
    Person,
    Phase,
    PhaseTransition,
    ScheduledTask,
    Session,
    SignOffRequest,
    SignOffRound,
    SummaryPost,
    Trajectory,
)
from bot.services import ambassadors, attendance, channels, engagement, evaluation_results, evaluations
from bot.services.followthrough import figures
from bot.services.invitations import add_task

TASK = "summary"


# -- schedule -----------------------------------------------------------------------


def next_slot(trajectory: Trajectory, after: datetime) -> datetime | None:
    """The first scheduled moment strictly after ``after`` (aware, UTC-comparable)."""
    if trajectory.summary_weekday is None or not trajectory.summary_time:
        return None
    zone = ZoneInfo(trajectory.timezone)
    hour, minute = (int(x) for x in trajectory.summary_time.split(":"))
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(trajectory.summary_weekday - local.weekday()) % 7)
    slot = datetime.combine(day, time(hour, minute), tzinfo=zone)
    if slot <= after:
        slot = datetime.combine(day + timedelta(days=7), time(hour, minute), tzinfo=zone)
    return slot


def slot_key(trajectory: Trajectory, slot: datetime) -> str:
    return f"{TASK}:{trajectory.id}:{slot.astimezone(ZoneInfo(trajectory.timezone)).strftime('%Y-%m-%dT%H:%M')}"


async def schedule(s: AsyncSession, ctx: Context, trajectory: Trajectory) -> None:
    """Make sure exactly the next slot is planned (idempotent; re-plans after a schedule change)."""
    slot = next_slot(trajectory, ctx.now())
    wanted = slot_key(trajectory, slot) if slot else None
    open_tasks = (
        await s.execute(
            select(ScheduledTask).where(ScheduledTask.kind == TASK, ScheduledTask.ref_id == trajectory.id, ScheduledTask.done_at.is_(None))
        )
    ).scalars().all()
    if any(task.key == wanted for task in open_tasks) or (not open_tasks and wanted is None):
        return
    if any(_still_scheduled(trajectory, task) for task in open_tasks):
        return  # an overdue slot is waiting for the sweep (catch-up): keep it
    await s.execute(delete(ScheduledTask).where(ScheduledTask.id.in_([task.id for task in open_tasks])))
    if slot is not None:
        await add_task(s, wanted, TASK, trajectory.id, slot)


def _still_scheduled(trajectory: Trajectory, task: ScheduledTask) -> bool:
    """An open task whose slot still matches the trajectory's schedule."""
    slot = next_slot(trajectory, task.due_at - timedelta(seconds=1))
    return slot is not None and slot == task.due_at and task.key == slot_key(trajectory, slot)


async def on_task(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    trajectory = await s.get(Trajectory, task.ref_id)
    if trajectory is None or not _still_scheduled(trajectory, task):
        return "obsolete"
    outcome = "posted" if await post(s, ctx, trajectory, task.key.split(":", 2)[2]) else "already_posted"
    nxt = next_slot(trajectory, ctx.now())
    if nxt is not None:
        await add_task(s, slot_key(trajectory, nxt), TASK, trajectory.id, nxt)
    return outcome


HANDLERS = {TASK: on_task}


# -- posting ------------------------------------------------------------------------


async def post(s: AsyncSession, ctx: Context, trajectory: Trajectory, slot: str | None = None) -> bool:
    """Post the summary (and its chart, threaded under it).  False when the slot was posted before."""
    slot = slot or f"manual:{uuid.uuid4().hex}"
    if (await s.execute(select(SummaryPost.id).where(SummaryPost.trajectory_id == trajectory.id, SummaryPost.slot == slot))).first():
        return False
    s.add(SummaryPost(trajectory_id=trajectory.id, slot=slot, posted_at=ctx.now()))
    vm = await build(s, ctx, trajectory)
    key = f"summary:{trajectory.id}:{slot}"
    lang = trajectory.language
    chart = {
        "filename": "stand-van-zaken.png",
        "title": t(lang, "summary.chart_title", trajectory=trajectory.title),
        "alt_text": t(lang, "summary.chart_alt", trajectory=trajectory.title, organisations=len(vm["organisations"]), sessions=len(vm["session_rsvp"])),
        "organisations": vm["organisations"],
        "sessions": vm["session_rsvp"],
    }
    for row in await channels.post(s, ctx, trajectory, key, "summary", vm):
        await outbox.enqueue(
            s,
            key=f"{row.key}:chart",
            op="file",
            template="chart",
            data=chart,
            trajectory_id=trajectory.id,
            target=row.target,
            platform=row.platform,
            language=lang,
            now=ctx.now(),
            not_before=row.not_before,
            update_of=row,
        )
    return True


# -- gathering ----------------------------------------------------------------------


async def build(s: AsyncSession, ctx: Context, trajectory: Trajectory) -> dict:
    """The summary view-model: plain data, every part from one aggregate query."""
    now = ctx.now()
    zone = ZoneInfo(trajectory.timezone)
    today = now.astimezone(zone).date()
    phase = (
        await s.execute(select(Phase).where(Phase.trajectory_id == trajectory.id, Phase.number == trajectory.current_phase))
    ).scalar_one_or_none()
    sessions = await _sessions(s, trajectory)
    in_phase = [x for x in sessions if x["phase"] == trajectory.current_phase]
    upcoming = [x for x in sessions if x["starts_at"] > now]
    next_session = upcoming[0] if upcoming else None
    figs = await figures(s, trajectory.id, today, trajectory.timezone)
    return {
        "trajectory": trajectory.title,
        "trajectory_id": trajectory.id,
        "timezone": trajectory.timezone,
        "phase": {
            "number": trajectory.current_phase,
            "name": phase.name if phase else "",
            "starting_point": phase.starting_point if phase else "",
            "result": phase.result if phase else "",
        },
        "sessions_held": sum(1 for x in in_phase if x["ends_at"] <= now),
        "sessions_planned": len(in_phase),
        "next_session": await _next_session(s, next_session) if next_session else None,
        "last_evaluation": await _last_evaluation(s, trajectory, now),
        "organisations": [
            {"name": o.organisation, "done": o.done_on_time + o.done_late, "busy": o.busy, "open": o.open, "overdue": o.overdue, "blocked": o.blocked}
            for o in figs.organisations
        ],
        "follow_through": figs.totals.follow_through,
        "memos": await _memos(s, trajectory),
        **await _involvement(s, trajectory, now),
        "undelivered": await _undelivered(s, trajectory),
        "signoff": await _signoff(s, trajectory),
        "transitions": await _transitions(s, trajectory),
        "ambassadors": (await ambassadors.check_trajectory(s, trajectory.id)).as_data(),
        "attendance": await _attendance(s, in_phase),
        "session_rsvp": [
            {"title": x["title"], **{k: x["counts"][k] for k in ("yes", "maybe", "no", "pending")}} for x in in_phase
        ],
    }


async def _sessions(s: AsyncSession, trajectory: Trajectory) -> list[dict]:
    """The trajectory's sessions with their RSVP counts: the counts from the
    invitations' (session, status) index alone, in its order (no sort, no table row)."""
    live = (Session.trajectory_id == trajectory.id, Session.cancelled.is_(False))
    counts = await s.execute(
        select(Invitation.session_id, Invitation.status, func.count())
        .where(Invitation.session_id.in_(select(Session.id).where(*live)))
        .group_by(Invitation.session_id, Invitation.status)
    )
    by_session: dict[int, dict[str, int]] = {}
    for sid, status, n in counts:
        by_session.setdefault(sid, {})[status] = n
    rows = await s.execute(
        select(Session.id, Session.key, Session.title, Session.phase, Session.starts_at, Session.ends_at, Session.invited_at)
        .where(*live)
        .order_by(Session.starts_at)
    )
    return [
        {
            "id": sid, "key": key, "title": title, "phase": phase, "starts_at": starts, "ends_at": ends,
            "starts": starts.isoformat(), "ends": ends.isoformat(), "timezone": trajectory.timezone,
            "invited": invited_at is not None,
            "counts": {status: by_session.get(sid, {}).get(status, 0) for status in ("yes", "no", "maybe", "pending", "delegated")},
        }
        for sid, key, title, phase, starts, ends, invited_at in rows
    ]


async def _attendance(s: AsyncSession, sessions: list[dict]) -> list[dict]:
    """Who came, for the sessions of the phase whose trekker said so ("Wie was er?")."""
    found = await attendance.counts(s, [x["id"] for x in sessions])
    return [{"title": x["title"], **found[x["id"]]} for x in sessions if x["id"] in found]


async def _next_session(s: AsyncSession, session: dict) -> dict:
    """RSVP counts and the invited organisations with nobody coming yet."""
    rows = await s.execute(
        select(Organisation.name, func.max(case((Invitation.status == "yes", 1), else_=0)))
        .join(Person, Person.organisation_id == Organisation.id)
        .join(Invitation, Invitation.person_id == Person.id)
        .where(Invitation.session_id == session["id"])
        .group_by(Organisation.name)
        .order_by(Organisation.name)
    )
    missing = [name for name, coming in rows if not coming]
    keep = ("id", "key", "title", "starts", "ends", "timezone", "invited", "counts")
    return {**{k: session[k] for k in keep}, "organisations_missing": missing}


async def _last_evaluation(s: AsyncSession, trajectory: Trajectory, now: datetime) -> dict | None:
    ev = (
        await s.execute(
            select(Evaluation, Session.title)
            .join(Session, Session.id == Evaluation.session_id)
            .where(Session.trajectory_id == trajectory.id, Evaluation.opened_at <= now)
            .order_by(Session.starts_at.desc())
            .limit(1)
        )
    ).first()
    if ev is None:
        return None
    evaluation, title = ev
    prompted, responded = await evaluation_results.counts(s, evaluation)
    found = await evaluation_results.tallies(s, evaluation)
    # Anonymous: only once closed and from the threshold (one rule: evaluation_results.hidden).
    shown = evaluation_results.hidden(evaluation, found.sets, evaluations.config(trajectory), now) is None
    goals = next((q for q in evaluation.questions if q.get("type") == "choice" and "doel" in (q.get("key", "") + q.get("question", "")).lower()), None)
    answered, met = found.choices.get(goals["key"], (0, 0)) if goals else (0, 0)
    return {
        "title": title,
        "response_rate": responded / prompted if prompted else None,
        "average": found.average() if shown else None,
        "goals_met": met / answered if shown and answered else None,
    }


async def _memos(s: AsyncSession, trajectory: Trajectory, limit: int = 3) -> list[dict]:
    rows = await s.execute(
        select(Memo.title, func.count(MemoRecipient.id), func.count(MemoRecipient.read_at))
        .join(MemoRecipient, MemoRecipient.memo_id == Memo.id)
        .where(Memo.trajectory_id == trajectory.id, Memo.status == "sent")
        .group_by(Memo.id, Memo.title, Memo.sent_at)
        .order_by(Memo.sent_at.desc())
        .limit(limit)
    )
    return [{"title": title, "total": total, "read": read} for title, total, read in rows]


async def _involvement(s: AsyncSession, trajectory: Trajectory, now: datetime) -> dict:
    """"Betrokken houden" (services.engagement); ``keep_involved`` keeps the flagged names."""
    found = await engagement.watch(s, trajectory.id, now)
    return {"keep_involved": found.flagged(), "engagement": found.as_data()}


async def _undelivered(s: AsyncSession, trajectory: Trajectory, limit: int = 10) -> dict:
    rows = (
        await s.execute(
            select(Person.name, func.count(OutboxMessage.id))
            .select_from(OutboxMessage)
            .outerjoin(Person, Person.id == OutboxMessage.person_id)
            .where(OutboxMessage.trajectory_id == trajectory.id, OutboxMessage.status == "failed")
            .group_by(Person.name)
            .order_by(Person.name)
        )
    ).all()
    return {"count": sum(n for _, n in rows), "names": [name for name, _ in rows if name][:limit]}


async def _signoff(s: AsyncSession, trajectory: Trajectory) -> dict | None:
    rows = (
        await s.execute(
            select(SignOffRound.id, SignOffRound.title, SignOffRound.deadline, SignOffRequest.decision, func.count(SignOffRequest.id))
            .join(SignOffRequest, SignOffRequest.round_id == SignOffRound.id)
            .where(
                SignOffRound.trajectory_id == trajectory.id,
                SignOffRound.id == select(func.max(SignOffRound.id)).where(SignOffRound.trajectory_id == trajectory.id).scalar_subquery(),
            )
            .group_by(SignOffRound.id, SignOffRound.title, SignOffRound.deadline, SignOffRequest.decision)
        )
    ).all()
    if not rows:
        return None
    decisions = {decision: n for _, _, _, decision, n in rows}
    _, title, deadline, _, _ = rows[0]
    return {
        "title": title,
        "deadline": deadline.isoformat(),
        "agreed": decisions.get("agreed", 0),
        "declined": decisions.get("declined", 0),
        "expected": sum(decisions.values()),
    }


async def _transitions(s: AsyncSession, trajectory: Trajectory) -> list[dict]:
    rows = await s.execute(
        select(PhaseTransition).where(PhaseTransition.trajectory_id == trajectory.id).order_by(PhaseTransition.at)
    )
    return [
        {"from": r.from_phase, "to": r.to_phase, "reached": r.reached, "at": r.at.isoformat()}
        for r in rows.scalars()
    ]

