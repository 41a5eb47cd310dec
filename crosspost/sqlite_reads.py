"""The officer's read commands on a SQLite ledger, through the standard library's sqlite3.

`crosspost list`, `show` and `status` are typed many times a day; importing
SQLAlchemy's ORM to run a handful of SELECTs cost most of their time (0.35 s of a
second). `Reader` runs the same queries as the store's (crosspost/store/_reports.py:
same tables, filters and order) and hands back the same domain objects, built by the
same conversion (crosspost/ledger.py); tests/test_sqlite_reads.py builds ledgers and
checks both give equal objects and the commands equal output.

It reads only a ledger already at the newest schema: a missing file, an older schema
or another backend open the store instead (`open_reader` returns None), which creates
or upgrades the database exactly as before. It writes only what `crosspost add`
writes, a new item and its deliveries (crosspost/sqlite_adds.py), with the reads
that command makes first. What it does not implement is asked of the store, opened
on first need (`fallback`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from crosspost.budget import Month, from_micros
from crosspost.domain import Delivery, Item, ItemRecord, NewItem, PlannedDelivery
from crosspost.errors import NotFound
from crosspost.i18n import _
from crosspost.ledger import (
    OCCUPYING,
    ChannelPause,
    DeliveryFilter,
    DraftsWaiting,
    Occupied,
    WorkerInfo,
    to_delivery,
    to_item,
)
from crosspost.schema_version import HEAD_REVISION
from crosspost.states import IN_FLIGHT, NEEDS_ATTENTION, State, parse

#: How long a read waits for a writer holding the file (as the store's busy timeout).
BUSY_TIMEOUT_S = 15.0

#: Values per IN (...) list, as the store's.
_CHUNK = 500


def _time(value: Any) -> datetime | None:
    """A stored time as the store's UTCDateTime gives it: aware UTC.

    SQLAlchemy writes SQLite times as 'YYYY-MM-DD HH:MM:SS.ffffff' (naive UTC).
    """
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _json(value: Any) -> Any:
    return None if value is None else json.loads(value)


def _state(value: Any) -> State | None:
    return None if value is None else State(value)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def stored_time(moment: datetime) -> str:
    """A bound time as SQLAlchemy binds it on SQLite, so comparisons match its own."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the ledger; times must carry a zone")
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


#: Every column the reads use, and how its stored value becomes the store's Python
#: value (None: as sqlite3 returns it). tests/test_sqlite_reads.py checks these against
#: crosspost/models.py: a column added there and missing here fails it.
COLUMNS: dict[str, dict[str, Callable[[Any], Any] | None]] = {
    "items": {
        "id": None,
        "kind": None,
        "title": None,
        "body": None,
        "link": None,
        "image_path": None,
        "image_alt": None,
        "tags": _json,
        "event_start": _time,
        "event_end": _time,
        "location": None,
        "requested_at": _time,
        "deadline": _time,
        "step_texts": _json,
        "variants": _json,
        "series_id": None,
        "occurrence": None,
        "status": None,
        "source": None,
        "reviewed_at": _time,
        "review_note": None,
        "created_at": _time,
        "updated_at": _time,
    },
    "deliveries": {
        "id": None,
        "key": None,
        "item_id": None,
        "channel": None,
        "role": None,
        "step": None,
        "due_at": _time,
        "state": _state,
        "attempts": None,
        "next_attempt_at": _time,
        "claimed_by": None,
        "lease_until": _time,
        "remote_id": None,
        "remote_url": None,
        "published_at": _time,
        "dry_run": _bool,
        "last_error": None,
        "progress": _json,
        "waits_for_id": None,
        "updated_at": _time,
    },
    "attempts": {
        "id": None,
        "delivery_id": None,
        "number": None,
        "worker": None,
        "started_at": _time,
        "ended_at": _time,
        "outcome": None,
        "error_class": None,
        "error_message": None,
        "detail": _json,
    },
    "channel_states": {
        "channel": None,
        "paused_reason": None,
        "paused_at": _time,
        "checked_at": _time,
    },
    "workers": {
        "id": None,
        "mode": None,
        "hostname": None,
        "pid": None,
        "started_at": _time,
        "heartbeat_at": _time,
    },
}


def _select(table: str, alias: str) -> str:
    """`alias.col AS alias_col, ...` for every column of `table`."""
    return ", ".join(f'{alias}."{c}" AS "{alias}_{c}"' for c in COLUMNS[table])


def _row(table: str, alias: str, values: sqlite3.Row) -> SimpleNamespace:
    """One table's columns of a result row, decoded, as attributes (like an ORM row)."""
    return SimpleNamespace(
        **{
            column: (value if decode is None else decode(value))
            for column, decode in COLUMNS[table].items()
            for value in (values[f"{alias}_{column}"],)
        }
    )


