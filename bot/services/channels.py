"""Posting to a trajectory's status channel(s) through the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox
from bot.context import Context
from bot.identity import channel_route
from bot.models import OutboxMessage, Person, Trajectory
from bot.services.notify import tell_trekkers

# A Slack status channel that refused the bot after it tried to join (bot/slack/chat.py).
BLOCKED = ("not_in_channel", "channel_not_found")


async def post(
    s: AsyncSession, ctx: Context, trajectory: Trajectory, key: str, template: str, data: dict
) -> list[OutboxMessage]:
    """One message per status channel (Slack and/or Teams), after quiet hours."""
    rows = []
    for entry in trajectory.status_channels or []:
        platform, channel = channel_route(entry)
        row, _ = await outbox.enqueue(
            s,
            key=f"{key}:{entry}",
            op="channel",
            template=template,
            data=data,
            trajectory_id=trajectory.id,
            target=channel,
            platform=platform,
            language=trajectory.language,
            now=ctx.now(),
            not_before=ctx.send_time(trajectory.timezone),
        )
        rows.append(row)
    return rows


def channel_names(trajectory: Trajectory) -> str:
    return ", ".join(channel_route(entry)[1] for entry in trajectory.status_channels or [])


async def report_failure(ctx: Context, row: OutboxMessage, error: str | None) -> None:
    """The dispatcher's hook for a row that failed for good: when a Slack status channel
    would not take the post, the trekkers are told how to let the bot in; when the mail
    server refused a mail (5xx), they are told who did not get it."""
    if row.platform == "email" and row.op in ("direct", "file"):
        await report_mail_failure(ctx, row, error)
        return
    if row.op != "channel" or row.platform != "slack" or error not in BLOCKED or row.trajectory_id is None:
        return
    async with ctx.db.transaction() as s:
        trajectory = await s.get(Trajectory, row.trajectory_id)
        if trajectory is None:
            return
        data = {"trajectory": trajectory.title, "channel": row.target, "error": error}
        await tell_trekkers(s, ctx, trajectory, key=f"channel-blocked:{row.key}", template="channel_blocked", data=data)
    ctx.wake_dispatcher()


async def report_mail_failure(ctx: Context, row: OutboxMessage, error: str | None) -> None:
    if row.template == "mail_undeliverable" or row.person_id is None or not (error or "").startswith("smtp_5"):
        return  # never a report about a report; only what the mail server refused
    async with ctx.db.transaction() as s:
        person = await s.get(Person, row.person_id)
        trajectory = await s.get(Trajectory, row.trajectory_id) if row.trajectory_id else None
        if person is None or trajectory is None:
            return
        data = {"trajectory": trajectory.title, "name": person.name, "email": person.email, "error": error}
        await tell_trekkers(s, ctx, trajectory, key=f"mail-failed:{row.key}", template="mail_undeliverable", data=data,
                            at_once=True, except_person_id=person.id)
    ctx.wake_dispatcher()
