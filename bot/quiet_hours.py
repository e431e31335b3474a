"""The sending window: when the bot may send on its own initiative.

``QUIET_HOURS`` (default ``"08:00-18:00"``) is the window in which the bot MAY send,
Monday to Friday, in the trajectory's local time.  The start is inclusive, the end
exclusive (17:59 is open, 18:00 is closed).  ``"off"`` (or an empty value) disables
the rule: always open, weekends included.

Dutch public holidays are not working days either (``QUIET_HOURS_HOLIDAYS=off`` turns
that off): Nieuwjaarsdag, Pasen, Koningsdag, Bevrijdingsdag in lustrum years (2025, 2030),
Hemelvaart, Pinksteren and Kerst, from the ``holidays`` package (country NL, its
"public" category).  Goede Vrijdag is left out: it is no day off under the Algemene
termijnenwet and most Dutch organisations work that day.

Instants are aware UTC datetimes; a naive datetime is taken to be UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT = "08:00-18:00"
_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@lru_cache(maxsize=32)
def dutch_holidays(year: int) -> frozenset[date]:
    """The Dutch public holidays of one year (Goede Vrijdag left out, see above)."""
    import holidays
    from dateutil.easter import easter  # a dependency of holidays

    good_friday = easter(year) - timedelta(days=2)
    return frozenset(d for d in holidays.country_holidays("NL", years=year) if d != good_friday)


def is_working_day(d: date, skip_holidays: bool = True) -> bool:
    """Monday to Friday, and (unless ``skip_holidays`` is False) not a Dutch public holiday."""
    return d.weekday() < 5 and not (skip_holidays and d in dutch_holidays(d.year))


def working_day_before(d: date, skip_holidays: bool = True) -> date:
    """The last working day before *d*: Friday for a Monday (or a weekend day)."""
    d -= timedelta(days=1)
    while not is_working_day(d, skip_holidays):
        d -= timedelta(days=1)
    return d


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at


def _clock(hours: str, minutes: str, text: str) -> time:
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        raise ValueError(f"QUIET_HOURS {text!r}: {h:02d}:{m:02d} is not a time of day")
    return time(h, m)


@dataclass(frozen=True)
class SendingWindow:
    """Weekday window ``[start, end)`` in local time; ``None, None`` means off.
    ``holidays``: Dutch public holidays are closed all day."""

    start: time | None
    end: time | None
    holidays: bool = True

    @property
    def off(self) -> bool:
        return self.start is None

    @classmethod
    def parse(cls, text: str) -> "SendingWindow":
        """Parse ``"HH:MM-HH:MM"`` or ``"off"``/``""``; raise ValueError otherwise."""
        cleaned = (text or "").strip()
        if cleaned.lower() in ("", "off"):
            return cls(None, None)
        match = _PATTERN.match(cleaned)
        if not match:
            raise ValueError(
                f"QUIET_HOURS {text!r}: expected HH:MM-HH:MM (e.g. {DEFAULT}) or 'off'"
            )
        start = _clock(match[1], match[2], text)
        end = _clock(match[3], match[4], text)
        if start >= end:
            raise ValueError(
                f"QUIET_HOURS {text!r}: the start must be before the end "
                "(a window across midnight is not supported)"
            )
        return cls(start, end)

    def is_open(self, at_utc: datetime, tz: str) -> bool:
        """Whether the bot may send at *at_utc* for a trajectory in zone *tz*."""
        if self.off:
            return True
        local = _utc(at_utc).astimezone(ZoneInfo(tz))
        return is_working_day(local.date(), self.holidays) and self.start <= local.time() < self.end

    def next_open(self, at_utc: datetime, tz: str) -> datetime:
        """*at_utc* itself when open; else the next window start (aware, UTC)."""
        at_utc = _utc(at_utc)
        if self.is_open(at_utc, tz):
            return at_utc
        zone = ZoneInfo(tz)
        local = at_utc.astimezone(zone)
        day = local.date()
        if not (is_working_day(day, self.holidays) and local.time() < self.start):
            day += timedelta(days=1)
            while not is_working_day(day, self.holidays):
                day += timedelta(days=1)
        # Wall-clock start in the zone of that day: DST is resolved per day.
        return datetime.combine(day, self.start, tzinfo=zone).astimezone(timezone.utc)
