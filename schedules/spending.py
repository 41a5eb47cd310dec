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


def posted_saver(
    store: Store, delivery: Delivery, worker: str, clock: Callable[[], datetime]
) -> Callable[[dict[str, Any], Charge], None]:
    """What a PublishJob calls when a part of `delivery` went out: its progress and its
    charge in one committed write."""

    def save(progress: dict[str, Any], bill: Charge) -> None:
        store.save_posted(
            delivery.id,
            worker,
            progress,
            channel=delivery.channel,
            charged=(bill.what, bill.units, bill.amount),
            at=clock(),
        )

    return save


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
