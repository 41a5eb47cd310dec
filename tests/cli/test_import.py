"""`crosspost import`: CSV and folders of Markdown, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine

from tests.conftest import Cli


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel("2026-11-29T16:00:00Z", tick=False) as traveller:
        yield traveller


def test_csv_with_semicolons_and_bom_as_a_french_spreadsheet_saves_it(
    workspace: Path, cli: Cli
) -> None:
    (workspace / "items.csv").write_text(
        "\ufeffkind;title;event-start;location;tags;at\n"
        "event;Repair café;2026-12-12 14:00;Maison des associations;"
        "réparation,quartier;2026-12-05 10:00\n"
        "scoop;Nous recrutons !;;;;+2h\n",
        encoding="utf-8",
    )
    result = cli("import", "items.csv")
    assert "Imported 2 items (2 deliveries), ids 1 to 2." in result.out
    rows = cli("list", "--json").json()
    assert isinstance(rows, list)
    assert [(r["title"], r["channel"]) for r in rows] == [
        ("Nous recrutons !", "twitter"),
        ("Repair café", "facebook"),
    ]


def test_one_bad_row_rejects_the_whole_import_listing_every_problem(
    workspace: Path, cli: Cli
) -> None:
    (workspace / "items.csv").write_text(
        "kind,title,event_start,at\n"
        "scoop,Bon,,+1h\n"
        "event,Sans date,,+1h\n"
        "scoop,Trop tôt,,2020-01-01 10:00\n"
        "fête,Inconnu,,+1h\n",
        encoding="utf-8",
    )
    result = cli("import", "items.csv", ok=False)
    assert result.code == 1
    assert "nothing was imported: 3 items to fix first" in result.err
    assert "row 3: event_start: an event needs its date" in result.err
    assert "row 4: at: 2020-01-01 10:00 is in the past" in result.err
    assert "row 5: kind: expected one of" in result.err
    assert cli("list").out.strip() == "Nothing queued."


def test_unknown_csv_column_is_named(workspace: Path, cli: Cli) -> None:
    (workspace / "items.csv").write_text("kind,titre\nscoop,x\n", encoding="utf-8")
    result = cli("import", "items.csv", ok=False)
    assert "unknown column 'titre'" in result.err


def test_folder_of_markdown_files(workspace: Path, cli: Cli) -> None:
    folder = workspace / "drafts"
    folder.mkdir()
    (folder / "a.md").write_text("---\nkind: scoop\nat: +1h\n---\n# Premier\n\nTexte", "utf-8")
    (folder / "b.md").write_text("---\nkind: article\nat: +1d\n---\n# Second\n\nLong", "utf-8")
    (folder / "notes.txt").write_text("ignored", "utf-8")
    result = cli("import", "drafts")
    assert "Imported 2 items (4 deliveries)" in result.out


def test_bad_markdown_file_rejects_the_folder(workspace: Path, cli: Cli) -> None:
    folder = workspace / "drafts"
    folder.mkdir()
    (folder / "a.md").write_text("---\nkind: scoop\nat: now\n---\n# Bon\n", "utf-8")
    (folder / "b.md").write_text("---\nkind: [scoop\n---\n# Cassé\n", "utf-8")
    result = cli("import", "drafts", ok=False)
    assert "b.md: the front matter is not valid YAML" in result.err
    assert cli("list").out.strip() == "Nothing queued."


def test_check_writes_nothing(workspace: Path, cli: Cli) -> None:
    (workspace / "items.csv").write_text("kind,title,at\nscoop,Un,now\nscoop,Deux,now\n", "utf-8")
    assert "All 2 items are valid" in cli("import", "items.csv", "--check").out
    assert cli("list").out.strip() == "Nothing queued."


def test_rows_at_next_take_the_next_free_slots_in_file_order(workspace: Path, cli: Cli) -> None:
    config = workspace / "crosspost.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[policy.twitter]\nslots = ["tue 12:30", "thu 12:30"]\nmax_per_day = 1\n',
        encoding="utf-8",
    )
    cli("add", "--kind", "scoop", "--title", "Déjà là", "--at", "2026-12-01 12:30")
    (workspace / "items.csv").write_text(
        "kind,title,at\nscoop,Un,next\nscoop,Deux,next\nscoop,Trois,next\n", encoding="utf-8"
    )
    cli("import", "items.csv")
    rows = cli("list", "--json").json()
    assert isinstance(rows, list)
    assert [(r["title"], r["due_at_local"]) for r in rows] == [
        ("Déjà là", "2026-12-01T12:30:00+01:00"),
        ("Un", "2026-12-03T12:30:00+01:00"),
        ("Deux", "2026-12-08T12:30:00+01:00"),
        ("Trois", "2026-12-10T12:30:00+01:00"),
    ]
