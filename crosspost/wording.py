"""Every phrase a person reads about days, times, counts and durations is built here."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from crosspost.i18n import N_, _

_WEEKDAYS = (
    N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"),
    N_("Friday"), N_("Saturday"), N_("Sunday"),
)  # fmt: skip
_MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip


def weekday_name(weekday: int) -> str:
    """'Saturday' ('samedi'): the name of a day, 0 being Monday."""
    return _(_WEEKDAYS[weekday])


def show_day(day: date, now: datetime, zone: ZoneInfo) -> str:
    """'Tuesday 8 December' (with the year when it is not this year)."""
    text = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == now.astimezone(zone).year else f"{text} {day.year}"


def show_day_time(moment: datetime, zone: ZoneInfo, *, now: datetime) -> str:
    """'Tuesday 8 December at 12:30', in the configured zone."""
    local = moment.astimezone(zone)
    return f"{show_day(local.date(), now, zone)} at {local:%H:%M}"


def show_month(day: date) -> str:
    """'December 2026'."""
    return f"{_MONTHS[day.month - 1]} {day.year}"


def show_date(day: date) -> str:
    """'Tuesday 1 December 2026' (a heading: always with the year)."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def show_short_day(day: date) -> str:
    """'Tue 1 Dec'."""
    return f"{_WEEKDAYS[day.weekday()][:3]} {day.day} {_MONTHS[day.month - 1][:3]}"


def show_weekday_and_number(day: date) -> str:
    """'Tue 1' (a line in a month's list)."""
    return f"{_WEEKDAYS[day.weekday()][:3]} {day.day}"


def weekday_abbreviations() -> tuple[str, ...]:
    """'Mon' to 'Sun', for the head of a month grid."""
    return tuple(name[:3] for name in _WEEKDAYS)


def show_made(moment: datetime) -> str:
    """'on 29 November 2026 at 17:00' (a local time: when a page was made)."""
    return f"on {moment.day} {_MONTHS[moment.month - 1]} {moment.year} at {moment:%H:%M}"


def show_local(moment: datetime | None, zone: ZoneInfo) -> str:
    """A UTC instant as the officer reads it in a list: '2026-12-03 14:30 CET'."""
    if moment is None:
        return "-"
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def show_span(first: date, last: date) -> str:
    """'2026-12-01 to 2026-12-28': the days an export covers."""
    return f"{first} to {last}"


def days_ago(days: int) -> str:
    """'today', 'yesterday', '5 days ago'."""
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 post', '3 posts'; `many` for a word that does not just take an s ('deliveries')."""
    return f"{count} {word}" if count == 1 else f"{count} {many or word + 's'}"


def duration_words(delta: timedelta) -> str:
    """'45 minutes', '3 hours', '2 days': a lateness or an age, rounded down."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return plural(minutes, "minute")
    hours = minutes // 60
    if hours < 48:
        return plural(hours, "hour")
    return plural(hours // 24, "day")


def short_duration(delta: timedelta) -> str:
    """'45 min', '7 h', '3 days': a lateness in a log line or an error, rounded."""
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{int(delta.total_seconds() // 60)} min"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} days"


def seconds(delta: timedelta) -> str:
    """'1.5 s': how long an attempt took."""
    return f"{delta.total_seconds():.1f} s"
