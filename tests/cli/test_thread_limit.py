"""A scoop too long for an X thread is refused when queued, by `add` and by `import`."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine

from tests.conftest import Cli

CONFIG = """\
timezone = "Europe/Paris"

[channels.x]
type = "twitter"
mode = "dry-run"

[[routes]]
kind = "scoop"
to = ["x"]
"""

SENTENCE = "Le repair café du quartier a réparé 312 objets : merci à l'ESS ! "
#: 12 posts on X (the default max_thread is 10).
LONG = SENTENCE * 48
#: A 360 kB body: more than a thousand posts.
HUGE = SENTENCE * 5500


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel("2026-11-29T16:00:00Z", tick=False) as traveller:
        yield traveller


@pytest.fixture
def x_workspace(workspace: Path) -> Path:
    (workspace / "crosspost.toml").write_text(CONFIG, encoding="utf-8")
    return workspace


def nothing_queued(cli: Cli) -> bool:
    return cli("list").out.strip() == "Nothing queued."


def test_add_refuses_a_scoop_longer_than_max_thread_with_the_count(
    x_workspace: Path, cli: Cli
) -> None:
    (x_workspace / "long.txt").write_text(LONG, encoding="utf-8")

    result = cli(
        "add", "--kind", "scoop", "--title", "Bilan", "--body-file", "long.txt", "--at", "+1h",
        ok=False,
    )  # fmt: skip

    assert result.code == 1
    assert "not queued" in result.err
    assert "x: the text would make a thread of 12 posts on X" in result.err
    assert "at most 10 (max_thread)" in result.err
    assert "Traceback" not in result.err
    assert nothing_queued(cli)


def test_add_refuses_a_360_kb_scoop_at_once(x_workspace: Path, cli: Cli) -> None:
    (x_workspace / "huge.txt").write_text(HUGE, encoding="utf-8")
    assert (x_workspace / "huge.txt").stat().st_size > 360_000

    result = cli(
        "add", "--kind", "scoop", "--title", "Bilan", "--body-file", "huge.txt", "--at", "+1h",
        ok=False,
    )  # fmt: skip

    assert result.code == 1
    assert "x: the text would make a thread of at least 1,2" in result.err
    assert nothing_queued(cli)


def test_max_thread_can_be_raised_for_a_channel(x_workspace: Path, cli: Cli) -> None:
    config = CONFIG.replace('mode = "dry-run"\n', 'mode = "dry-run"\nmax_thread = 15\n')
    (x_workspace / "crosspost.toml").write_text(config, encoding="utf-8")
    (x_workspace / "long.txt").write_text(LONG, encoding="utf-8")

    result = cli(
        "add", "--kind", "scoop", "--title", "Bilan", "--body-file", "long.txt", "--at", "+1h"
    )

    assert "Queued item 1" in result.out
    assert "12-post thread" in result.err


def test_import_refuses_the_whole_file_naming_the_row_and_the_count(
    x_workspace: Path, cli: Cli
) -> None:
    (x_workspace / "items.csv").write_text(
        "kind;title;body;at\n"
        "scoop;Court;Un mot sur https://asso.example.org/?utm_source=x&utm_medium=social;+1h\n"
        f"scoop;Long;{LONG};+2h\n",
        encoding="utf-8",
    )

    result = cli("import", "items.csv", ok=False)

    assert result.code == 1
    assert "nothing was imported" in result.err
    assert "row 3: x: the text would make a thread of 12 posts on X" in result.err
    assert "Traceback" not in result.err
    assert nothing_queued(cli)


def test_import_of_a_folder_refuses_a_too_long_file(x_workspace: Path, cli: Cli) -> None:
    folder = x_workspace / "drafts"
    folder.mkdir()
    (folder / "a.md").write_text("---\nkind: scoop\nat: +1h\n---\n# Court\n\nTexte", "utf-8")
    (folder / "b.md").write_text(f"---\nkind: scoop\nat: +1h\n---\n# Long\n\n{HUGE}", "utf-8")

    result = cli("import", "drafts", ok=False)

    assert result.code == 1
    assert "b.md: x: the text would make a thread of at least 1,2" in result.err
    assert nothing_queued(cli)


def test_import_check_reports_the_same_refusal(x_workspace: Path, cli: Cli) -> None:
    (x_workspace / "items.csv").write_text(f"kind;title;body;at\nscoop;Long;{LONG};+2h\n", "utf-8")

    result = cli("import", "--check", "items.csv", ok=False)

    assert "row 2: x: the text would make a thread of 12 posts on X" in result.err
