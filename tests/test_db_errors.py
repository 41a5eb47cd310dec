"""The database's own errors, met for real, become the officer's sentences (db_errors.py)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event

from crosspost.db_errors import explain, shown_url
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.errors import DatabaseUnavailable
from crosspost.store import Store


def test_a_full_disk_under_the_store_is_named_and_nothing_is_half_written(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    store = Store.open(f"sqlite:///{path}")
    store.engine.dispose()

    @event.listens_for(store.engine, "connect")
    def _no_room(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # SQLite's own limit on the file's size: writes past it fail as on a full disk.
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    due = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    item = NewItem(kind="scoop", title="Vide-grenier", body="x" * 50_000, requested_at=due)
    with pytest.raises(DatabaseUnavailable) as raised:
        store.add_items([(item, [PlannedDelivery("blog", due)])])
    assert "is full: free some space" in str(raised.value)
    assert str(path) in str(raised.value)
    store.close()
    reopened = Store.open(f"sqlite:///{path}")
    assert reopened.list_deliveries() == []
    reopened.close()


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a ledger, the officer's notes\n" * 200, encoding="utf-8")
    with pytest.raises(sqlite3.DatabaseError) as raised:
        sqlite3.connect(path).execute("SELECT 1 FROM sqlite_master")
    problem = explain(raised.value, f"sqlite:///{path}")
    assert isinstance(problem, DatabaseUnavailable)
    assert "is not a database file" in str(problem)


def test_an_error_that_is_a_bug_is_left_alone(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "x.db")
    with pytest.raises(sqlite3.OperationalError) as raised:
        connection.execute("SELECT * FROM no_such_table")
    assert explain(raised.value, "sqlite:///x.db") is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://u:secret@host/x", "postgresql+psycopg://u:***@host/x"),
        ("postgresql+psycopg://u:p%40ss@host:5432/x", "postgresql+psycopg://u:***@host:5432/x"),
        ("postgresql+psycopg://u@host/x", "postgresql+psycopg://u@host/x"),
        ("sqlite:////tmp/ledger.db", "sqlite:////tmp/ledger.db"),
    ],
)
def test_the_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert shown_url(url) == shown
