"""What a typed command is about: its trajectory (from ``traject:<key>``, the channel or
the person), whether the actor is its trekker, and a session by its key.  Slack and
Teams commands (``handlers.commands``) call these and word the answers."""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import Context
from bot.identity import User
from bot.interactions import actors
from bot.models import Session, Trajectory
from bot.services import directory
from bot.services.directory import Resolution


async def trajectory(ctx: Context, user: User, key: str | None, channel_id: str | None, channel_name: str | None) -> Resolution:
    async with ctx.db.sessionmaker() as s:
        return await directory.resolve_trajectory(s, user, key, channel_id, channel_name)


async def trekker(ctx: Context, trajectory: Trajectory, user: User) -> None:
    """Raises Refused("command.not_trekker") unless ``user`` is a trekker of ``trajectory``."""
    async with ctx.db.sessionmaker() as s:
        await actors.trekker(s, trajectory, user)


@dataclass(frozen=True)
class SessionChoice:
    keys: list[str]  # every session key of the trajectory, to suggest
    session: Session | None  # the one ``word`` names, if any


async def session(ctx: Context, trajectory_id: int, word: str | None) -> SessionChoice:
    async with ctx.db.sessionmaker() as s:
        keys = await directory.session_keys(s, trajectory_id)
        found = await directory.session_by_key(s, trajectory_id, word) if word else None
    return SessionChoice(list(keys), found)
