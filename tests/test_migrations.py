"""The schema built by the migrations is exactly the one the models describe, and an
upgrade keeps every row of an older ledger."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, Table, inspect, select

from alembic import command
from crosspost.db import (
    HEAD_REVISION,
    alembic_config,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    migration_transaction,
    stored_revision,
    upgrade,
)
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.errors import ConfigError
from crosspost.models import Base
from crosspost.store import Store


def test_migrations_and_models_agree(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_upgrade_is_idempotent_and_reaches_head(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert {"items", "deliveries", "attempts"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_the_head_revision_every_command_checks_is_alembics_head(empty_db_url: str) -> None:
    """Adding a migration without bumping HEAD_REVISION would skip it on upgrade."""
    assert head_revision() == HEAD_REVISION
    engine = make_engine(empty_db_url)
    assert stored_revision(engine) is None
    upgrade(engine)
    assert stored_revision(engine) == HEAD_REVISION
    engine.dispose()


#: Every revision an officer's ledger may have stopped at, oldest first (head excluded).
EARLIER_REVISIONS = [
    "0001",
    "0002_spend",
    "hi13a_sequence_steps",
    "hi13b_series",
    "0003_variants",
    "he14a_review_drafts",
    "he14b_member_feeds",
    "he14c_access_tokens",
]
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _filled_head_ledger(path: Path) -> str:
    """A ledger at head with what an officer's holds: items with accents and emoji, an
    announcement waiting for its blog post, one post published (its attempt kept)."""
    url = f"sqlite:///{path}"
    store = Store.open(url)
    batch = [
        (
            NewItem(kind="article", title=f"Assemblée générale n°{n} : l'ESS 🌱", requested_at=AT),
            [
                PlannedDelivery("blog", AT + timedelta(hours=n)),
                PlannedDelivery("x", AT + timedelta(hours=n), role="announce", waits_for="blog"),
            ],
        )
        for n in range(20)
    ]
    store.add_items(batch)
    [claimed, *_] = store.claim_due(
        "w", AT + timedelta(minutes=1), limit=1, lease=timedelta(minutes=5)
    )
    attempt = store.start_attempt(claimed.id, "w", AT + timedelta(minutes=1))
    assert attempt is not None
    store.record_published(
        claimed.id,
        attempt,
        AT + timedelta(minutes=2),
        remote_id="123",
        url="https://blog.example.org/ag?utm_source=x&utm_medium=social_media",
        published_at=AT + timedelta(minutes=2),
        dry_run=False,
        detail=None,
    )
    store.close()
    return url


def _read(engine: Engine, columns: dict[str, list[str]]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of each table, in the given columns, typed by the database's own schema."""
    metadata = MetaData()
    with engine.connect() as connection:
        found = {}
        for name, names in columns.items():
            reflected = Table(name, metadata, autoload_with=connection)
            query = select(*(reflected.c[c] for c in names)).order_by(reflected.c.id)
            found[name] = [tuple(map(_utc_naive, row)) for row in connection.execute(query)]
        return found


def _utc_naive(value: object) -> object:
    """SQLite hands times back without a zone (stored in UTC), PostgreSQL with one."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


@pytest.mark.parametrize("revision", EARLIER_REVISIONS)
def test_an_upgrade_keeps_every_item_delivery_and_attempt(
    revision: str, empty_db_url: str, tmp_path: Path
) -> None:
    """Upgrading Crosspost must not lose the queue: on SQLite, rebuilding `items` (batch
    mode) with foreign keys enforced cascaded and deleted every delivery and attempt."""
    head = make_engine(_filled_head_ledger(tmp_path / "head.db"))
    old = make_engine(empty_db_url)
    config = alembic_config(old)
    with old.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    tables = ["items", "deliveries", "attempts"]
    # The head ledger's rows, in the old revision's columns, written into the old schema.
    kept = {t: [c["name"] for c in inspect(old).get_columns(t)] for t in tables}
    before = _read(head, kept)
    assert [len(before[t]) for t in tables] == [20, 40, 1]
    metadata = MetaData()
    with old.begin() as target:
        for name in tables:
            reflected = Table(name, metadata, autoload_with=target)
            target.execute(
                reflected.insert(), [dict(zip(kept[name], r, strict=True)) for r in before[name]]
            )
    old.dispose()

    upgraded = make_engine(empty_db_url)
    ensure_schema(upgraded)
    assert stored_revision(upgraded) == HEAD_REVISION
    assert _read(upgraded, kept) == before
    upgraded.dispose()
    head.dispose()


def test_a_sqlite_ledger_enforces_foreign_keys_again_after_an_upgrade(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_a_migration_that_would_orphan_rows_is_undone(tmp_path: Path) -> None:
    url = _filled_head_ledger(tmp_path / "ledger.db")
    engine = make_engine(url)
    refused = pytest.raises(ConfigError, match="undone: it would leave rows of deliveries")
    with refused, migration_transaction(engine) as connection:
        # What a wrong rebuild would do: the items go, their deliveries stay.
        connection.exec_driver_sql("DELETE FROM items")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM items").scalar() == 20
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_a_reference_broken_before_the_upgrade_does_not_lock_the_ledger(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = make_engine(url)
    config = alembic_config(old)
    with old.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002_spend")  # items and deliveries rebuilt
    old.dispose()
    raw = sqlite3.connect(tmp_path / "old.db")  # foreign keys not enforced: a damaged file
    raw.execute(
        "INSERT INTO attempts (id, delivery_id, number, worker, started_at, outcome) "
        "VALUES (7, 999, 1, 'w', '2026-12-01 09:00:00', 'published')"
    )
    raw.commit()
    raw.close()
    engine = make_engine(url)
    ensure_schema(engine)
    assert stored_revision(engine) == HEAD_REVISION
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT delivery_id FROM attempts").scalar() == 999
    engine.dispose()
