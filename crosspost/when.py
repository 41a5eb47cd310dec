"""The `--at` grammar and durations: what an officer types -> aware UTC datetimes.

Accepted for a time (accents and capitals optional, `à` between day and hour too):
  now, maintenant                  at once
  +30m  +2h  dans 3j  in 1w        relative to now (also +1h30, dans 1h30)
  14h  14h30  14:30  midi          today at that time
  demain 9h  après-demain          tomorrow, the day after (today, aujourd'hui, tomorrow too)
  lundi 10h  samedi prochain       the next such day, never today (English too:
  monday 10:00  next saturday      "next saturday" is the coming one, as "samedi prochain")
  12/12 14h30  12/12/2026 14h      day/month, always in that order; without the year,
                                   this year or, once the day has passed, the next
  12 décembre 14h  1er mars        a day and a month's name (a weekday before it is checked)
  2026-12-03  2026-12-03 14:30     ISO dates; a date alone is at the default time (09:00)
  2026-12-03T14:30+01:00           an explicit offset (the only way to pick a repeated hour)

Durations: 30m, 30min, 2h, 1h30, 3d, 3j, 1w, 1sem, 2 jours, 3 semaines.

A local time that does not exist (the spring-forward gap) or that happens twice
(the fall-back hour) is refused with the times that do exist.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crosspost.errors import InputError
from crosspost.i18n import N_, _
from crosspost.wording import weekday_name

_MINUTE, _HOUR, _DAY = 60, 3600, 86400
#: Every unit a duration may carry, French and English, spelled out or short.
_UNITS = {
    **dict.fromkeys(("w", "week", "weeks", "sem", "semaine", "semaines"), 7 * _DAY),
    **dict.fromkeys(("d", "day", "days", "j", "jour", "jours"), _DAY),
    **dict.fromkeys(("h", "hour", "hours", "heure", "heures"), _HOUR),
    **dict.fromkeys(("m", "min", "mn", "minute", "minutes"), _MINUTE),
    **dict.fromkeys(("s", "sec", "second", "seconds", "seconde", "secondes"), 1),
}
_UNIT_WORDS = "|".join(sorted(_UNITS, key=len, reverse=True))
_DURATION_PART = re.compile(rf"\s*(\d+)\s*({_UNIT_WORDS})(?![a-z])\s*")
#: "1h30": minutes after hours need no unit, as the French write them.
_BARE_MINUTES = re.compile(r"\s*(\d{1,2})\s*")
_ISO = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[ t](\d{1,2}:\d{2}(?::\d{2})?)\s*(z|[+-]\d{2}:?\d{2})?)?$"
)
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: A weekday's name in either language -> its number (Monday is 0).
_WEEKDAY_NUMBERS = {
    name: number for names in (_WEEKDAYS, _WEEKDAYS_EN) for number, name in enumerate(names)
}
_MONTHS = (
    "janvier", "fevrier", "mars", "avril", "mai", "juin",
    "juillet", "aout", "septembre", "octobre", "novembre", "decembre",
)  # fmt: skip
#: A time of day at the end of what was typed: 14h, 14h30, 14 h 30, 14:30, midi.
_CLOCK_AT_END = re.compile(r"(?:^|\s)(?:at?\s+)?(?:(\d{1,2})\s*(?:h\s*(\d{2})?|:(\d{2}))|(midi))$")
_WD = "|".join(_WEEKDAY_NUMBERS)
_DAY_PART = re.compile(
    rf"""^(?:le\s+)?(?:
        (?:(?P<weekday>{_WD})\s+)?(?:le\s+)?(?:
            (?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?:/(?P<y>\d+))?
          | (?P<dn>\d{{1,2}})(?:er)?\s+(?P<month>{"|".join(_MONTHS)})(?:\s+(?P<yn>\d{{4}}))?
          | (?P<iso>\d{{4}}-\d{{2}}-\d{{2}})
        )
      | (?P<word>aujourd'hui|aujourdhui|today|demain|tomorrow|apres-demain|apres\s+demain)
      | (?:next\s+)?(?P<next>{_WD})(?:\s+prochain)?
    )$""",
    re.VERBOSE,
)
_DAYS_FROM_TODAY = {
    "aujourd'hui": 0, "aujourdhui": 0, "today": 0,
    "demain": 1, "tomorrow": 1, "apres-demain": 2, "apres demain": 2,
}  # fmt: skip
_NOW_WORDS = ("now", "maintenant")
_NEXT_SLOT_WORDS = ("next", "prochain", "prochain creneau")
_RELATIVE = re.compile(r"^(?:\+|dans\s+|in\s+)(.+)$")

EXAMPLES = N_(
    "now, +2h, 14:30, tomorrow 9:00, monday 10:00, next saturday, 12/12 14:30 (day/month), "
    "12/12/2026 14h, 2026-12-03, 2026-12-03 14:30 or 2026-12-03T14:30+01:00"
)


def fold(text: str) -> str:
    """Lower case, no accents, one space between words, one kind of apostrophe."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'").lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


