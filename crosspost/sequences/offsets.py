"""A step's offset ("-14d", "J-3", "-1d 18:00", "-2h", "morning", "+1d") -> an instant.

Days count on the calendar of the configured zone, not in 24-hour blocks: a D-1
reminder of an 18:00 event is at 18:00 the day before whatever the clocks did that
night. Hours and minutes are real durations ("-2h" is two hours before).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crosspost.errors import InputError
from crosspost.i18n import N_, _

#: "-3d", "J-3", "D-3", "-1w", optionally with a local time: "-1d 18:00", "-1d@18h", "-1d à 18h30".
_DAYS = re.compile(
    r"^(?:[jd]\s*)?([+-])\s*(\d{1,3})\s*([dwj]?)(?:\s*(?:@|at|à|a)?\s*(\d{1,2})\s*[:h]\s*(\d{2})?)?$",
    re.IGNORECASE,
)
_EXACT = re.compile(r"^([+-])\s*(\d{1,4})\s*(h|m|min)$", re.IGNORECASE)
_MORNING = ("morning", "matin", "le matin", "the morning of", "jour j", "d-day")

EXAMPLES = N_('"-14d", "J-3", "-1d 18:00", "-2h", "morning" (the morning of) or "+1d" (after)')
RECAP_AFTER = N_('{text!r}: a recap comes after the event; expected e.g. "+1d"')


@dataclass(frozen=True)
class StepOffset:
    """When a step comes, relative to its anchor (an event's start, a job's deadline)."""

    #: The canonical spelling, which is also the step's name in the ledger.
    name: str
    #: Calendar days from the anchor's local date (negative: before).
    days: int = 0
    #: The local time of day on that date (None: the anchor's own time of day).
    clock: time | None = None
    #: An exact duration from the anchor, for hours and minutes.
    exact: timedelta | None = None
    #: The morning of the anchor's day, at the sequence's `morning` time.
    morning: bool = False

    def moment(self, anchor: datetime, zone: ZoneInfo, morning_time: time) -> datetime:
        """The aware UTC instant of this step for an anchor (aware UTC)."""
        if self.exact is not None:
            return anchor + self.exact
        local = anchor.astimezone(zone)
        if self.morning:
            return wall_clock(local.date(), morning_time, zone)
        day = local.date() + timedelta(days=self.days)
        return wall_clock(day, self.clock or local.time().replace(tzinfo=None), zone)


def wall_clock(day: object, clock: time, zone: ZoneInfo) -> datetime:
    """A local date and time -> UTC, never refused: a time the clocks skip (spring) is
    read as just after the jump, a time they repeat (autumn) as its first occurrence."""
    naive = datetime.combine(day, clock)  # type: ignore[arg-type]
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def parse_offset(text: str, *, after: bool = False) -> StepOffset:
    """The offset of a step; `after` for a recap (must follow), else it must come before."""
    cleaned = " ".join(str(text).strip().lower().split())
    if cleaned in _MORNING:
        if after:
            raise InputError(_(RECAP_AFTER).format(text=text))
        return StepOffset("morning", morning=True)
    exact = _EXACT.match(cleaned)
    days = _DAYS.match(cleaned)
    if exact:
        sign, number, unit = exact.groups()
        minutes = int(number) * (60 if unit == "h" else 1)
        _check_sign(text, sign, after)
        delta = timedelta(minutes=minutes if sign == "+" else -minutes)
        return StepOffset(f"{sign}{number}{'h' if unit == 'h' else 'm'}", exact=delta)
    if days:
        sign, number, unit, hour, minute = days.groups()
        _check_sign(text, sign, after)
        count = int(number) * (7 if unit == "w" else 1)
        if count == 0 and hour is None:
            raise InputError(
                _("{text!r}: a step at the very time of the event is the event").format(text=text)
            )
        clock = None
        if hour is not None:
            try:
                clock = time(int(hour), int(minute or 0))
            except ValueError:
                raise InputError(
                    _("{text!r}: {clock} is not a time of day").format(
                        text=text, clock=f"{hour}:{minute or '00'}"
                    )
                ) from None
        name = f"{sign}{count}d" + (f" {clock:%H:%M}" if clock else "")
        return StepOffset(name, days=count if sign == "+" else -count, clock=clock)
    raise InputError(
        _("{text!r} is not a step offset; expected {examples}").format(
            text=text, examples=_(EXAMPLES)
        )
    )


def _check_sign(text: str, sign: str, after: bool) -> None:
    if after and sign == "-":
        raise InputError(_(RECAP_AFTER).format(text=text))
    if not after and sign == "+":
        raise InputError(
            _('{text!r}: announcements and reminders come before; expected e.g. "-3d"').format(
                text=text
            )
        )
