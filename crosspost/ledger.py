"""What a read of the ledger asks and gets back, without SQLAlchemy.

The store (crosspost/store/, SQLAlchemy) and the quick SQLite reader of the
officer's commands (crosspost/sqlite_reads.py, the standard library's sqlite3)
share these: the filter a list asks with, the small records they return, and the
one conversion of a stored row (anything with the columns as attributes) to the
domain's `Item` and `Delivery`. So both give the same objects, and `list`, `show`
and `status` print them with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crosspost.domain import Attempt, Delivery, Item
from crosspost.item_fields import item_values


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
