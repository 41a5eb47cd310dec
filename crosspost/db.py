"""Opening the ledger: engines, SQLite settings, and migrations run on first use."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from crosspost.errors import ConfigError
from crosspost.i18n import _
from crosspost.schema_version import HEAD_REVISION as HEAD_REVISION

#: How long a SQLite writer waits for another one before giving up (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 15_000

#: The database URLs' schemes Crosspost speaks (README: SQLite or PostgreSQL with psycopg).
SUPPORTED_SCHEMES = frozenset({"sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"})

#: PostgreSQL advisory lock held by the process migrating the schema: another opener
#: waits for it, then finds the schema current (the digits spell "CROSSPOST").
MIGRATION_LOCK = 2767_7678


def migrations_dir() -> Path:
    """Where the Alembic scripts are: shipped in the wheel, or the checkout's alembic/."""
    here = Path(__file__).resolve().parent
    shipped = here / "_migrations"
    if (shipped / "env.py").exists():
        return shipped
    checkout = here.parent / "alembic"
    if (checkout / "env.py").exists():
        return checkout
    raise ConfigError(_("Crosspost's database migrations are missing from this installation"))


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings the ledger relies on (WAL and busy timeout on SQLite).

    A URL of another database (mysql://...) or none at all is the officer's setting to
    fix (ConfigError), said before SQLAlchemy looks for a driver it would not find.
    """
    from crosspost.db_errors import unsupported_url

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise unsupported_url(url) from None
    if parsed.drivername not in SUPPORTED_SCHEMES:
        raise unsupported_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                _create_private(Path(database))
            except OSError as error:
                from crosspost.db_errors import cannot_create

                raise cannot_create(database, error) from None
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    try:
        import psycopg  # noqa: F401  (create_engine imports it next: no extra cost)
    except ImportError:
        from crosspost.db_errors import missing_driver

        raise missing_driver(url) from None
    engine = create_engine(url, **kwargs)
    _ping_after_idle(engine)
    return engine


#: A pooled PostgreSQL connection unused this long is pinged before it is handed out.
PING_AFTER_IDLE_S = 1.0


def _ping_after_idle(engine: Engine) -> None:
    """SQLAlchemy's pool_pre_ping, only for connections that sat idle.

    A connection the server dropped while it waited in the pool (a restart, an idle
    timeout) is found and replaced before a statement is sent on it. pool_pre_ping
    did that on every checkout: under a burst, a round trip per group commit of the
    publication path, each waiting for the GIL among the publishing threads again
    (bench/RESULTS.md, issue 15). A connection checked in a moment ago is used as is;
    if the server went away in that moment, the statement fails, SQLAlchemy drops
    the pool's connections, and the group commit runs each write again on a new one.
    """
    import time

    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out another (a new one).
            raise DisconnectionError(str(error)) from error
        if not alive:
            raise DisconnectionError("the database closed the connection")


def _create_private(path: Path) -> None:
    """Create the SQLite file readable by its owner only (the officer's queue and history).

    SQLite gives its -wal and -shm files the database file's mode, so they follow.
    An existing file keeps the mode its owner chose.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions: we need BEGIN IMMEDIATE
        # for claims, and the driver's implicit BEGIN would come too late.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # A ConfigParser value: a `%` (an encoded password or path) would be interpolation.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> str | None:
    """Bring the schema to the newest migration (creates it on an empty database).

    Returns the revision found once the migration lock was held (None: empty), so a
    caller learns whether this process migrated or another one had done it meanwhile.
    """
    with migration_transaction(engine) as connection:
        found = _revision(connection)
        if found == HEAD_REVISION:
            return found  # another opener migrated while this one waited for the lock
        from alembic import command

        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        return found


def _revision(connection: Connection) -> str | None:
    """The schema version recorded, read in the caller's transaction (None: no table)."""
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


@contextlib.contextmanager
def migration_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for migrations; on SQLite, with foreign keys not enforced meanwhile.

    SQLite cannot alter a column in place: Alembic's batch mode copies the table,
    drops the old one and renames the copy. With foreign keys enforced, that DROP
    deletes the rows first and their ON DELETE CASCADE empties the tables that
    point at it: rebuilding `items` would delete every delivery and attempt. So, as
    SQLite's documentation prescribes for such changes, enforcement is off during
    the migration (the pragma is ignored inside a transaction, hence before BEGIN)
    and `PRAGMA foreign_key_check` must find no reference broken by the migration
    before the commit (one broken before is left as it was: refusing would lock the
    officer out of a ledger the upgrade did not harm).

    Two processes may open an old ledger at once (cron and the officer after an
    upgrade). The transaction takes the write lock before it reads anything: on
    SQLite BEGIN IMMEDIATE, which waits for the other migrator within the busy
    timeout (a deferred transaction that read first could not wait: SQLite refuses
    at once, "database is locked"); on PostgreSQL an advisory lock held until the
    commit. The caller then reads the revision again, under the lock (`upgrade`).
    """
    with engine.connect() as connection:
        raw = connection.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
            connection.execution_options(sqlite_begin="IMMEDIATE")
        try:
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                    )
                broken_before = _broken_references(connection) if raw is not None else {}
                yield connection
                if raw is not None:
                    _refuse_newly_broken(broken_before, _broken_references(connection))
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def _broken_references(connection: Connection) -> dict[str, int]:
    """How many rows of each table point at a row that does not exist (SQLite)."""
    counts: dict[str, int] = {}
    for row in connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
        counts[str(row[0])] = counts.get(str(row[0]), 0) + 1
    return counts


def _refuse_newly_broken(before: dict[str, int], after: dict[str, int]) -> None:
    worse = sorted(name for name, count in after.items() if count > before.get(name, 0))
    if worse:
        tables = ", ".join(worse)
        raise ConfigError(
            _(
                "the database upgrade was undone: it would leave rows of {tables} pointing "
                "at rows that do not exist; nothing was changed"
            ).format(tables=tables)
        )


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return _revision(connection)


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    config = _bare_alembic_config()
    return ScriptDirectory.from_config(config).get_current_head()


def _bare_alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def stored_revision(engine: Engine) -> str | None:
    """The schema version recorded in the database, read without Alembic.

    None for a database without the table (a first run). A database that cannot be
    reached or opened raises: the migration would meet the same wall.
    """
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError) as error:
        if "no such table" in str(error.orig) or type(error.orig).__name__ == "UndefinedTable":
            return None
        raise


def ensure_schema(engine: Engine) -> None:
    """Create or upgrade the database on first use; one small query when already current."""
    if stored_revision(engine) == HEAD_REVISION:
        return
    upgrade(engine)
