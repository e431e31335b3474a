"""Pacing shared by every bot process on one database.

Each platform operation (``slack:direct``, ``slack:update``, ``teams:direct``, ...) has a
row in ``rate_slot`` holding the theoretical arrival time of its next call (GCRA).  A
process reserves a short block of send slots in one transaction (``SELECT ... FOR
UPDATE`` on PostgreSQL, the write lock on SQLite) and hands them out locally, so N
processes together stay within the configured rate with one database write per block.
Slot times are wall-clock seconds (``time.time``): the processes share one clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.db import Database
from bot.models import RateSlot

log = logging.getLogger(__name__)

BLOCK_SECONDS = 0.25  # one reservation covers this much of the rate (at least one slot)
STALE_SECONDS = 1.0  # a reserved slot not used within this time is dropped, not sent late


class SlotStore:
    """Reserves slots in the ``rate_slot`` table."""

    def __init__(self, db: Database, clock=time.time):
        self.db = db
        self.clock = clock

    async def reserve(self, name: str, interval: float, count: int, tolerance: float, not_before: float) -> list[float]:
        """``count`` slot times for ``name``, ``interval`` apart; up to ``tolerance``
        seconds early when the operation was idle (its burst); none before ``not_before``."""
        insert = pg_insert if self.db.is_postgres else sqlite_insert
        async with self.db.transaction() as s:
            await s.execute(insert(RateSlot).values(name=name, next_at=0.0).on_conflict_do_nothing(index_elements=["name"]))
            stored = (await s.execute(select(RateSlot.next_at).where(RateSlot.name == name).with_for_update())).scalar_one()
            now = self.clock()
            tat = max(stored, now, not_before + tolerance)
            slots = []
            for _ in range(count):
                slots.append(max(now, tat - tolerance))
                tat += interval
            await s.execute(update(RateSlot).where(RateSlot.name == name).values(next_at=tat))
        return slots


class SharedBucket:
    """A :class:`scheduling.ratelimit.TokenBucket` look-alike whose slots come from the
    database.  A pause (Retry-After) holds this process at once and every process from
    its next reservation on."""

    def __init__(self, store: SlotStore, name: str, rate: float, burst: float = 1.0):
        self.store = store
        self.name = name
        self.rate = rate
        self.burst = max(1.0, burst)
        self._slots: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self._failed = False

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.store.clock() + seconds)
        self._slots.clear()

    def refund(self) -> None:
        """A refused call's slot goes back (used by the next call of this process)."""
        now = self.store.clock()
        if now >= self._paused_until:
            self._slots.appendleft(now)

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self.store.clock()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                while self._slots and self._slots[0] < now - STALE_SECONDS:
                    self._slots.popleft()
                if not self._slots:
                    self._slots.extend(await self._reserve())
                slot = self._slots.popleft()
                if slot > now:
                    await asyncio.sleep(slot - now)
                return

    async def _reserve(self) -> list[float]:
        interval = 1.0 / self.rate
        count = max(1, int(self.rate * BLOCK_SECONDS))
        tolerance = (self.burst - 1.0) * interval
        try:
            slots = await self.store.reserve(self.name, interval, count, tolerance, self._paused_until)
        except Exception:  # the database is away: pace alone rather than not at all
            if not self._failed:
                log.exception("shared pacing of %s failed; pacing this process alone", self.name)
            self._failed = True
            return [self.store.clock() + interval]
        self._failed = False
        return slots
