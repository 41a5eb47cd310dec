"""The policy's grammar: days (mon-fri, weekend, lun..dim), slots and quiet times."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from crosspost.errors import InputError
from crosspost.i18n import N_, _

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
DAY_HELP = N_("days like sun, mon-fri, tue,thu, weekdays or weekend")
#: A time of day in a slot or a quiet time: 12:30, 12h30, 9h, midi.
_CLOCK_TEXT = r"(?:\d{1,2}(?::\d{2}|h(?:\d{2})?)|midi)"
_CLOCK = re.compile(rf"^{_CLOCK_TEXT}$")
_RANGE = re.compile(rf"^({_CLOCK_TEXT})-({_CLOCK_TEXT})$")


def parse_days(text: str) -> frozenset[int]:
    """'sun', 'mon-fri', 'tue,thu', 'weekend' -> weekday numbers (Monday is 0)."""
    from crosspost.when import fold

    days: set[int] = set()
    for part in fold(text).replace("week-end", "weekend").split(","):
        if part in _DAY_GROUPS:
            days |= _DAY_GROUPS[part]
            continue
        first, _dash, last = part.partition("-")
        if first not in _DAY_NAMES or (last and last not in _DAY_NAMES):
            raise ValueError(
                _("{part!r} is not a day; expected {days}").format(part=part, days=_(DAY_HELP))
            )
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
    """The words of a slot or quiet time, accents and capitals aside.

    "sat, sun 10:00" and "22:00 - 07:00" read the same as "sat,sun 10:00" and
    "22:00-07:00"; "22h à 7h" as "22h-7h", "12 h 30" as "12h30".
    """
    from crosspost.when import fold

    text = re.sub(
        r"(\d)\s+h\b(?:\s*(\d{2})\b)?", r"\1h\2", fold(text).replace("week-end", "weekend")
    )
    text = re.sub(r"(\d|h)\s+a\s+(\d)", r"\1-\2", text)
    return re.sub(r"\s*([,-])\s*", r"\1", text).split()


@dataclass(frozen=True)
class Slot:
    """A posting slot: a wall-clock time on some days of the week."""

    days: frozenset[int]
    clock: time
    text: str


def parse_slot(text: str) -> Slot:
    """'tue 12:30', 'mon-fri 09:00', 'Mardi 12h30' or '12:30' (every day)."""
    words = _words(text)
    if len(words) == 1 and _CLOCK.match(words[0]):
        return Slot(EVERY_DAY, _clock(words[0]), text)
    if len(words) == 2 and _CLOCK.match(words[1]):
        return Slot(parse_days(words[0]), _clock(words[1]), text)
    raise ValueError(
        _("expected a time with optional days, like 'tue 12:30', 'mon-fri 09:00' or 'mardi 12h30'")
    )


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
    """'sun', '22:00-07:00', 'sat 14:00-18:00', 'weekend', 'samedi 14h-18h', '22h à 7h'."""
    words = _words(text)
    if len(words) == 1 and (match := _RANGE.match(words[0])):
        return Quiet(EVERY_DAY, _clock(match[1]), _clock(match[2]), text)
    if len(words) == 1:
        return Quiet(parse_days(words[0]), None, None, text)
    if len(words) == 2 and (match := _RANGE.match(words[1])):
        return Quiet(parse_days(words[0]), _clock(match[1]), _clock(match[2]), text)
    raise ValueError(
        _("expected days (sun), a time range (22:00-07:00) or both, like 'sat 14:00-18:00'")
    )
