"""Summary interactions: ``status`` without a session (post the phase-status summary)
and the summary's "remind who has not answered" button."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.context import Context
from bot.identity import User
from bot.interactions import actors
from bot.interactions.codec import parse_id
from bot.interactions.errors import Refused
from bot.models import Session
from bot.services import channels, invitations, summary


@dataclass(frozen=True)
class Posted:
    channels: str
    timezone: str
    send_at: datetime | None  # when it goes out, if later than now (quiet hours)


async def post(ctx: Context, user: User, trajectory_id) -> Posted:
    """Post the summary in the status channel(s) now (trekkers only)."""
    async with ctx.db.transaction() as s:
        trajectory = await actors.trajectory(s, parse_id(trajectory_id))
        await actors.trekker(s, trajectory, user)
        if not trajectory.status_channels:
            raise Refused("summary.no_channel")
        await summary.post(s, ctx, trajectory)
    send_at = ctx.send_time(trajectory.timezone)
    return Posted(channels.channel_names(trajectory), trajectory.timezone, send_at if send_at > ctx.now() else None)


@dataclass(frozen=True)
class Reminded:
    title: str
    sent: int
    already_today: int


async def remind(ctx: Context, user: User, session_id) -> Reminded:
    """From the summary: remind the next session's non-responders (trekkers only)."""
    async with ctx.db.transaction() as s:
        session = await s.get(Session, parse_id(session_id) or 0)
        if session is None:
            raise Refused("summary.unknown_session")
        await actors.trekker(s, await actors.trajectory(s, session.trajectory_id), user)
        result = await invitations.remind_now(s, ctx, session)
        return Reminded(session.title, result.sent, result.already_today)
