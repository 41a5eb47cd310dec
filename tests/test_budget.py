"""X's budget: the month's window, the reservation that keeps two senders under it, the bill,
and the cost an officer sees at add and preview."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crosspost.budget import cost_words, money, month_of
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.store import Store
from tests.conftest import Cli

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    ledger = Store.open(db_url)
    yield ledger
    ledger.close()


def _delivery(store: Store, n: int = 0) -> int:
    item = NewItem(kind="scoop", title=f"Annonce {n}", requested_at=NOW)
    (item_id,) = store.add_items([(item, [PlannedDelivery("x", NOW)])])
    return store.get_item(item_id).deliveries[0].id


def test_the_month_is_the_local_calendar_month() -> None:
    # 31 December 23:30 UTC is already January in Paris.
    month = month_of(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), PARIS)
    assert month.first_day.isoformat() == "2027-01-01"
    assert month.start == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert month.end == datetime(2027, 1, 31, 23, 0, tzinfo=UTC)
    assert month_of(NOW, PARIS).name == "December 2026"


def test_money_shows_cents_and_a_third_decimal_only_when_it_counts() -> None:
    assert money(Decimal("0.2")) == "$0.20"
    assert money(Decimal("0.015")) == "$0.015"
    assert money(Decimal("1234.5")) == "$1,234.50"
    month = month_of(NOW, PARIS)
    assert cost_words(Decimal("0.2"), None, Decimal(0), month) == "about $0.20"
    assert cost_words(Decimal("0.2"), Decimal(5), Decimal("4.90"), month) == (
        "about $0.20 ($4.90 of the $5.00 budget spent in December 2026; "
        "over the budget: it will be held)"
    )


def test_a_reservation_counts_until_the_outcome_is_known(store: Store) -> None:
    month = month_of(NOW, PARIS)
    first, second, third = (_delivery(store, n) for n in range(3))
    budget, cost = Decimal("0.50"), Decimal("0.20")
    assert store.reserve_spend("x", first, cost, budget, month).fits
    assert store.reserve_spend("x", second, cost, budget, month).fits
    refused = store.reserve_spend("x", third, cost, budget, month)
    assert not refused.fits
    assert refused.spent == Decimal("0.40")
    assert "the budget for December 2026 is $0.50 ($0.40 spent)" in refused.hold_message("X")
    assert "goes out on 2027-01-01" in refused.hold_message("X")
    # The first send failed before X created anything: its reservation goes.
    store.release_spend([first])
    assert store.reserve_spend("x", third, cost, budget, month).fits
    # A resend of the same delivery replaces its reservation rather than adding one.
    assert store.reserve_spend("x", third, cost, budget, month).fits
    assert store.month_spend(month) == {"x": Decimal("0.40")}


def test_the_bill_counts_posts_and_reads_of_this_month_only(store: Store) -> None:
    month = month_of(NOW, PARIS)
    delivery = _delivery(store)
    november = datetime(2026, 11, 30, 22, 59, tzinfo=UTC)  # 23:59 in Paris
    store.record_spend("x", delivery, "post", 1, Decimal("0.015"), at=november)
    store.record_spend("x", delivery, "post with a link", 1, Decimal("0.20"), at=NOW)
    store.record_spend("x", delivery, "read", 101, Decimal("0.101"), at=NOW)
    assert store.month_spend(month) == {"x": Decimal("0.301")}
    assert store.spend_lines(month, "x") == {
        "post with a link": (1, Decimal("0.20")),
        "read": (101, Decimal("0.101")),
    }
    # A found lost answer turns its reservation into what it cost.
    store.reserve_spend("x", delivery, Decimal("0.20"), Decimal(10), month)
    store.confirm_spend(delivery)
    assert store.spend_lines(month, "x")["post (answer lost)"] == (1, Decimal("0.20"))


@pytest.mark.postgres
def test_concurrent_senders_cannot_both_take_the_last_room(pg_url: str) -> None:
    """Twelve publishers check the budget at once on PostgreSQL: exactly what fits passes."""
    month = month_of(NOW, PARIS)
    setup = Store.open(pg_url)
    ids = [_delivery(setup, n) for n in range(12)]
    setup.close()
    stores = [Store.open(pg_url) for _ in ids]
    start = threading.Barrier(len(ids))
    verdicts: list[bool] = []

    def send(store: Store, delivery: int) -> None:
        start.wait()
        verdict = store.reserve_spend("x", delivery, Decimal("0.20"), Decimal("1.00"), month)
        verdicts.append(verdict.fits)

    threads = [threading.Thread(target=send, args=pair) for pair in zip(stores, ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(verdicts) == [False] * 7 + [True] * 5
    assert stores[0].month_spend(month) == {"x": Decimal("1.00")}
    for store in stores:
        store.close()


X_CHANNEL = """
[channels.x]
type = "twitter"
budget_per_month = 0.30
hashtags = false

