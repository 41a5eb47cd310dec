"""The schema built by the migrations is exactly the one the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from crosspost.db import (
    HEAD_REVISION,
    current_revision,
    head_revision,
    make_engine,
    stored_revision,
    upgrade,
)
from crosspost.models import Base


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
