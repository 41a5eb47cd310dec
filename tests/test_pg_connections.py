"""PostgreSQL connections the server dropped (a restart, an idle timeout) while they
waited in the pool: found before a statement is sent on them, or the write runs again
on a new one; the officer and the daemon see nothing of it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, make_url, text

import crosspost.db
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.states import State
from crosspost.store import Store

pytestmark = pytest.mark.postgres

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def drop_connections(pg_url: str, pg_server: str) -> Iterator[object]:
    """Calling it ends every server process of the test's database, as a restart does."""
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    name = make_url(pg_url).database

    def drop() -> int:
        with admin.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            ).scalar_one()
        return int(ended)

    yield drop
    admin.dispose()


def test_a_connection_dropped_while_idle_is_replaced_before_use(
    pg_url: str, drop_connections: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crosspost.db, "PING_AFTER_IDLE_S", 0.0)  # every checkout pings
    store = Store.open(pg_url)
    [item_id] = store.add_items([(NewItem(kind="scoop", title="Brève : AG 🌱", requested_at=AT),
                                  [PlannedDelivery("x", AT)])])  # fmt: skip
    assert callable(drop_connections)
    assert drop_connections() >= 1  # the pool's connection, now dead
    assert store.get_item(item_id).item.title == "Brève : AG 🌱"
    store.close()


def test_a_write_on_a_connection_dropped_a_moment_ago_runs_again_once(
    pg_url: str, drop_connections: object
) -> None:
    """Within the idle window no ping is spent; the write meets the dead connection and
    runs again on a new one: the post starts once, with one attempt row."""
    store = Store.open(pg_url)
    [item_id] = store.add_items([(NewItem(kind="scoop", title="Brève", requested_at=AT),
                                  [PlannedDelivery("x", AT)])])  # fmt: skip
    [claimed] = store.claim_due("w", AT, limit=1, lease=timedelta(minutes=5))
    assert callable(drop_connections)
    assert drop_connections() >= 1
    attempt = store.start_attempt(claimed.id, "w", AT)  # the pool's connection is dead
    assert attempt is not None
    [delivery] = store.get_item(item_id).deliveries
    assert delivery.state is State.SENDING
    assert delivery.attempts == 1
    store.close()
