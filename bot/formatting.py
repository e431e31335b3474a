"""Dates and times the Dutch (or English) way, with babel's CLDR data.

``nl``: "dinsdag 9 maart 2027, 14:00"; ``en``: "Tuesday 9 March 2027, 14:00".
Day and month names come from babel; only the order of the parts is fixed here.
An unknown language falls back to Dutch; "nl-BE" or "en_US" use their first part.

Datetimes are shown in the zone *tz* (an IANA name).  A naive datetime is taken to
be UTC (that is how the database stores instants).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from babel import dates as babel_dates

_LOCALES = {"nl": "nl", "en": "en"}
_DEFAULT = "nl"

_DATE = "EEEE d MMMM y"
_TIME = "HH:mm"
_SHORT_DATE = "d MMM"


def _locale(lang: str | None) -> str:
    primary = (lang or _DEFAULT).replace("_", "-").split("-")[0].lower()
    return _LOCALES.get(primary, _LOCALES[_DEFAULT])


def _local(dt: datetime, tz: str) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(ZoneInfo(tz))


def format_date(d: date, lang: str) -> str:
    """``"dinsdag 9 maart 2027"`` / ``"Tuesday 9 March 2027"`` (a date, no zone)."""
    if isinstance(d, datetime):
        d = d.date()
    return babel_dates.format_date(d, _DATE, locale=_locale(lang))


def format_time(dt: datetime, tz: str, lang: str) -> str:
    """``"14:00"``: the wall-clock time of *dt* in *tz* (24-hour in both languages)."""
    return babel_dates.format_time(_local(dt, tz), _TIME, locale=_locale(lang))


def format_datetime(dt: datetime, tz: str, lang: str) -> str:
    """``"dinsdag 9 maart 2027, 14:00"``: date and time of *dt* in *tz*."""
    local = _local(dt, tz)
    return f"{format_date(local.date(), lang)}, {format_time(local, tz, lang)}"


def format_period(starts: datetime, ends: datetime, tz: str, lang: str) -> str:
    """``"dinsdag 9 maart 2027, 14:00-16:30"``, or two full datetimes joined by
    ``" - "`` when start and end fall on different local days."""
    if _local(starts, tz).date() == _local(ends, tz).date():
        return f"{format_datetime(starts, tz, lang)}-{format_time(ends, tz, lang)}"
    return f"{format_datetime(starts, tz, lang)} - {format_datetime(ends, tz, lang)}"


def format_short_date(d: date, lang: str) -> str:
    """``"9 mrt"`` / ``"9 Mar"``: compact, for lists."""
    if isinstance(d, datetime):
        d = d.date()
    return babel_dates.format_date(d, _SHORT_DATE, locale=_locale(lang))


def format_count(n: int, lang: str) -> str:
    """A count with the language's thousands separator: 2.000 (nl), 2,000 (en)."""
    from babel.numbers import format_decimal

    return format_decimal(n, locale=_locale(lang))