_DELIVERY_AND_ITEM = (
    f"SELECT {_select('deliveries', 'd')}, {_select('items', 'i')} "
    "FROM deliveries AS d JOIN items AS i ON d.item_id = i.id"
)


def sqlite_path(url: str) -> Path | None:
    """The file of a plain `sqlite:///PATH` URL (None for anything else: the store opens it)."""
    match = re.fullmatch(r"sqlite(?:\+pysqlite)?:///([^?]+)", url)
    if match is None:
        return None
    path = match.group(1)
    if path == ":memory:" or path.startswith(("file:", ":")):
        return None
    return Path(path)


def open_reader(url: str, fallback: Callable[[], Any]) -> Reader | None:
    """A reader of the SQLite ledger at `url` when it is there at the newest schema, else None.

    None sends the caller to the store, which creates the database or upgrades it
    (migrations run on first use) and reports what is wrong as it always has.
    """
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return None
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        found = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:  # no such table (not a ledger yet), locked, not a database...
        connection.close()
        return None
    if found != [(HEAD_REVISION,)]:
        connection.close()
        return None
    connection.row_factory = sqlite3.Row
    # As the store's connections (crosspost/db.py), for `add`'s writes (crosspost/sqlite_adds.py).
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA synchronous=NORMAL")
    return Reader(connection, fallback, url)


