"""Calendar files: structure, round-trip of hostile text, time zones and DST."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.calendar import CalendarEvent, build_ics, ics_filename

AMS = ZoneInfo("Europe/Amsterdam")
STAMP = datetime(2027, 1, 15, 9, 30, tzinfo=timezone.utc)
HOSTILE = (
    "<!channel> <@U123> <https://evil|klik>, komma; puntkomma: dubbele punt\n"
    'tweede regel "quote" \\backslash\\ é ë ü 😀🌧️ '
)


def make_event(**changes) -> CalendarEvent:
    event = CalendarEvent(
        uid="session-12@dialoogbot",
        sequence=3,
        title="Dialoog hittestress",
        description="Agenda:\n1. Welkom\n2. Risico's",
        location="Stadhuis Utrecht, zaal 2",
        starts=datetime(2027, 3, 9, 14, 0, tzinfo=AMS),
        ends=datetime(2027, 3, 9, 16, 30, tzinfo=AMS),
        timezone="Europe/Amsterdam",
        url="https://bot.example.nl/ics/session-12.ics",
        organizer_name="Provincie Utrecht",
        organizer_email="trekker@provincie.example.nl",
        attendee_email="deelnemer@gemeente.example.nl",
        stamp=STAMP,
    )
    return replace(event, **changes)


def parse(data: bytes):
    cal = Calendar.from_ical(data)
    (vevent,) = cal.walk("VEVENT")
    return cal, vevent


def test_calendar_header_and_event_fields():
    cal, vevent = parse(build_ics(make_event()))
    assert str(cal["PRODID"]).startswith("-//Dialoogbot")
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(vevent["UID"]) == "session-12@dialoogbot"
    assert int(vevent["SEQUENCE"]) == 3
    assert vevent.decoded("DTSTAMP") == STAMP
    assert str(vevent["SUMMARY"]) == "Dialoog hittestress"
    assert str(vevent["DESCRIPTION"]) == "Agenda:\n1. Welkom\n2. Risico's"
    assert str(vevent["LOCATION"]) == "Stadhuis Utrecht, zaal 2"
    assert str(vevent["URL"]) == "https://bot.example.nl/ics/session-12.ics"
    assert str(vevent["ORGANIZER"]) == "mailto:trekker@provincie.example.nl"
    assert vevent["ORGANIZER"].params["CN"] == "Provincie Utrecht"
    assert str(vevent["ATTENDEE"]) == "mailto:deelnemer@gemeente.example.nl"
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_dtstamp_is_utc_text():
    data = build_ics(make_event(stamp=datetime(2027, 1, 15, 10, 30, tzinfo=AMS)))
    assert b"DTSTAMP:20270115T093000Z\r\n" in data


def test_dtstamp_defaults_to_now():
    before = datetime.now(timezone.utc).replace(microsecond=0)
    _, vevent = parse(build_ics(make_event(stamp=None)))
    stamp = vevent.decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= datetime.now(timezone.utc)


def test_dtstart_has_tzid_and_matching_vtimezone():
    data = build_ics(make_event())
    assert b"DTSTART;TZID=Europe/Amsterdam:20270309T140000\r\n" in data
    assert b"DTEND;TZID=Europe/Amsterdam:20270309T163000\r\n" in data
    cal, vevent = parse(data)
    tzids = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    assert tzids == {"Europe/Amsterdam"}
    assert cal.get_missing_tzids() == set()
    # VTIMEZONE comes before the VEVENT that uses it.
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")


def test_winter_and_summer_offsets():
    _, winter = parse(build_ics(make_event()))
    assert winter.decoded("DTSTART").utcoffset() == timedelta(hours=1)
    summer_event = make_event(
        starts=datetime(2027, 7, 6, 14, 0, tzinfo=AMS),
        ends=datetime(2027, 7, 6, 16, 0, tzinfo=AMS),
    )
    _, summer = parse(build_ics(summer_event))
    start = summer.decoded("DTSTART")
    assert start.utcoffset() == timedelta(hours=2)
    assert start.astimezone(timezone.utc) == datetime(2027, 7, 6, 12, 0, tzinfo=timezone.utc)


def test_vtimezone_describes_the_dst_rules():
    cal, _ = parse(build_ics(make_event(starts=datetime(2027, 7, 6, 14, tzinfo=AMS),
                                        ends=datetime(2027, 7, 6, 15, tzinfo=AMS))))
    (vtz,) = cal.walk("VTIMEZONE")
    offsets = {(sub.name, sub.decoded("TZOFFSETTO")) for sub in vtz.subcomponents}
    assert ("DAYLIGHT", timedelta(hours=2)) in offsets
    assert ("STANDARD", timedelta(hours=1)) in offsets
    # The zone from the file itself (not from our zoneinfo) gives +02:00 in July.
    tz = vtz.to_tz()
    assert datetime(2027, 7, 6, 14, tzinfo=tz).utcoffset() == timedelta(hours=2)
    assert datetime(2027, 1, 6, 14, tzinfo=tz).utcoffset() == timedelta(hours=1)


def test_times_given_in_utc_are_written_in_the_event_zone():
    utc_event = make_event(
        starts=datetime(2027, 7, 6, 12, 0, tzinfo=timezone.utc),
        ends=datetime(2027, 7, 6, 14, 0, tzinfo=timezone.utc),
    )
    data = build_ics(utc_event)
    assert b"DTSTART;TZID=Europe/Amsterdam:20270706T140000\r\n" in data


def test_other_zone_gets_its_own_vtimezone():
    ny = ZoneInfo("America/New_York")
    data = build_ics(make_event(timezone="America/New_York",
                                starts=datetime(2027, 3, 9, 9, tzinfo=ny),
                                ends=datetime(2027, 3, 9, 10, tzinfo=ny)))
    cal, _ = parse(data)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    assert b"DTSTART;TZID=America/New_York:20270309T090000" in data


def test_naive_or_reversed_times_are_rejected():
    with pytest.raises(ValueError):
        build_ics(make_event(starts=datetime(2027, 3, 9, 14)))
    with pytest.raises(ValueError):
        build_ics(make_event(ends=datetime(2027, 3, 9, 13, tzinfo=AMS)))


def test_cancelled_event():
    cal, vevent = parse(build_ics(make_event(cancelled=True, sequence=4)))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 4
    assert str(vevent["UID"]) == "session-12@dialoogbot"


def test_cancel_stays_cancel_without_organizer():
    cal, vevent = parse(build_ics(make_event(cancelled=True, organizer_email=None)))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_publish_without_organizer():
    cal, vevent = parse(build_ics(make_event(organizer_email=None, organizer_name=None)))
    assert str(cal["METHOD"]) == "PUBLISH"
    assert "ORGANIZER" not in vevent
    assert "ATTENDEE" not in vevent


def test_optional_fields_may_be_missing():
    _, vevent = parse(build_ics(make_event(location=None, url=None, attendee_email=None)))
    assert "LOCATION" not in vevent
    assert "URL" not in vevent
    assert "ATTENDEE" not in vevent


def test_uid_is_stable_and_sequence_follows_the_event():
    first = build_ics(make_event(sequence=0))
    second = build_ics(make_event(sequence=1, title="Dialoog hittestress (verplaatst)"))
    assert parse(first)[1]["UID"] == parse(second)[1]["UID"]
    assert int(parse(second)[1]["SEQUENCE"]) == 1


def test_crlf_line_endings_and_folding():
    data = build_ics(make_event(description="x" * 5000 + " é😀" * 300))
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # something was folded
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE,
        HOSTILE * 40,  # > 5,000 characters
        "a,b;c:d\\e",
        "één",
        "regel 1\nregel 2\n\nregel 4",
        "🌧️" * 100,
    ],
)
def test_hostile_text_round_trips(text):
    event = make_event(title=text, description=text, location=text, organizer_name="Jan, de Vries")
    _, vevent = parse(build_ics(event))
    assert str(vevent["SUMMARY"]) == text
    assert str(vevent["DESCRIPTION"]) == text
    assert str(vevent["LOCATION"]) == text
    assert vevent["ORGANIZER"].params["CN"] == "Jan, de Vries"


def test_carriage_returns_become_newlines():
    _, vevent = parse(build_ics(make_event(description="a\r\nb\rc")))
    assert str(vevent["DESCRIPTION"]) == "a\nb\nc"


def test_hostile_text_cannot_inject_properties():
    evil = "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected"
    cal, vevent = parse(build_ics(make_event(title=evil, organizer_name=evil)))
    assert len(cal.walk("VEVENT")) == 1
    assert str(vevent["SUMMARY"]) == evil.replace("\r\n", "\n")


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Dialoog hittestress", "dialoog-hittestress.ics"),
        ("Sessie 2: één / twee — Utrecht", "sessie-2-een-twee-utrecht.ics"),
        ("../../etc/passwd", "etc-passwd.ics"),
        ("😀", "sessie.ics"),
        ("", "sessie.ics"),
    ],
)
def test_ics_filename(title, expected):
    assert ics_filename(title) == expected


def test_ics_filename_is_short_ascii():
    name = ics_filename("Heel lange titel " * 20)
    assert name.endswith(".ics") and name.isascii() and len(name) <= 64
    assert "--" not in name and not name.startswith("-")
