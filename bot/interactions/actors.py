"""Who is acting: the person behind a platform user, and the trekker check (once)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.identity import User
from bot.interactions.errors import Refused
from bot.models import Person, Trajectory
from bot.services import directory


async def language_of(s: AsyncSession, user: User, default: str = "nl") -> str:
    """The acting person's language (their own, else their trajectory's), else ``default``."""
    return (await directory.language_of(s, user)) or default


async def trajectory(s: AsyncSession, trajectory_id: int | None) -> Trajectory:
    found = await s.get(Trajectory, trajectory_id) if trajectory_id else None
    if found is None:
        raise Refused("command.unknown_trajectory_record")
    return found


async def trekker(s: AsyncSession, trajectory: Trajectory, user: User) -> Person:
    """The acting trekker of ``trajectory``; anyone else is refused."""
    actor = await directory.person_in(s, trajectory.id, user)
    if actor is None or not actor.has_role("trekker"):
        raise Refused("command.not_trekker", trajectory=trajectory.title)
    return actor
