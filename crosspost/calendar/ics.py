"""RFC 5545 export: one VEVENT per delivery, written one at a time with `icalendar`.

A calendar application subscribed to the file recognises each post by its UID
(the delivery's key), so a new export updates the events it already shows
instead of adding copies. DTSTAMP and LAST-MODIFIED are the time the delivery
or its item last changed, and SEQUENCE grows with it: an export of an unchanged
ledger is byte for byte the same file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, BinaryIO
from zoneinfo import ZoneInfo

from icalendar import STATUS, Calendar, Event

from crosspost.calendar.rows import Row
from crosspost.i18n import N_, _
from crosspost.states import State
from crosspost.wording import post_state_name, show_local

if TYPE_CHECKING:
    from crosspost.config import Settings

#: How long a post lasts in a calendar grid: a short block, visible, never a whole day.
EVENT_LENGTH = timedelta(minutes=15)

#: VEVENT STATUS for each delivery state (RFC 5545 has three values).
EVENT_STATUS: dict[str, STATUS] = {
    **dict.fromkeys(State, STATUS.TENTATIVE),
    State.PUBLISHED: STATUS.CONFIRMED,
    State.CANCELLED: STATUS.CANCELLED,
}

#: Said in the SUMMARY, where a calendar shows it, for the states that need a look
#: (translated where the summary is written).
ATTENTION: dict[str, str] = {
    State.FAILED: N_("failed"),
    State.UNKNOWN: N_("unknown: check"),
    State.SKIPPED_LATE: N_("not sent"),
}

PRODID = "-//Crosspost//Editorial calendar//EN"


def uid(key: str) -> str:
    """The stable UID of a delivery (its key is globally unique and never changes)."""
    return f"{key}@crosspost"


def sequence(created: datetime | None, modified: datetime) -> int:
    """Seconds from creation to last change: grows with every change, fits a 32-bit integer."""
    if created is None:
        return 0
    return max(0, int((modified - created).total_seconds()))


def calendar_head(
    name: str, zone: ZoneInfo, first: date, last: date, *, description: str | None = None
) -> tuple[bytes, bytes]:
    """(opening lines with the VTIMEZONE, closing line) of a calendar, built by `icalendar`.

    The VTIMEZONE covers `first` to `last` only: whole decades of DST rules would make
    every subscribed refresh heavier for nothing.
    """
    probe = Calendar.new(prodid=PRODID, name=name, description=description)
    probe.add("CALSCALE", "GREGORIAN")
    # No METHOD: this is a calendar to subscribe to, not an iTIP message (METHOD:PUBLISH
    # would call for an ORGANIZER on every event, RFC 5546 3.2.1).
    probe.add("X-WR-TIMEZONE", zone.key)
    # Subscribed calendars look again every hour (RFC 7986, and what Outlook reads).
    probe.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    probe.add("X-PUBLISHED-TTL", "PT1H")
    # A throwaway event in the zone, so icalendar knows which VTIMEZONE is needed.
    sample = Event.new(uid="probe", start=datetime.combine(first, datetime.min.time(), zone))
    probe.add_component(sample)
    probe.add_missing_timezones(first_date=first, last_date=last)
    probe.subcomponents.remove(sample)
    # Fixed UID: the calendar's identity must not change between exports.
    probe.pop("UID", None)
    text = probe.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert text.endswith(end)
    return text[: -len(end)], end


def span(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The years a VTIMEZONE must cover for events between two instants."""
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    return date(first.year, 1, 1), date(last.year + 1, 1, 1)


def wall_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """The time to write with the zone's TZID, or in UTC when a TZID time would mislead.

    In the hour the clocks go back, a local time happens twice and a TZID time names the
    first one (RFC 5545, 3.3.5): the second occurrence is written in UTC instead.
    """
    local = moment.astimezone(zone)
    if local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


def delivery_event(row: Row, zone: ZoneInfo, describe: Callable[[Row], str]) -> Event:
    """The VEVENT of one delivery."""
    d = row.delivery
    summary = f"[{row.label}] {row.title}"
    if d.state in ATTENTION:
        attention = post_state_name(ATTENTION[d.state])
        attention = attention if attention != ATTENTION[d.state] else _(attention)
        summary += f" ({attention})"
    start = wall_time(d.due_at, zone)
    event = Event.new(
        uid=uid(d.key),
        stamp=row.modified,
        last_modified=row.modified,
        created=d.item.created_at,
        sequence=sequence(d.item.created_at, row.modified),
        start=start,
        end=wall_time(d.due_at + EVENT_LENGTH, zone),
        summary=summary,
        description=describe(row),
        categories=[d.item.kind, row.label],
        status=EVENT_STATUS.get(d.state, STATUS.TENTATIVE),
        url=row.url,
    )
    # A post does not make the officer busy: keep free/busy lookups free.
    event.add("TRANSP", "TRANSPARENT")
    event.add("X-CROSSPOST-STATE", d.state)
    event.add("X-CROSSPOST-CHANNEL", d.channel)
    return event


def description(row: Row, text: str, zone: ZoneInfo) -> str:
    """The rendered post, then where it stands."""
    d = row.delivery
    lines = [text, "", _("State: {state}").format(state=post_state_name(d.state))]
    if d.state == State.PUBLISHED:
        if d.remote_url:
            lines.append(_("Online at: {url}").format(url=d.remote_url))
        if d.published_at and abs(d.published_at - d.due_at) > timedelta(minutes=1):
            lines.append(_("Published: {moment}").format(moment=show_local(d.published_at, zone)))
        if d.dry_run:
            lines.append(_("Dry run: nothing was really sent."))
    elif row.detail:
        lines.append(_("Note: {detail}").format(detail=row.detail))
    if row.quiet and d.state != State.CANCELLED:
        lines.append(_("In a quiet time of the policy: {quiet}").format(quiet=row.quiet))
    lines.append(
        _("Item {item} ({kind}), channel {channel}").format(
            item=d.item.id, kind=d.item.kind, channel=d.channel
        )
    )
    return "\n".join(lines)


def write_ics(
    rows: Iterable[Row],
    out: BinaryIO,
    *,
    settings: Settings,
    start: datetime,
    end: datetime,
    describe: Callable[[Row], str] | None = None,
) -> int:
    """Write the calendar, one event at a time; returns how many events were written."""
    from crosspost.calendar.rows import rendered_text

    zone = settings.zone
    if describe is None:

        def describe(row: Row) -> str:
            return description(row, rendered_text(settings, row.delivery), zone)

    from crosspost.calendar.page import calendar_title

    name = calendar_title(settings)
    head, tail = calendar_head(name, zone, *span(start, end, zone))
    out.write(head)
    count = 0
    for row in rows:
        out.write(delivery_event(row, zone, describe).to_ical())
        count += 1
    out.write(tail)
    return count
