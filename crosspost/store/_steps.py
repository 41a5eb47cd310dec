"""The store's side of sequences: notices where an item already went out, deadlines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crosspost.clock import utcnow
from crosspost.domain import Change, PlannedDelivery
from crosspost.models import DeliveryRow, ItemRow
from crosspost.states import State
from crosspost.store._core import StoreBase, _insert_deliveries, _move_row

#: The officer's recap note is not a post of the item: it is out only for the officer.
_RECAP = "recap"


@dataclass(frozen=True)
class Notices:
    """Cancellation (or closing) notices `cancel` adds where the item is already out."""

    due_at: datetime
    #: The channels where a notice is wanted (cancel_notice on).
    channels: frozenset[str]
    step: str = "cancelled"
    reason: str = "cancellation notice"
    #: Of those, the channels where the notice rewrites the post itself (a blog).
    updates: frozenset[str] = frozenset()


def _label(delivery: DeliveryRow | PlannedDelivery) -> str:
    """'facebook', or 'facebook -1d' for a step of its sequence."""
    return f"{delivery.channel} {delivery.step}" if delivery.step else delivery.channel


class StepsMixin(StoreBase):
    """Writing planned deliveries, and the ones added by what happens to an item
    (notices where it already went out, deadlines)."""

    def _link_announcements(
        self, session: Session, item_id: int, plan: Iterable[PlannedDelivery]
    ) -> None:
        """Point each announcement of `plan` at the post it announces (new or not)."""
        existing = {
            (d.channel, d.step): d
            for d in session.scalars(select(DeliveryRow).where(DeliveryRow.item_id == item_id))
        }
        for planned in plan:
            if planned.waits_for is not None:
                child = existing[(planned.channel, planned.step)]
                child.waits_for_id = existing[(planned.waits_for, "")].id

    def _add_notices(
        self, session: Session, row: ItemRow, chosen: list[DeliveryRow], notices: Notices
    ) -> list[Change]:
        """A notice on each chosen channel where something of the item is out (once)."""
        by_key = {(d.channel, d.step): d for d in row.deliveries}
        out_on = {
            d.channel
            for d in chosen
            if d.state is State.PUBLISHED and d.step not in (notices.step, _RECAP)
        }
        plan = []
        for channel in sorted(out_on & set(notices.channels)):
            if (channel, notices.step) in by_key:
                continue
            main = by_key.get((channel, ""))
            if channel in notices.updates:
                if main is not None and main.state is State.PUBLISHED and main.role == "post":
                    plan.append(
                        PlannedDelivery(
                            channel,
                            notices.due_at,
                            role="update",
                            waits_for=channel,
                            step=notices.step,
                        )
                    )
                continue
            by_id = {d.id: d for d in row.deliveries}
            parent = by_id.get(main.waits_for_id) if main and main.waits_for_id else None
            # An announcement's notice links the announced post too (it carries the news).
            announces = main is not None and main.role == "announce" and parent is not None
            waits = parent.channel if announces and parent is not None else None
            plan.append(
                PlannedDelivery(
                    channel,
                    notices.due_at,
                    role="announce" if waits else "post",
                    waits_for=waits,
                    step=notices.step,
                )
            )
        session.flush()
        _insert_deliveries(session, [(row.id, plan)], utcnow())
        self._link_announcements(session, row.id, plan)
        # The new rows are not in the loaded collection yet: read it again.
        session.expire(row, ["deliveries"])
        return [Change(_label(p), "-", State.PENDING, notices.reason) for p in plan]

    def close_expired(
        self, now: datetime, notices: Notices | None
    ) -> list[tuple[int, list[Change]]]:
        """Items whose deadline has passed: what is still pending is cancelled, and the
        post is marked closed where a channel can change it (one transaction per item)."""
        with self._read() as session:
            ids = list(
                session.scalars(
                    select(ItemRow.id)
                    .where(
                        ItemRow.deadline.is_not(None),
                        ItemRow.deadline <= now,
                        ItemRow.status == "active",
                    )
                    .order_by(ItemRow.id)
                )
            )
        done = []
        for item_id in ids:
            with self._session() as session:
                row = session.get(ItemRow, item_id, options=[selectinload(ItemRow.deliveries)])
                if row is None or row.status != "active":
                    continue  # another publisher closed it first
                report = []
                for delivery in row.deliveries:
                    old = delivery.state
                    if old in (State.PENDING, State.SKIPPED_LATE):
                        _move_row(session, delivery, old, State.CANCELLED)
                        report.append(
                            Change(_label(delivery), old, State.CANCELLED, "deadline passed")
                        )
                if notices is not None:
                    report += self._add_notices(session, row, list(row.deliveries), notices)
                row.status = "closed"
                done.append((item_id, report))
        return done
