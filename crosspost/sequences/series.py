"""Recurring events: each occurrence an event item of its own, with its own sequence.

A series keeps the officer's fields and its rule; its occurrences are queued up to
`series_horizon` ahead, and the daemon (and `run --once`) keeps queuing them as time
passes. A cancelled occurrence keeps its item, a deleted one is listed in the series'
exceptions: neither is ever made again, whatever is edited later.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crosspost.config import Settings
from crosspost.errors import InputError
from crosspost.i18n import _
from crosspost.sequences.plan import announce_time
from crosspost.sequences.recurrence import Recurrence

if TYPE_CHECKING:
    from crosspost.intake import Accepted
    from crosspost.store import Series, Store

#: Without an `announce` in the kind's sequence, an occurrence is announced this long before.
DEFAULT_LEAD = timedelta(days=7)
#: Fields that belong to one occurrence, not to the series.
OWN_FIELDS = ("event_start", "event_end", "at", "repeat")


def series_fields(
    fields: dict[str, Any], event_start: datetime | None, event_end: datetime | None
) -> dict[str, Any]:
    """The fields every occurrence is made from, with the event's length."""
    kept = {k: v for k, v in fields.items() if k not in OWN_FIELDS}
    if event_start is not None and event_end is not None:
        kept["length_minutes"] = int((event_end - event_start).total_seconds() // 60)
    return kept


def recurrence_of(series: Series) -> Recurrence:
    return Recurrence(
        series.rule,
        datetime.fromisoformat(series.start_local),
        date.fromisoformat(series.until_local) if series.until_local else None,
    )


def accept_occurrences(
    settings: Settings,
    recurrence: Recurrence,
    fields: dict[str, Any],
    *,
    now: datetime,
    after: datetime,
    until: datetime,
    skip: set[str],
    base_dir: Path,
) -> list[Accepted]:
    """Each occurrence after `after` up to `until` checked as an item (none written)."""
    from crosspost import intake

    zone = settings.zone
    out = []
    for start in recurrence.occurrences(zone, max(after, now), until):
        occurrence = start.astimezone(zone).date().isoformat()
        if occurrence in skip:
            continue
        raw = {k: v for k, v in fields.items() if k not in ("length_minutes", "except")}
        raw["event_start"] = start.isoformat()
        length = fields.get("length_minutes")
        if length:
            raw["event_end"] = (start + timedelta(minutes=int(length))).isoformat()
        raw.setdefault("at", _announcement(settings, raw, start, now))
        try:
            accepted = intake.accept(raw, settings, now=now, base_dir=base_dir)
        except InputError as exc:
            raise InputError(
                _("{where}: {problem}").format(where=occurrence, problem=exc)
            ) from None
        item = replace(accepted.item, occurrence=occurrence)
        out.append(replace(accepted, item=item, source=occurrence))
    return out


def _announcement(settings: Settings, raw: dict[str, Any], start: datetime, now: datetime) -> str:
    """The occurrence's own post: the sequence's `announce`, else a week before."""
    from crosspost.domain import NewItem

    probe = NewItem(
        kind=str(raw.get("kind", "event")), title="", requested_at=now, event_start=start
    )
    moment = announce_time(settings, probe, now) or max(now, start - DEFAULT_LEAD)
    return "now" if moment <= now else moment.isoformat()


def extend_series(settings: Settings, store: Store, now: datetime) -> int:
    """Queue the occurrences that came within the horizon since the last time."""
    horizon = now + settings.file.series_horizon
    made = 0
    for series in store.list_series():
        if series.generated_until >= horizon:
            continue
        skip = set(series.occurrences) | set(series.exceptions)
        batch = accept_occurrences(
            settings,
            recurrence_of(series),
            series.fields,
            now=now,
            after=series.generated_until,
            until=horizon,
            skip=skip,
            base_dir=settings.base_dir,
        )
        items = [(replace(a.item, series_id=series.id), a.plan.deliveries) for a in batch]
        if items:
            store.add_items(items)
        store.set_series(series.id, generated_until=horizon)
        made += len(items)
    return made
