"""English weekday names are read wherever French ones are: --at, dates and slots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crosspost.clock import utcnow
from crosspost.errors import InputError
from crosspost.policy.days import parse_days, parse_slot
from crosspost.when import is_day_only, is_relative, parse_moment

PARIS = ZoneInfo("Europe/Paris")
#: Wednesday 2 December 2026, 15:00 in Paris.
NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("monday 10:00", paris(2026, 12, 7, 10, 0)),
        ("Monday 10h", paris(2026, 12, 7, 10, 0)),
        ("monday at 10:00", paris(2026, 12, 7, 10, 0)),
        ("wednesday 10:00", paris(2026, 12, 9, 10, 0)),  # never today: next week's
        ("saturday", paris(2026, 12, 5, 9, 0)),
        ("next saturday", paris(2026, 12, 5, 9, 0)),  # the coming one, as "samedi prochain"
        ("next Saturday 14:30", paris(2026, 12, 5, 14, 30)),
        ("saturday 12/12 14:00", paris(2026, 12, 12, 14, 0)),
        ("samedi prochain", paris(2026, 12, 5, 9, 0)),
    ],
)
def test_english_weekdays_read_as_the_french_ones(text: str, expected: datetime) -> None:
    assert parse_moment(text, PARIS, now=utcnow()) == expected


def test_they_are_counted_from_today_like_lundi() -> None:
    assert is_relative("monday 10:00")
    assert is_relative("lundi 10h")
    assert is_day_only("next saturday", PARIS, now=utcnow())


def test_a_wrong_english_weekday_before_a_date_is_refused_with_the_forms() -> None:
    with pytest.raises(InputError) as caught:
        parse_moment("sunday 12/12/2026", PARIS, now=utcnow())
    assert "12/12/2026 is a Saturday, not a Sunday" in str(caught.value)
    with pytest.raises(InputError) as caught:
        parse_moment("next week", PARIS, now=utcnow())
    assert "monday 10:00, next saturday" in str(caught.value)


def test_slots_and_quiet_days_take_english_and_french_names() -> None:
    assert parse_days("saturday") == parse_days("samedi") == parse_days("sat")
    english, french = parse_slot("tuesday 12:30"), parse_slot("mardi 12h30")
    assert (
        (english.days, english.clock)
        == (french.days, french.clock)
        == (
            frozenset({1}),
            time(12, 30),
        )
    )
