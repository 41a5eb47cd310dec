"""Every phrase a person reads about days, times, counts and durations is built here."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def show_day(day: date, now: datetime, zone: ZoneInfo) -> str:
    """'Tuesday 8 December' (with the year when it is not this year)."""
    text = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == now.astimezone(zone).year else f"{text} {day.year}"


def show_day_time(moment: datetime, zone: ZoneInfo, *, now: datetime) -> str:
    """'Tuesday 8 December at 12:30', in the configured zone."""
    local = moment.astimezone(zone)
    return f"{show_day(local.date(), now, zone)} at {local:%H:%M}"


def show_month(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.year}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def duration_words(delta: timedelta) -> str:
    """'45 minutes', '3 hours', '2 days': a lateness or an age, rounded down."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return plural(minutes, "minute")
    hours = minutes // 60
    if hours < 48:
        return plural(hours, "hour")
    return plural(hours // 24, "day")
