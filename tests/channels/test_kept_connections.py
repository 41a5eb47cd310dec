"""Kept-alive connections to X: reused between posts, never sent on once the server has
closed them, so a dropped connection is never an ambiguous outcome (SQLite, PostgreSQL).

A real server on loopback (the fake platform) closes connections left idle, as X's
front ends do; the posts go through the whole engine and the ledger.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import channels.connections
from crosspost.config import Settings, parse_settings
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.store import Store
from schedules.engine import Publisher
from schedules.log import EventLog
from tests.support.fakeplatform import FakePlatformServer

#: The server closes a connection idle this long; the test waits longer than that.
SERVER_IDLE_S = 0.3


@pytest.fixture
def fake() -> Iterator[FakePlatformServer]:
    server = FakePlatformServer(seed=5, latency_ms=0, idle_timeout_s=60)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def x_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"):
        monkeypatch.setenv(name, f"{name.lower()}-value")


@pytest.fixture
def settings(tmp_path: Path, fake: FakePlatformServer) -> Settings:
    # Two X accounts of one association: their posts share the pool of connections.
    config = f"""
timezone = "Europe/Paris"
[publisher]
workers = 2
[channels.x]
type = "twitter"
api_base = "{fake.url}"
hashtags = false
[channels.x_jeunes]
type = "twitter"
api_base = "{fake.url}"
hashtags = false
"""
    return parse_settings(config.encode(), tmp_path / "crosspost.toml")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    ledger = Store.open(db_url)
    yield ledger
    ledger.close()


def _publish(settings: Settings, store: Store, title: str, channel: str = "x") -> None:
    """One post queued for now and published by a cron-style pass; it must go out."""
    now = datetime.now(UTC)
    [item_id] = store.add_items(
        [(NewItem(kind="scoop", title=title, requested_at=now), [PlannedDelivery(channel, now)])]
    )
    out = io.StringIO()
    publisher = Publisher(
        settings,
        store,
        mode="test",
        log=EventLog(settings.zone, stream=out),
        rng=random.Random(2),
    )
    publisher.start()
    try:
        tally = publisher.run_until_idle()
    finally:
        publisher.stop()
    [delivery] = store.get_item(item_id).deliveries
    assert (delivery.state, delivery.attempts, tally.unknown) == ("published", 1, 0), out.getvalue()


def _tweets(fake: FakePlatformServer) -> list[str]:
    return [str(create.body.get("text", "")) for create in fake.creates]


def test_posts_close_together_reuse_one_connection(
    settings: Settings, store: Store, fake: FakePlatformServer
) -> None:
    titles = ["Permanence juridique : mardi 18 h", "AG 2026 🎉 ordre du jour & procurations"]
    _publish(settings, store, titles[0])
    _publish(settings, store, titles[1], channel="x_jeunes")
    assert _tweets(fake) == titles
    assert fake.connections_accepted == 1


def test_a_connection_the_server_closed_while_idle_is_never_sent_on(
    settings: Settings, store: Store, fake: FakePlatformServer
) -> None:
    fake.configure(idle_timeout_s=SERVER_IDLE_S)
    _publish(settings, store, "Collecte de jouets : samedi de 10 h à 17 h")
    time.sleep(SERVER_IDLE_S * 3)  # the server hangs up the kept connection meanwhile
    # Sent on the closed socket, this post would get no answer and be Ambiguous
    # (unknown, settled by a lookup later); it must go out at once, exactly once.
    _publish(settings, store, "Repas partagé : inscriptions jusqu'à jeudi")
    assert _tweets(fake) == [
        "Collecte de jouets : samedi de 10 h à 17 h",
        "Repas partagé : inscriptions jusqu'à jeudi",
    ]
    assert fake.connections_accepted == 2


def test_a_connection_idle_longer_than_kept_is_not_reused_even_if_still_open(
    settings: Settings,
    store: Store,
    fake: FakePlatformServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A server whose idle timeout is about to expire may close the socket between
    # urllib3's check and the send: a connection idle that long is not trusted.
    monkeypatch.setattr(channels.connections, "KEEP_IDLE", 0.2)
    _publish(settings, store, "Atelier vélo : réparations gratuites")
    time.sleep(0.5)
    _publish(settings, store, "Atelier vélo : merci aux 40 participants !")
    assert len(_tweets(fake)) == 2
    assert fake.connections_accepted == 2
