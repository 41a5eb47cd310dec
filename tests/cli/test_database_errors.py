"""A database the officer must fix is said so, in one line naming the setting: never "a bug".

An unreachable PostgreSQL, a URL of a database Crosspost does not speak, a
read-only ledger. The password of the URL is never shown.

Read-only, as root: root writes through a file's mode bits, so a chmod 0o444 ledger
alone proves nothing here (the tests run as root). Two ways that hold for root too:
SQLite's own read-only mode (`sqlite:///file:PATH?mode=ro&uri=true`, a URL the
settings accept) in-process, and the real chmod 0o444 file in a 0o555 folder, run
in a `crosspost` process without the capabilities that let root ignore modes
(setpriv), or as it is when not root.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONFIG, Cli

#: For another process, which knows no `fake` channel type (tests/conftest.py registers it).
PROCESS_CONFIG = """\
timezone = "Europe/Paris"

[channels.blog]
type = "static-blog"
path = "site"

[[routes]]
kind = "scoop"
to = ["blog"]
"""

PASSWORD = "s3cret-Pw"
#: Nothing listens on port 1: the connection is refused at once.
UNREACHABLE = f"postgresql+psycopg://officer:{PASSWORD}@127.0.0.1:1/ledger"
ROOT = Path(__file__).resolve().parents[2]

COMMANDS = [
    ("list",),
    ("status",),
    ("add", "--kind", "scoop", "--title", "Marché de Noël : 14 h", "--at", "tomorrow 10:00"),
]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "crosspost.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _clear(result_text: str) -> None:
    assert "Traceback" not in result_text
    assert "bug" not in result_text
    assert "Internal error" not in result_text
    assert PASSWORD not in result_text


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_unreachable_postgresql_names_the_setting_and_hides_the_password(
    folder: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", UNREACHABLE)
    result = cli(*command, ok=False)
    assert result.code == 1, result
    _clear(result.out + result.err)
    assert "cannot reach the database postgresql+psycopg://officer:***@127.0.0.1:1/ledger" in (
        result.err
    )
    assert "Connection refused" in result.err
    assert "$CROSSPOST_DATABASE_URL" in result.err
    assert sorted(p.name for p in folder.iterdir()) == ["crosspost.toml"]  # nothing written


def test_the_setting_named_is_the_file_s_when_no_variable_overrides_it(
    folder: Path, cli: Cli
) -> None:
    config = CONFIG.replace('database = "sqlite:///crosspost.db"', f'database = "{UNREACHABLE}"')
    (folder / "crosspost.toml").write_text(config, encoding="utf-8")
    result = cli("list", ok=False)
    assert result.code == 1, result
    _clear(result.out + result.err)
    assert "`database` in crosspost.toml" in result.err


def test_with_json_the_database_error_is_json_too(
    folder: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", UNREACHABLE)
    result = cli("list", "--json", ok=False)
    assert result.code == 1
    answer = result.json()
    assert isinstance(answer, dict)
    assert answer["code"] == 1
    assert "cannot reach the database" in answer["error"]
    _clear(result.out + result.err)


def test_a_french_officer_reads_it_in_french(
    folder: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "crosspost.toml").write_text('language = "fr"\n' + CONFIG, encoding="utf-8")
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", UNREACHABLE)
    result = cli("list", ok=False)
    assert result.code == 1, result
    _clear(result.out + result.err)
    assert "impossible de joindre la base de données" in result.err
    assert "$CROSSPOST_DATABASE_URL" in result.err


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://officer:{PASSWORD}@127.0.0.1/ledger",
        f"mongodb://officer:{PASSWORD}@127.0.0.1/ledger",
        "crosspost.db",
    ],
    ids=["mysql", "unknown-dialect", "not-a-url"],
)
def test_a_database_crosspost_does_not_speak_is_a_setting_to_fix(
    folder: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", url)
    result = cli("add", *COMMANDS[2][1:], ok=False)
    assert result.code == 1, result
    _clear(result.out + result.err)
    assert "$CROSSPOST_DATABASE_URL" in result.err
    assert "expected sqlite:///PATH or postgresql+psycopg://" in result.err
    assert sorted(p.name for p in folder.iterdir()) == ["crosspost.toml"]


def test_postgresql_without_its_driver_says_which_extra_to_install(
    folder: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pip install .` has no PostgreSQL driver (the `postgres` extra brings psycopg)."""
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", UNREACHABLE)
    result = cli("list", ok=False)
    assert result.code == 1, result
    _clear(result.out + result.err)
    assert "$CROSSPOST_DATABASE_URL" in result.err
    assert "officer:***@127.0.0.1:1/ledger is a PostgreSQL database" in result.err
    assert "python -m pip install 'psycopg[binary]'" in result.err
    assert sorted(p.name for p in folder.iterdir()) == ["crosspost.toml"]


def _ledger_with_one_item(folder: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = folder / "ledger.db"
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", f"sqlite:///{path}")
    cli(*COMMANDS[2])
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _items(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT id, title FROM items ORDER BY id").fetchall()


def test_a_read_only_ledger_refuses_a_write_clearly_and_still_lists(
    folder: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _ledger_with_one_item(folder, cli, monkeypatch)
    before = _items(path)
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    assert "Marché de Noël" in cli("list").out  # reading needs no write

    result = cli("add", "--kind", "scoop", "--title", "Autre", "--at", "tomorrow", ok=False)
    assert result.code == 1, result
    _clear(result.out + result.err)
    assert "is read-only, and Crosspost must write to it" in result.err
    assert "$CROSSPOST_DATABASE_URL" in result.err
    assert _items(path) == before


def test_a_read_only_ledger_that_needs_its_upgrade_says_so_and_stays_as_it_was(
    folder: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = folder / "old.db"
    _old_ledger(path)
    before = path.read_bytes()
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    result = cli("list", ok=False)
    assert result.code == 1, result
    _clear(result.out + result.err)
    assert "is read-only" in result.err
    assert path.read_bytes() == before


def _old_ledger(path: Path) -> None:
    from alembic import command
    from crosspost.db import alembic_config, make_engine

    engine = make_engine(f"sqlite:///{path}")
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def _as_an_ordinary_account() -> list[str]:
    """How to run a command that file modes bind: root without its override capabilities."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a chmod cannot make a file read-only")
    drop = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={drop}", f"--bounding-set={drop}", "--"]


@pytest.mark.parametrize(
    "command", [*COMMANDS, ("run",), ("run", "--once")], ids=lambda c: " ".join(c)
)
def test_a_ledger_chmod_444_in_a_folder_555_is_read_only_not_a_bug(
    folder: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    prefix = _as_an_ordinary_account()
    path = _ledger_with_one_item(folder, cli, monkeypatch)
    before = _items(path)
    for leftover in folder.glob("ledger.db-*"):
        leftover.unlink()
    (folder / "crosspost.toml").write_text(PROCESS_CONFIG, encoding="utf-8")
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        environment = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
        run = subprocess.run(
            [*prefix, sys.executable, "-m", "crosspost", *command],
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
    assert run.returncode == 1, (run.stdout, run.stderr)
    _clear(run.stdout + run.stderr)
    assert "is read-only, and Crosspost must write to it" in run.stderr
    assert "$CROSSPOST_DATABASE_URL" in run.stderr
    assert _items(path) == before
