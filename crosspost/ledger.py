"""What a read of the ledger asks and gets back, without SQLAlchemy.

The store (crosspost/store/, SQLAlchemy) and the quick SQLite reader of the
officer's commands (crosspost/sqlite_reads.py, the standard library's sqlite3)
share these: the filter a list asks with, the small records they return, and the
one conversion of a stored row (anything with the columns as attributes) to the
domain's `Item` and `Delivery`. So both give the same objects, and `list`, `show`
and `status` print them with the same code. The way back too: the values a new
item's and its deliveries' rows are written with, whether the store writes them or
`add`'s quick SQLite path does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crosspost.domain import Attempt, Delivery, Item, NewItem, PlannedDelivery
from crosspost.item_fields import item_values, row_values
from crosspost.states import IN_FLIGHT, State

#: States in which a delivery holds its time on its channel (it went out, or will, or may have).
OCCUPYING: frozenset[State] = frozenset({State.PENDING, *IN_FLIGHT, State.PUBLISHED, State.UNKNOWN})


@dataclass(frozen=True)
class DeliveryFilter:
    """What `list`, exports and reports ask for; None means 'any'."""

    states: tuple[str, ...] | None = None
    channels: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    item_ids: tuple[int, ...] | None = None
    limit: int | None = None


@dataclass(frozen=True)
class ChannelPause:
    channel: str
    reason: str
    since: datetime


@dataclass(frozen=True)
class WorkerInfo:
    id: str
    mode: str
    hostname: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime


@dataclass(frozen=True)
class DraftsWaiting:
    """How many drafts wait for review, and since when the oldest does."""

    count: int
    oldest_since: datetime | None


@dataclass(frozen=True)
class Occupied:
    """A time a channel is already busy with: when it went out, else when it is due."""

    channel: str
    at: datetime
    state: str


def new_key() -> str:
    """A delivery's idempotency key: the platforms see it, so it is random, not its id."""
    return uuid.uuid4().hex


def item_row(new: NewItem, now: datetime) -> dict[str, Any]:
    """The values a new item's row is inserted with."""
    return row_values(new) | {"created_at": now, "updated_at": now}


def delivery_row(item_id: int, planned: PlannedDelivery, now: datetime) -> dict[str, Any]:
    """The values a new delivery's row is inserted with: pending, due at its time."""
    return {
        "key": new_key(),
        "item_id": item_id,
        "channel": planned.channel,
        "step": planned.step,
        "role": planned.role,
        "due_at": planned.due_at,
        "next_attempt_at": planned.due_at,
        "state": State.PENDING,
        "attempts": 0,
        "dry_run": False,
        "updated_at": now,
    }


def announcement_links(
    plans: Sequence[tuple[int, Sequence[PlannedDelivery]]], ids: Iterator[int]
) -> list[dict[str, int]]:
    """Each announcement (and each of its reminders) pointing at the announced channel's
    own post: `ids` are the new deliveries' ids, in the order of `plans`."""
    links = []
    for _, plan in plans:
        by_step = {(planned.channel, planned.step): next(ids) for planned in plan}
        links += [
            {"child": by_step[(p.channel, p.step)], "parent": by_step[(p.waits_for, "")]}
            for p in plan
            if p.waits_for is not None and (p.waits_for, "") in by_step
        ]
    return links


def to_item(row: Any) -> Item:
    return Item(id=row.id, **item_values(row))


def to_delivery(
    row: Any,
    item: Item,
    parent: Any | None,
    *,
    with_attempts: bool = False,
) -> Delivery:
    attempts: tuple[Attempt, ...] = ()
    if with_attempts:
        attempts = tuple(
            Attempt(
                number=a.number,
                started_at=a.started_at,
                ended_at=a.ended_at,
                outcome=a.outcome,
                error_class=a.error_class,
                error_message=a.error_message,
                worker=a.worker,
                detail=a.detail,
            )
            for a in row.attempt_rows
        )
    return Delivery(
        id=row.id,
        key=row.key,
        item=item,
        channel=row.channel,
        role=row.role,
        due_at=row.due_at,
        state=row.state,
        step=row.step,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        claimed_by=row.claimed_by,
        lease_until=row.lease_until,
        remote_id=row.remote_id,
        remote_url=row.remote_url,
        published_at=row.published_at,
        dry_run=row.dry_run,
        last_error=row.last_error,
        progress=row.progress,
        waits_for_id=row.waits_for_id,
        waits_for_channel=parent.channel if parent is not None else None,
        announced_url=parent.remote_url if parent is not None else None,
        announced_key=parent.key if parent is not None else None,
        announced_remote_id=parent.remote_id if parent is not None else None,
        attempt_history=attempts,
    )
