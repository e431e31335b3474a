"""Follow-through figures per organisation (the phase-status summary uses these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Commitment, Organisation


@dataclass
class OrganisationFigures:
    organisation: str
    done_on_time: int = 0
    done_late: int = 0
    open: int = 0  # open, not yet due
    busy: int = 0  # busy ("bezig"), not yet due
    overdue: int = 0  # open or busy, past due
    blocked: int = 0
    not_applicable: int = 0

    @property
    def total(self) -> int:
        return self.done_on_time + self.done_late + self.open + self.busy + self.overdue + self.blocked

    @property
    def follow_through(self) -> float | None:
        """Share of commitments that were due (or done) and are done on time."""
        due = self.done_on_time + self.done_late + self.overdue + self.blocked
        return self.done_on_time / due if due else None


@dataclass
class Figures:
    organisations: list[OrganisationFigures] = field(default_factory=list)

    @property
    def totals(self) -> OrganisationFigures:
        total = OrganisationFigures("")
        for o in self.organisations:
            for name in ("done_on_time", "done_late", "open", "busy", "overdue", "blocked", "not_applicable"):
                setattr(total, name, getattr(total, name) + getattr(o, name))
        return total


def classify(status: str, due: date, done_at: datetime | None, today: date, zone: ZoneInfo) -> str:
    if status == "done":
        done_day = done_at.astimezone(zone).date() if done_at else due
        return "done_on_time" if done_day <= due else "done_late"
    if status == "blocked":
        return "blocked"
    if status == "not_applicable":
        return "not_applicable"
    return "overdue" if due < today else "open"


async def figures(s: AsyncSession, trajectory_id: int, today: date, timezone: str) -> Figures:
    """One query, grouped in Python: cost is one statement whatever the size."""
    zone = ZoneInfo(timezone)
    rows = await s.execute(
        select(Organisation.name, Commitment.status, Commitment.due, Commitment.done_at)
        .join(Organisation, Organisation.id == Commitment.organisation_id)
        .where(Commitment.trajectory_id == trajectory_id)
        .order_by(Organisation.name)
    )
    by_org: dict[str, OrganisationFigures] = {}
    for name, status, due, done_at in rows:
        figures_for = by_org.setdefault(name, OrganisationFigures(name))
        bucket = classify(status, due, done_at, today, zone)
        if bucket == "open" and status == "busy":
            bucket = "busy"
        setattr(figures_for, bucket, getattr(figures_for, bucket) + 1)
    return Figures(list(by_org.values()))