class Reader:
    """The store's read methods the officer's commands use, on one sqlite3 connection."""

    def __init__(
        self, connection: sqlite3.Connection, fallback: Callable[[], Any], url: str = ""
    ) -> None:
        self._connection = connection
        self._fallback = fallback
        #: How messages name the ledger.
        self._url = url

    def __getattr__(self, name: str) -> Any:
        # Reads not written here (this month's spend of a paying channel...) go to the store.
        return getattr(self._fallback(), name)

    def close(self) -> None:
        self._connection.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction (WAL: it neither waits for nor blocks a writer)."""
        with self._transaction("BEGIN") as db:
            yield db

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        try:
            self._connection.execute(begin)
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            # The store's words (crosspost/store/_core.busy_guard): busy, unreadable disk...
            from crosspost.db_errors import explain

            problem = explain(exc, self._url)
            if problem is None:
                raise
            raise problem from None

    # ------------------------------------------------------------ items and deliveries

    def get_item(self, item_id: int) -> ItemRecord:
        with self._read() as db:
            found = db.execute(
                f"SELECT {_select('items', 'i')} FROM items AS i WHERE i.id = ?", (item_id,)
            ).fetchone()
            if found is None:
                raise NotFound(_("there is no item {id} (see `crosspost list`)").format(id=item_id))
            item = to_item(_row("items", "i", found))
            rows = [
                _row("deliveries", "d", r)
                for r in db.execute(
                    f"SELECT {_select('deliveries', 'd')} FROM deliveries AS d "
                    "WHERE d.item_id = ? ORDER BY d.id",
                    (item_id,),
                )
            ]
            attempts: dict[int, list[SimpleNamespace]] = {r.id: [] for r in rows}
            for chunk in _chunks(list(attempts)):
                for found in db.execute(
                    f"SELECT {_select('attempts', 'a')} FROM attempts AS a "
                    f"WHERE a.delivery_id IN ({_marks(chunk)}) ORDER BY a.id",
                    chunk,
                ):
                    attempt = _row("attempts", "a", found)
                    attempts[attempt.delivery_id].append(attempt)
            for row in rows:
                row.attempt_rows = attempts[row.id]
            parents = _parents_of(db, rows)
            deliveries = tuple(
                to_delivery(r, item, _parent(parents, r), with_attempts=True) for r in rows
            )
            return ItemRecord(item=item, deliveries=deliveries)

    def list_deliveries(self, where: DeliveryFilter = DeliveryFilter()) -> list[Delivery]:
        """Deliveries with their items, by due time."""
        conditions, values = _filter(where)
        query = _DELIVERY_AND_ITEM
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += ' ORDER BY d."due_at", d."id"'
        if where.limit:
            query += " LIMIT ?"
            values.append(where.limit)
        with self._read() as db:
            found = db.execute(query, values).fetchall()
            rows = [_row("deliveries", "d", r) for r in found]
            parents = _parents_of(db, rows)
            items: dict[int, Item] = {}
            out = []
            for row, values_row in zip(rows, found, strict=True):
                item_id = values_row["i_id"]
                item = items.get(item_id)
                if item is None:
                    item = items[item_id] = to_item(_row("items", "i", values_row))
                out.append(to_delivery(row, item, _parent(parents, row)))
            return out

    def count_by_state(self) -> dict[str, int]:
        with self._read() as db:
            found = db.execute("SELECT state, count(*) FROM deliveries GROUP BY state")
            return {str(State(state)): int(count) for state, count in found}

    # ------------------------------------------------------------ what status shows

    def paused_channels(self) -> list[ChannelPause]:
        with self._read() as db:
            found = db.execute(
                f"SELECT {_select('channel_states', 'c')} FROM channel_states AS c "
                "WHERE c.paused_reason IS NOT NULL"
            ).fetchall()
        rows = [_row("channel_states", "c", r) for r in found]
        return [
            ChannelPause(r.channel, r.paused_reason or "", r.paused_at or r.checked_at)
            for r in rows
        ]

    def workers(self) -> list[WorkerInfo]:
        with self._read() as db:
            found = db.execute(
                f"SELECT {_select('workers', 'w')} FROM workers AS w ORDER BY w.started_at"
            ).fetchall()
        rows = [_row("workers", "w", r) for r in found]
        return [
            WorkerInfo(r.id, r.mode, r.hostname, r.pid, r.started_at, r.heartbeat_at) for r in rows
        ]

    def held_announcements(self) -> list[Delivery]:
        """Pending announcements whose announced post failed, was cancelled or is unknown."""
        states = sorted(s.value for s in NEEDS_ATTENTION | {State.CANCELLED})
        with self._read() as db:
            ids = [
                r[0]
                for r in db.execute(
                    # From the few announced posts in trouble to their announcements
                    # (ix_deliveries_waits_for): CROSS JOIN fixes that order, where
                    # SQLite read every pending delivery (27 ms of 100,000). Same rows.
                    "SELECT d.id FROM deliveries AS p "
                    "CROSS JOIN deliveries AS d ON p.id = d.waits_for_id "
                    f"WHERE d.state = ? AND p.state IN ({_marks(states)})",
                    [State.PENDING.value, *states],
                )
            ]
            return _load(db, ids) if ids else []

    def stuck(self, now: datetime) -> list[Delivery]:
        """In flight with an expired lease: a publisher died; the reaper will settle them."""
        states = sorted(s.value for s in IN_FLIGHT)
        with self._read() as db:
            ids = [
                r[0]
                for r in db.execute(
                    f"SELECT d.id FROM deliveries AS d WHERE d.state IN ({_marks(states)}) "
                    "AND d.lease_until < ?",
                    [*states, stored_time(now)],
                )
            ]
            return _load(db, ids) if ids else []

    def drafts_waiting(self) -> DraftsWaiting:
        with self._read() as db:
            count, oldest = db.execute(
                "SELECT count(*), min(created_at) FROM items WHERE status = 'draft'"
            ).fetchone()
        return DraftsWaiting(int(count), _time(oldest))

    # ------------------------------------------------------------ what `add` reads and writes

    def find_duplicates(
        self, wanted: Sequence[tuple[NewItem, tuple[datetime, datetime | None]]]
    ) -> list[int | None]:
        """The store's `find_duplicates` (crosspost/store/_reports.py)."""
        found: list[int | None] = [None] * len(wanted)
        if not wanted:
            return found
        titles = sorted({new.title for new, _ in wanted})
        kinds = sorted({new.kind for new, _ in wanted})
        earliest = stored_time(min(low for _, (low, _high) in wanted))
        by_content: dict[tuple[str, str, str], list[tuple[datetime, int]]] = {}
        with self._read() as db:
            for chunk in _chunks(titles):
                for item_id, kind, title, body, requested_at in db.execute(
                    "SELECT id, kind, title, body, requested_at FROM items "
                    f"WHERE kind IN ({_marks(kinds)}) AND requested_at >= ? "
                    f"AND title IN ({_marks(chunk)}) AND status IN ('active', 'draft') "
                    "ORDER BY id",
                    [*kinds, earliest, *chunk],
                ):
                    when = _time(requested_at)
                    assert when is not None  # a column without NULLs
                    by_content.setdefault((kind, title, body or ""), []).append((when, item_id))
        for index, (new, (low, high)) in enumerate(wanted):
            for requested_at, item_id in by_content.get((new.kind, new.title, new.body), ()):
                if requested_at >= low and (high is None or requested_at <= high):
                    found[index] = item_id
                    break
        return found

    def occupied(self, channels: Sequence[str], start: datetime, end: datetime) -> list[Occupied]:
        """The store's `occupied`: times taken on these channels in [start, end)."""
        if not channels:
            return []
        states = sorted(s.value for s in OCCUPYING)
        low, high = stored_time(start), stored_time(end)
        with self._read() as db:
            rows = db.execute(
                "SELECT channel, due_at, published_at, state FROM deliveries "
                f"WHERE channel IN ({_marks(channels)}) AND state IN ({_marks(states)}) "
                "AND (due_at BETWEEN ? AND ? OR published_at BETWEEN ? AND ?)",
                [*channels, *states, low, high, low, high],
            ).fetchall()
        out = []
        for channel, due_at, published_at, state in rows:
            published = _time(published_at)
            at = published if state == State.PUBLISHED.value and published else _time(due_at)
            assert at is not None
            if start <= at < end:
                out.append(Occupied(str(channel), at, str(State(state))))
        return sorted(out, key=lambda o: (o.at, o.channel))

    def month_spend(
        self, month: Month, channels: Iterable[str] | None = None
    ) -> dict[str, Decimal]:
        """The store's `month_spend`: each channel's spend in `month`, reservations included."""
        query = "SELECT channel, sum(micros) FROM spend WHERE at >= ? AND at < ?"
        values: list[Any] = [stored_time(month.start), stored_time(month.end)]
        if channels is not None:
            chosen = list(channels)
            query += f" AND channel IN ({_marks(chosen)})"
            values += chosen
        with self._read() as db:
            found = db.execute(query + " GROUP BY channel", values).fetchall()
        return {name: from_micros(int(total or 0)) for name, total in found}

    def add_items(self, batch: Sequence[tuple[NewItem, Sequence[PlannedDelivery]]]) -> list[int]:
        """The store's `add_items`: items and their deliveries in one transaction.

        BEGIN IMMEDIATE, as the store's writes: the write lock is taken first, so a
        publisher's write in between cannot fail this one half-way.
        """
        if not batch:
            return []
        from crosspost.clock import utcnow
        from crosspost.sqlite_adds import insert_items

        with self._transaction("BEGIN IMMEDIATE") as db:
            return insert_items(db, batch, utcnow())


