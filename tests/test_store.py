"""The ledger's guarantees: one delivery per item and channel, conditional transitions."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from crosspost.domain import Delivery, Item, NewItem, PlannedDelivery
from crosspost.errors import Conflict
from crosspost.models import DeliveryRow
from crosspost.states import TRANSITIONS, IllegalTransition, State, UnknownState, allowed
from crosspost.store import Store
from crosspost.store._core import transition

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _item() -> NewItem:
    return NewItem(kind="scoop", title="Info", requested_at=AT)


def test_the_same_channel_twice_for_one_item_is_impossible(db_url: str) -> None:
    store = Store.open(db_url)
    with pytest.raises(IntegrityError):
        store.add_items([(_item(), [PlannedDelivery("x", AT), PlannedDelivery("x", AT)])])
    assert store.list_deliveries() == []  # the whole item was rolled back
    store.close()


def test_a_transition_checks_the_state_it_leaves(db_url: str) -> None:
    store = Store.open(db_url)
    [item_id] = store.add_items([(_item(), [PlannedDelivery("x", AT)])])
    [delivery] = store.get_item(item_id).deliveries
    assert store.move(delivery.id, State.PENDING, State.CLAIMED, claimed_by="a")
    # A second publisher that read 'pending' earlier loses: no row matches.
    assert not store.move(delivery.id, State.PENDING, State.CLAIMED, claimed_by="b")
    assert store.get_item(item_id).deliveries[0].claimed_by == "a"
    with pytest.raises(IllegalTransition, match="from published to pending"):
        store.move(delivery.id, State.PUBLISHED, State.PENDING)
    store.close()


def test_times_come_back_aware_and_in_utc(db_url: str) -> None:
    store = Store.open(db_url)
    [item_id] = store.add_items([(_item(), [PlannedDelivery("x", AT)])])
    delivery = store.get_item(item_id).deliveries[0]
    assert delivery.due_at == AT
    assert delivery.due_at.tzinfo is not None
    store.close()


def test_every_listed_transition_is_allowed_and_nothing_else() -> None:
    for old in State:
        for new in State:
            assert allowed(old, new) == ((old, new) in TRANSITIONS)
    # Nothing leaves 'published': what went out stays out.
    assert not any(old is State.PUBLISHED for old, _ in TRANSITIONS)


def test_the_one_state_writer_builds_exactly_the_listed_moves() -> None:
    for old in State:
        for new in State:
            if (old, new) in TRANSITIONS:
                assert "deliveries.state" in str(transition(old, new))
            else:
                with pytest.raises(IllegalTransition, match=f"from {old.value} to {new.value}"):
                    transition(old, new)
    # Several sources at once: refused if any one of them may not go there.
    with pytest.raises(IllegalTransition, match="from published to pending"):
        transition({State.FAILED, State.PUBLISHED}, State.PENDING)


def test_a_state_the_machine_does_not_list_never_reaches_the_ledger(db_url: str) -> None:
    store = Store.open(db_url)
    [item_id] = store.add_items([(_item(), [PlannedDelivery("x", AT)])])
    [delivery] = store.get_item(item_id).deliveries
    with pytest.raises(UnknownState, match="no delivery state 'publishing'; the states are"):
        store.move(delivery.id, State.PENDING, "publishing")  # type: ignore[arg-type]
    # Even a hand-written UPDATE through the model is refused before the database sees it.
    with Session(store.engine) as session, pytest.raises(StatementError) as refused:
        session.execute(update(DeliveryRow).values(state="due"))
    assert isinstance(refused.value.orig, UnknownState)
    # A loaded row cannot be moved by assignment, which would skip the check.
    with Session(store.engine) as session:
        row = session.get(DeliveryRow, delivery.id)
        assert row is not None
        with pytest.raises(AttributeError, match="never by assignment"):
            row.state = State.CANCELLED
    assert store.get_item(item_id).deliveries[0].state is State.PENDING
    store.close()


def test_a_delivery_in_a_state_that_does_not_exist_cannot_be_made() -> None:
    item = Item(id=1, kind="scoop", title="Permanence : mardi")
    for made_up in ("publishing", "due"):
        with pytest.raises(UnknownState, match=f"'{made_up}'"):
            Delivery(1, "k", item, "x", "post", due_at=AT, state=made_up)  # type: ignore[arg-type]
    assert Delivery(1, "k", item, "x", "post", due_at=AT, state="sending").state is State.SENDING  # type: ignore[arg-type]


def test_an_outcome_the_machine_does_not_list_leaves_the_attempt_as_it_was(db_url: str) -> None:
    store = Store.open(db_url)
    [item_id] = store.add_items([(_item(), [PlannedDelivery("x", AT)])])
    [claimed] = store.claim_due("w", AT, limit=1, lease=timedelta(minutes=5))
    attempt_id = store.start_attempt(claimed.id, "w", AT)
    assert attempt_id is not None
    with pytest.raises(IllegalTransition, match="from sending to cancelled"):
        store.record_outcome(
            claimed.id, attempt_id, AT, new_state=State.CANCELLED, outcome="permanent",
            error_class=None, message="no",
        )  # fmt: skip
    [delivery] = store.get_item(item_id).deliveries
    assert (delivery.state, delivery.last_error) == (State.SENDING, None)
    assert delivery.attempt_history[0].ended_at is None
    store.close()


def test_the_sqlite_ledger_and_its_journal_are_private_to_their_owner(tmp_path: Path) -> None:
    """The queue and its history are the officer's: not readable by other users."""
    previous = os.umask(0o022)
    try:
        store = Store.open(f"sqlite:///{tmp_path / 'ledger' / 'crosspost.db'}")
        store.add_items([(_item(), [PlannedDelivery("x", AT)])])
        files = sorted((tmp_path / "ledger").iterdir())
        modes = {p.name: oct(p.stat().st_mode & 0o777) for p in files}
        store.close()
    finally:
        os.umask(previous)
    assert {"crosspost.db", "crosspost.db-wal", "crosspost.db-shm"} <= set(modes)
    assert set(modes.values()) == {"0o600"}, modes


