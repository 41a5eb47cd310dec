"""The ledger's guarantees: one delivery per item and channel, conditional transitions."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from crosspost.domain import NewItem, PlannedDelivery
from crosspost.states import TRANSITIONS, IllegalTransition, State, allowed
from crosspost.store import Store

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
