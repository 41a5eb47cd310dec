"""`crosspost add` on a SQLite ledger: the item and its deliveries written through sqlite3.

`add` is typed many times a day, and SQLAlchemy's import was most of its time (as it
was of `list`'s: crosspost/sqlite_reads.py). Its reads (duplicates, the policy's busy
times, this month's spend) and its write go through the quick reader's connection;
the rows are the store's, built by the same functions (crosspost/ledger.py:
`item_row`, `delivery_row`, `announcement_links`) and stored as SQLAlchemy stores them
(tests/test_sqlite_adds.py writes the same items both ways and compares the rows).

Only `add` uses it, on a ledger already at the newest schema; imports, series, feeds
and every change of an existing item go through the store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from crosspost import sqlite_reads as reads
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.ledger import announcement_links, delivery_row, item_row
from crosspost.states import parse


def _time(value: datetime | None) -> str | None:
    return None if value is None else reads.stored_time(value)


def _json(value: Any) -> str:
    # As SQLAlchemy's JSON type binds it: json.dumps, None included (stored as 'null').
    return json.dumps(value)


def _state(value: Any) -> str:
    return parse(value).value


def _bool(value: Any) -> int | None:
    return None if value is None else int(bool(value))


def encoders() -> dict[str, dict[str, Callable[[Any], Any] | None]]:
    """How each column's Python value is stored: the reader's decoders, the other way."""
    back: dict[Any, Callable[[Any], Any]] = {
        reads._time: _time,
        reads._json: _json,
        reads._state: _state,
        reads._bool: _bool,
    }
    return {
        table: {column: back.get(decode) if decode else None for column, decode in cols.items()}
        for table, cols in reads.COLUMNS.items()
    }


def _insert(db: sqlite3.Connection, table: str, values: dict[str, Any]) -> int:
    encode = _ENCODE[table]
    columns = list(values)
    stored = []
    for column in columns:
        convert = encode[column]  # KeyError: a column crosspost/models.py does not have
        stored.append(values[column] if convert is None else convert(values[column]))
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    cursor = db.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', stored)
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def insert_items(
    db: sqlite3.Connection,
    batch: Sequence[tuple[NewItem, Sequence[PlannedDelivery]]],
    now: datetime,
) -> list[int]:
    """The store's `_insert_items` (crosspost/store/_items.py), in the caller's transaction."""
    for new, plan in batch:
        if new.status == "draft" and plan:
            raise ValueError("a draft is written without deliveries; route it when approved")
    ids = [_insert(db, "items", item_row(new, now)) for new, _ in batch]
    plans = [(item_id, plan) for item_id, (_, plan) in zip(ids, batch, strict=True)]
    delivery_ids = [
        _insert(db, "deliveries", delivery_row(item_id, planned, now))
        for item_id, plan in plans
        for planned in plan
    ]
    for link in announcement_links(plans, iter(delivery_ids)):
        db.execute(
            'UPDATE "deliveries" SET "waits_for_id" = ? WHERE "id" = ?',
            (link["parent"], link["child"]),
        )
    return ids


_ENCODE = encoders()
