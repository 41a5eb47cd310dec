"""The ICS bodies `crosspost serve` answers with, and their validators (ETag, Last-Modified)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.store import Store

T = TypeVar("T")

#: What a subscribed calendar shows: recent weeks (what went out) and half a year ahead.
BEHIND = timedelta(weeks=4)
AHEAD = timedelta(weeks=26)
#: The public agenda: events from yesterday to a year ahead.
AGENDA_AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class Body:
    data: bytes
    last_modified: datetime | None

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.data).hexdigest()[:32] + '"'


class _Latest:
    """Passes items through, remembering the latest modification time seen."""

    def __init__(self) -> None:
        self.latest: datetime | None = None

    def track(self, items: Iterable[T], when: object) -> Iterator[T]:
        for item in items:
            moment = when(item)  # type: ignore[operator]
            if moment is not None and (self.latest is None or moment > self.latest):
                self.latest = moment
            yield item


def editorial_calendar(
    settings: Settings,
    store: Store,
    *,
    now: datetime,
    channels: tuple[str, ...] | None,
    kinds: tuple[str, ...] | None,
) -> Body:
    """Every delivery (or those of some channels or kinds), as `calendar --format ics`."""
    from crosspost.calendar.ics import write_ics
    from crosspost.calendar.rows import Query, iter_rows

    start, end = _day(now - BEHIND, settings), _day(now + AHEAD, settings)
    query = Query(start=start, end=end, channels=channels, kinds=kinds)
    latest = _Latest()
    out = io.BytesIO()
    rows = latest.track(iter_rows(store, settings, query), lambda row: row.modified)
    write_ics(rows, out, settings=settings, start=start, end=end)
    return Body(out.getvalue(), latest.latest)


def public_agenda(
    settings: Settings, store: Store, *, now: datetime, kinds: tuple[str, ...] | None
) -> Body:
    """The public events at their own dates, as `calendar --format ics --agenda`."""
    from crosspost.calendar.agenda import write_agenda

    start, end = _day(now - timedelta(days=1), settings), _day(now + AGENDA_AHEAD, settings)
    latest = _Latest()
    out = io.BytesIO()
    entries = latest.track(
        store.iter_agenda(start, end, kinds=kinds),
        lambda entry: entry.item.updated_at or entry.item.created_at,
    )
    write_agenda(entries, out, settings=settings, start=start, end=end)
    return Body(out.getvalue(), latest.latest)


def _day(moment: datetime, settings: Settings) -> datetime:
    """Local midnight: the window moves by whole days, so the body (and ETag) hold all day."""
    from crosspost.clock import local_midnight

    return local_midnight(moment.astimezone(settings.zone).date(), settings.zone)


def html_calendar(settings: Settings, store: Store, *, now: datetime) -> str:
    """The month grid and week list of `calendar --format html`, made fresh for each visit.

    The page is built here as `crosspost calendar --format html` builds it (the same
    renderer, crosspost/calendar/html.py, and the same page: events, quiet times), over
    the same four weeks.
    """
    from crosspost.calendar.html import write_html
    from crosspost.calendar.page import calendar_page
    from crosspost.calendar.rows import Query, default_range, iter_rows

    start, end = default_range(now, settings.zone)
    query = Query(start=start, end=end)
    out = io.StringIO()
    page = calendar_page(settings, store, query, now=now)
    write_html(iter_rows(store, settings, query), out, page=page)
    return out.getvalue()
