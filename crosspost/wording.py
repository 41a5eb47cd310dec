"""Every phrase a person reads about days, times, counts and durations is built here."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from crosspost.i18n import N_, _, ngettext, pgettext

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


def month_name(month: int) -> str:
    """'December' ('décembre'), 1 being January."""
    return _(_MONTHS[month - 1])


def _short_weekday(weekday: int) -> str:
    # Written out (not name[:3]) so each language abbreviates its own way ("jeu.").
    return (
        pgettext("short weekday", "Mon"), pgettext("short weekday", "Tue"),
        pgettext("short weekday", "Wed"), pgettext("short weekday", "Thu"),
        pgettext("short weekday", "Fri"), pgettext("short weekday", "Sat"),
        pgettext("short weekday", "Sun"),
    )[weekday]  # fmt: skip


def _short_month(month: int) -> str:
    # French "juin" and "juillet" cannot both be cut to three letters.
    return (
        pgettext("short month", "Jan"), pgettext("short month", "Feb"),
        pgettext("short month", "Mar"), pgettext("short month", "Apr"),
        pgettext("short month", "May"), pgettext("short month", "Jun"),
        pgettext("short month", "Jul"), pgettext("short month", "Aug"),
        pgettext("short month", "Sep"), pgettext("short month", "Oct"),
        pgettext("short month", "Nov"), pgettext("short month", "Dec"),
    )[month - 1]  # fmt: skip


def _day_number(day: int) -> str:
    """'1', '8'; in French the first of the month is '1er'."""
    return pgettext("first day of a month", "1") if day == 1 else str(day)


def show_day(day: date, now: datetime, zone: ZoneInfo) -> str:
    """'Tuesday 8 December' (with the year when it is not this year)."""
    return show_day_of_year(day, now.astimezone(zone).year)


def show_day_of_year(day: date, year: int) -> str:
    """'Tuesday 8 December', with the year when it is not `year`."""
    text = _("{weekday} {day} {month}").format(
        weekday=weekday_name(day.weekday()), day=_day_number(day.day), month=month_name(day.month)
    )
    return text if day.year == year else f"{text} {day.year}"


def show_day_time(moment: datetime, zone: ZoneInfo, *, now: datetime) -> str:
    """'Tuesday 8 December at 12:30', in the configured zone."""
    local = moment.astimezone(zone)
    return _("{day} at {time}").format(day=show_day(local.date(), now, zone), time=f"{local:%H:%M}")


def show_month(day: date) -> str:
    """'December 2026'."""
    return f"{month_name(day.month)} {day.year}"


def show_date(day: date) -> str:
    """'Tuesday 1 December 2026' (a heading: always with the year)."""
    return _("{weekday} {day} {month} {year}").format(
        weekday=weekday_name(day.weekday()),
        day=_day_number(day.day),
        month=month_name(day.month),
        year=day.year,
    )


def show_short_day(day: date) -> str:
    """'Tue 1 Dec'."""
    return f"{_short_weekday(day.weekday())} {day.day} {_short_month(day.month)}"


def show_weekday_and_number(day: date) -> str:
    """'Tue 1' (a line in a month's list)."""
    return f"{_short_weekday(day.weekday())} {day.day}"


def weekday_abbreviations() -> tuple[str, ...]:
    """'Mon' to 'Sun', for the head of a month grid."""
    return tuple(_short_weekday(i) for i in range(7))


#: A delivery's state (and an item's review status) as a person reads it; the value
#: itself stays the word `--status` and `--json` use.
_STATES = {
    "pending": N_("pending"),
    "claimed": N_("claimed"),
    "sending": N_("sending"),
    "published": N_("published"),
    "failed": N_("failed"),
    "unknown": N_("unknown"),
    "cancelled": N_("cancelled"),
    "skipped_late": N_("skipped_late"),
    "draft": N_("draft"),
    "rejected": N_("rejected"),
    # How an attempt ended (`show`), beside the states it leads to.
    "transient": N_("transient"),
    "rate_limited": N_("rate_limited"),
    "permanent": N_("permanent"),
    "duplicate": N_("duplicate"),
    "auth_expired": N_("auth_expired"),
    "ambiguous": N_("ambiguous"),
    "crashed": N_("crashed"),
    "not_sent": N_("not_sent"),
}


def state_name(state: str) -> str:
    """'pending' in the officer's language ('en attente'); an unknown word as it is."""
    return _(_STATES[state]) if state in _STATES else str(state)


def step_label(step: str) -> str:
    """A step of an item's sequence as a calendar names it: 'D-1', 'D-1 18:00', 'morning of'."""
    named = {
        "morning": N_("morning of"),
        "recap": N_("recap"),
        "cancelled": N_("cancellation notice"),
        "closed": N_("marked closed"),
    }
    if not step or step in named:
        return _(named[step]) if step else ""
    head, _sep, clock = step.partition(" ")
    amount, before = head[1:-1], head[:1] == "-"
    if head.endswith("d"):
        text = _("D{offset}").format(offset=head[:-1])
    elif head.endswith("h"):
        text = (_("{hours} h before") if before else _("{hours} h after")).format(hours=amount)
    elif head.endswith("m"):
        text = (_("{minutes} min before") if before else _("{minutes} min after")).format(
            minutes=amount
        )
    else:
        text = head
    return f"{text} {clock}" if clock else text


def post_state_name(state: str) -> str:
    """A post's state as the calendar says it: in French a post is feminine ("une
    publication publiée", "en échec"), unlike the queue's lines (`state_name`); English
    keeps the ledger's own word, the one `--status` takes."""
    names = {
        "pending": pgettext("delivery state", "pending"),
        "claimed": pgettext("delivery state", "claimed"),
        "sending": pgettext("delivery state", "sending"),
        "published": pgettext("delivery state", "published"),
        "failed": pgettext("delivery state", "failed"),
        "unknown": pgettext("delivery state", "unknown"),
        "cancelled": pgettext("delivery state", "cancelled"),
        "skipped_late": pgettext("delivery state", "skipped_late"),
    }
    return names.get(state, state)


def show_day_and_short_month(day: date) -> str:
    """'28 Dec' ('28 déc.'): a day of a neighbouring month in a month's grid."""
    return f"{day.day} {_short_month(day.month)}"


def show_made(moment: datetime) -> str:
    """'on 29 November 2026 at 17:00' (a local time: when a page was made)."""
    return _("on {day} {month} {year} at {time}").format(
        day=_day_number(moment.day),
        month=month_name(moment.month),
        year=moment.year,
        time=f"{moment:%H:%M}",
    )


def show_local(moment: datetime | None, zone: ZoneInfo) -> str:
    """A UTC instant as the officer reads it in a list: '2026-12-03 14:30 CET'."""
    if moment is None:
        return "-"
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def show_span(first: date, last: date) -> str:
    """'2026-12-01 to 2026-12-28': the days an export covers."""
    return _("{first} to {last}").format(first=first, last=last)


def days_ago(days: int) -> str:
    """'today', 'yesterday', '5 days ago'."""
    if days == 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("{count} day ago", "{count} days ago", days).format(count=days)


def number(count: int) -> str:
    """12,500 in English, 12 500 in French (a narrow no-break space between thousands)."""
    return f"{count:,}".replace(",", pgettext("thousands separator", ","))


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 post', '3 posts'; `many` for a word that does not just take an s ('deliveries').

    English only, like the sentences still written around it: a translated sentence
    puts the count in its own message, `ngettext("{count} post", "{count} posts", n)`,
    so the noun agrees with the words beside it in every language.
    """
    return f"{count} {word}" if count == 1 else f"{count} {many or word + 's'}"


def duration_words(delta: timedelta) -> str:
    """'45 minutes', '3 hours', '2 days': a lateness or an age, rounded down."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return ngettext("{count} minute", "{count} minutes", minutes).format(count=minutes)
    hours = minutes // 60
    if hours < 48:
        return ngettext("{count} hour", "{count} hours", hours).format(count=hours)
    days = hours // 24
    return ngettext("{count} day", "{count} days", days).format(count=days)


def short_duration(delta: timedelta) -> str:
    """'45 min', '7 h', '3 days': a lateness in a log line or an error, rounded."""
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{int(delta.total_seconds() // 60)} min"
    if hours < 48:
        return f"{hours:.0f} h"
    days = f"{hours / 24:.0f}"
    return ngettext("{count} day", "{count} days", int(days)).format(count=days)


def seconds(delta: timedelta) -> str:
    """'1.5 s': how long an attempt took."""
    return f"{delta.total_seconds():.1f} s"
