"""A paying channel's budget at publication time: reserve before sending, bill as answered.

The engine asks `reserve` before it commits an attempt: a post that would take the
month's spend over the channel's budget is held (pending until the next month, with
the sums in its message), never sent. Once the outcome is known the reservation is
settled: what the platform created was billed as it answered (`charger`), so the
reservation goes; after a lost answer it stays (the post may be out) until the
reconciler finds the post (`confirm`) or not (`release`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from channels.base import Channel, Charge, Rendered
from crosspost.budget import Verdict, month_of
from crosspost.config import Settings
from crosspost.domain import Delivery
from crosspost.store import Store


def charger(
    store: Store, delivery: Delivery, clock: Callable[[], datetime]
) -> Callable[[Charge], None]:
    """What a PublishJob calls when the platform bills a request of `delivery`."""

    def charge(bill: Charge) -> None:
        store.record_spend(
            delivery.channel, delivery.id, bill.what, bill.units, bill.amount, at=clock()
        )

    return charge


class PostedParts:
    """What a PublishJob calls when a part of a delivery went out: its progress and
    its charge in one committed write, but the last part's kept for the transaction
    that records the receipt (`held`), or written by `flush` if none comes."""

    def __init__(
        self, store: Store, delivery: Delivery, worker: str, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._delivery = delivery
        self._worker = worker
        self._clock = clock
        self._last: tuple[dict[str, Any], Charge, datetime] | None = None

    def __call__(self, progress: dict[str, Any], bill: Charge, last: bool) -> None:
        if last:
            self._last = (progress, bill, self._clock())
        else:
            self._store.save_posted(**self._fields(progress, bill, self._clock()))

    def held(self) -> Callable[[Connection], None] | None:
        """The last part's write, for record_published's transaction (then forgotten)."""
        if self._last is None:
            return None
        progress, bill, at = self._last
        self._last = None
        return self._store.posted_write(**self._fields(progress, bill, at))

    def flush(self) -> None:
        """No receipt to record it with (the send failed after its last part): alone."""
        if self._last is not None:
            progress, bill, at = self._last
            self._last = None
            self._store.save_posted(**self._fields(progress, bill, at))

    def _fields(self, progress: dict[str, Any], bill: Charge, at: datetime) -> dict[str, Any]:
        delivery = self._delivery
        return {
            "delivery_id": delivery.id,
            "worker": self._worker,
            "progress": progress,
            "channel": delivery.channel,
            "charged": (bill.what, bill.units, bill.amount),
            "at": at,
        }


def reserve(
    store: Store,
    settings: Settings,
    channel: Channel,
    delivery: Delivery,
    rendered: Rendered,
    now: datetime,
) -> Verdict | None:
    """The budget's verdict for sending `rendered` now (its cost reserved if it fits);
    None when the channel has no budget."""
    budget = channel.budget_per_month
    if budget is None:
        return None
    month = month_of(now, settings.zone)
    cost = channel.cost(rendered)
    return store.reserve_spend(delivery.channel, delivery.id, cost, budget, month, now=now)
