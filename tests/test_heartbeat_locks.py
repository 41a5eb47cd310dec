"""The heartbeat never waits for a publication's write (PostgreSQL).

At the nine o'clock rush the group writer commits many publications' transitions in
one transaction, locking their deliveries in its own order. The heartbeat extended
every lease of the daemon in one UPDATE, locking the same rows in another order: the
two deadlocked, and PostgreSQL broke the tie only after its deadlock_timeout, one
second in which no post could start (bench/RESULTS.md: a whole burst then went out a
second late). Here a row is held by another transaction, as the group writer holds
it, while the heartbeat runs: it must return at once, extend the others, and extend
the held one at the next beat.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import make_url

from crosspost.domain import NewItem, PlannedDelivery
from crosspost.states import State
from crosspost.store import Store

pytestmark = pytest.mark.postgres

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
WORKER = "vm:42:daemon:abc123"


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    opened = Store.open(pg_url)
    yield opened
    opened.close()


def _libpq(url: str) -> str:
    parsed = make_url(url)
    return (
        f"host={parsed.host} port={parsed.port or 5432} dbname={parsed.database} "
        f"user={parsed.username}"
    )


def _leases(store: Store) -> dict[int, datetime | None]:
    return {d.id: d.lease_until for d in store.list_deliveries()}


def test_a_heartbeat_skips_the_row_a_publication_is_writing_and_extends_it_next_beat(
    store: Store, pg_url: str
) -> None:
    item = NewItem(kind="scoop", title="Permanence à 9 h : « venez ! »", requested_at=AT)
    plan = [PlannedDelivery(channel=name, due_at=AT) for name in ("twitter", "facebook", "blog")]
    store.add_items([(item, plan)])
    claimed = store.claim_due(WORKER, AT, limit=3, lease=timedelta(minutes=5))
    assert len(claimed) == 3
    held = claimed[0].id
    assert store.start_attempt(held, WORKER, AT) is not None
    later = AT + timedelta(minutes=10)

    # Another transaction holds the row, as the group writer does until its commit.
    writer = psycopg.connect(_libpq(pg_url))
    try:
        writer.execute("UPDATE deliveries SET updated_at = now() WHERE id = %s", (held,))
        beat: dict[str, int] = {}
        heartbeat = threading.Thread(
            target=lambda: beat.update(extended=store.extend_leases(WORKER, later)), daemon=True
        )
        heartbeat.start()
        heartbeat.join(timeout=10)
        assert not heartbeat.is_alive(), "the heartbeat waited for the publication's lock"
        assert beat["extended"] == 2
        writer.commit()
    finally:
        writer.close()

    leases = _leases(store)
    assert leases[held] == AT + timedelta(minutes=5)  # untouched while it was written
    assert all(leases[d.id] == later for d in claimed[1:])
    # The next beat, with nothing held, extends it like the others.
    assert store.extend_leases(WORKER, later + timedelta(seconds=30)) == 3
    assert set(_leases(store).values()) == {later + timedelta(seconds=30)}
    states = {d.id: d.state for d in store.list_deliveries()}
    assert states[held] is State.SENDING


def test_another_workers_claims_are_left_alone(store: Store) -> None:
    item = NewItem(kind="event", title="Assemblée générale", requested_at=AT)
    store.add_items([(item, [PlannedDelivery(channel="facebook", due_at=AT)])])
    [ours] = store.claim_due(WORKER, AT, limit=1, lease=timedelta(minutes=5))
    assert store.extend_leases("another:1:daemon:def456", AT + timedelta(hours=1)) == 0
    assert _leases(store)[ours.id] == AT + timedelta(minutes=5)
