"""Opening hours: what clinics may type, overlaps, and "open now" at a given instant.

Instants are fixed (aware datetimes), so each check says exactly which moment,
in which zone, it is about; the API tests inject the same kind of clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from portal import hours

WEEKDAYS_9_TO_5 = tuple((day, "09:00", "17:00") for day in hours.DAYS[:5])
LATE_FRIDAY = (("friday", "20:00", "02:00"),)


def at(zone: str, *args) -> datetime:
    """A wall-clock time in a zone, as the instant a server would see (UTC)."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("09:00-17:00", [("monday", "09:00", "17:00")]),
        ("9:00 - 12:00, 13:00-17:30", [("monday", "09:00", "12:00"), ("monday", "13:00", "17:30")]),
        ("20:00-02:00 next day", [("monday", "20:00", "02:00")]),
        ("20:00-02:00+1", [("monday", "20:00", "02:00")]),
        ("18:00-24:00", [("monday", "18:00", "00:00")]),
        ("", []),
        ("closed", []),
    ],
)
def test_a_day_reads_as_spans(text, spans):
    assert hours.parse_day("monday", text) == spans


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("17:00-09:00", "closes before it opens"),
        ("09:00-09:00", "closes before it opens"),
        ("09:00-17:00 next day", "ends the same day"),
        ("9am-5pm", "is not a time"),
        ("25:00-26:00", "is not a time"),
        ("09:00", "is not a span of time"),
        ("24:00-02:00", "cannot open at 24:00"),
    ],
)
def test_impossible_days_are_refused_with_a_reason(text, message):
    with pytest.raises(hours.HoursError, match=message):
        hours.parse_day("monday", text)


def test_overlaps_are_found_within_a_day_and_across_midnight_and_the_week_end():
    assert hours.overlap(WEEKDAYS_9_TO_5) is None
    assert hours.overlap((("monday", "09:00", "12:00"), ("monday", "11:00", "13:00")))
    assert hours.overlap((("monday", "09:00", "12:00"), ("monday", "12:00", "13:00"))) is None
    assert hours.overlap((("friday", "20:00", "02:00"), ("saturday", "01:00", "05:00")))
    assert hours.overlap((("sunday", "22:00", "03:00"), ("monday", "02:00", "06:00")))
    assert hours.overlap((("sunday", "22:00", "03:00"), ("monday", "03:00", "06:00"))) is None


def test_open_now_reads_the_clock_in_the_clinics_own_zone():
    # Tuesday 10:00 in New York is 07:00 in Los Angeles: one open, the other not yet.
    instant = at("America/New_York", 2026, 12, 1, 10, 0)
    assert hours.open_now(WEEKDAYS_9_TO_5, "America/New_York", instant) is True
    assert hours.open_now(WEEKDAYS_9_TO_5, "America/Los_Angeles", instant) is False
    # Tuesday 16:30 in Los Angeles is 19:30 in New York: the other way round.
    instant = at("America/Los_Angeles", 2026, 12, 1, 16, 30)
    assert hours.open_now(WEEKDAYS_9_TO_5, "America/Los_Angeles", instant) is True
    assert hours.open_now(WEEKDAYS_9_TO_5, "America/New_York", instant) is False
    # Honolulu and Phoenix keep no daylight saving; Denver does.
    instant = datetime(2026, 7, 1, 16, 30, tzinfo=UTC)  # Wed 09:30 Denver, 09:30 Phoenix
    assert hours.open_now(WEEKDAYS_9_TO_5, "America/Phoenix", instant) is True
    assert hours.open_now(WEEKDAYS_9_TO_5, "America/Denver", instant) is True
    instant = datetime(2026, 12, 2, 16, 30, tzinfo=UTC)  # Wed 09:30 Phoenix, 09:30 Denver
    assert hours.open_now(WEEKDAYS_9_TO_5, "America/Phoenix", instant) is True
    assert hours.open_now(WEEKDAYS_9_TO_5, "Pacific/Honolulu", instant) is False  # 06:30


def test_open_now_past_midnight_belongs_to_the_day_it_opened():
    zone = "America/Chicago"
    assert hours.open_now(LATE_FRIDAY, zone, at(zone, 2026, 12, 4, 23, 30)) is True  # Fri
    assert hours.open_now(LATE_FRIDAY, zone, at(zone, 2026, 12, 5, 1, 59)) is True  # Sat
    assert hours.open_now(LATE_FRIDAY, zone, at(zone, 2026, 12, 5, 2, 0)) is False
    assert hours.open_now(LATE_FRIDAY, zone, at(zone, 2026, 12, 4, 1, 0)) is False  # Fri 1 am
    assert hours.open_now(LATE_FRIDAY, zone, at(zone, 2026, 12, 4, 19, 59)) is False
    # A Sunday night span runs into Monday morning, across the end of the week.
    sunday_night = (("sunday", "22:00", "03:00"),)
    assert hours.open_now(sunday_night, zone, at(zone, 2026, 12, 7, 2, 30)) is True  # Mon
    assert hours.open_now(sunday_night, zone, at(zone, 2026, 12, 6, 2, 30)) is False  # Sun


def test_open_now_is_unknown_without_hours_or_zone():
    instant = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert hours.open_now((), "America/Chicago", instant) is None
    assert hours.open_now(WEEKDAYS_9_TO_5, "", instant) is None
    assert hours.open_now(WEEKDAYS_9_TO_5, "Mars/Olympus_Mons", instant) is None


def test_zone_comes_from_coordinates_offline():
    assert hours.zone_at(45.66, -108.77) == "America/Denver"  # Billings, MT
    assert hours.zone_at(32.72, -117.16) == "America/Los_Angeles"
    assert hours.zone_at(33.45, -112.07) == "America/Phoenix"
    assert hours.zone_at(21.31, -157.86) == "Pacific/Honolulu"


def test_format_day_reads_back_what_parse_day_reads():
    spans = (("friday", "12:00", "01:00"), ("friday", "09:00", "11:00"))
    text = hours.format_day(spans, "friday")
    assert text == "12:00-01:00 next day, 09:00-11:00"
    assert sorted(hours.parse_day("friday", text)) == sorted(spans)
