"""Moderation: drafts wait without deliveries until a reviewer approves or rejects them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from crosspost.clock import utcnow
from crosspost.domain import Item, PlannedDelivery
from crosspost.errors import Conflict
from crosspost.models import ItemRow
from crosspost.store._core import _item
from crosspost.store._items import ItemsMixin, _insert_deliveries, _item_row, _set_fields


@dataclass(frozen=True)
class DraftsWaiting:
    """How many drafts wait for review, and since when the oldest does."""

    count: int
    oldest_since: datetime | None


class ReviewMixin(ItemsMixin):
    """Drafts as the reviewer sees and decides them."""

    def drafts(self, *, status: str = "draft", limit: int | None = None) -> list[Item]:
        """Items waiting for review (or rejected ones), oldest first."""
        with self._read() as session:
            query = (
                select(ItemRow)
                .where(ItemRow.status == status)
                .order_by(ItemRow.created_at, ItemRow.id)
            )
            if limit:
                query = query.limit(limit)
            return [_item(row) for row in session.scalars(query)]

    def drafts_waiting(self) -> DraftsWaiting:
        with self._read() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(ItemRow.created_at)).where(ItemRow.status == "draft")
            ).one()
        return DraftsWaiting(int(count), _aware(oldest))

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


def _aware(moment: datetime | None) -> datetime | None:
    """func.min bypasses the column type: SQLite hands back a naive UTC value (or text)."""
    from datetime import UTC

    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
