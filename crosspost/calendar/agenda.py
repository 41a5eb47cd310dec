"""The public agenda: one VEVENT per event item, at its own date, time and place.

This is what a network portal aggregates from many organisations, so the UID
must be unique across all of them: it comes from the key of the item's first
delivery (a random 128-bit value), not from the item's number, which every
organisation's first item shares. A cancelled item stays in the feed as
STATUS:CANCELLED, so aggregators drop it instead of keeping a ghost.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, BinaryIO

from icalendar import STATUS, Event

from crosspost.calendar.ics import calendar_head, sequence, span, wall_time

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.store._reports import AgendaEntry


def agenda_uid(key: str) -> str:
    """Distinct from the delivery UIDs, so both feeds can live in one calendar application."""
    return f"event-{key}@crosspost"


def agenda_event(entry: AgendaEntry, settings: Settings) -> Event:
    """The VEVENT of one event item."""
    from crosspost.text import markdown_to_plain

    item = entry.item
    assert item.event_start is not None
    zone = settings.zone
    modified = item.updated_at or item.created_at or item.event_start
    url = item.link or (entry.urls[0][1] if entry.urls else None)
    text = markdown_to_plain(item.body)
    if url and url not in text:
        text = f"{text}\n\n{url}" if text else url
    event = Event.new(
        uid=agenda_uid(entry.key),
        stamp=modified,
        last_modified=modified,
        created=item.created_at,
        sequence=sequence(item.created_at, modified),
        start=wall_time(item.event_start, zone),
        end=wall_time(item.event_end, zone) if item.event_end else None,
        summary=item.title,
        description=text or None,
        location=item.location,
        categories=[item.kind, *item.tags],
        status=STATUS.CANCELLED if item.status == "cancelled" else STATUS.CONFIRMED,
        url=url,
    )
    return event


def write_agenda(
    entries: Iterable[AgendaEntry],
    out: BinaryIO,
    *,
    settings: Settings,
    start: datetime,
    end: datetime,
) -> int:
    """Write the public agenda, one event at a time; returns how many events were written."""
    from crosspost.i18n import _

    name = _("Agenda")
    if settings.organisation:
        name = _("{organisation}: agenda").format(organisation=settings.organisation)
    head, tail = calendar_head(name, settings.zone, *span(start, end, settings.zone))
    out.write(head)
    count = 0
    for entry in entries:
        out.write(agenda_event(entry, settings).to_ical())
        count += 1
    out.write(tail)
    return count
