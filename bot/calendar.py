"""Calendar files (RFC 5545) for sessions, built with the ``icalendar`` library.

One session is one VEVENT with a stable ``UID``; every change raises ``SEQUENCE`` so
calendar clients replace the earlier copy instead of adding a second one.

Method choice (iTIP, RFC 5546), made for Outlook, Google Calendar and Apple Calendar:

* ``METHOD:REQUEST`` when both an organiser and the recipient are known: RFC 5546
  3.2.2 requires an ``ORGANIZER`` and at least one ``ATTENDEE``; the recipient is
  ``ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION;CN=...`` so the client shows Accept /
  Decline / Tentative and its reply goes to the organiser.
* ``METHOD:PUBLISH`` otherwise (the session's shared calendar link, which is the same
  file for everyone): an ordinary "add to calendar" event.  PUBLISH carries no
  ``ATTENDEE`` (RFC 5546 3.2.1), so ``attendee_email`` is ignored in that case.
* ``METHOD:CANCEL`` (with ``STATUS:CANCELLED`` on the VEVENT) for a cancelled
  session, with or without organiser.  Same ``UID``, higher ``SEQUENCE``.

Start and end are written as local wall-clock times with ``TZID`` = the event's
IANA zone, and a matching VTIMEZONE (generated from zoneinfo) is always included.
Line endings (CRLF), escaping and 75-octet folding are left to the library.
Newlines in text fields are normalised to ``\\n`` (a CR cannot survive iCalendar
escaping), so ``"a\\r\\nb"`` reads back as ``"a\\nb"``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress

PRODID = "-//Dialoogbot//Risicodialoog//NL"


@dataclass(frozen=True)
class CalendarEvent:
    """Everything a calendar file says about one session."""

    uid: str  # stable per session, e.g. "session-12@dialoogbot"
    sequence: int  # raised on every change
    title: str
    description: str
    location: str | None
    starts: datetime  # timezone-aware
    ends: datetime  # timezone-aware
    timezone: str  # IANA name, e.g. "Europe/Amsterdam"
    cancelled: bool = False
    url: str | None = None
    organizer_name: str | None = None
    organizer_email: str | None = None
    attendee_email: str | None = None  # the recipient, optional
    attendee_name: str | None = None
    stamp: datetime | None = None  # DTSTAMP (UTC); defaults to now


def _text(value: str) -> str:
    """Normalise line breaks; iCalendar text cannot carry a CR."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")
    return value


def _address(email: str, name: str | None = None, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = " ".join(name.split())  # no line breaks in a parameter
    for key, val in params.items():
        address.params[key.replace("_", "-").upper()] = val
    return address


def build_ics(event: CalendarEvent) -> bytes:
    """Render *event* as a complete ``.ics`` file (bytes, UTF-8, CRLF)."""
    zone = ZoneInfo(event.timezone)
    starts = _aware(event.starts, "starts").astimezone(zone)
    ends = _aware(event.ends, "ends").astimezone(zone)
    if ends <= starts:
        raise ValueError("ends must be after starts")
    stamp = _aware(event.stamp, "stamp") if event.stamp else datetime.now(timezone.utc)

    if event.cancelled:
        method = "CANCEL"
    elif event.organizer_email and event.attendee_email:
        method = "REQUEST"
    else:
        method = "PUBLISH"

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)

    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", stamp.astimezone(timezone.utc))
    vevent.add("dtstart", starts)
    vevent.add("dtend", ends)
    vevent.add("summary", _text(event.title))
    vevent.add("description", _text(event.description))
    if event.location:
        vevent.add("location", _text(event.location))
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.organizer_email:
        vevent.add("organizer", _address(event.organizer_email, event.organizer_name))
    if event.attendee_email and method == "REQUEST":
        params = {"role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION", "rsvp": "TRUE"}
        vevent.add("attendee", _address(event.attendee_email, event.attendee_name, **params))
    elif event.attendee_email and method == "CANCEL":  # the same attendee as the request
        vevent.add("attendee", _address(event.attendee_email, event.attendee_name, role="REQ-PARTICIPANT"))
    cal.add_component(vevent)

    # Transitions from a year before the event to two years after it: enough for
    # every client, and far smaller than the library's 1970-2038 default.
    return _to_ical(cal, date(starts.year - 1, 1, 1), date(ends.year + 2, 1, 1))


def _to_ical(cal: Calendar, first_date: date, last_date: date) -> bytes:
    """``cal.add_missing_timezones(first_date, last_date)`` and ``cal.to_ical()``, with each
    VTIMEZONE built and written once per zone and span (a mail-out of invitations would
    make the same one per mail) and put where the library puts it: before the VEVENT."""
    zones = b"".join(_vtimezone(tzid, first_date, last_date) for tzid in sorted(cal.get_missing_tzids()))
    body = cal.to_ical()
    if not zones:
        return body
    head, begin, rest = body.partition(b"BEGIN:VEVENT\r\n")
    return head + zones + begin + rest


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_date: date, last_date: date) -> bytes:
    try:
        return Timezone.from_tzid(tzid, first_date=first_date, last_date=last_date).to_ical()
    except ValueError:  # a zone the library does not know is left out, as it does
        return b""


def ics_filename(title: str) -> str:
    """A safe ASCII file name for *title*, e.g. ``"hittedialoog-utrecht.ics"``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    slug = slug[:60].rstrip("-")
    return f"{slug or 'sessie'}.ics"


UID_DOMAIN = "@dialoogbot"


def session_uid(trajectory_key: str, session_key: str) -> str:
    """The stable ``UID`` of a session's VEVENT, e.g. ``"hitteplan.start@dialoogbot"``."""
    return f"{trajectory_key}.{session_key}{UID_DOMAIN}"


def session_of_uid(uid: str) -> tuple[str, str] | None:
    """(trajectory key, session key) of a ``UID`` this bot made, or None for a foreign one.

    Keys never contain a dot (the trajectory file's key rule), so the first dot splits."""
    if not uid.endswith(UID_DOMAIN):
        return None
    trajectory_key, dot, session_key = uid[: -len(UID_DOMAIN)].partition(".")
    if not (dot and trajectory_key and session_key):
        return None
    return trajectory_key, session_key


def build_feed(events: list[CalendarEvent], name: str) -> bytes:
    """Many sessions in one subscribable calendar (``METHOD:PUBLISH``, no attendees):
    each event as :func:`build_ics` writes it, so UID and SEQUENCE are the same."""
    from dataclasses import replace

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _text(name))
    years = []
    for event in events:
        single = Calendar.from_ical(build_ics(replace(event, organizer_email=None, attendee_email=None)))
        for vevent in single.walk("VEVENT"):
            cal.add_component(vevent)
            years.append(vevent.decoded("dtstart").year)
    if years:
        cal.add_missing_timezones(first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1))
    return cal.to_ical()