# ---------------------------------------------------------------- durations


def _duration_seconds(body: str) -> int | None:
    """The seconds of '1h30m', '2 jours', '1h30'; None when it is not a duration."""
    pos, total, last_unit = 0, 0, None
    while pos < len(body):
        part = _DURATION_PART.match(body, pos)
        if part:
            last_unit = _UNITS[part[2]]
            total += int(part[1]) * last_unit
            pos = part.end()
            continue
        tail = _BARE_MINUTES.fullmatch(body, pos)
        if tail and last_unit == _HOUR and int(tail[1]) < 60:
            return total + int(tail[1]) * _MINUTE
        return None
    return total if last_unit is not None else None


def parse_duration(text: str) -> timedelta:
    """'30m', '30min', '2h', '1h30', '3d', '3j', '1sem', '-1d' -> timedelta."""
    body = fold(text)
    sign = -1 if body.startswith("-") else 1
    seconds = _duration_seconds(body.lstrip("+-").strip())
    if seconds is None:
        raise InputError(
            _(
                "{text!r} is not a duration; expected a number and a unit, like "
                "30m, 2h, 1h30, 3d or 1w"
            ).format(text=text)
        )
    return timedelta(seconds=sign * seconds)


def format_duration(delta: timedelta) -> str:
    """timedelta -> the shortest '1h30m' form (for messages and explain)."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return sign + ("".join(parts) or "0m")


# ---------------------------------------------------------------- daylight saving


def _show_wall(naive: datetime) -> str:
    return naive.strftime(_("%Y-%m-%d %H:%M"))


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """Attach `zone` to a wall-clock time, refusing times that do not exist or repeat."""
    earlier = naive.replace(tzinfo=zone, fold=0)
    later = naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return earlier
    shown = _show_wall(naive)
    round_trip = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        # The gap: the clocks jump forward over this wall-clock time.
        start, end = _gap_bounds(earlier, later, zone)
        raise InputError(
            _(
                "{shown} does not exist in {zone}: the clocks jump from {start} "
                "to {end} that night; choose a time before {start} or from {end} "
                "on"
            ).format(shown=shown, zone=zone.key, start=start, end=end)
        )
    first = earlier.strftime("%H:%M %Z (UTC%z)")
    second = later.strftime("%H:%M %Z (UTC%z)")
    iso = naive.strftime("%Y-%m-%dT%H:%M")
    raise InputError(
        _(
            "{shown} happens twice in {zone} (the clocks go back that "
            "night): {first} or {second}; say which with an offset, e.g. "
            "{iso}{first_offset} or {iso}{second_offset}"
        ).format(
            shown=shown,
            zone=zone.key,
            first=first,
            second=second,
            iso=iso,
            first_offset=_offset(earlier),
            second_offset=_offset(later),
        )
    )


def _gap_bounds(earlier: datetime, later: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """The wall-clock times on either side of a spring-forward jump, as HH:MM."""
    low = min(earlier.astimezone(UTC), later.astimezone(UTC))
    high = max(earlier.astimezone(UTC), later.astimezone(UTC))
    before = low.astimezone(zone).utcoffset()
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    transition = high.replace(second=0, microsecond=0)
    old_offset = before or timedelta(0)
    new_offset = transition.astimezone(zone).utcoffset() or timedelta(0)
    start = (transition + old_offset).replace(tzinfo=None)
    end = (transition + new_offset).replace(tzinfo=None)
    return start.strftime("%H:%M"), end.strftime("%H:%M")


def _offset(moment: datetime) -> str:
    raw = moment.strftime("%z")
    return f"{raw[:3]}:{raw[3:]}"


# ---------------------------------------------------------------- moments


@dataclass(frozen=True)
class _Reading:
    """What a typed time says: the instant, and how it was said."""

    moment: datetime
    #: Counted from the moment it is typed (now, +2h, demain, lundi, 14h).
    relative: bool = False
    #: A day without a time of day (the default time was used).
    day_only: bool = False
    is_now: bool = False


def _refuse(text: str) -> InputError:
    return InputError(
        _("{text!r} is not a time Crosspost understands; expected {examples}").format(
            text=text, examples=_(EXAMPLES)
        )
    )


def _read(text: str, zone: ZoneInfo, now: datetime, default_time: time) -> _Reading:
    folded = fold(text)
    if folded in _NOW_WORDS:
        return _Reading(now.astimezone(UTC), relative=True, is_now=True)
    if relative := _RELATIVE.match(folded):
        seconds = _duration_seconds(relative[1])
        if seconds is None:
            raise InputError(
                _(
                    "{text!r}: {duration!r} is not a duration; expected a number and "
                    "a unit, like +30m, +2h, +1h30 or +3d"
                ).format(text=text, duration=relative[1])
            )
        return _Reading((now + timedelta(seconds=seconds)).astimezone(UTC), relative=True)
    if iso := _ISO.match(folded):
        return _read_iso(text, iso, zone, default_time)
    clock: time | None = None
    day_text = folded
    if found := _CLOCK_AT_END.search(folded):
        clock = _clock_of(text, found)
        day_text = folded[: found.start()].strip()
    today = now.astimezone(zone).date()
    if not day_text:
        if clock is None:
            raise _refuse(text)
        day, relative_day = today, True
    else:
        day_match = _DAY_PART.match(day_text)
        if day_match is None:
            raise _refuse(text)
        day, relative_day = _day_of(text, day_match, today)
    naive = datetime.combine(day, clock or default_time)
    return _Reading(
        localize(naive, zone).astimezone(UTC), relative=relative_day, day_only=clock is None
    )


def _read_iso(text: str, iso: re.Match[str], zone: ZoneInfo, default_time: time) -> _Reading:
    day_text, clock_text, offset_text = iso.groups()
    try:
        day = date.fromisoformat(day_text)
        clock = time.fromisoformat(_pad_clock(clock_text)) if clock_text else default_time
    except ValueError:
        raise InputError(
            _("{text!r} is not a real date or time; expected {examples}").format(
                text=text, examples=_(EXAMPLES)
            )
        ) from None
    naive = datetime.combine(day, clock)
    if offset_text:
        offset = "+00:00" if offset_text == "z" else _normalise_offset(offset_text)
        return _Reading(datetime.fromisoformat(naive.isoformat() + offset).astimezone(UTC))
    return _Reading(localize(naive, zone).astimezone(UTC), day_only=clock_text is None)


def _clock_of(text: str, found: re.Match[str]) -> time:
    if found[4]:
        return time(12, 0)
    hour, minute = int(found[1]), int(found[2] or found[3] or 0)
    if hour > 23 or minute > 59:
        raise InputError(
            _(
                "{text!r}: {clock!r} is not a time of day; hours go from 0 to 23 "
                "and minutes from 00 to 59 (e.g. 14h30 or 14:30)"
            ).format(text=text, clock=found.group().strip())
        )
    return time(hour, minute)


def _day_of(text: str, match: re.Match[str], today: date) -> tuple[date, bool]:
    """The day a day part names, and whether it is counted from today."""
    if match["word"]:
        return today + timedelta(days=_DAYS_FROM_TODAY[match["word"]]), True
    if match["next"]:
        # Never today: "lundi" typed on a Monday is the one of next week.
        ahead = (_WEEKDAY_NUMBERS[match["next"]] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead), True
    if match["iso"]:
        try:
            day = date.fromisoformat(match["iso"])
        except ValueError:
            raise _not_a_day(text, match["iso"]) from None
    else:
        day_number = int(match["d"] or match["dn"])
        month = int(match["m"]) if match["d"] else _MONTHS.index(match["month"]) + 1
        year_text = match["y"] or match["yn"]
        if year_text is not None and len(year_text) != 4:
            raise InputError(
                _("{text!r}: write the year in full, e.g. 12/12/2026").format(text=text)
            )
        if not 1 <= month <= 12:
            raise InputError(
                _(
                    "{text!r}: there is no month {month}; a date is written "
                    "day/month (12/03 is 12 March)"
                ).format(text=text, month=month)
            )
        day = _dated(text, year_text, month, day_number, today)
    if match["weekday"] and _WEEKDAY_NUMBERS[match["weekday"]] != day.weekday():
        raise InputError(
            _("{text!r}: {day:%d/%m/%Y} is a {weekday}, not a {typed}").format(
                text=text,
                day=day,
                weekday=weekday_name(day.weekday()),
                typed=weekday_name(_WEEKDAY_NUMBERS[match["weekday"]]),
            )
        )
    return day, False


def _dated(text: str, year_text: str | None, month: int, day_number: int, today: date) -> date:
    """A day and month, in the year given, else this year or (once it has passed) the next."""
    years = [int(year_text)] if year_text else [today.year, today.year + 1]
    for year in years:
        try:
            day = date(year, month, day_number)
        except ValueError:
            continue
        if year_text or day >= today:
            return day
    raise _not_a_day(text, f"{day_number:02d}/{month:02d}")


def _not_a_day(text: str, shown: str) -> InputError:
    return InputError(
        _("{text!r}: {shown} is not a day of the calendar (day/month)").format(
            text=text, shown=shown
        )
    )


def parse_moment(
    text: str,
    zone: ZoneInfo,
    *,
    now: datetime,
    default_time: time = time(9, 0),
) -> datetime:
    """An absolute or relative time -> aware UTC datetime (no check against the past)."""
    return _read(text, zone, now, default_time).moment


def is_relative(text: str) -> bool:
    """Whether a time is counted from the moment it is typed (`now`, `+2h`, `demain 9h`,
    `lundi`, `14h`, `next`): typed again later, it names another time."""
    if is_next_slot(text):
        return True
    try:
        from crosspost.clock import utcnow

        return _read(text, ZoneInfo("UTC"), utcnow(), time(9, 0)).relative
    except InputError:
        return False


def is_next_slot(text: str) -> bool:
    """Whether the officer asked for the next free posting slot (`next`, `prochain`)."""
    return fold(text) in _NEXT_SLOT_WORDS


def is_day_only(text: str, zone: ZoneInfo, *, now: datetime) -> bool:
    """Whether a time names a day without its time of day (`2026-12-05`, `12/12`, `demain`)."""
    try:
        return _read(text, zone, now, time(0)).day_only
    except InputError:
        return False


def parse_publish_time(
    text: str,
    zone: ZoneInfo,
    *,
    now: datetime,
    default_time: time = time(9, 0),
) -> datetime:
    """Like parse_moment, but a time already past is refused unless it is `now`."""
    reading = _read(text, zone, now, default_time)
    moment = reading.moment
    if not reading.is_now and moment < now:
        shown_now = now.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        shown = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        message = _(
            "{shown} is in the past (it is now {now} in {zone}); give a "
            "later time, or --at now to publish at once"
        ).format(shown=shown, now=shown_now, zone=zone.key)
        if bare := re.fullmatch(r"(\d{1,2})h", fold(text)):
            # "2h" is two o'clock; someone who meant "in two hours" is told how to say it.
            message += _(" ({text} is {hour} o'clock; in {hours} hours is +{hours}h)").format(
                text=text, hour=int(bare[1]), hours=bare[1]
            )
        raise InputError(message)
    return moment


def _pad_clock(clock: str) -> str:
    hours, rest = clock.split(":", 1)
    return f"{int(hours):02d}:{rest}"


def _normalise_offset(offset: str) -> str:
    digits = offset[1:].replace(":", "")
    return f"{offset[0]}{digits[:2]}:{digits[2:]}"


_CLOCK_ALONE = re.compile(r"^(\d{1,2})(?::(\d{2})|\s*h\s*(\d{2})?)$")


def clock_setting(value: str) -> str:
    """A time of day given in crosspost.toml, kept as written once it reads as one; a
    ValueError (what pydantic reports, with the key) when it does not."""
    try:
        parse_clock(value)
    except InputError as exc:
        raise ValueError(str(exc)) from None
    return value


def parse_clock(text: str) -> time:
    """'9:00', '09:00', '9h', '12h30' or 'midi' -> time (default_time, slots, quiet times)."""
    folded = fold(text)
    if folded == "midi":
        return time(12, 0)
    match = _CLOCK_ALONE.match(folded)
    if match and int(match[1]) < 24 and int(match[2] or match[3] or 0) < 60:
        return time(int(match[1]), int(match[2] or match[3] or 0))
    raise InputError(
        _("{text!r} is not a time of day; expected HH:MM like 09:00 (or 9h, 12h30)").format(
            text=text
        )
    )


__all__ = [
    "EXAMPLES",
    "clock_setting",
    "format_duration",
    "is_day_only",
    "is_next_slot",
    "is_relative",
    "localize",
    "parse_clock",
    "parse_duration",
    "parse_moment",
    "parse_publish_time",
]
