"""Due-work handlers for sessions: reminders to non-responders and attendees."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox
from bot.context import Context
from bot.models import ScheduledTask, Trajectory
from bot.services import invitations


async def _current(s: AsyncSession, task: ScheduledTask):
    inv = await invitations.load_invitation(s, task.ref_id)
    if inv is None or inv.session.cancelled:
        return None
    # Keys carry the session's sequence; a moved session has fresh tasks.
    if int(task.key.split(":")[2]) != inv.session.sequence:
        return None
    return inv


async def rsvp_reminder(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    inv = await _current(s, task)
    if inv is None:
        return "obsolete"
    if inv.status != "pending":
        return "answered"
    if not inv.person.reachable:
        return "unreachable"
    trajectory = await s.get(Trajectory, inv.session.trajectory_id)
    base = await invitations.sent_context(s, inv.session, inv.person)
    await invitations.enqueue_rsvp_reminder(
        s, ctx, inv.session, inv, base, f"remind:{task.key}", ctx.send_time(trajectory.timezone)
    )
    return "sent"


async def attendee_reminder(s: AsyncSession, ctx: Context, task: ScheduledTask) -> str:
    inv = await _current(s, task)
    if inv is None:
        return "obsolete"
    if inv.status not in ("yes", "maybe"):
        return "not_attending"
    if not inv.person.reachable:
        return "unreachable"
    trajectory = await s.get(Trajectory, inv.session.trajectory_id)
    base = await invitations.sent_context(s, inv.session, inv.person)
    await outbox.enqueue(
        s,
        key=f"remind:{task.key}",
        op="direct",
        template="attendee_reminder",
        data=invitations.invitation_vm(ctx, base, inv.session, inv, inv.person),
        person=inv.person,
        now=ctx.now(),
        not_before=ctx.send_time(trajectory.timezone),
        expires_at=inv.session.starts_at,
    )
    return "sent"


HANDLERS = {"rsvp_reminder": rsvp_reminder, "attendee_reminder": attendee_reminder}
