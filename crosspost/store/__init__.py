"""The only package that writes SQL: add, route, change, claim and record deliveries.

Every write of a delivery's state is built by `_core.transition`, which refuses
a move `crosspost.states.TRANSITIONS` does not list and makes a conditional
UPDATE naming the states it may leave; if another process moved the delivery
first, no row matches and the caller learns it (never a silent overwrite).

`Store` is assembled from one mixin per concern: the officer's changes
(`_items`), publication (`_publishing`), every read-only query (`_reports`),
recurring events (`_series`) and what paying channels spent (`_spend`).
"""

from __future__ import annotations

from crosspost.store._core import DeliveryFilter, busy_guard
from crosspost.store._items import ItemsMixin
from crosspost.store._publishing import PublishingMixin
from crosspost.store._reports import ChannelPause, ReportsMixin, WorkerInfo
from crosspost.store._series import Series, SeriesMixin
from crosspost.store._spend import SpendMixin


class Store(ItemsMixin, PublishingMixin, ReportsMixin, SeriesMixin, SpendMixin):
    """The ledger: items, deliveries and attempts in one database."""


__all__ = ["ChannelPause", "DeliveryFilter", "Series", "Store", "WorkerInfo", "busy_guard"]
