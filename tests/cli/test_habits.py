"""What any command-line tool is expected to do: --version, -h, completion, NO_COLOR,
JSON errors after --json, and `delete` for an item that never went out."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from crosspost.store import Store
from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]


def in_terminal(*args: str, cwd: Path, env: dict[str, str]) -> bytes:
    """Everything `crosspost ARGS` writes when its output is a terminal (where colours show)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "crosspost", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks)


def test_version_prints_name_and_version(cli: Cli) -> None:
    assert cli("--version").out == "crosspost 0.1.0\n"


@pytest.mark.parametrize(
    "args", [["-h"], ["list", "-h"], ["channels", "list", "-h"], ["add", "-h"]]
)
def test_dash_h_is_help_everywhere(cli: Cli, args: list[str]) -> None:
    out = cli(*args).out
    assert out.startswith("Usage: ")
    assert "-h, --help" in out


def test_shell_completion_is_offered(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "--install-completion" in cli("--help").out
    # Typer guesses the shell from the parent processes, which a test run started
    # from no shell does not have: the shell is named, as `--show-completion bash`.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    script = cli("--show-completion", "bash").out
    assert "_CROSSPOST_COMPLETE" in script


def test_no_color_removes_every_ansi_escape_in_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "crosspost.toml").write_text('timezone = "Europe/Paris"\n', "utf-8")
    coloured = in_terminal("show", "99", cwd=tmp_path, env={})
    assert b"\x1b[" in coloured  # without NO_COLOR the error is red in a terminal
    plain = in_terminal("show", "99", cwd=tmp_path, env={"NO_COLOR": "1"})
    assert b"there is no item 99" in plain
    assert b"\x1b" not in plain


def test_help_stays_fast_without_the_ledger_or_the_sdks(tmp_path: Path) -> None:
    probe = (
        "import sys; from crosspost.cli import app\n"
        "try:\n    app(['--help'], prog_name='crosspost')\nexcept SystemExit:\n    pass\n"
        "print(sorted({'sqlalchemy', 'tweepy', 'requests', 'apscheduler', 'icalendar'}"
        " & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


# ---------------------------------------------------------------- errors as JSON


def test_errors_after_json_are_json_on_stdout_with_the_exit_code(workspace: Path, cli: Cli) -> None:
    missing = cli("show", "99", "--json", ok=False)
    assert missing.code == 1
    assert json.loads(missing.out) == {
        "error": "there is no item 99 (see `crosspost list`)",
        "code": 1,
    }
    assert missing.err == ""
    usage = cli("show", "--json", ok=False)
    assert usage.code == 2
    assert json.loads(usage.out) == {"error": "Missing argument 'ID'.", "code": 2}
    bad = cli("list", "--kind", "podcast", "--json", ok=False)
    shown = json.loads(bad.out)
    assert shown["code"] == bad.code == 1
    assert "kind" in shown["error"]
    # Without --json the officer reads a line on stderr, as before.
    plain = cli("show", "99", ok=False)
    assert plain.out == ""
    assert plain.err == "Error: there is no item 99 (see `crosspost list`)\n"


# ---------------------------------------------------------------- delete


def _queue(cli: Cli) -> None:
    cli("add", "--kind", "article", "--title", "Bilan : l'été", "--at", "2030-01-02 10:00")
    cli("add", "--kind", "scoop", "--title", "Nous recrutons !", "--at", "2030-01-03 10:00")


def test_delete_removes_an_unpublished_item_and_its_deliveries(
    workspace: Path, cli: Cli, db_url: str
) -> None:
    _queue(cli)
    asked = cli("delete", "1", input="n\n", ok=False)
    assert asked.code == 1
    assert "Delete item 1 «Bilan : l'été» (blog, twitter, facebook)" in asked.out
    assert cli("show", "1").code == 0  # kept
    done = cli("delete", "1", input="y\n")
    assert "Deleted item 1 «Bilan : l'été» and its 3 deliveries." in done.out
    assert "no item 1" in cli("show", "1", ok=False).err
    listed = cli("list", "--json").json()
    assert isinstance(listed, list)
    assert {d["item_id"] for d in listed} == {2}
    store = Store.open(db_url)
    try:
        assert store.count_by_state() == {"pending": 1}
    finally:
        store.close()


def test_delete_refuses_when_something_was_published_naming_it(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "article", "--title", "Bilan", "--at", "now")
    cli("run", "--once")
    refused = cli("delete", "1", "--yes", ok=False)
    assert refused.code == 1
    assert "item 1 cannot be deleted: published on blog" in refused.err
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert len(shown["deliveries"]) == 3


def test_delete_refuses_a_delivery_in_flight(workspace: Path, cli: Cli, db_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    from crosspost.states import State

    _queue(cli)
    store = Store.open(db_url)
    try:
        record = store.get_item(2)
        (twitter,) = record.deliveries
        assert store.move(
            twitter.id,
            State.PENDING,
            State.CLAIMED,
            claimed_by="publisher-1",
            lease_until=datetime.now(UTC) + timedelta(minutes=5),
        )
    finally:
        store.close()
    refused = cli("delete", "2", "--yes", ok=False)
    assert "twitter is being published right now" in refused.err
    assert cli("show", "2").code == 0


def test_delete_of_an_unknown_item_says_so(workspace: Path, cli: Cli) -> None:
    missing = cli("delete", "7", "--yes", ok=False)
    assert missing.code == 1
    assert "no item 7" in missing.err
