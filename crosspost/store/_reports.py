"""Every read-only query of the ledger: what the publisher looks at, lists, exports, health.

Nothing here writes: each query runs in a `_read` transaction, which on SQLite
(WAL) neither waits for nor blocks a writer. Times come back aware UTC; grouping
them by local day, week or month is the caller's business, because doing it in
SQL would differ between SQLite and PostgreSQL (and the configured zone's DST
rules would have to be spelled out).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from crosspost.domain import Delivery, Item, ItemRecord, NewItem
from crosspost.errors import NotFound
from crosspost.i18n import _
from crosspost.ledger import OCCUPYING, ChannelPause, DraftsWaiting, Occupied, WorkerInfo
from crosspost.models import ChannelStateRow, DeliveryRow, ItemRow, SeriesRow, WorkerRow
from crosspost.states import IN_FLIGHT, NEEDS_ATTENTION, State
from crosspost.store._core import (
    DeliveryFilter,
    StoreBase,
    _apply_filter,
    _delivery,
    _item,
    _load,
    _not_paused,
    _parent,
    _parent_published,
    _parents_of,
    busy_guard,
)
from crosspost.store._series import Series

#: Values per IN (...) list, well under every backend's limit on bound parameters.
_CHUNK = 500


#: The earliest due time, as ORDER BY ... LIMIT 1 rather than min(): PostgreSQL then walks
#: ix_deliveries_state_next and stops at the first row that may go out, instead of
#: scanning every pending delivery (0.5 s for 1M, every second, from the watch job).
_NEXT_DUE = (
    select(DeliveryRow.next_attempt_at)
    .where(
        DeliveryRow.state == State.PENDING,
        DeliveryRow.next_attempt_at.is_not(None),
        _parent_published(),
        _not_paused(),
    )
    .order_by(DeliveryRow.next_attempt_at)
    .limit(1)
)


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
    """What the publisher, the officer's lists, exports and health read; never a write."""

    # ------------------------------------------------------------ the publisher's reads

    def next_due(self, *, exclude_channels: Sequence[str] = ()) -> datetime | None:
        """When the earliest pending delivery that could go out becomes due."""
        query = _NEXT_DUE
        if exclude_channels:
            query = query.where(DeliveryRow.channel.not_in(exclude_channels))
        # A bare connection: the daemon asks after every publication (bench/RESULTS.md).
        with busy_guard(self.shown_url), self.engine.connect() as connection:
            result: datetime | None = connection.execute(query).scalar()
            return result

    def count_published_since(
        self, channel: str, since: datetime, *, besides: Sequence[int] = ()
    ) -> int:
        """Posts out or in flight on `channel` since `since`, for per-channel limits.

        `besides`: the caller's fresh claims, which it is deciding about.
        """
        with self._read() as session:
            published = select(func.count()).where(
                DeliveryRow.channel == channel,
                or_(
                    and_(
                        DeliveryRow.state == State.PUBLISHED,
                        DeliveryRow.published_at > since,
                    ),
                    and_(
                        DeliveryRow.state.in_(sorted(IN_FLIGHT)),
                        DeliveryRow.id.not_in(besides or [-1]),
                    ),
                ),
            )
            return int(session.scalar(published) or 0)

    def oldest_published_since(self, channel: str, since: datetime) -> datetime | None:
        with self._read() as session:
            return session.scalar(
                select(func.min(DeliveryRow.published_at)).where(
                    DeliveryRow.channel == channel,
                    DeliveryRow.state == State.PUBLISHED,
                    DeliveryRow.published_at > since,
                )
            )

    def unknown_to_reconcile(self, now: datetime, limit: int = 50) -> list[Delivery]:
        """Unknown deliveries whose settling delay has passed and that a lookup could settle."""
        with self._read() as session:
            ids = list(
                session.scalars(
                    select(DeliveryRow.id)
                    .where(
                        DeliveryRow.state == State.UNKNOWN,
                        DeliveryRow.next_attempt_at.is_not(None),
                        DeliveryRow.next_attempt_at <= now,
                    )
                    .order_by(DeliveryRow.next_attempt_at)
                    .limit(limit)
                )
            )
            return _load(session, ids) if ids else []

    def paused_channels(self) -> list[ChannelPause]:
        with self._read() as session:
            rows = session.scalars(
                select(ChannelStateRow).where(ChannelStateRow.paused_reason.is_not(None))
            )
            return [
                ChannelPause(r.channel, r.paused_reason or "", r.paused_at or r.checked_at)  # type: ignore[arg-type]
                for r in rows
            ]

    def workers(self) -> list[WorkerInfo]:
        with self._read() as session:
            rows = session.scalars(select(WorkerRow).order_by(WorkerRow.started_at))
            return [
                WorkerInfo(r.id, r.mode, r.hostname, r.pid, r.started_at, r.heartbeat_at)
                for r in rows
            ]

    def held_announcements(self) -> list[Delivery]:
        """Pending announcements whose announced post failed, was cancelled or is unknown."""
        parent = aliased(DeliveryRow)
        with self._read() as session:
            ids = list(
                session.scalars(
                    select(DeliveryRow.id)
                    .join(parent, parent.id == DeliveryRow.waits_for_id)
                    .where(
                        DeliveryRow.state == State.PENDING,
                        parent.state.in_(sorted(NEEDS_ATTENTION | {State.CANCELLED})),
                    )
                )
            )
            return _load(session, ids) if ids else []

    def stuck(self, now: datetime) -> list[Delivery]:
        """In flight with an expired lease: a publisher died; the reaper will settle them."""
        with self._read() as session:
            ids = list(
                session.scalars(
                    select(DeliveryRow.id).where(
                        DeliveryRow.state.in_(sorted(IN_FLIGHT)),
                        DeliveryRow.lease_until < now,
                    )
                )
            )
            return _load(session, ids) if ids else []

    # ------------------------------------------------------------ items and deliveries

    def find_duplicates(
        self, wanted: Sequence[tuple[NewItem, tuple[datetime, datetime | None]]]
    ) -> list[int | None]:
        """For each new item, the id of an active item with the same kind, title and body
        whose requested time lies in the given range (`None` as its end: any later), or None.

        Read in chunks of titles, so a 10,000-row import is a few queries.
        """
        found: list[int | None] = [None] * len(wanted)
        if not wanted:
            return found
        titles = sorted({new.title for new, _ in wanted})
        kinds = sorted({new.kind for new, _ in wanted})
        earliest = min(low for _, (low, _high) in wanted)
        by_content: dict[tuple[str, str, str], list[tuple[datetime, int]]] = {}
        with self._read() as session:
            for start in range(0, len(titles), _CHUNK):
                rows = session.execute(
                    select(
                        ItemRow.id, ItemRow.kind, ItemRow.title, ItemRow.body, ItemRow.requested_at
                    )
                    .where(
                        # kind and requested_at first: the (kind, requested_at) index serves them.
                        ItemRow.kind.in_(kinds),
                        ItemRow.requested_at >= earliest,
                        ItemRow.title.in_(titles[start : start + _CHUNK]),
                        ItemRow.status.in_(("active", "draft")),
                    )
                    .order_by(ItemRow.id)
                )
                for item_id, kind, title, body, requested_at in rows:
                    by_content.setdefault((kind, title, body or ""), []).append(
                        (requested_at, item_id)
                    )
        for index, (new, (low, high)) in enumerate(wanted):
            for requested_at, item_id in by_content.get((new.kind, new.title, new.body), ()):
                if requested_at >= low and (high is None or requested_at <= high):
                    found[index] = item_id
                    break
        return found

    def get_item(self, item_id: int) -> ItemRecord:
        with self._read() as session:
            row = session.get(
                ItemRow,
                item_id,
                options=[selectinload(ItemRow.deliveries).selectinload(DeliveryRow.attempt_rows)],
            )
            if row is None:
                raise NotFound(_("there is no item {id} (see `crosspost list`)").format(id=item_id))
            parents = _parents_of(session, row.deliveries)
            item = _item(row)
            deliveries = tuple(
                _delivery(d, item, _parent(parents, d), with_attempts=True) for d in row.deliveries
            )
            return ItemRecord(item=item, deliveries=deliveries)

    def list_deliveries(self, where: DeliveryFilter = DeliveryFilter()) -> list[Delivery]:
        """Deliveries with their items, by due time."""
        with self._read() as session:
            query = (
                select(DeliveryRow, ItemRow)
                .join(ItemRow, DeliveryRow.item_id == ItemRow.id)
                .order_by(DeliveryRow.due_at, DeliveryRow.id)
            )
            query = _apply_filter(query, where)
            rows = session.execute(query).all()
            parents = _parents_of(session, [d for d, _ in rows])
            items: dict[int, Item] = {}
            out = []
            for delivery, item_row in rows:
                item = items.get(item_row.id) or items.setdefault(item_row.id, _item(item_row))
                out.append(_delivery(delivery, item, _parent(parents, delivery)))
            return out

    def iter_deliveries(
        self, where: DeliveryFilter = DeliveryFilter(), batch: int = 1000
    ) -> Iterator[Delivery]:
        """Like list_deliveries, in batches, for exports of any size."""
        last_due: datetime | None = None
        last_id = 0
        while True:
            with self._read() as session:
                query = (
                    select(DeliveryRow, ItemRow)
                    .join(ItemRow, DeliveryRow.item_id == ItemRow.id)
                    .order_by(DeliveryRow.due_at, DeliveryRow.id)
                    .limit(batch)
                )
                query = _apply_filter(query, where)
                if last_due is not None:
                    query = query.where(
                        or_(
                            DeliveryRow.due_at > last_due,
                            and_(DeliveryRow.due_at == last_due, DeliveryRow.id > last_id),
                        )
                    )
                rows = session.execute(query).all()
                parents = _parents_of(session, [d for d, _ in rows])
                chunk = [_delivery(d, _item(i), _parent(parents, d)) for d, i in rows]
            yield from chunk
            if len(rows) < batch:
                return
            last_due, last_id = chunk[-1].due_at, chunk[-1].id

    def count_by_state(self) -> dict[str, int]:
        with self._read() as session:
            rows = session.execute(
                select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state)
            ).all()
            return {str(state): int(count) for state, count in rows}

    # ------------------------------------------------------------ exports and health

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

    # ------------------------------------------------------------ review

    def drafts(self, *, status: str = "draft", limit: int | None = None) -> list[Item]:
        """Items waiting for review (or rejected ones), oldest first."""
        with self._read() as session:
            query = (
                select(ItemRow)
                .where(ItemRow.status == status)
                .order_by(ItemRow.created_at, ItemRow.id)
            )
            if limit:
                query = query.limit(limit)
            return [_item(row) for row in session.scalars(query)]

    def drafts_waiting(self) -> DraftsWaiting:
        with self._read() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(ItemRow.created_at)).where(ItemRow.status == "draft")
            ).one()
        return DraftsWaiting(int(count), _aware(oldest))

    # ------------------------------------------------------------ recurring events

    def get_series(self, series_id: int) -> Series:
        with self._read() as session:
            row = session.get(SeriesRow, series_id)
            if row is None:
                raise NotFound(_("there is no series {id}").format(id=series_id))
            return _series_of(session, row)

    def list_series(self) -> list[Series]:
        with self._read() as session:
            rows = session.scalars(select(SeriesRow).order_by(SeriesRow.id)).all()
            return [_series_of(session, row) for row in rows]


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


def _aware(moment: datetime | None) -> datetime | None:
    """func.min bypasses the column type: SQLite hands back a naive UTC value (or text)."""
    from datetime import UTC

    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _series_of(session: Session, row: SeriesRow) -> Series:
    items = session.execute(
        select(ItemRow.occurrence, ItemRow.id, ItemRow.status).where(ItemRow.series_id == row.id)
    ).all()
    return Series(
        id=row.id,
        rule=row.rule,
        start_local=row.start_local,
        until_local=row.until_local,
        fields=dict(row.fields),
        generated_until=row.generated_until,
        occurrences={str(o): (int(i), str(s)) for o, i, s in items if o},
    )
