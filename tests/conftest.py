"""Shared fixtures: every ledger test runs on SQLite and on a real PostgreSQL.

PostgreSQL tests carry the `postgres` marker. They are skipped when the server
cannot be reached, unless CROSSPOST_REQUIRE_POSTGRES=1 (CI sets it), which turns
the skip into a failure so a missing server can never pass silently.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from channels.registry import register
from tests.support.fakechannel import FakeChannel, reset_fake_platforms

# The in-memory `fake` type is test support, not an installed entry point.
register("fake", FakeChannel)

PG_ADMIN_URL = os.environ.get(
    "CROSSPOST_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

CONFIG = """\
timezone = "Europe/Paris"
database = "sqlite:///crosspost.db"

[channels.blog]
type = "fake"

[channels.twitter]
type = "fake"
max_length = 280

[channels.facebook]
type = "fake"

[[routes]]
kind = "event"
to = ["facebook"]

[[routes]]
kind = "scoop"
to = ["twitter"]

[[routes]]
kind = "article"
to = ["blog"]
announce = ["twitter", "facebook"]
announce_offset = "30m"
"""


@pytest.fixture(autouse=True)
def _isolated_user(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never read or write the real user's config, secrets or database."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    # English unless a test asks for French: the machine's own locale decides nothing.
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("CROSSPOST_CONFIG", "CROSSPOST_DATABASE_URL", "CROSSPOST_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    reset_fake_platforms()


@pytest.fixture(autouse=True)
def _language_of_each_test() -> Iterator[None]:
    """A French config read by one test's CLI run does not make the next test French."""
    from crosspost import language

    language.forget()
    with language.using(None):
        yield
    language.forget()


def _pg_available() -> bool:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_server() -> str:
    if not _pg_available():
        if os.environ.get("CROSSPOST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable at {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL is not reachable (set CROSSPOST_TEST_PG_URL)")
    return PG_ADMIN_URL


def _admin(pg_server: str) -> Any:
    from sqlalchemy import create_engine

    return create_engine(pg_server, isolation_level="AUTOCOMMIT")


def _pg_database(pg_server: str, name: str, *, template: str) -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    admin = _admin(pg_server)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return make_url(pg_server).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(pg_server: str, name: str) -> None:
    from sqlalchemy import text

    admin = _admin(pg_server)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_template(pg_server: str) -> Iterator[str]:
    """One PostgreSQL database migrated to head per test session, copied for each test:
    CREATE DATABASE ... TEMPLATE is far cheaper than running the migrations every time."""
    from crosspost.db import make_engine, upgrade

    name = f"crosspost_template_{uuid.uuid4().hex[:12]}"
    url = _pg_database(pg_server, name, template="template0")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield name
    _drop_pg_database(pg_server, name)


@pytest.fixture
def pg_url(pg_server: str, pg_template: str) -> Iterator[str]:
    """A PostgreSQL database of its own, schema at head and no rows, dropped afterwards."""
    name = f"crosspost_test_{uuid.uuid4().hex[:12]}"
    url = _pg_database(pg_server, name, template=pg_template)
    yield url
    _drop_pg_database(pg_server, name)


@pytest.fixture
def pg_empty_url(pg_server: str) -> Iterator[str]:
    """A brand-new PostgreSQL database without any table (for the migrations' own tests)."""
    name = f"crosspost_empty_{uuid.uuid4().hex[:12]}"
    url = _pg_database(pg_server, name, template="template0")
    yield url
    _drop_pg_database(pg_server, name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite ledger migrated to head per session; each test gets a copy of the file."""
    from crosspost.db import make_engine, upgrade

    path = tmp_path_factory.mktemp("template") / "ledger.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        # Fold the WAL into the main file so a plain copy holds the whole schema.
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of each kind the ledger supports, schema at head and no rows."""
    if request.param == "sqlite":
        target = tmp_path / "ledger.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind, without any table: what a first run meets."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return str(request.getfixturevalue("pg_empty_url"))


@pytest.fixture
def workspace(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with crosspost.toml (fake channels) as the current directory, on each database."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "crosspost.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", db_url)
    return root


class Cli:
    """Runs `crosspost` in-process as an officer would type it."""

    def __init__(self) -> None:
        from typer.testing import CliRunner

        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True, input: str | None = None) -> Result:
        from crosspost.cli import app

        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=False)
        outcome = Result(result.exit_code, result.stdout, result.stderr)
        if ok and result.exit_code != 0:
            raise AssertionError(f"crosspost {' '.join(args)} failed:\n{outcome}")
        return outcome


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        self.out = out
        self.err = err

    def json(self) -> object:
        import json

        return json.loads(self.out)

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


@pytest.fixture
def cli() -> Cli:
    return Cli()
