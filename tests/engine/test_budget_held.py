"""X's monthly budget at publication: the post that would go over is held, never sent, and
goes out when the month turns; lost answers keep their cost reserved (SQLite, PostgreSQL)."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from crosspost.budget import month_of
from crosspost.config import parse_settings
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.store import Store
from schedules.engine import Publisher
from schedules.log import EventLog
from tests.engine.conftest import Clock
from tests.support.fakeplatform import FakePlatformServer

# Tuesday 29 December 2026, 10:00 in Paris: the month ends in three days.
START = datetime(2026, 12, 29, 9, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakePlatformServer]:
    server = FakePlatformServer(seed=3, latency_ms=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def x_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"):
        monkeypatch.setenv(name, f"{name.lower()}-value")


def _setup(
    tmp_path: Path, db_url: str, fake: FakePlatformServer, budget: str, start: datetime = START
) -> tuple:
    config = f"""
timezone = "Europe/Paris"
max_lateness = "90d"
[publisher]
workers = 2
[channels.x]
type = "twitter"
api_base = "{fake.url}"
upload_base = "{fake.url}"
hashtags = false
settling = 60
budget_per_month = {budget}
"""
    settings = parse_settings(config.encode(), tmp_path / "crosspost.toml")
    store = Store.open(db_url)
    clock = Clock(start)
    out = io.StringIO()
    return settings, store, clock, out


def _publisher(settings, store, clock, out) -> Publisher:  # type: ignore[no-untyped-def]
    log = EventLog(settings.zone, stream=out)
    publisher = Publisher(settings, store, mode="test", log=log, clock=clock, rng=random.Random(1))
    publisher.start()
    return publisher


def _queue(store: Store, titles: list[str], at: datetime) -> list[int]:
    batch = [
        (NewItem(kind="scoop", title=title, requested_at=at), [PlannedDelivery("x", at)])
        for title in titles
    ]
    return store.add_items(batch)


def test_the_post_over_the_budget_is_held_until_the_month_turns(
    tmp_path: Path, db_url: str, fake: FakePlatformServer
) -> None:
    settings, store, clock, out = _setup(tmp_path, db_url, fake, "0.05")
    titles = [f"Brève n°{n} : l'assemblée générale approche 🎉" for n in range(4)]
    ids = _queue(store, titles, START)
    publisher = _publisher(settings, store, clock, out)
    try:
        tally = publisher.run_until_idle()
        # 3 x $0.015 = $0.045 fit in $0.05; a fourth would make $0.06.
        assert tally.published == 3
        assert tally.held == 1
        assert fake.count("twitter") == 3
        [held] = [d for i in ids for d in store.get_item(i).deliveries if d.state == "pending"]
        assert held.next_attempt_at == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)  # 1 Jan, Paris
        assert held.last_error is not None
        assert "the budget for December 2026 is $0.05 ($0.045 spent)" in held.last_error
        assert "goes out on 2027-01-01" in held.last_error
        assert held.attempts == 0
        assert "held" in out.getvalue()
        december = month_of(START, settings.zone)
        assert store.spend_lines(december, "x") == {"post": (3, Decimal("0.045"))}
        # Nothing more is sent in December, however often the publisher looks.
        clock.advance(days=2, hours=13)
        publisher.run_until_idle()
        assert fake.count("twitter") == 3
        # 1 January, 00:05 in Paris: a new month, a new budget.
        clock.now = datetime(2026, 12, 31, 23, 5, tzinfo=UTC)
        assert publisher.run_until_idle().published == 4  # the run's tally: 3 + 1
        assert fake.count("twitter") == 4
        january = month_of(clock.now, settings.zone)
        assert store.month_spend(january) == {"x": Decimal("0.015")}
    finally:
        publisher.stop()
        store.close()


def test_a_lost_answer_keeps_its_cost_reserved_until_the_post_is_found(
    tmp_path: Path, db_url: str, fake: FakePlatformServer
) -> None:
    # The fake X dates its posts by the real clock, which the lookup compares with.
    now = datetime.now(UTC)
    settings, store, clock, out = _setup(tmp_path, db_url, fake, "0.03", start=now)
    fake.inject("lost_answer", platform="twitter", count=1)
    _queue(store, ["Un", "Deux", "Trois"], now)
    publisher = _publisher(settings, store, clock, out)
    try:
        tally = publisher.run_until_idle()
        # The first answer is lost: X may have created it, so its $0.015 stays counted,
        # and with the second's that is the whole budget: the third is held.
        assert tally.unknown == 1
        assert tally.published == 1
        assert tally.held == 1
        assert fake.count("twitter") == 2
        month = month_of(now, settings.zone)
        lines = store.spend_lines(month, "x")
        assert lines["reserved"] == (1, Decimal("0.015"))
        # The reconciler finds the post (and pays for reading the timeline).
        clock.advance(minutes=2)
        assert publisher.reconcile() == 1
        lines = store.spend_lines(month, "x")
        assert "reserved" not in lines
        assert lines["post (answer lost)"] == (1, Decimal("0.015"))
        assert lines["read"][1] > 0
        assert fake.count("twitter") == 2
    finally:
        publisher.stop()
        store.close()


def test_a_thread_s_parts_are_each_saved_and_billed_the_last_with_its_receipt(
    tmp_path: Path, db_url: str, fake: FakePlatformServer
) -> None:
    """Three posts of one thread: each part's id and price are in the ledger once, the
    last one's committed with the receipt (one write fewer per post), and what was
    reserved for the thread is settled."""
    settings, store, clock, out = _setup(tmp_path, db_url, fake, "1.00")
    body = " ".join(f"Phrase n°{n} de notre bilan : l'ESS avance 🌱." for n in range(14))
    [item] = store.add_items(
        [
            (
                NewItem(kind="scoop", title="Bilan 2026", body=body, requested_at=START),
                [PlannedDelivery("x", START)],
            )
        ]
    )
    publisher = _publisher(settings, store, clock, out)
    try:
        writes_before = store._group.writes
        assert publisher.run_until_idle().published == 1
        writes = store._group.writes - writes_before
    finally:
        publisher.stop()
    [delivery] = store.get_item(item).deliveries
    ids = delivery.progress["thread_ids"] if delivery.progress else []
    assert len(ids) == 3, delivery.progress
    assert len(set(ids)) == 3
    assert fake.count("twitter") == 3
    month = month_of(START, settings.zone)
    assert store.spend_lines(month, "x") == {"post": (3, Decimal("0.045"))}  # none reserved
    # start, parts 1 and 2, then the receipt with part 3: four writes, not five.
    assert writes == 4
    store.close()
