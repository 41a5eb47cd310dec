"""The only package that writes SQL: add, route, change, claim and record deliveries.

Every state change goes through `_move`, a conditional UPDATE that names the
state it expects to leave; if another process moved the delivery first, no row
matches and the caller learns it (never a silent overwrite).

`Store` is assembled from one mixin per concern: the officer's changes
(`_items`), publication (`_publishing`), read-only reports (`_reports`).
"""

from __future__ import annotations

from crosspost.store._core import DeliveryFilter, busy_guard
from crosspost.store._items import ItemsMixin
from crosspost.store._publishing import ChannelPause, PublishingMixin, WorkerInfo
from crosspost.store._reports import ReportsMixin
from crosspost.store._series import Series, SeriesMixin


class Store(ItemsMixin, PublishingMixin, ReportsMixin, SeriesMixin):
    """The ledger: items, deliveries and attempts in one database."""


__all__ = ["ChannelPause", "DeliveryFilter", "Series", "Store", "WorkerInfo", "busy_guard"]
