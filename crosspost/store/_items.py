"""The officer's side of the ledger: add, edit, reschedule, cancel, retry, resolve, delete."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, selectinload

from crosspost.clock import utcnow
from crosspost.domain import Change, ItemRecord, NewItem, PlannedDelivery
from crosspost.errors import Conflict, NotFound
from crosspost.i18n import _
from crosspost.item_fields import BY_NAME
from crosspost.ledger import item_row
from crosspost.models import AttemptRow, DeliveryRow, FeedEntryRow, ItemRow
from crosspost.states import IN_FLIGHT, State, allowed
from crosspost.store._core import (
    _delivery,
    _insert_deliveries,
    _item,
    _move_row,
    _parent,
    _parents_of,
    _schedule_announcements,
    _table,
)
from crosspost.store._series import except_occurrence
from crosspost.store._steps import Notices, StepsMixin, _label
from crosspost.wording import state_name


class ItemsMixin(StepsMixin):
    """Items and their deliveries as the officer sees and changes them."""

    # ------------------------------------------------------------ adding

    def add_items(self, batch: Sequence[tuple[NewItem, Sequence[PlannedDelivery]]]) -> list[int]:
        """Write items and their deliveries in one transaction: all of them or none.

        Rows go in with one multi-row INSERT per table (an import of 10,000 rows is a
        few statements, not 20,000 round trips), ids coming back in order.
        """
        if not batch:
            return []
        with self._session() as session:
            return _insert_items(session, batch, utcnow())

    # ------------------------------------------------------------ the officer's changes

    def update_item(
        self,
        item_id: int,
        changes: dict[str, Any],
        plan: Sequence[PlannedDelivery] | None,
    ) -> list[Change]:
        """Change an item's content and, with a new plan, its pending deliveries only.

        Deliveries already published, failed or in flight are left as they are and
        reported, so an edit can never re-send or lose a post.
        """
        report: list[Change] = []
        with self._session() as session:
            row = _item_row(session, item_id)
            if row.status in UNROUTED:
                # Not routed yet: the content changes, the deliveries wait for approval.
                _set_fields(row, {k: v for k, v in changes.items() if k != "requested_at"})
                return [Change("review", row.status, row.status, _("routed when approved"))]
            deliveries = {(d.channel, d.step): d for d in row.deliveries}
            pending = [d for d in deliveries.values() if d.state is State.PENDING]
            if not pending and not (plan and _adds_channels(plan, deliveries)):
                raise Conflict(
                    _("item {id} has nothing left to change: {states}").format(
                        id=item_id, states=_states_sentence(deliveries.values())
                    )
                )
            _refuse_rewriting_what_is_partly_online(row, changes)
            _set_fields(row, changes)
            if plan is None:
                return [Change(_label(d), d.state, d.state, _("content updated")) for d in pending]
            wanted = {(p.channel, p.step): p for p in plan}
            fresh: list[PlannedDelivery] = []
            for planned in plan:
                current = deliveries.get((planned.channel, planned.step))
                name = _label(planned)
                if current is None:
                    fresh.append(planned)
                    report.append(Change(name, "-", State.PENDING, _("added")))
                elif current.state is State.PENDING:
                    moved = current.due_at != planned.due_at
                    current.due_at = planned.due_at
                    current.next_attempt_at = planned.due_at
                    current.role = planned.role
                    why = _("moved") if moved else _("updated")
                    report.append(Change(name, State.PENDING, State.PENDING, why))
                elif current.state is State.CANCELLED:
                    _move_row(session, current, State.CANCELLED, State.PENDING)
                    current.due_at = planned.due_at
                    current.next_attempt_at = planned.due_at
                    current.role = planned.role
                    report.append(Change(name, State.CANCELLED, State.PENDING, _("routed again")))
                else:
                    report.append(Change(name, current.state, None, _("not pending: left as is")))
            for place, current in deliveries.items():
                if place not in wanted and current.state is State.PENDING:
                    _move_row(session, current, State.PENDING, State.CANCELLED)
                    why = _("no longer planned") if current.step else _("no longer routed")
                    report.append(Change(_label(current), State.PENDING, State.CANCELLED, why))
            session.flush()
            _insert_deliveries(session, [(item_id, fresh)], utcnow())
            # The new rows are not in the loaded collection yet: read it again for the status.
            session.expire(row, ["deliveries"])
            self._link_announcements(session, item_id, plan)
            if any(d.state is not State.CANCELLED for d in row.deliveries):
                row.status = "active"
        return report

    def reschedule(
        self, item_id: int, new_time: datetime, channels: Sequence[str] | None = None
    ) -> list[Change]:
        """Move pending deliveries to `new_time`, keeping each one's offset from the item."""
        report: list[Change] = []
        with self._session() as session:
            row = _item_row(session, item_id)
            shift = new_time - row.requested_at
            touched = False
            # A reminder counts from the event, not from the publication: it stays.
            for delivery in (d for d in _selected(row, channels) if not d.step):
                if delivery.state is not State.PENDING:
                    report.append(Change(delivery.channel, delivery.state, None, _("not pending")))
                    continue
                delivery.due_at = delivery.due_at + shift
                delivery.next_attempt_at = delivery.due_at
                touched = True
                why = _("rescheduled")
                report.append(Change(delivery.channel, State.PENDING, State.PENDING, why))
            if touched and channels is None:
                row.requested_at = new_time
            row.updated_at = utcnow()
        return report

    def make_due_now(self, item_id: int, now: datetime) -> int:
        """`crosspost publish`: every pending delivery due now, announcements right after."""
        with self._session() as session:
            row = _item_row(session, item_id)
            pending = [d for d in row.deliveries if d.state is State.PENDING and not d.step]
            for delivery in pending:
                delivery.due_at = now
                delivery.next_attempt_at = now
            row.updated_at = utcnow()
            return len(pending)

    def cancel(
        self,
        item_id: int,
        channels: Sequence[str] | None = None,
        *,
        notices: Notices | None = None,
    ) -> list[Change]:
        """Withdraw pending (or skipped) deliveries; what already went out stays out.

        With `notices`, each of its channels where a post of the item is already out
        gets a notice saying so (e.g. "Annulé : ..."), in the same transaction.
        """
        with self._session() as session:
            row = _item_row(session, item_id)
            chosen = _selected(row, channels)
            report = _cancel_deliveries(session, row, chosen)
            if notices is not None:
                report += self._add_notices(session, row, chosen, notices)
            _settle_cancelled(row, everywhere=notices is not None and channels is None)
        return report

    def retry(
        self,
        item_id: int,
        now: datetime,
        channels: Sequence[str] | None = None,
        *,
        force: bool = False,
    ) -> list[Change]:
        """Queue failed or skipped deliveries again (unknown ones only with force)."""
        report: list[Change] = []
        with self._session() as session:
            row = _item_row(session, item_id)
            for delivery in _selected(row, channels):
                old = delivery.state
                if old in (State.FAILED, State.SKIPPED_LATE) or (force and old is State.UNKNOWN):
                    _move_row(session, delivery, old, State.PENDING)
                    delivery.next_attempt_at = now
                    delivery.last_error = None
                    # A forced retry is the officer's decision that nothing went out;
                    # the due time moves so the lateness rule does not skip it again.
                    delivery.due_at = max(delivery.due_at, now)
                    # Saved progress is what is already online (a thread's first
                    # parts): kept, so the retry continues it and posts nothing twice.
                    report.append(Change(delivery.channel, old.value, State.PENDING))
                elif old is State.UNKNOWN:
                    report.append(
                        Change(
                            delivery.channel,
                            old.value,
                            None,
                            _(
                                "may already be online: check the platform, then "
                                "`crosspost resolve` it or `crosspost retry --force`"
                            ),
                        )
                    )
                else:
                    report.append(Change(delivery.channel, old.value, None, _("nothing to retry")))
        return report

    def resolve(
        self, item_id: int, channel: str, url: str | None, now: datetime, *, published: bool
    ) -> Change:
        """The officer settles an unknown (or failed) delivery by hand."""
        with self._session() as session:
            row = _item_row(session, item_id)
            matches = [d for d in row.deliveries if d.channel == channel]
            if not matches:
                raise NotFound(
                    _("item {id} has no delivery on {channel}").format(id=item_id, channel=channel)
                )
            # Of a channel's steps, the one waiting to be settled.
            settling = (State.UNKNOWN, State.FAILED)
            delivery = next((d for d in matches if d.state in settling), matches[0])
            old = delivery.state
            new = State.PUBLISHED if published else State.FAILED
            if not allowed(old, new):
                raise Conflict(
                    _(
                        "{channel}: a {old} delivery cannot be marked {new}; "
                        "resolve applies to unknown or failed deliveries"
                    ).format(channel=channel, old=state_name(old), new=state_name(new))
                )
            _move_row(session, delivery, old, new)
            if published:
                delivery.remote_url = url
                delivery.published_at = now
                delivery.last_error = None
                _schedule_announcements(session, delivery, now)
            else:
                delivery.last_error = "given up by the officer"
            return Change(channel, old.value, new.value, _("resolved by hand"))

    def delete_item(self, item_id: int) -> ItemRecord:
        """Remove an item, its deliveries and their attempts, if nothing of it is (or may be) out.

        Refused with what is online, may be online or is being sent: the ledger is then
        the only record of it. Returns what was deleted.
        """
        with self._session() as session:
            row = _item_row(session, item_id)
            # PostgreSQL: a publisher's claim waits for this transaction, then finds nothing
            # (SQLite: BEGIN IMMEDIATE already keeps every other writer out).
            rows = list(
                session.scalars(
                    select(DeliveryRow)
                    .where(DeliveryRow.item_id == item_id)
                    .order_by(DeliveryRow.id)
                    .with_for_update()
                )
            )
            blocking = [d for d in rows if _keeps_item(d)]
            if blocking:
                raise Conflict(
                    _(
                        "item {id} cannot be deleted: {why}; the ledger is its only record "
                        "(use `crosspost cancel` for the rest)"
                    ).format(id=item_id, why=", ".join(_why_undeletable(d) for d in blocking))
                )
            parents = _parents_of(session, rows)
            item = _item(row)
            record = ItemRecord(
                item=item,
                deliveries=tuple(_delivery(d, item, _parent(parents, d)) for d in rows),
            )
            ids = [d.id for d in rows]
            if ids:
                session.execute(delete(AttemptRow).where(AttemptRow.delivery_id.in_(ids)))
                session.execute(
                    update(DeliveryRow)
                    .where(DeliveryRow.id.in_(ids))
                    .values(waits_for_id=None)
                    .execution_options(synchronize_session=False)
                )
                session.execute(delete(DeliveryRow).where(DeliveryRow.id.in_(ids)))
            # A member's entry it came from stays known, as deleted: a later edit of the
            # entry at its source must not bring it back.
            session.execute(
                update(FeedEntryRow)
                .where(FeedEntryRow.item_id == item_id)
                .values(state="deleted", item_id=None)
                .execution_options(synchronize_session=False)
            )
            session.execute(delete(ItemRow).where(ItemRow.id == item_id))
            if row.series_id is not None and row.occurrence:
                # A deleted date stays out of its series: it is never made again.
                except_occurrence(session, row.series_id, row.occurrence)
            session.expunge_all()
        return record


