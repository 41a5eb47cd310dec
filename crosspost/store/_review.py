"""Moderation: drafts wait without deliveries until a reviewer approves or rejects them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update

from crosspost.clock import utcnow
from crosspost.domain import Item, PlannedDelivery
from crosspost.errors import Conflict
from crosspost.models import ItemRow
from crosspost.store._core import _insert_deliveries, _item
from crosspost.store._items import ItemsMixin, _item_row, _set_fields


class ReviewMixin(ItemsMixin):
    """The reviewer's decisions (what waits is read in `_reports`)."""

    def approve(
        self,
        item_id: int,
        changes: dict[str, Any],
        plan: Sequence[PlannedDelivery],
        now: datetime,
    ) -> Item:
        """Route a draft (or a rejected item): its deliveries are written with the decision.

        The status moves by a conditional UPDATE, so two reviewers approving at once
        route it once; the loser is told who was first.
        """
        with self._session() as session:
            row = _item_row(session, item_id)
            decided = session.execute(
                update(ItemRow)
                .where(ItemRow.id == item_id, ItemRow.status.in_(("draft", "rejected")))
                .values(status="active", reviewed_at=now, review_note=None, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            session.refresh(row)
            if getattr(decided, "rowcount", 0) != 1:
                raise Conflict(_not_waiting(row))
            _set_fields(row, changes)
            # The one delivery insert, as for add: pending, announcements linked.
            _insert_deliveries(session, [(item_id, plan)], utcnow())
            session.flush()
            session.refresh(row)
            return _item(row)

    def reject(self, item_id: int, reason: str, now: datetime) -> Item:
        """Refuse a draft, with the reason; it keeps no deliveries and never goes out."""
        with self._session() as session:
            row = _item_row(session, item_id)
            decided = session.execute(
                update(ItemRow)
                .where(ItemRow.id == item_id, ItemRow.status == "draft")
                .values(status="rejected", reviewed_at=now, review_note=reason, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            session.refresh(row)
            if getattr(decided, "rowcount", 0) != 1:
                raise Conflict(_not_waiting(row))
            return _item(row)


def _not_waiting(row: ItemRow) -> str:
    if row.status == "rejected":
        return f"item {row.id} was rejected: {row.review_note}"
    return f"item {row.id} is not waiting for review: it is already {row.status}"
