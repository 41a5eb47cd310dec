"""A send interrupted by a crash is a lost answer: looked up only after the settling delay."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from channels.base import Receipt
from crosspost.config import Settings, parse_settings
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.store import Store
from schedules.engine import Publisher
from schedules.log import EventLog
from tests.support.fakechannel import fake_platform

START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
CONFIG = """
timezone = "Europe/Paris"
[publisher]
lease = "5m"
[channels.twitter]
type = "fake"
[channels.slow]
type = "fake"
settling = 600
"""


@pytest.fixture
def traveller() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return parse_settings(CONFIG.encode(), tmp_path / "crosspost.toml")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = Store.open(db_url)
    yield store
    store.close()


def _publisher(settings: Settings, store: Store) -> Publisher:
    """A publisher on the frozen wall clock (its default clock)."""
    log = EventLog(settings.zone, stream=io.StringIO())
    publisher = Publisher(settings, store, mode="test", log=log, rng=random.Random(3))
    publisher.start()
    return publisher


def _crash_while_sending(store: Store, channel: str) -> tuple[int, str]:
    """Queue a post, and let a publisher claim it, start sending, and die."""
    now = datetime.now(UTC)
    item = NewItem(kind="scoop", title="Fête de la soupe : 18 h", requested_at=now)
    [item_id] = store.add_items([(item, [PlannedDelivery(channel, now)])])
    [claimed] = store.claim_due("dead:1:cron:abc", now, limit=1, lease=timedelta(minutes=5))
    assert store.start_attempt(claimed.id, "dead:1:cron:abc", now) is not None
    return item_id, claimed.key


def _state(store: Store, item_id: int) -> str:
    [delivery] = store.get_item(item_id).deliveries
    return delivery.state


@pytest.mark.parametrize(("channel", "settle"), [("twitter", 120), ("slow", 600)])
def test_a_reaped_send_waits_the_channel_settling_delay_before_the_lookup(
    traveller: time_machine.Coordinates,
    settings: Settings,
    store: Store,
    channel: str,
    settle: int,
) -> None:
    item_id, key = _crash_while_sending(store, channel)
    traveller.shift(timedelta(minutes=6))  # the dead publisher's lease has run out
    survivor = _publisher(settings, store)
    reaped_at = datetime.now(UTC)
    tally = survivor.run_until_idle()  # reaps, then reconciles what is due
    [delivery] = store.get_item(item_id).deliveries
    assert delivery.state == "unknown"
    assert delivery.next_attempt_at == reaped_at + timedelta(seconds=settle)
    assert tally.unknown == 1  # the cron run leaves it unknown: it says so (exit 4)

    # Just before the delay: still not looked up, nothing resent.
    traveller.shift(timedelta(seconds=settle - 1))
    survivor.run_until_idle()
    assert _state(store, item_id) == "unknown"
    assert fake_platform(channel).count == 0

    # The dead publisher's post shows up on the platform late, within the delay.
    fake_platform(channel).posts.append(
        Receipt(
            remote_id=f"{channel}-1",
            url=f"https://fake.example/{channel}/1",
            published_at=reaped_at,
            detail={"key": key, "text": "Fête de la soupe : 18 h"},
        )
    )
    traveller.shift(timedelta(seconds=1))
    survivor.run_until_idle()
    [delivery] = store.get_item(item_id).deliveries
    assert delivery.state == "published"
    assert delivery.remote_id == f"{channel}-1"
    assert fake_platform(channel).count == 1  # found, never sent twice
    survivor.stop()


def test_a_reaped_send_not_found_after_the_delay_is_sent_once(
    traveller: time_machine.Coordinates, settings: Settings, store: Store
) -> None:
    item_id, _key = _crash_while_sending(store, "twitter")
    traveller.shift(timedelta(minutes=6))
    survivor = _publisher(settings, store)
    survivor.run_until_idle()
    traveller.shift(timedelta(minutes=2))
    survivor.run_until_idle()  # not there after settling: safe to send
    assert _state(store, item_id) == "published"
    assert fake_platform("twitter").count == 1
    [delivery] = store.get_item(item_id).deliveries
    assert [a.outcome for a in delivery.attempt_history] == ["crashed", "published"]
    survivor.stop()


def test_the_reaper_keeps_the_default_delay_for_a_channel_no_longer_configured(
    traveller: time_machine.Coordinates, settings: Settings, store: Store, tmp_path: Path
) -> None:
    item_id, _key = _crash_while_sending(store, "twitter")
    traveller.shift(timedelta(minutes=6))
    without = parse_settings(b'timezone = "Europe/Paris"\n', tmp_path / "other.toml")
    survivor = _publisher(without, store)
    survivor.reap()
    [delivery] = store.get_item(item_id).deliveries
    assert delivery.state == "unknown"
    assert delivery.next_attempt_at == datetime.now(UTC) + timedelta(minutes=2)
    survivor.stop()