# ---------------------------------------------------------------- helpers


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _filter(where: DeliveryFilter) -> tuple[list[str], list[Any]]:
    """The store's `_apply_filter` (crosspost/store/_core.py) as SQL text and values."""
    conditions: list[str] = []
    values: list[Any] = []

    def among(column: str, chosen: Sequence[Any]) -> None:
        conditions.append(f"{column} IN ({_marks(chosen)})")
        values.extend(chosen)

    if where.states:
        # The first few due from a time (status's "Next"): walking ix_deliveries_due from
        # that time stops after `limit` rows, where SQLite's own choice, the state index,
        # read every pending delivery and sorted them (47 ms of 100,000). The unary + only
        # keeps the state index out of the plan; the rows and their order are the same.
        by_due_time = where.due_from is not None and bool(where.limit)
        among('+d."state"' if by_due_time else 'd."state"', [parse(s).value for s in where.states])
    if where.channels:
        among('d."channel"', list(where.channels))
    if where.kinds:
        among('i."kind"', list(where.kinds))
    if where.due_from is not None:
        conditions.append('d."due_at" >= ?')
        values.append(stored_time(where.due_from))
    if where.due_to is not None:
        conditions.append('d."due_at" < ?')
        values.append(stored_time(where.due_to))
    if where.item_ids:
        among('d."item_id"', list(where.item_ids))
    return conditions, values


def _parents_of(db: sqlite3.Connection, rows: Sequence[SimpleNamespace]) -> dict[int, Any]:
    ids = sorted({r.waits_for_id for r in rows if r.waits_for_id is not None})
    parents: dict[int, Any] = {}
    for chunk in _chunks(ids):
        for found in db.execute(
            f"SELECT {_select('deliveries', 'd')} FROM deliveries AS d "
            f"WHERE d.id IN ({_marks(chunk)})",
            chunk,
        ):
            parent = _row("deliveries", "d", found)
            parents[parent.id] = parent
    return parents


def _parent(parents: dict[int, Any], row: SimpleNamespace) -> Any | None:
    return parents.get(row.waits_for_id) if row.waits_for_id is not None else None


def _load(db: sqlite3.Connection, ids: Sequence[int]) -> list[Delivery]:
    """The store's `_load`: these deliveries with their items, by next attempt.

    One query, as the store's (chunks would change the order).
    """
    found = db.execute(
        f'{_DELIVERY_AND_ITEM} WHERE d."id" IN ({_marks(ids)}) '
        'ORDER BY d."next_attempt_at", d."id"',
        list(ids),
    ).fetchall()
    rows = [_row("deliveries", "d", r) for r in found]
    parents = _parents_of(db, rows)
    return [
        to_delivery(r, to_item(_row("items", "i", f)), _parent(parents, r))
        for r, f in zip(rows, found, strict=True)
    ]