def test_an_item_routed_to_a_new_channel_after_cancelling_is_active_again(db_url: str) -> None:
    store = Store.open(db_url)
    [item_id] = store.add_items([(_item(), [PlannedDelivery("x", AT)])])
    store.cancel(item_id)
    assert store.get_item(item_id).item.status == "cancelled"
    store.update_item(item_id, {}, [PlannedDelivery("y", AT)])
    record = store.get_item(item_id)
    assert {d.channel: d.state for d in record.deliveries} == {
        "x": State.CANCELLED,
        "y": State.PENDING,
    }
    assert record.item.status == "active"
    store.close()


def test_a_thread_stopped_after_its_first_part_keeps_it_on_retry_and_cannot_be_deleted(
    db_url: str,
) -> None:
    """Part 1 of an X thread is online, part 2 failed for good: a retry must continue
    from part 2 (clearing the saved parts re-posted part 1), and deleting the item
    would erase the only record of the post that is online."""
    store = Store.open(db_url)
    [item_id] = store.add_items([(_item(), [PlannedDelivery("x", AT)])])
    [claimed] = store.claim_due("w", AT, limit=1, lease=timedelta(minutes=5))
    attempt = store.start_attempt(claimed.id, "w", AT)
    assert attempt is not None
    store.save_progress(claimed.id, "w", {"thread_ids": ["1860000000000000001"]})
    assert store.record_outcome(
        claimed.id,
        attempt,
        AT,
        new_state=State.FAILED,
        outcome="failed",
        error_class="ConnectionRefused",
        message="connection refused",
    )
    with pytest.raises(Exception, match="x is partly online"):
        store.delete_item(item_id)
    store.retry(item_id, AT + timedelta(minutes=5))
    [delivery] = store.get_item(item_id).deliveries
    assert delivery.state is State.PENDING
    assert delivery.progress == {"thread_ids": ["1860000000000000001"]}
    store.close()


def test_a_thread_partly_online_keeps_its_text_and_its_cancel_says_what_stays(
    db_url: str,
) -> None:
    """Editing the text would make the retry go on with parts of another text; moving it
    in time is fine; cancelling it says its first part stays online."""
    store = Store.open(db_url)
    [item_id] = store.add_items([(_item(), [PlannedDelivery("x", AT)])])
    [claimed] = store.claim_due("w", AT, limit=1, lease=timedelta(minutes=5))
    attempt = store.start_attempt(claimed.id, "w", AT)
    assert attempt is not None
    store.save_progress(claimed.id, "w", {"thread_ids": ["1860000000000000001"]})
    store.record_outcome(
        claimed.id,
        attempt,
        AT,
        new_state=State.FAILED,
        outcome="failed",
        error_class="ConnectionRefused",
        message="connection refused",
    )
    before = store.get_item(item_id).item
    new_text = {"body": "Nouveau texte : rendez-vous à 15 h 🌱"}
    # Failed, with another channel added by the edit; then retried, so pending.
    with pytest.raises(Conflict, match=r"its text cannot change while x is partly online"):
        store.update_item(item_id, new_text, [PlannedDelivery("x", AT), PlannedDelivery("y", AT)])
    store.retry(item_id, AT + timedelta(minutes=5))
    with pytest.raises(Conflict, match=r"its text cannot change while x is partly online"):
        store.update_item(item_id, new_text, None)
    record = store.get_item(item_id)
    assert record.item.body == before.body
    assert [d.channel for d in record.deliveries] == ["x"]
    [moved] = store.reschedule(item_id, AT + timedelta(hours=2))
    assert moved.new_state == State.PENDING
    [cancelled] = store.cancel(item_id)
    assert cancelled.new_state == State.CANCELLED
    assert cancelled.reason == "its first parts stay online"
    store.close()