def _insert_items(
    session: Session, batch: Sequence[tuple[NewItem, Sequence[PlannedDelivery]]], now: datetime
) -> list[int]:
    """The one way items are written (add, import, feeds), their deliveries through
    `_insert_deliveries`.

    A draft is written without deliveries: until a reviewer approves it, no publisher
    can find anything of it to claim.
    """
    if not batch:
        return []
    for new, plan in batch:
        if new.status == "draft" and plan:
            raise ValueError("a draft is written without deliveries; route it when approved")
    items = _table(ItemRow)
    # Core, not the ORM's bulk path: the rows need no identity map.
    connection = session.connection()
    ids = list(
        connection.execute(
            insert(items).returning(items.c.id, sort_by_parameter_order=True),
            [item_row(new, now) for new, _ in batch],
        ).scalars()
    )
    plans = [(item_id, plan) for item_id, (_, plan) in zip(ids, batch, strict=True)]
    _insert_deliveries(session, plans, now)
    return ids


def _cancel_deliveries(
    session: Session, row: ItemRow, chosen: Sequence[DeliveryRow]
) -> list[Change]:
    """Cancel the pending (or skipped) deliveries among `chosen`, and the announcements
    of those; the item's status is the caller's (`_settle_cancelled`)."""
    report: list[Change] = []
    cancelled: set[int] = set()
    for delivery in chosen:
        old = delivery.state
        if old in (State.PENDING, State.SKIPPED_LATE):
            _move_row(session, delivery, old, State.CANCELLED)
            cancelled.add(delivery.id)
            # What a failed attempt already posted cannot be withdrawn from here.
            why = _("its first parts stay online") if _partly_online(delivery) else ""
            report.append(Change(_label(delivery), old.value, State.CANCELLED, why))
        else:
            report.append(Change(_label(delivery), old.value, None, _why_kept(old)))
    # An announcement of a post that will never exist would wait forever.
    for child in row.deliveries:
        if child.waits_for_id in cancelled and child not in chosen and child.state is State.PENDING:
            _move_row(session, child, State.PENDING, State.CANCELLED)
            report.append(
                Change(child.channel, State.PENDING, State.CANCELLED, _("it announced that post"))
            )
    return report


