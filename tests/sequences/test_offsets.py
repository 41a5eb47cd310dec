"""Step offsets count on the local calendar: a D-1 reminder at 18:00 stays at 18:00."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from crosspost.errors import InputError
from crosspost.sequences.offsets import parse_offset

PARIS = ZoneInfo("Europe/Paris")
MORNING = time(9, 0)


def _at(text: str, anchor: datetime) -> datetime:
    return parse_offset(text).moment(anchor, PARIS, MORNING)


def test_the_day_before_an_event_after_the_october_change_is_at_the_same_local_time() -> None:
    # Sunday 25 October 2026 18:00 CET (UTC+1); the clocks went back at 03:00 that night.
    event = datetime(2026, 10, 25, 17, 0, tzinfo=UTC)
    reminder = _at("-1d", event)
    assert reminder.astimezone(PARIS).strftime("%Y-%m-%d %H:%M %Z") == "2026-10-24 18:00 CEST"
    assert reminder == datetime(2026, 10, 24, 16, 0, tzinfo=UTC)  # 25 hours before, not 24


def test_the_day_before_an_event_after_the_march_change_is_at_the_same_local_time() -> None:
    # Sunday 28 March 2027 18:00 CEST (UTC+2); the clocks jumped to 03:00 that night.
    event = datetime(2027, 3, 28, 16, 0, tzinfo=UTC)
    reminder = _at("-1d", event)
    assert reminder.astimezone(PARIS).strftime("%Y-%m-%d %H:%M %Z") == "2027-03-27 18:00 CET"
    assert reminder == datetime(2027, 3, 27, 17, 0, tzinfo=UTC)  # 23 hours before


def test_a_reminder_at_a_given_local_time_keeps_it_across_both_changes() -> None:
    autumn = _at("-1d 18:00", datetime(2026, 10, 25, 13, 0, tzinfo=UTC))  # event 14:00 CET
    spring = _at("J-1 à 18h", datetime(2027, 3, 28, 12, 0, tzinfo=UTC))  # event 14:00 CEST
    assert autumn.astimezone(PARIS).strftime("%d %H:%M %Z") == "24 18:00 CEST"
    assert spring.astimezone(PARIS).strftime("%d %H:%M %Z") == "27 18:00 CET"


def test_weeks_and_french_forms_name_the_same_step() -> None:
    assert parse_offset("-2w").name == "-14d"
    assert parse_offset("J-3").name == "-3d"
    assert parse_offset("D-3").name == "-3d"
    assert parse_offset(" -1d@18h30 ").name == "-1d 18:30"
    assert parse_offset("matin").name == "morning"


def test_the_morning_of_is_on_the_event_day_at_the_morning_time() -> None:
    event = datetime(2027, 3, 28, 17, 0, tzinfo=UTC)  # 19:00 CEST, the day the clocks jump
    assert _at("morning", event).astimezone(PARIS).strftime("%d %H:%M %Z") == "28 09:00 CEST"


def test_hours_are_exact_durations_even_across_a_change() -> None:
    event = datetime(2026, 10, 25, 2, 30, tzinfo=UTC)  # 03:30 CET, just after the change
    assert _at("-2h", event) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_local_time_the_clocks_skip_is_read_after_the_jump() -> None:
    # Event Monday 29 March 2027 02:30 CEST; the day before, 02:30 does not exist.
    event = datetime(2027, 3, 29, 0, 30, tzinfo=UTC)
    reminder = _at("-1d", event)
    assert reminder.astimezone(PARIS).strftime("%d %H:%M %Z") == "28 03:30 CEST"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-3x", "not a step offset"),
        ("+1d", "come before"),
        ("-1d 25:00", "not a time of day"),
        ("-0d", "is the event"),
    ],
)
def test_wrong_offsets_say_what_is_expected(text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        parse_offset(text)


def test_a_recap_comes_after() -> None:
    assert parse_offset("+1d", after=True).days == 1
    with pytest.raises(InputError, match="after the event"):
        parse_offset("-1d", after=True)


def test_calendars_and_lists_name_each_step() -> None:
    from crosspost.wording import step_label

    assert [
        step_label(s)
        for s in ("", "-3d", "-1d 18:00", "-2h", "-30m", "morning", "+1d", "cancelled", "closed")
    ] == [
        "", "D-3", "D-1 18:00", "2 h before", "30 min before", "morning of", "D+1",
        "cancellation notice", "marked closed",
    ]  # fmt: skip
