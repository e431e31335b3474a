"""Posting to a trajectory's status channel(s) through the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox
from bot.context import Context
from bot.identity import channel_route
from bot.models import OutboxMessage, Trajectory


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
