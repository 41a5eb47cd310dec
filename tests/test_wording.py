"""Every phrase about counts, durations, days and dates, as the officer reads it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crosspost import wording

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 posts"), (1, "1 post"), (2, "2 posts"), (14, "14 posts")],
)
def test_plural(count: int, expected: str) -> None:
    assert wording.plural(count, "post") == expected


def test_plural_of_a_word_that_does_not_just_take_an_s() -> None:
    assert wording.plural(1, "delivery", "deliveries") == "1 delivery"
    assert wording.plural(3, "delivery", "deliveries") == "3 deliveries"


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=45, seconds=59), "45 minutes"),
        (timedelta(minutes=119), "119 minutes"),
        (timedelta(hours=16, minutes=59), "16 hours"),
        (timedelta(hours=47), "47 hours"),
        (timedelta(days=2), "2 days"),
    ],
)
def test_duration_words_round_down(delta: timedelta, expected: str) -> None:
    assert wording.duration_words(delta) == expected


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=7, minutes=10), "7 h"),
        (timedelta(hours=6), "6 h"),
        (timedelta(days=3, hours=1), "3 days"),
    ],
)
def test_short_duration(delta: timedelta, expected: str) -> None:
    assert wording.short_duration(delta) == expected


def test_seconds_an_attempt_took() -> None:
    assert wording.seconds(timedelta(seconds=1, milliseconds=460)) == "1.5 s"


@pytest.mark.parametrize(
    ("days", "expected"), [(0, "today"), (1, "yesterday"), (2, "2 days ago"), (47, "47 days ago")]
)
def test_days_ago(days: int, expected: str) -> None:
    assert wording.days_ago(days) == expected


def test_days_and_dates_in_english_whatever_the_locale() -> None:
    day = date(2026, 12, 1)
    assert wording.show_date(day) == "Tuesday 1 December 2026"
    assert wording.show_short_day(day) == "Tue 1 Dec"
    assert wording.show_weekday_and_number(day) == "Tue 1"
    assert wording.show_month(day) == "December 2026"
    assert wording.weekday_abbreviations() == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert wording.show_span(day, date(2026, 12, 28)) == "2026-12-01 to 2026-12-28"


def test_a_day_shows_its_year_only_when_it_is_not_this_year() -> None:
    now = datetime(2026, 12, 30, 12, 0, tzinfo=UTC)
    assert wording.show_day(date(2026, 12, 8), now, PARIS) == "Tuesday 8 December"
    assert wording.show_day(date(2027, 1, 5), now, PARIS) == "Tuesday 5 January 2027"
    moment = datetime(2026, 12, 8, 11, 30, tzinfo=UTC)
    assert wording.show_day_time(moment, PARIS, now=now) == "Tuesday 8 December at 12:30"


def test_local_times_in_the_configured_zone_across_daylight_saving() -> None:
    assert wording.show_local(datetime(2026, 12, 3, 13, 30, tzinfo=UTC), PARIS) == (
        "2026-12-03 14:30 CET"
    )
    assert wording.show_local(datetime(2026, 7, 3, 13, 30, tzinfo=UTC), PARIS) == (
        "2026-07-03 15:30 CEST"
    )
    assert wording.show_local(None, PARIS) == "-"
    made = datetime(2026, 11, 29, 17, 0, tzinfo=PARIS)
    assert wording.show_made(made) == "on 29 November 2026 at 17:00"
