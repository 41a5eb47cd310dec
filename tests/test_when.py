"""The --at grammar, durations and the Europe/Paris daylight-saving edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crosspost.errors import InputError
from crosspost.when import (
    format_duration,
    is_relative,
    parse_duration,
    parse_moment,
    parse_publish_time,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("+2h", NOW + timedelta(hours=2)),
        ("+3d", NOW + timedelta(days=3)),
        ("+1h30m", NOW + timedelta(minutes=90)),
        ("+1w", NOW + timedelta(weeks=1)),
        ("2026-12-03", datetime(2026, 12, 3, 8, 0, tzinfo=UTC)),
        ("2026-12-03 14:30", datetime(2026, 12, 3, 13, 30, tzinfo=UTC)),
        ("2026-12-03T9:05", datetime(2026, 12, 3, 8, 5, tzinfo=UTC)),
        ("2026-07-14 10:00", datetime(2026, 7, 14, 8, 0, tzinfo=UTC)),  # summer time: +02:00
        ("2026-12-03T14:30+01:00", datetime(2026, 12, 3, 13, 30, tzinfo=UTC)),
        ("2026-12-03T14:30Z", datetime(2026, 12, 3, 14, 30, tzinfo=UTC)),
        # Either side of the spring-forward gap exists.
        ("2027-03-28 01:59", datetime(2027, 3, 28, 0, 59, tzinfo=UTC)),
        ("2027-03-28 03:00", datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
        # The repeated hour, disambiguated by its offset.
        ("2027-10-31T02:30+02:00", datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),
        ("2027-10-31T02:30+01:00", datetime(2027, 10, 31, 1, 30, tzinfo=UTC)),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    assert parse_moment(text, PARIS, now=NOW) == expected


def test_spring_forward_gap_names_the_jump() -> None:
    with pytest.raises(InputError) as caught:
        parse_moment("2027-03-28 02:30", PARIS, now=NOW)
    assert str(caught.value) == (
        "2027-03-28 02:30 does not exist in Europe/Paris: the clocks jump from 02:00 to 03:00 "
        "that night; choose a time before 02:00 or from 03:00 on"
    )


def test_fall_back_hour_offers_both_offsets() -> None:
    with pytest.raises(InputError) as caught:
        parse_moment("2026-10-25 02:15", PARIS, now=datetime(2026, 1, 1, tzinfo=UTC))
    message = str(caught.value)
    assert "happens twice in Europe/Paris" in message
    assert "02:15 CEST (UTC+0200) or 02:15 CET (UTC+0100)" in message
    assert "2026-10-25T02:15+02:00 or 2026-10-25T02:15+01:00" in message


@pytest.mark.parametrize("text", ["soon", "2026-13-01", "2026-02-30 10:00", "12.03.2026", "+2x"])
def test_nonsense_is_refused_with_examples(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_moment(text, PARIS, now=NOW)
    assert "expected" in str(caught.value)


def test_past_is_refused_except_now() -> None:
    assert parse_publish_time("now", PARIS, now=NOW) == NOW
    with pytest.raises(InputError, match="is in the past"):
        parse_publish_time("2026-11-29 16:59", PARIS, now=NOW)
    assert parse_publish_time("2026-11-29 17:01", PARIS, now=NOW) > NOW


def test_durations_round_trip() -> None:
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("-1d") == timedelta(days=-1)
    assert format_duration(timedelta(hours=1, minutes=30)) == "1h30m"
    with pytest.raises(InputError, match="is not a duration"):
        parse_duration("half an hour")


@pytest.mark.parametrize(
    ("text", "relative"),
    [("now", True), (" +2h", True), ("NEXT", True), ("2026-12-03", False),
     ("2026-12-03T14:30+01:00", False)],
)  # fmt: skip
def test_times_counted_from_now_are_told_apart(text: str, relative: bool) -> None:
    """A re-run of `--at +2h` gives another time: duplicates are then found by content."""
    assert is_relative(text) is relative
