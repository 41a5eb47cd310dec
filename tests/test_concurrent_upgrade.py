"""Two processes opening an old ledger at once (cron and the officer, after an upgrade):
both succeed, the schema is migrated once.

The test holds the migration lock itself (SQLite's write lock, with a committed
write, as another opener migrating would; PostgreSQL's advisory lock) while two
real `crosspost db upgrade` processes start: both have read the old revision and
wait. Before the fix, SQLite refused the one whose read had gone stale ("database
is busy"), and on PostgreSQL both ran the same migration.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from alembic import command
from crosspost.db import MIGRATION_LOCK, alembic_config, make_engine, stored_revision
from crosspost.schema_version import HEAD_REVISION

ROOT = Path(__file__).resolve().parents[1]
OLD = "0001"
#: Long enough for both processes to start and reach the lock (well within the busy timeout).
HOLD_S = 4.0


def _old_ledger(url: str) -> None:
    engine = make_engine(url)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, OLD)
    engine.dispose()


def _start_upgrades(folder: Path, url: str, count: int = 2) -> list[subprocess.Popen[str]]:
    (folder / "crosspost.toml").write_text('timezone = "Europe/Paris"\n', encoding="utf-8")
    environment = {**os.environ, "CROSSPOST_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return [
        subprocess.Popen(
            [sys.executable, "-m", "crosspost", "db", "upgrade"],
            cwd=folder,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]


def _outcomes(processes: list[subprocess.Popen[str]]) -> list[str]:
    said = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, (out, err)
        said.append(out.strip())
    return sorted(said)


def _assert_migrated_once(said: list[str], url: str) -> None:
    # One process migrated; the other found, once it held the lock, nothing left to do.
    assert said[0].startswith(f"Database upgraded from {OLD} to {HEAD_REVISION}"), said
    assert said[1] == f"The database is up to date (schema {HEAD_REVISION}).", said
    engine = make_engine(url)
    assert stored_revision(engine) == HEAD_REVISION
    engine.dispose()


@pytest.mark.slow
def test_two_openers_of_an_old_sqlite_ledger_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    url = f"sqlite:///{path}"
    _old_ledger(url)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    # A committed write while they wait: what another opener's migration is to them.
    holder.execute("UPDATE alembic_version SET version_num = version_num")
    try:
        processes = _start_upgrades(tmp_path, url)
        time.sleep(HOLD_S)
    finally:
        holder.execute("COMMIT")
        holder.close()
    _assert_migrated_once(_outcomes(processes), url)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_openers_of_an_old_postgresql_ledger_both_succeed(
    tmp_path: Path, pg_empty_url: str
) -> None:
    _old_ledger(pg_empty_url)
    holder = create_engine(pg_empty_url)
    with holder.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            processes = _start_upgrades(tmp_path, pg_empty_url)
            time.sleep(HOLD_S)
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    holder.dispose()
    _assert_migrated_once(_outcomes(processes), pg_empty_url)


def test_an_old_ledger_opened_by_many_stores_at_once_is_migrated_once(tmp_path: Path) -> None:
    """Without a lock held by the test: three processes race on their own."""
    path = tmp_path / "ledger.db"
    url = f"sqlite:///{path}"
    _old_ledger(url)
    processes = _start_upgrades(tmp_path, url, count=3)
    said = _outcomes(processes)
    assert sum(s.startswith("Database upgraded") for s in said) == 1, said
