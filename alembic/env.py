"""Alembic environment: the same database the application uses.

The application passes its open connection (crosspost.db.upgrade). From the
command line, the URL comes from $CROSSPOST_DATABASE_URL, else from the
crosspost.toml that `crosspost` itself would find.
"""

from __future__ import annotations

import os

from sqlalchemy import Connection

from alembic import context
from crosspost.models import Base

target_metadata = Base.metadata


def _url_from_environment() -> str:
    url = os.environ.get("CROSSPOST_DATABASE_URL")
    if url:
        return url
    from crosspost.config import load_settings

    return load_settings(None).database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from crosspost.db import make_engine, migration_transaction

    engine = make_engine(_url_from_environment())
    with migration_transaction(engine) as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url_from_environment(), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
