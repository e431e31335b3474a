"""Commitment reminders to owners, the trekker's reminder round, and the escalation of
overdue commitments to the trekkers (the scheduled tasks ``commitment_reminder`` and
``commitment_escalation``, planned by ``bot.services.commitments.reschedule``)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import outbox
from bot.context import Context
from bot.models import REMINDED_STATUSES, Commitment, ScheduledTask, Trajectory
from bot.services.commitments import (
    TASK_ESCALATE,
    TASK_REMIND,
    at_local,
    commitment_vm,
    config,
    is_snoozed,
    load,
    local_today,
    next_reminder_day,
    reschedule,
    tell_trekkers_unreachable,
)
from bot.services.invitations import add_task
from bot.services.notify import tell_trekkers


# -- reminders ----------------------------------------------------------------------


async def remind(s: AsyncSession, ctx: Context, c: Commitment, trajectory: Trajectory) -> str:
    """Send one reminder unless it already had one today.  Returns the outcome."""
    today = local_today(ctx, trajectory)
    if c.status not in REMINDED_STATUSES:
        return "closed"
    if is_snoozed(c, today):
        return "snoozed"
    send_at = ctx.send_time(trajectory.timezone)
    send_day = send_at.astimezone(ZoneInfo(trajectory.timezone)).date()
    if c.last_reminded_on is not None and c.last_reminded_on >= send_day:
        return "already_today"
    if not c.owner.reachable:
        await tell_trekkers_unreachable(s, ctx, c, trajectory)
        return "unreachable"
    key = f"commitment-remind:{c.id}:{send_day.isoformat()}"
    await outbox.enqueue(
        s,
        key=key,
        op="direct",
        template="commitment_reminder",
        data=commitment_vm(c, trajectory, today),
        person=c.owner,
        now=ctx.now(),
        not_before=send_at,
    )
    c.last_reminded_on = send_day
    c.message_key = key
    return "sent"


async def on_reminder_task(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    c = await load(s, task.ref_id)
    if c is None:
        return "obsolete"
    trajectory = await s.get(Trajectory, c.trajectory_id)
    outcome = await remind(s, ctx, c, trajectory)
    nxt = next_reminder_day(c, trajectory, local_today(ctx, trajectory) + timedelta(days=1))
    if nxt is not None:
        await add_task(s, f"{TASK_REMIND}:{c.id}:{nxt.isoformat()}", TASK_REMIND, c.id, at_local(nxt, trajectory))
    return outcome


async def reminder_round(s: AsyncSession, ctx: Context, trajectory: Trajectory) -> dict[str, int]:
    """``herinneren afspraken``: every open commitment not reminded today."""
    rows = (
        await s.execute(
            select(Commitment)
            .where(Commitment.trajectory_id == trajectory.id, Commitment.status.in_(REMINDED_STATUSES))
            .options(selectinload(Commitment.organisation), selectinload(Commitment.owner))
            .order_by(Commitment.due)
        )
    ).scalars().all()
    counts: dict[str, int] = {}
    for c in rows:
        outcome = await remind(s, ctx, c, trajectory)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


# -- escalation ---------------------------------------------------------------------


async def on_escalation_task(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    """One message per trekker listing every commitment overdue past the threshold."""
    c = await load(s, task.ref_id)
    if c is None or c.status not in REMINDED_STATUSES or c.escalated_at is not None:
        return "obsolete"
    trajectory = await s.get(Trajectory, c.trajectory_id)
    today = local_today(ctx, trajectory)
    if is_snoozed(c, today):
        await reschedule(s, ctx, c, trajectory)
        return "snoozed"
    _, _, escalate_after = config(trajectory)
    overdue = (
        await s.execute(
            select(Commitment)
            .where(
                Commitment.trajectory_id == trajectory.id,
                Commitment.status.in_(REMINDED_STATUSES),
                Commitment.escalated_at.is_(None),
                Commitment.due <= today - timedelta(days=escalate_after),
            )
            .options(selectinload(Commitment.organisation), selectinload(Commitment.owner))
            .order_by(Commitment.organisation_id, Commitment.due)
        )
    ).scalars().all()
    overdue = [x for x in overdue if not is_snoozed(x, today)]
    if not overdue:
        return "nothing_overdue"
    groups: dict[str, list[dict]] = {}
    for x in overdue:
        groups.setdefault(x.organisation.name, []).append(commitment_vm(x, trajectory, today))
        x.escalated_at = ctx.now()
    data = {"trajectory": trajectory.title, "groups": [{"organisation": k, "items": v} for k, v in groups.items()]}
    key = f"commitment-escalation:{trajectory.id}:{today.isoformat()}:{task.ref_id}"
    await tell_trekkers(s, ctx, trajectory, key=key, template="commitment_escalation", data=data)
    return "escalated"


HANDLERS = {TASK_REMIND: on_reminder_task, TASK_ESCALATE: on_escalation_task}
