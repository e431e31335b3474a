"""Linking people to their chat accounts by e-mail, through the people port."""

from __future__ import annotations

import logging

from sqlalchemy import or_, select

from bot.chat import ChatError
from bot.context import Context
from bot.identity import column
from bot.models import Person
from bot.people_port import PeopleFinder, PlatformUnavailable

log = logging.getLogger(__name__)


async def link_unresolved(ctx: Context, trajectory_id: int) -> int:
    """Look up people without an account on a platform once more (someone may have
    joined since), on every platform that can find people by e-mail.

    Runs the platform look-ups outside any transaction; returns how many were linked.
    """
    linked = 0
    for platform, finder in ctx.finders.items():
        linked += await _link_on(ctx, trajectory_id, platform, finder)
    return linked


async def _link_on(ctx: Context, trajectory_id: int, platform: str, finder: PeopleFinder) -> int:
    user_id_column = column(platform)
    async with ctx.db.sessionmaker() as s:
        rows = await s.execute(
            select(Person.id, Person.email).where(
                Person.trajectory_id == trajectory_id,
                Person.active.is_(True),
                user_id_column.is_(None),
                or_(Person.platform.is_(None), Person.platform == platform),  # not someone who prefers another platform
            )
        )
        missing = list(rows)
    found: dict[int, str] = {}
    for person_id, email in missing:
        try:
            user_id = await finder.find(email)
        except PlatformUnavailable as exc:
            log.warning("looking people up stopped: %s %s", platform, exc.reason)
            break
        except ChatError as exc:
            log.warning("lookup of person %s failed: %s", person_id, exc.code)
            continue
        if user_id:
            found[person_id] = user_id
    if found:
        async with ctx.db.transaction() as s:
            for person_id, user_id in found.items():
                person = await s.get(Person, person_id)
                setattr(person, user_id_column.key, user_id)
                person.lookup_error = None
    return len(found)
