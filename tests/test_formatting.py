"""Dates and times in Dutch and English."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.formatting import (
    format_date,
    format_datetime,
    format_period,
    format_short_date,
    format_time,
)

AMS = "Europe/Amsterdam"
WINTER = datetime(2027, 3, 9, 13, 0, tzinfo=timezone.utc)  # 14:00 CET
SUMMER = datetime(2027, 7, 6, 12, 0, tzinfo=timezone.utc)  # 14:00 CEST


@pytest.mark.parametrize(
    "dt, lang, expected",
    [
        (WINTER, "nl", "dinsdag 9 maart 2027, 14:00"),
        (WINTER, "en", "Tuesday 9 March 2027, 14:00"),
        (SUMMER, "nl", "dinsdag 6 juli 2027, 14:00"),
        (SUMMER, "en", "Tuesday 6 July 2027, 14:00"),
    ],
)
def test_format_datetime_winter_and_summer(dt, lang, expected):
    assert format_datetime(dt, AMS, lang) == expected


def test_format_datetime_converts_from_any_zone():
    local = datetime(2027, 3, 9, 14, 0, tzinfo=ZoneInfo(AMS))
    assert format_datetime(local, AMS, "nl") == "dinsdag 9 maart 2027, 14:00"
    assert format_datetime(local, "Europe/London", "en") == "Tuesday 9 March 2027, 13:00"


def test_naive_datetime_is_utc():
    assert format_datetime(datetime(2027, 7, 6, 12, 0), AMS, "nl") == "dinsdag 6 juli 2027, 14:00"


def test_local_date_may_differ_from_utc_date():
    late = datetime(2027, 3, 8, 23, 30, tzinfo=timezone.utc)
    assert format_datetime(late, AMS, "nl") == "dinsdag 9 maart 2027, 00:30"


@pytest.mark.parametrize(
    "lang, expected",
    [("nl", "zaterdag 1 januari 2028"), ("en", "Saturday 1 January 2028")],
)
def test_format_date(lang, expected):
    assert format_date(date(2028, 1, 1), lang) == expected


def test_format_time_is_24_hour_in_both_languages():
    evening = datetime(2027, 3, 9, 18, 5, tzinfo=timezone.utc)
    assert format_time(evening, AMS, "nl") == "19:05"
    assert format_time(evening, AMS, "en") == "19:05"
    assert format_time(SUMMER, AMS, "en") == "14:00"


def test_format_period_same_day():
    ends = datetime(2027, 3, 9, 15, 30, tzinfo=timezone.utc)
    assert format_period(WINTER, ends, AMS, "nl") == "dinsdag 9 maart 2027, 14:00-16:30"
    assert format_period(WINTER, ends, AMS, "en") == "Tuesday 9 March 2027, 14:00-16:30"


def test_format_period_different_days():
    ends = datetime(2027, 3, 10, 11, 0, tzinfo=timezone.utc)
    assert (
        format_period(WINTER, ends, AMS, "nl")
        == "dinsdag 9 maart 2027, 14:00 - woensdag 10 maart 2027, 12:00"
    )


def test_format_period_day_is_decided_in_local_time():
    # 22:00-23:30 UTC is 23:00-00:30 local: two local days.
    starts = datetime(2027, 3, 9, 22, 0, tzinfo=timezone.utc)
    ends = datetime(2027, 3, 9, 23, 30, tzinfo=timezone.utc)
    assert format_period(starts, ends, AMS, "en") == (
        "Tuesday 9 March 2027, 23:00 - Wednesday 10 March 2027, 00:30"
    )


@pytest.mark.parametrize(
    "d, lang, expected",
    [
        (date(2027, 3, 9), "nl", "9 mrt"),
        (date(2027, 3, 9), "en", "9 Mar"),
        (date(2027, 7, 6), "nl", "6 jul"),
        (date(2027, 10, 31), "nl", "31 okt"),
        (date(2027, 5, 1), "en", "1 May"),
    ],
)
def test_format_short_date(d, lang, expected):
    assert format_short_date(d, lang) == expected


def test_language_fallbacks():
    assert format_date(date(2027, 3, 9), "fr") == "dinsdag 9 maart 2027"
    assert format_date(date(2027, 3, 9), "en-US") == "Tuesday 9 March 2027"
    assert format_date(date(2027, 3, 9), "nl_BE") == "dinsdag 9 maart 2027"
