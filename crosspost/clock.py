"""The one clock: now in UTC, and where a local day or wall-clock time falls in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (time-machine freezes it in tests)."""
    return datetime.now(UTC)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local day, as aware UTC."""
    # Where midnight falls in a DST gap (a few zones), fold=0 gives the instant the clocks
    # jumped at, which is when that day starts.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def wall_time(day: date, clock: time, zone: ZoneInfo) -> datetime | None:
    """A local wall-clock time as aware UTC; None in the spring-forward gap.

    In the repeated autumn hour the first occurrence is taken (fold=0).
    """
    local = datetime.combine(day, clock, tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local.astimezone(UTC)