def _settle_cancelled(row: ItemRow, *, everywhere: bool = False) -> None:
    """The item is cancelled once every delivery is (or when cancelled `everywhere`, its
    notices still to go out)."""
    if everywhere or all(d.state is State.CANCELLED for d in row.deliveries):
        row.status = "cancelled"
    row.updated_at = utcnow()


#: Item statuses without deliveries: waiting for review, or refused at review.
UNROUTED = ("draft", "rejected")


def _set_fields(row: ItemRow, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(row, key, BY_NAME[key].to_row(value))
    row.updated_at = utcnow()


def _item_row(session: Session, item_id: int) -> ItemRow:
    row = session.get(ItemRow, item_id, options=[selectinload(ItemRow.deliveries)])
    if row is None:
        raise NotFound(_("there is no item {id} (see `crosspost list`)").format(id=item_id))
    return row


def _selected(row: ItemRow, channels: Sequence[str] | None) -> list[DeliveryRow]:
    if channels is None:
        return list(row.deliveries)
    names = {d.channel for d in row.deliveries}
    missing = [c for c in channels if c not in names]
    if missing:
        raise NotFound(
            _("item {id} has no delivery on {missing}; its channels: {channels}").format(
                id=row.id,
                missing=", ".join(missing),
                channels=", ".join(sorted(names)) or _("none"),
            )
        )
    return [d for d in row.deliveries if d.channel in channels]


def _adds_channels(
    plan: Sequence[PlannedDelivery], current: dict[tuple[str, str], DeliveryRow]
) -> bool:
    return any(
        (p.channel, p.step) not in current or current[(p.channel, p.step)].state is State.CANCELLED
        for p in plan
    )


def _why_kept(state: State) -> str:
    return {
        State.PUBLISHED: _("already published"),
        State.CANCELLED: _("already cancelled"),
        State.CLAIMED: _("being published right now"),
        State.SENDING: _("being published right now"),
        State.FAILED: _("already failed"),
        State.UNKNOWN: _("may already be online: resolve it first"),
    }.get(state, _("not pending"))


def _keeps_item(delivery: DeliveryRow) -> bool:
    """Online (not a dry run), partly or perhaps online, or being sent right now."""
    state = delivery.state
    if state is State.PUBLISHED:
        return not delivery.dry_run
    return state is State.UNKNOWN or state in IN_FLIGHT or _partly_online(delivery)


def _partly_online(delivery: DeliveryRow) -> bool:
    """Saved progress: some of it went out (a thread's first parts) before it stopped."""
    return bool(delivery.progress) and not delivery.dry_run


def _refuse_rewriting_what_is_partly_online(row: ItemRow, changes: dict[str, Any]) -> None:
    """A thread whose first parts went out would go on with the new text: its parts
    would repeat or skip what the old ones said. The text stays until it is finished
    (retried) or withdrawn (cancelled); moving it in time is always possible."""
    if not any(key != "requested_at" for key in changes):
        return
    started = [
        d
        for d in row.deliveries
        if d.state not in (State.PUBLISHED, State.CANCELLED) and _partly_online(d)
    ]
    if started:
        raise Conflict(
            _(
                "item {id}: its text cannot change while {channels} is partly online "
                "(its first parts went out with the current text); let it finish with "
                "`crosspost retry {id}`, or withdraw it with `crosspost cancel {id} "
                "--channel {channel}`, then edit"
            ).format(
                id=row.id,
                channels=", ".join(d.channel for d in started),
                channel=started[0].channel,
            )
        )


def _why_undeletable(delivery: DeliveryRow) -> str:
    state = delivery.state
    if state is State.PUBLISHED:
        where = delivery.remote_url or delivery.remote_id
        published = _("published on {channel}").format(channel=delivery.channel)
        return published + (f" ({where})" if where else "")
    if state is State.UNKNOWN:
        return _("{channel} may already be online (unknown)").format(channel=delivery.channel)
    if state not in IN_FLIGHT and _partly_online(delivery):
        return _("{channel} is partly online (its first parts were posted)").format(
            channel=delivery.channel
        )
    return _("{channel} is being published right now").format(channel=delivery.channel)


def _states_sentence(deliveries: Iterable[DeliveryRow]) -> str:
    parts = [
        _("{channel} is {state}").format(channel=d.channel, state=state_name(d.state))
        for d in deliveries
    ]
    return ", ".join(parts) or _("it has no deliveries")
