"""The sending window: weekdays 08:00-18:00 local time by default."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.quiet_hours import SendingWindow, is_working_day, working_day_before

AMS = "Europe/Amsterdam"
WINDOW = SendingWindow.parse("08:00-18:00")
# The weekend and DST tests below fall on Easter 2027; they are about weekdays only.
WEEKDAYS = replace(WINDOW, holidays=False)


def local(*args) -> datetime:
    """A wall-clock time in Amsterdam, as the aware UTC instant the bot works with."""
    return datetime(*args, tzinfo=ZoneInfo(AMS)).astimezone(timezone.utc)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_parse_default():
    assert WINDOW == SendingWindow(time(8, 0), time(18, 0))
    assert SendingWindow.parse(" 9:30 - 17:00 ") == SendingWindow(time(9, 30), time(17, 0))


@pytest.mark.parametrize("text", ["off", "OFF", "", "  "])
def test_parse_off(text):
    window = SendingWindow.parse(text)
    assert window == SendingWindow(None, None)


@pytest.mark.parametrize(
    "text, message",
    [
        ("8-18", "HH:MM-HH:MM"),
        ("18:00-08:00", "start must be before the end"),
        ("08:00-08:00", "start must be before the end"),
        ("25:00-26:00", "not a time of day"),
        ("08:00-18:60", "not a time of day"),
        ("08:00", "HH:MM-HH:MM"),
        ("always", "HH:MM-HH:MM"),
        ("08.00-18.00", "HH:MM-HH:MM"),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(ValueError, match=message) as info:
        SendingWindow.parse(text)
    assert repr(text) in str(info.value)


def test_friday_1759_is_open():
    at = local(2027, 3, 26, 17, 59)
    assert WINDOW.is_open(at, AMS)
    assert WINDOW.next_open(at, AMS) == at


def test_friday_1800_waits_for_monday_across_dst():
    # Friday 26 March 2027 18:00 CET -> Monday 29 March 08:00 CEST (summer time
    # starts on Sunday 28 March) = 06:00 UTC.
    at = local(2027, 3, 26, 18, 0)
    assert at == utc(2027, 3, 26, 17, 0)
    assert not WEEKDAYS.is_open(at, AMS)
    nxt = WEEKDAYS.next_open(at, AMS)
    assert nxt == utc(2027, 3, 29, 6, 0)
    assert nxt.utcoffset().total_seconds() == 0
    assert WEEKDAYS.is_open(nxt, AMS)


def test_autumn_dst_change():
    # Friday 29 October 2027 19:00 CEST -> Monday 1 November 08:00 CET = 07:00 UTC.
    assert WINDOW.next_open(local(2027, 10, 29, 19, 0), AMS) == utc(2027, 11, 1, 7, 0)


@pytest.mark.parametrize("day", [27, 28])  # Saturday, Sunday
def test_weekend_is_closed_all_day(day):
    at = local(2027, 3, day, 12, 0)
    assert not WEEKDAYS.is_open(at, AMS)
    assert WEEKDAYS.next_open(at, AMS) == utc(2027, 3, 29, 6, 0)


def test_early_morning_waits_until_0800_same_day():
    at = local(2027, 3, 9, 7, 59)
    assert not WINDOW.is_open(at, AMS)
    assert WINDOW.next_open(at, AMS) == local(2027, 3, 9, 8, 0) == utc(2027, 3, 9, 7, 0)


def test_0800_is_open():
    assert WINDOW.is_open(local(2027, 3, 9, 8, 0), AMS)


def test_weekday_evening_waits_until_next_morning():
    assert WINDOW.next_open(local(2027, 3, 9, 22, 15), AMS) == local(2027, 3, 10, 8, 0)


def test_local_time_not_utc_decides():
    # 07:30 UTC on a Tuesday in July is 09:30 in Amsterdam (open) but 03:30 in New York.
    at = utc(2027, 7, 6, 7, 30)
    assert WINDOW.is_open(at, AMS)
    assert not WINDOW.is_open(at, "America/New_York")
    assert WINDOW.next_open(at, "America/New_York") == utc(2027, 7, 6, 12, 0)


def test_friday_evening_utc_is_saturday_in_auckland():
    at = utc(2027, 3, 26, 12, 0)  # Saturday 01:00 in Auckland
    assert not WEEKDAYS.is_open(at, "Pacific/Auckland")
    nxt = WEEKDAYS.next_open(at, "Pacific/Auckland")
    assert nxt.astimezone(ZoneInfo("Pacific/Auckland")) == datetime(
        2027, 3, 29, 8, 0, tzinfo=ZoneInfo("Pacific/Auckland")
    )


def test_naive_datetime_is_utc():
    assert WINDOW.next_open(datetime(2027, 3, 9, 6, 0), AMS) == utc(2027, 3, 9, 7, 0)


def test_off_is_always_open():
    off = SendingWindow.parse("off")
    saturday_night = local(2027, 3, 27, 3, 0)
    assert off.is_open(saturday_night, AMS)
    assert off.next_open(saturday_night, AMS) == saturday_night


def test_working_days():
    assert is_working_day(date(2027, 3, 26))  # Friday
    assert not is_working_day(date(2027, 3, 27))  # Saturday
    assert not is_working_day(date(2027, 3, 28))  # Sunday
    assert not is_working_day(date(2027, 3, 29))  # Monday, but Tweede Paasdag
    assert is_working_day(date(2027, 3, 29), skip_holidays=False)
    assert is_working_day(date(2027, 4, 5))  # an ordinary Monday


@pytest.mark.parametrize(
    "d, expected",
    [
        (date(2027, 4, 5), date(2027, 4, 2)),  # Monday -> Friday
        (date(2027, 3, 30), date(2027, 3, 26)),  # Tuesday -> Friday: Tweede Paasdag is skipped
        (date(2027, 3, 28), date(2027, 3, 26)),  # Sunday -> Friday
        (date(2027, 3, 27), date(2027, 3, 26)),  # Saturday -> Friday
        (date(2027, 3, 31), date(2027, 3, 30)),  # Wednesday -> Tuesday
        (date(2027, 1, 1), date(2026, 12, 31)),  # across a year
    ],
)
def test_working_day_before(d, expected):
    assert working_day_before(d) == expected


@pytest.mark.parametrize(
    "day, name",
    [
        (date(2027, 1, 1), "Nieuwjaarsdag"),
        (date(2027, 3, 29), "Tweede Paasdag"),
        (date(2027, 4, 27), "Koningsdag"),
        (date(2025, 5, 5), "Bevrijdingsdag in a lustrum year"),
        (date(2027, 5, 6), "Hemelvaartsdag"),
        (date(2027, 5, 17), "Tweede Pinksterdag"),
        (date(2027, 12, 27), "no: Monday after Christmas"),
        (date(2026, 12, 25), "Eerste Kerstdag"),
        (date(2026, 12, 26), "Tweede Kerstdag (Saturday)"),
    ],
)
def test_dutch_public_holidays_are_closed(day, name):
    noon = local(day.year, day.month, day.day, 12, 0)
    if name.startswith("no:"):
        assert WINDOW.is_open(noon, AMS) == (day.weekday() < 5)
        return
    assert not WINDOW.is_open(noon, AMS), name
    assert WEEKDAYS.is_open(noon, AMS) == (day.weekday() < 5)


def test_ordinary_days_around_holidays_are_open():
    assert WINDOW.is_open(local(2027, 5, 5, 12, 0), AMS)  # Bevrijdingsdag 2027: not a lustrum year
    assert WINDOW.is_open(local(2027, 3, 26, 12, 0), AMS)  # Goede Vrijdag: a working day
    # Thursday 6 May 2027 is Hemelvaart: 17:59 on Wednesday is open, 18:00 waits for Friday.
    assert WINDOW.next_open(local(2027, 5, 5, 18, 0), AMS) == local(2027, 5, 7, 8, 0)
    # Easter: from Friday evening to Tuesday morning.
    assert WINDOW.next_open(local(2027, 3, 26, 18, 0), AMS) == local(2027, 3, 30, 8, 0)


def test_quiet_hours_holidays_setting():
    from bot.settings import load_settings

    assert load_settings({}, dotenv=False).sending_window.holidays is True
    assert load_settings({"QUIET_HOURS_HOLIDAYS": "off"}, dotenv=False).sending_window.holidays is False