[[routes]]
kind = "scoop"
to = ["x"]
"""


@pytest.fixture
def x_workspace(workspace: Path) -> Path:
    config = workspace / "crosspost.toml"
    text = config.read_text(encoding="utf-8")
    # The scoop route of the shared config goes to X instead.
    config.write_text(_routes_to_x(text) + X_CHANNEL, encoding="utf-8")
    return workspace


def _routes_to_x(config: str) -> str:
    blocks = config.split("[[routes]]")
    kept = [blocks[0]] + [b for b in blocks[1:] if 'kind = "scoop"' not in b]
    return "[[routes]]".join(kept)


def test_add_and_preview_show_what_the_post_costs_on_x(x_workspace: Path, cli: Cli) -> None:
    with time_machine.travel(NOW, tick=False):
        added = cli(
            "add", "--kind", "scoop", "--title", "Assemblée générale : inscrivez-vous",
            "--link", "https://asso.example.org/ag?utm_source=x_asso&utm_medium=social",
            "--at", "2026-12-03 10:00",
        )  # fmt: skip
        assert (
            "Cost on X (x): about $0.20 ($0.00 of the $0.30 budget spent in December 2026)"
            in added.out
        )
        cheap = cli(
            "add", "--kind", "scoop", "--title", "Merci aux bénévoles 🎉",
            "--at", "2026-12-03 11:00",
        )  # fmt: skip
        assert "Cost on X (x): about $0.015 (" in cheap.out
        shown = cli("preview", "1")
        assert "utm_source=x_asso&utm_medium=social" in shown.out
        assert "Cost on X (x): about $0.20" in shown.out
        assert cli("preview", "1", "--json").json()[0]["cost"] == "0.20"  # type: ignore[index]


def test_status_and_health_show_the_months_spend_and_what_waits(
    x_workspace: Path, cli: Cli, db_url: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        cli("add", "--kind", "scoop", "--title", "Brève", "--at", "2026-12-03 10:00")
        store = Store.open(db_url)
        [delivery] = store.get_item(1).deliveries
        store.record_spend("x", delivery.id, "post", 2, Decimal("0.03"), at=NOW)
        store.record_spend("x", delivery.id, "post with a link", 1, Decimal("0.20"), at=NOW)
        store.record_spend("x", None, "read", 8, Decimal("0.008"), at=NOW)
        store.close()
        expected = (
            "Spent on X (x) in December 2026: $0.238 of the $0.30 budget "
            "(2 posts, 1 post with a link, 8 posts read back)"
        )
        assert expected in cli("status").out
        assert expected in cli("health", ok=False).out
        [spend] = cli("status", "--json").json()["spend"]  # type: ignore[index]
        assert spend == {
            "channel": "x",
            "month": "2026-12",
            "spent": "0.238",
            "budget": "0.3",
            "held": 0,
            "bill": {
                "post": {"units": 2, "amount": "0.03"},
                "post with a link": {"units": 1, "amount": "0.2"},
                "read": {"units": 8, "amount": "0.008"},
            },
        }
