"""Which language each chat user reads, kept in memory for the acknowledgement path.

Slack wants an answer to a click within 3 seconds, and the Bolt middleware runs before
the listener acknowledges.  So the middleware must not queue for a database connection
per click (200 simultaneous clicks did: p99 ack 2.9 s).  This cache loads every active
person's platform ids and language in one query, at most once per ``ttl`` seconds (one
load at a time, however many clicks wait for it); a user it does not know yet is looked
up once on its own.  A change to people committed in this process (a re-import by
``serve``, a test) empties the cache at once; one made by another process (``python -m
bot import``) shows after at most ``ttl``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable

from sqlalchemy import event, select
from sqlalchemy.orm import Session as OrmSession

from bot.db import Database
from bot.identity import User
from bot.models import Person, Trajectory
from bot.services import directory


_PEOPLE_CHANGED = "people_changed"
_generation = 0  # raised by every commit that changed a person in this process


@event.listens_for(OrmSession, "after_flush")
def _note_people(session, _context) -> None:
    if any(isinstance(row, Person) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info[_PEOPLE_CHANGED] = True


@event.listens_for(OrmSession, "after_commit")
def _people_committed(session) -> None:
    global _generation
    if session.info.pop(_PEOPLE_CHANGED, False):
        _generation += 1


class LanguageCache:
    def __init__(self, db: Database, ttl: float = 60.0, monotonic: Callable[[], float] = time.monotonic):
        self.db = db
        self.ttl = ttl
        self.monotonic = monotonic
        self._languages: dict[tuple[str, str], str] = {}
        self._loaded_at: float | None = None
        self._generation = -1
        self._loading: asyncio.Lock | None = None

    async def of(self, user: User, default: str = "nl") -> str:
        await self._fresh()
        key = (user.platform, user.id)
        if key not in self._languages:
            async with self.db.sessionmaker() as s:
                found = await directory.language_of(s, user)
            if found is None:
                return default
            self._languages[key] = found
        return self._languages[key]

    def _is_fresh(self) -> bool:
        return (
            self._loaded_at is not None
            and self._generation == _generation
            and self.monotonic() - self._loaded_at < self.ttl
        )

    async def _fresh(self) -> None:
        if self._is_fresh():
            return
        if self._loading is None:
            self._loading = asyncio.Lock()
        async with self._loading:
            if self._is_fresh():
                return  # another click loaded it while this one waited
            generation = _generation
            self._languages = await self._load()
            self._loaded_at, self._generation = self.monotonic(), generation

    async def _load(self) -> dict[tuple[str, str], str]:
        """(platform, id) -> language: the person's own, else their trajectory's; the
        first active person row wins, as in ``directory.language_of``."""
        async with self.db.sessionmaker() as s:
            rows = await s.execute(
                select(Person.slack_user_id, Person.teams_user_id, Person.language, Trajectory.language)
                .join(Trajectory, Trajectory.id == Person.trajectory_id)
                .where(Person.active.is_(True))
                .order_by(Person.id.desc())  # so that the lowest id is written last and wins
            )
            languages: dict[tuple[str, str], str] = {}
            for slack_id, teams_id, own, of_trajectory in rows:
                lang = own or of_trajectory or "nl"
                if slack_id:
                    languages[("slack", slack_id)] = lang
                if teams_id:
                    languages[("teams", teams_id)] = lang
        return languages
