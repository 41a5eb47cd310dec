"""`status` and `health` agree on what needs the officer: one threshold, one set of sentences."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from crosspost.attention import OVERDUE_AFTER
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.states import State
from crosspost.store import Store
from tests.conftest import Cli

NOW = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


class Ledger:
    """Deliveries left the way a publisher (or its absence) would leave them."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def pending(self, title: str, due: datetime, channel: str = "facebook") -> int:
        """Queue one delivery; returns its item's id."""
        new = NewItem(kind="scoop", title=title, requested_at=due)
        [item_id] = self.store.add_items([(new, [PlannedDelivery(channel, due)])])
        return item_id

    def _delivery(self, title: str, due: datetime) -> int:
        [delivery] = self.store.get_item(self.pending(title, due)).deliveries
        return delivery.id

    def retry_planned(self, title: str, due: datetime, retry_at: datetime) -> None:
        delivery = self._delivery(title, due)
        assert self.store.move(delivery, State.PENDING, State.CLAIMED, claimed_by="w")
        assert self.store.move(
            delivery, State.CLAIMED, State.PENDING, claimed_by=None, next_attempt_at=retry_at
        )

    def claimed(self, title: str, due: datetime, lease_until: datetime) -> None:
        delivery = self._delivery(title, due)
        assert self.store.move(
            delivery, State.PENDING, State.CLAIMED, claimed_by="gone", lease_until=lease_until
        )


@pytest.fixture
def ledger(workspace: Path, db_url: str) -> Iterator[Ledger]:
    store = Store.open(db_url)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        yield Ledger(store)
    store.close()


def _status(cli: Cli) -> dict[str, Any]:
    shown = cli("status", "--json").json()
    assert isinstance(shown, dict)
    return shown


def _titles(deliveries: list[dict[str, Any]]) -> set[str]:
    return {d["title"] for d in deliveries}


def _health(cli: Cli) -> dict[str, Any]:
    report = cli("health", "--json", ok=False).json()
    assert isinstance(report, dict)
    return report


def _found(report: dict[str, Any], check: str) -> set[int]:
    return {i for f in report["findings"] if f["check"] == check for i in f["item_ids"]}


def test_status_and_health_call_the_same_posts_overdue_and_stuck(ledger: Ledger, cli: Cli) -> None:
    just_late = ledger.pending("Chorale", NOW - timedelta(minutes=3))
    ledger.pending("Assemblée générale", NOW - OVERDUE_AFTER - timedelta(minutes=1))
    ledger.pending("Pas encore", NOW + timedelta(minutes=10))
    # Rate limited an hour ago, retried in five minutes: waiting, not forgotten.
    ledger.retry_planned("Relance", NOW - timedelta(hours=1), NOW + timedelta(minutes=5))
    # A publisher died: one lease ran out long ago, one a moment ago (the reaper's business).
    ledger.claimed("Vide-grenier", NOW - timedelta(hours=1), NOW - timedelta(minutes=40))
    ledger.claimed("Friperie", NOW - timedelta(minutes=20), NOW - timedelta(minutes=2))
    with time_machine.travel(NOW, tick=False):
        status = _status(cli)
        text = cli("status").out
        health = _health(cli)
    # Three minutes late is not overdue for either command (status used to say it was).
    assert _titles(status["overdue"]) == {"Assemblée générale"}
    assert _titles(status["stuck"]) == {"Vide-grenier"}
    overdue_ids = {d["item_id"] for d in status["overdue"]}
    stuck_ids = {d["item_id"] for d in status["stuck"]}
    assert _found(health, "overdue") == overdue_ids
    assert _found(health, "stuck") == stuck_ids
    assert just_late not in overdue_ids | _found(health, "overdue")
    assert "1 delivery overdue: no publisher is running." in text
    assert "Stuck (publisher stopped mid-way" in text


def test_a_post_becomes_overdue_for_both_at_the_same_minute(ledger: Ledger, cli: Cli) -> None:
    due = NOW - timedelta(hours=2)
    ledger.pending("Permanence du jeudi : accueil", due)
    for minutes, expected in ((14, set()), (16, {"Permanence du jeudi : accueil"})):
        with time_machine.travel(due + timedelta(minutes=minutes), tick=False):
            status = _status(cli)
            health = _health(cli)
            text = cli("status").out
        assert _titles(status["overdue"]) == expected, minutes
        assert bool(_found(health, "overdue")) == bool(expected), minutes
        assert ("Nothing needs attention." in text) == (not expected), minutes


def test_health_words_the_lateness_from_the_same_clock(ledger: Ledger, cli: Cli) -> None:
    ledger.pending("Goûter 🎄", NOW - timedelta(hours=3))
    with time_machine.travel(NOW, tick=False):
        out = cli("health", ok=False).out
        status = cli("status").out
    assert "(3 hours late): is the publisher running? See `crosspost status`." in out
    assert "1 delivery overdue: no publisher is running." in status
    assert "Goûter 🎄" in status
