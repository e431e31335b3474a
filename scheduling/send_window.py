"""The sending window, checked again when a row is about to go out: a backlog (a
fan-out that ran late, a dispatcher that was down) never reaches people after hours.

The window of a row is its trajectory's timezone; the zones are remembered per
trajectory so the check costs no query per message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.db import Database
from bot.models import OutboxMessage, Trajectory
from bot.quiet_hours import SendingWindow

DEFAULT_ZONE = "Europe/Amsterdam"


class SendWindow:
    def __init__(self, db: Database, window: SendingWindow | None):
        self.db = db
        self.window = window
        self._zones: dict[int, str] = {}

    async def wait_for(self, row: OutboxMessage, now: datetime) -> float | None:
        """Seconds until the row may go out, or None when it may go now.  In-place
        updates and answers to someone's own request (``at_once``) are never held."""
        if self.window is None or self.window.off or row.op == "update" or row.at_once or row.trajectory_id is None:
            return None
        opens = self.window.next_open(now, await self._zone(row.trajectory_id))
        return (opens - now).total_seconds() if opens > now else None

    async def _zone(self, trajectory_id: int) -> str:
        if trajectory_id not in self._zones:
            async with self.db.sessionmaker() as s:
                zone = (await s.execute(select(Trajectory.timezone).where(Trajectory.id == trajectory_id))).scalar_one_or_none()
            self._zones[trajectory_id] = zone or DEFAULT_ZONE
        return self._zones[trajectory_id]
