"""The policy's grammar: days (mon-fri, weekend, lun..dim), slots and quiet times."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING

from crosspost.errors import InputError

if TYPE_CHECKING:
    pass


# ---------------------------------------------------------------- days, slots, quiet times

_DAY_NAMES = {
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    **{name: i for i, name in enumerate(("lun", "mar", "mer", "jeu", "ven", "sam", "dim"))},
    **{
        name: i
        for i, name in enumerate(
            ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
        )
    },
}
_DAY_GROUPS = {"weekdays": frozenset(range(5)), "weekend": frozenset({5, 6})}
EVERY_DAY = frozenset(range(7))
DAY_HELP = "days like sun, mon-fri, tue,thu, weekdays or weekend"
_CLOCK = re.compile(r"^\d{1,2}:\d{2}$")
_RANGE = re.compile(r"^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$")


def parse_days(text: str) -> frozenset[int]:
    """'sun', 'mon-fri', 'tue,thu', 'weekend' -> weekday numbers (Monday is 0)."""
    days: set[int] = set()
    for part in text.lower().split(","):
        if part in _DAY_GROUPS:
            days |= _DAY_GROUPS[part]
            continue
        first, _, last = part.partition("-")
        if first not in _DAY_NAMES or (last and last not in _DAY_NAMES):
            raise ValueError(f"{part!r} is not a day; expected {DAY_HELP}")
        start = _DAY_NAMES[first]
        stop = _DAY_NAMES[last] if last else start
        # A range may wrap round the week: fri-mon is Friday to Monday.
        days.update((start + i) % 7 for i in range((stop - start) % 7 + 1))
    return frozenset(days)


def _clock(text: str) -> time:
    from crosspost.when import parse_clock

    try:
        return parse_clock(text)
    except InputError as exc:
        raise ValueError(str(exc)) from None


def _words(text: str) -> list[str]:
    # "sat, sun 10:00" and "22:00 - 07:00" read the same as "sat,sun 10:00" and "22:00-07:00".
    return re.sub(r"\s*([,-])\s*", r"\1", text.strip().lower()).split()


@dataclass(frozen=True)
class Slot:
    """A posting slot: a wall-clock time on some days of the week."""

    days: frozenset[int]
    clock: time
    text: str


def parse_slot(text: str) -> Slot:
    """'tue 12:30', 'mon-fri 09:00' or '12:30' (every day)."""
    words = _words(text)
    if len(words) == 1 and _CLOCK.match(words[0]):
        return Slot(EVERY_DAY, _clock(words[0]), text)
    if len(words) == 2 and _CLOCK.match(words[1]):
        return Slot(parse_days(words[0]), _clock(words[1]), text)
    raise ValueError("expected a time with optional days, like 'tue 12:30' or 'mon-fri 09:00'")


@dataclass(frozen=True)
class Quiet:
    """A quiet time: days, a daily time range (which may run past midnight), or both."""

    days: frozenset[int]
    start: time | None
    end: time | None
    text: str

    def covers(self, local: datetime) -> bool:
        """Whether this wall-clock time falls in the quiet time."""
        if self.start is None or self.end is None:
            return local.weekday() in self.days
        clock = local.time().replace(tzinfo=None)
        if self.start <= self.end:
            return local.weekday() in self.days and self.start <= clock < self.end
        # 22:00-07:00 on fri covers Friday night and Saturday early morning.
        yesterday = (local.weekday() - 1) % 7
        return (local.weekday() in self.days and clock >= self.start) or (
            yesterday in self.days and clock < self.end
        )


def parse_quiet(text: str) -> Quiet:
    """'sun', '22:00-07:00', 'sat 14:00-18:00', 'weekend'."""
    words = _words(text)
    if len(words) == 1 and (match := _RANGE.match(words[0])):
        return Quiet(EVERY_DAY, _clock(match[1]), _clock(match[2]), text)
    if len(words) == 1:
        return Quiet(parse_days(words[0]), None, None, text)
    if len(words) == 2 and (match := _RANGE.match(words[1])):
        return Quiet(parse_days(words[0]), _clock(match[1]), _clock(match[2]), text)
    raise ValueError(
        "expected days (sun), a time range (22:00-07:00) or both, like 'sat 14:00-18:00'"
    )
