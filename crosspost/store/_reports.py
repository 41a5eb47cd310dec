"""Read-only aggregates for the calendar exports and the health report.

Nothing here writes: the calendar and the health report only read the ledger.
Times come back aware UTC; grouping them by local day, week or month is the
caller's business, because doing it in SQL would differ between SQLite and
PostgreSQL (and the configured zone's DST rules would have to be spelled out).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from crosspost.domain import Item
from crosspost.models import DeliveryRow, ItemRow
from crosspost.states import IN_FLIGHT, State
from crosspost.store._core import DeliveryFilter, StoreBase, _apply_filter, _item

#: States in which a delivery holds its time on its channel (it went out, or will, or may have).
OCCUPYING: frozenset[State] = frozenset({State.PENDING, *IN_FLIGHT, State.PUBLISHED, State.UNKNOWN})


@dataclass(frozen=True)
class Occupied:
    """A time a channel is already busy with: when it went out, else when it is due."""

    channel: str
    at: datetime
    state: str


@dataclass(frozen=True)
class AgendaEntry:
    """An item with an event date, as the public agenda shows it."""

    item: Item
    #: The key of the item's first delivery: globally unique and stable, so it names the event.
    key: str
    #: (channel, url) of each of its posts already online, in delivery order.
    urls: tuple[tuple[str, str], ...]
    #: Channels it goes to (any state).
    channels: tuple[str, ...]


class ReportsMixin(StoreBase):
    """Aggregates that exports and the health report read; never a write."""

    def modified_at(self, delivery_ids: Sequence[int]) -> dict[int, datetime]:
        """When each delivery, or the item it carries, last changed (for LAST-MODIFIED)."""
        if not delivery_ids:
            return {}
        with self._read() as session:
            rows = session.execute(
                select(DeliveryRow.id, DeliveryRow.updated_at, ItemRow.updated_at)
                .join(ItemRow, DeliveryRow.item_id == ItemRow.id)
                .where(DeliveryRow.id.in_(list(delivery_ids)))
            ).all()
        return {int(i): max(d, it) for i, d, it in rows}

    def published_times(
        self, channels: Sequence[str], start: datetime, end: datetime
    ) -> list[tuple[str, datetime]]:
        """(channel, published_at) of every real publication in [start, end); dry runs excluded."""
        with self._read() as session:
            rows = session.execute(
                select(DeliveryRow.channel, DeliveryRow.published_at)
                .where(
                    DeliveryRow.state == State.PUBLISHED,
                    DeliveryRow.dry_run.is_(False),
                    DeliveryRow.channel.in_(list(channels)),
                    DeliveryRow.published_at >= start,
                    DeliveryRow.published_at < end,
                )
                .order_by(DeliveryRow.published_at)
            ).all()
        return [(str(c), p) for c, p in rows if p is not None]

    def last_published(self, channels: Sequence[str]) -> dict[str, datetime]:
        """Each channel's latest real publication (channels that never published are absent)."""
        with self._read() as session:
            rows = session.execute(
                select(DeliveryRow.channel, func.max(DeliveryRow.published_at))
                .where(
                    DeliveryRow.state == State.PUBLISHED,
                    DeliveryRow.dry_run.is_(False),
                    DeliveryRow.channel.in_(list(channels)),
                )
                .group_by(DeliveryRow.channel)
            ).all()
        # max() keeps the column's type, so the value comes back aware UTC on every backend.
        return {str(c): p for c, p in rows if p is not None}

    def occupied(self, channels: Sequence[str], start: datetime, end: datetime) -> list[Occupied]:
        """Times taken on these channels in [start, end): posts out, due, in flight or unsure."""
        with self._read() as session:
            rows = session.execute(
                select(
                    DeliveryRow.channel,
                    DeliveryRow.due_at,
                    DeliveryRow.published_at,
                    DeliveryRow.state,
                ).where(
                    DeliveryRow.channel.in_(list(channels)),
                    DeliveryRow.state.in_(sorted(OCCUPYING)),
                    or_(
                        DeliveryRow.due_at.between(start, end),
                        DeliveryRow.published_at.between(start, end),
                    ),
                )
            ).all()
        out = []
        for channel, due_at, published_at, state in rows:
            at = published_at if state == State.PUBLISHED and published_at else due_at
            if start <= at < end:
                out.append(Occupied(str(channel), at, str(state)))
        return sorted(out, key=lambda o: (o.at, o.channel))

    def count_by_channel_state(self, where: DeliveryFilter) -> dict[tuple[str, str], int]:
        """How many deliveries match `where`, per (channel, state); `limit` is ignored."""
        with self._read() as session:
            query = (
                select(DeliveryRow.channel, DeliveryRow.state, func.count())
                .join(ItemRow, DeliveryRow.item_id == ItemRow.id)
                .group_by(DeliveryRow.channel, DeliveryRow.state)
            )
            query = _apply_filter(query, _without_limit(where))
            rows = session.execute(query).all()
        return {(str(c), str(s)): int(n) for c, s, n in rows}

    def iter_agenda(
        self,
        start: datetime,
        end: datetime,
        *,
        kinds: Sequence[str] | None = None,
        channels: Sequence[str] | None = None,
        batch: int = 500,
    ) -> Iterator[AgendaEntry]:
        """Items whose event starts in [start, end), by start time, in batches."""
        last: tuple[datetime, int] | None = None
        while True:
            with self._read() as session:
                query = (
                    select(ItemRow)
                    .where(ItemRow.event_start >= start, ItemRow.event_start < end)
                    .order_by(ItemRow.event_start, ItemRow.id)
                    .limit(batch)
                )
                if kinds:
                    query = query.where(ItemRow.kind.in_(list(kinds)))
                if channels:
                    query = query.where(
                        ItemRow.id.in_(
                            select(DeliveryRow.item_id).where(
                                DeliveryRow.channel.in_(list(channels))
                            )
                        )
                    )
                if last is not None:
                    query = query.where(
                        or_(
                            ItemRow.event_start > last[0],
                            (ItemRow.event_start == last[0]) & (ItemRow.id > last[1]),
                        )
                    )
                items = session.scalars(query).all()
                deliveries = session.execute(
                    select(
                        DeliveryRow.item_id,
                        DeliveryRow.key,
                        DeliveryRow.channel,
                        DeliveryRow.state,
                        DeliveryRow.remote_url,
                        DeliveryRow.dry_run,
                    )
                    .where(DeliveryRow.item_id.in_([i.id for i in items]))
                    .order_by(DeliveryRow.id)
                ).all()
                by_item: dict[int, list[Any]] = {}
                for delivery in deliveries:
                    by_item.setdefault(delivery.item_id, []).append(delivery)
                chunk = [_agenda_entry(_item(row), by_item.get(row.id, [])) for row in items]
            yield from (entry for entry in chunk if entry is not None)
            if len(items) < batch:
                return
            tail = items[-1]
            assert tail.event_start is not None
            last = (tail.event_start, tail.id)


def _agenda_entry(item: Item, own: Sequence[Any]) -> AgendaEntry | None:
    if not own:
        return None
    urls = tuple(
        (str(d.channel), str(d.remote_url))
        for d in own
        if d.state == State.PUBLISHED and d.remote_url and not d.dry_run
    )
    return AgendaEntry(
        item=item, key=str(own[0].key), urls=urls, channels=tuple(str(d.channel) for d in own)
    )


def _without_limit(where: DeliveryFilter) -> DeliveryFilter:
    from dataclasses import replace

    return replace(where, limit=None)
