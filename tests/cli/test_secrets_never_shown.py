"""A token Graph quotes back (code 190) reaches no column, no command's output and no log line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import responses
from sqlalchemy import MetaData, create_engine, select

from tests.conftest import Cli
from tests.graph_answers import FEED_URL, PAGE_URL, TOKEN, config, malformed_token


@pytest.fixture
def facebook(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Facebook Page whose token, in a private secrets file, Graph finds malformed."""
    monkeypatch.delenv("FB_PAGE_TOKEN", raising=False)
    (workspace / "crosspost.toml").write_text(config(), encoding="utf-8")
    secrets = workspace / "secrets.env"
    secrets.write_text(f"FB_PAGE_TOKEN={TOKEN}\n", encoding="utf-8")
    secrets.chmod(0o600)
    return workspace


def _database_dump(db_url: str) -> str:
    """Every row of every table, as text; for SQLite also the raw bytes of its files."""
    if db_url.startswith("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        connection = sqlite3.connect(path)
        dump = "\n".join(connection.iterdump())
        connection.close()
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        raw = b"".join(p.read_bytes() for p in files)
        return dump + raw.decode("latin-1")
    engine = create_engine(db_url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        rows = [
            repr(row)
            for table in metadata.sorted_tables
            for row in connection.execute(select(table))
        ]
    engine.dispose()
    return "\n".join(rows)


def test_a_token_quoted_back_by_graph_is_stored_shown_and_logged_nowhere(
    facebook: Path, cli: Cli, db_url: str
) -> None:
    cli("add", "--kind", "scoop", "--title", "Repair café : samedi 14 h", "--at", "now")
    outputs: dict[str, str] = {}
    with responses.RequestsMock() as rsps:
        rsps.add("POST", FEED_URL, json=malformed_token(TOKEN), status=400)
        rsps.add("GET", PAGE_URL, json=malformed_token(TOKEN), status=400)
        run = cli("run", "--once", "--log-format", "json", ok=False)
        outputs["run --once (JSON log)"] = run.out + run.err
        check = cli("channels", "check", ok=False)
        assert check.code == 1
        outputs["channels check"] = check.out + check.err
        # The token really went out, and Graph really quoted it back.
        assert TOKEN in rsps.calls[0].request.body  # type: ignore[operator]
        assert TOKEN in rsps.calls[0].response.text  # type: ignore[union-attr]
    for args in (
        ("status",),
        ("status", "--json"),
        ("show", "1"),
        ("show", "1", "--json"),
        ("list",),
        ("list", "--json"),
    ):
        result = cli(*args)
        outputs[" ".join(args)] = result.out + result.err

    for name, text in outputs.items():
        assert TOKEN not in text, f"`{name}` shows the token:\n{text}"
    # What Graph said is kept, only the token is masked.
    assert "Malformed access token [redacted]" in outputs["run --once (JSON log)"]
    assert "Malformed access token [redacted]" in outputs["channels check"]
    assert "Malformed access token [redacted]" in outputs["status"]
    assert "Malformed access token [redacted]" in outputs["show 1"]
    assert "Malformed access token [redacted]" in outputs["list --json"]

    dump = _database_dump(db_url)
    assert "Malformed access token [redacted]" in dump  # last_error, error_message, paused_reason
    assert TOKEN not in dump
