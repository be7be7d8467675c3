"""Weekly opening hours, the clinic's time zone, and whether it is open right now.

A span is (day, opens, closes) in the clinic's local time, "HH:MM" 24-hour. A
span whose closing time is not after its opening time runs past midnight into
the next day (Friday 20:00-02:00 ends at 2 am on Saturday). Days without spans
are closed; a clinic without any span has not stated its hours, and then
`open_now` is None rather than a guess.

`open_now` takes the moment as an argument: the request's clock
(`clock.now()`), or a fixed instant in tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portal import vocab

Span = tuple[str, str, str]

DAYS: tuple[str, ...] = tuple(vocab.WEEKDAYS)
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
_NEXT_DAY = re.compile(r"\s*(?:\+1|\(?next day\)?)\s*$", re.IGNORECASE)
_CLOSED_WORDS = frozenset({"", "closed", "-"})


class HoursError(ValueError):
    """Hours that cannot be right; the message is written for the clinic."""


def minutes(text: str) -> int:
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def _clock_time(text: str) -> str:
    match = _TIME.match(text.strip())
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise HoursError(
            f'"{text.strip()[:20]}" is not a time. Use 24-hour times like 09:00 or 17:30.'
        )
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_day(day: str, text: str) -> list[Span]:
    """One day's spans from what a clinic typed: "09:00-12:00, 13:00-17:00", "20:00-02:00 next day".

    Empty (or "closed") means closed that day. Closing before opening is refused
    unless the span is marked as ending the next day.
    """
    spans: list[Span] = []
    if text.strip().lower() in _CLOSED_WORDS:
        return spans
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        next_day = bool(_NEXT_DAY.search(part))
        part = _NEXT_DAY.sub("", part)
        pieces = re.split(r"\s*(?:-|–|to)\s*", part)
        if len(pieces) != 2:
            raise HoursError(
                f'"{part[:30]}" is not a span of time. Write opening and closing time '
                "with a dash, like 09:00-17:00."
            )
        opens, closes = (_clock_time(piece) for piece in pieces)
        if opens == "24:00":
            raise HoursError("A day's hours cannot open at 24:00; use 00:00.")
        if closes == "24:00":
            closes, crosses = "00:00", True
        else:
            crosses = minutes(closes) <= minutes(opens)
        if crosses and not next_day and closes != "00:00":
            raise HoursError(
                f"{opens}-{closes} closes before it opens. If you stay open past midnight, "
                f'write "next day" after it, like {opens}-{closes} next day.'
            )
        if next_day and not crosses:
            raise HoursError(
                f'{opens}-{closes} ends the same day; remove "next day" or check the times.'
            )
        spans.append((day, opens, closes))
    return spans


def format_day(spans: Iterable[Span], day: str) -> str:
    """The form's text for one day (the inverse of `parse_day`)."""
    texts = []
    for span_day, opens, closes in spans:
        if span_day != day:
            continue
        overnight = minutes(closes) <= minutes(opens) and closes != "00:00"
        texts.append(f"{opens}-{closes}" + (" next day" if overnight else ""))
    return ", ".join(texts)


def week_intervals(spans: Iterable[Span]) -> list[tuple[int, int, Span]]:
    """(start, end, span) in minutes from Monday 00:00; `end` may pass the week's end."""
    intervals = []
    for span in spans:
        day, opens, closes = span
        start = DAYS.index(day) * DAY_MINUTES + minutes(opens)
        length = (minutes(closes) - minutes(opens)) % DAY_MINUTES or DAY_MINUTES
        intervals.append((start, start + length, span))
    return sorted(intervals)


def overlap(spans: Iterable[Span]) -> tuple[Span, Span] | None:
    """The first two spans that overlap (a span past Sunday midnight meets Monday), or None."""
    intervals = week_intervals(spans)
    for index, (start, end, span) in enumerate(intervals):
        for other_start, other_end, other in intervals[index + 1 :]:
            if any(
                start < other_end + shift and other_start + shift < end
                for shift in (-WEEK_MINUTES, 0, WEEK_MINUTES)
            ):
                return span, other
    return None


def describe(span: Span) -> str:
    day, opens, closes = span
    return f"{vocab.WEEKDAYS[day]} {opens}-{closes}"


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def open_now(spans: Iterable[Span], zone: str | None, now: datetime) -> bool | None:
    """Whether the clinic is open at the instant `now` (aware), in its own time zone.

    None when it states no hours or has no usable zone: "not stated", not "closed".
    """
    spans = tuple(spans)
    if not spans or not zone or not valid_zone(zone):
        return None
    local = now.astimezone(ZoneInfo(zone))
    moment = local.weekday() * DAY_MINUTES + local.hour * 60 + local.minute
    return any(
        start <= moment < end or start <= moment + WEEK_MINUTES < end
        for start, end, _span in week_intervals(spans)
    )


@lru_cache(maxsize=1)
def _finder():
    from timezonefinder import TimezoneFinder  # 0.5 s to load: only when a zone is needed

    return TimezoneFinder()


@lru_cache(maxsize=4096)
def zone_at(lat: float, lng: float) -> str | None:
    """The IANA time zone at a point (offline, from timezonefinder's boundary data)."""
    return _finder().timezone_at(lat=lat, lng=lng)


def hours_zone(stated: str, lat: float | None, lng: float | None) -> str:
    """The zone a listing's hours are read in: the one it names, else the one at its place."""
    if stated:
        return stated
    if lat is None or lng is None:
        return ""
    return zone_at(lat, lng) or ""
