"""The `--at` grammar and durations: what an officer types -> aware UTC datetimes.

Accepted for a publication time:
  now                       at once
  +30m  +2h  +3d  +1w       relative to now (also +1h30m)
  2026-12-03                a date: at the configured default time (09:00)
  2026-12-03 14:30          a local wall-clock time in the configured zone
  2026-12-03T14:30+01:00    an explicit offset (the only way to pick a repeated hour)

A local time that does not exist (the spring-forward gap) or that happens twice
(the fall-back hour) is refused with the times that do exist.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crosspost.errors import InputError

_DURATION_PART = re.compile(r"(\d+)\s*(w|d|h|m|s)", re.IGNORECASE)
_DURATION = re.compile(r"^\s*([+-]?)\s*((?:\d+\s*[wdhms]\s*)+)$", re.IGNORECASE)
_UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DATE_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?)\s*(Z|[+-]\d{2}:?\d{2})?)?$"
)

EXAMPLES = "now, +2h, +3d, 2026-12-03, 2026-12-03 14:30 or 2026-12-03T14:30+01:00"


def parse_duration(text: str) -> timedelta:
    """'30m', '2h', '1h30m', '3d', '-1d' -> timedelta."""
    match = _DURATION.match(text)
    if not match:
        raise InputError(
            f"{text!r} is not a duration; expected a number and a unit, like 30m, 2h, 3d or 1w"
        )
    seconds = sum(
        int(n) * _UNIT_SECONDS[u.lower()] for n, u in _DURATION_PART.findall(match.group(2))
    )
    return timedelta(seconds=-seconds if match.group(1) == "-" else seconds)


def format_duration(delta: timedelta) -> str:
    """timedelta -> the shortest '1h30m' form (for messages and explain)."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return sign + ("".join(parts) or "0m")


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """Attach `zone` to a wall-clock time, refusing times that do not exist or repeat."""
    earlier = naive.replace(tzinfo=zone, fold=0)
    later = naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return earlier
    shown = naive.strftime("%Y-%m-%d %H:%M")
    round_trip = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        # The gap: the clocks jump forward over this wall-clock time.
        gap_start, gap_end = _gap_bounds(earlier, later, zone)
        raise InputError(
            f"{shown} does not exist in {zone.key}: the clocks jump from {gap_start} "
            f"to {gap_end} that night; choose a time before {gap_start} or from {gap_end} on"
        )
    first = earlier.strftime("%H:%M %Z (UTC%z)")
    second = later.strftime("%H:%M %Z (UTC%z)")
    raise InputError(
        f"{shown} happens twice in {zone.key} (the clocks go back that night): "
        f"{first} or {second}; say which with an offset, e.g. "
        f"{naive.strftime('%Y-%m-%dT%H:%M')}{_offset(earlier)} or "
        f"{naive.strftime('%Y-%m-%dT%H:%M')}{_offset(later)}"
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


def parse_moment(
    text: str,
    zone: ZoneInfo,
    *,
    now: datetime,
    default_time: time = time(9, 0),
) -> datetime:
    """An absolute or relative time -> aware UTC datetime (no check against the past)."""
    cleaned = text.strip()
    lowered = cleaned.lower()
    if lowered == "now":
        return now.astimezone(UTC)
    if lowered.startswith("+"):
        return (now + parse_duration(cleaned)).astimezone(UTC)
    match = _DATE_TIME.match(cleaned)
    if not match:
        raise InputError(f"{text!r} is not a time Crosspost understands; expected {EXAMPLES}")
    day_text, clock_text, offset_text = match.groups()
    try:
        day = date.fromisoformat(day_text)
        clock = time.fromisoformat(_pad_clock(clock_text)) if clock_text else default_time
    except ValueError:
        raise InputError(f"{text!r} is not a real date or time; expected {EXAMPLES}") from None
    naive = datetime.combine(day, clock)
    if offset_text:
        offset = "+00:00" if offset_text.upper() == "Z" else _normalise_offset(offset_text)
        return datetime.fromisoformat(naive.isoformat() + offset).astimezone(UTC)
    return localize(naive, zone).astimezone(UTC)


def is_relative(text: str) -> bool:
    """Whether a time is counted from the moment it is typed (`now`, `+2h`, `next`)."""
    lowered = text.strip().lower()
    return lowered in ("now", "next") or lowered.startswith("+")


def parse_publish_time(
    text: str,
    zone: ZoneInfo,
    *,
    now: datetime,
    default_time: time = time(9, 0),
) -> datetime:
    """Like parse_moment, but a time already past is refused unless it is `now`."""
    moment = parse_moment(text, zone, now=now, default_time=default_time)
    if text.strip().lower() != "now" and moment < now:
        shown_now = now.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        shown = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        raise InputError(
            f"{shown} is in the past (it is now {shown_now} in {zone.key}); "
            "give a later time, or --at now to publish at once"
        )
    return moment


def _pad_clock(clock: str) -> str:
    hours, rest = clock.split(":", 1)
    return f"{int(hours):02d}:{rest}"


def _normalise_offset(offset: str) -> str:
    digits = offset[1:].replace(":", "")
    return f"{offset[0]}{digits[:2]}:{digits[2:]}"


def parse_clock(text: str) -> time:
    """'9:00' or '09:00' -> time (for default_time and policy slots)."""
    try:
        return time.fromisoformat(_pad_clock(text.strip()))
    except ValueError:
        raise InputError(f"{text!r} is not a time of day; expected HH:MM like 09:00") from None
