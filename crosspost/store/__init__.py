"""The only package that writes SQL: add, route, change, claim and record deliveries.

Every write of a delivery's state is built by `_core.transition`, which refuses
a move `crosspost.states.TRANSITIONS` does not list and makes a conditional
UPDATE naming the states it may leave; if another process moved the delivery
first, no row matches and the caller learns it (never a silent overwrite).

`Store` is assembled from one mixin per concern: the officer's changes
(`_items`), moderation (`_review`), members' feeds (`_feeds`), access tokens
(`_tokens`), publication (`_publishing`), every read-only query (`_reports`),
recurring events (`_series`) and what paying channels spent (`_spend`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from crosspost.ledger import ChannelPause, DeliveryFilter, DraftsWaiting, WorkerInfo
from crosspost.store._core import busy_guard
from crosspost.store._feeds import Candidate, Feed, FeedsMixin, FeedSync
from crosspost.store._items import ItemsMixin
from crosspost.store._publishing import PublishingMixin
from crosspost.store._reports import ReportsMixin
from crosspost.store._review import ReviewMixin
from crosspost.store._series import Series, SeriesMixin
from crosspost.store._spend import SpendMixin
from crosspost.store._tokens import AccessToken, TokensMixin


class Store(
    ReviewMixin,
    ItemsMixin,
    FeedsMixin,
    TokensMixin,
    PublishingMixin,
    ReportsMixin,
    SeriesMixin,
    SpendMixin,
):
    """The ledger: items, deliveries and attempts in one database."""

    def save_posted(
        self,
        delivery_id: int,
        worker: str,
        progress: dict[str, Any],
        *,
        channel: str,
        charged: tuple[str, int, Decimal],
        at: datetime,
    ) -> None:
        """A part of a post is online: its resume state and what the platform charged
        for it (what, units, amount), committed together before the next part is sent.
        One write where there were two: each is a wait for a group commit in the middle
        of a publication (bench/RESULTS.md, issue 15)."""
        self._grouped(
            self.posted_write(
                delivery_id, worker, progress, channel=channel, charged=charged, at=at
            )
        )

    def posted_write(
        self,
        delivery_id: int,
        worker: str,
        progress: dict[str, Any],
        *,
        channel: str,
        charged: tuple[str, int, Decimal],
        at: datetime,
    ) -> Callable[[Connection], None]:
        """save_posted's statements, for a transaction of the caller's: the last part
        of a post goes in with its receipt (record_published's `with_part`)."""
        what, units, amount = charged
        progress_write = self._progress_write(delivery_id, worker, progress)
        spend_write = self._spend_write(channel, delivery_id, what, units, amount, at=at)

        def write(connection: Connection) -> None:
            progress_write(connection)
            spend_write(connection)

        return write


__all__ = [
    "AccessToken",
    "Candidate",
    "ChannelPause",
    "DeliveryFilter",
    "DraftsWaiting",
    "Feed",
    "FeedSync",
    "Series",
    "Store",
    "WorkerInfo",
    "busy_guard",
]
