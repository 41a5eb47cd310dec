"""`crosspost import`: CSV and folders of Markdown, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from tests.conftest import Cli


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
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
    assert "b.md: line 2: the front matter is not valid YAML" in result.err
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


def _count(cli: Cli) -> int:
    rows = cli("list", "--json").json()
    assert isinstance(rows, list)
    return len(rows)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # The officer forgot the time: it is refused, never "now".
        ("kind,title,at\nscoop,Bon,+1h\nscoop,Sans heure\n",
         ["row 3: 2 fields where the header names 3; a field is missing",
          "row 3: at: missing"]),
        ("kind,title,at\nscoop,Bon,+1h\nscoop,Vide,\n", ["row 3: at: missing"]),
        ("kind,title\nscoop,Un\nscoop,Deux\n", ["row 2: at: missing", "row 3: at: missing"]),
        # A quote never closed swallowed the time into the title.
        ('kind,title,at\nscoop,Bon,+1h\nscoop,"x,2026-12-10 12:00\n',
         ['row 3: a quote (") opens a field and is never closed']),
        ('kind;title;at\nscoop;"Titre" de travers;+1h\nscoop;Bon;+1h\n',
         ['row 2: a quote (") ends a field before its separator']),
        ("kind,title,at\nscoop,Réunion, le bilan,2026-12-10 12:00\n",
         ["row 2: 4 fields where the header names 3; a text containing ',' must be quoted"]),
    ],
)  # fmt: skip
def test_rows_that_do_not_fit_the_header_are_refused_by_number(
    workspace: Path, cli: Cli, lines: str, expected: list[str]
) -> None:
    (workspace / "items.csv").write_text(lines, encoding="utf-8")
    result = cli("import", "items.csv", ok=False)
    assert result.code == 1
    assert "nothing was imported" in result.err
    for line in expected:
        assert line in result.err
    assert "Traceback" not in result.err
    assert cli("list").out.strip() == "Nothing queued."


def test_empty_cells_past_the_last_column_are_no_extra_fields(workspace: Path, cli: Cli) -> None:
    (workspace / "items.csv").write_text(
        "kind;title;at\nscoop;Réunion : bilan;2026-12-10 12:00;;\n", encoding="utf-8"
    )
    assert "Imported 1 item " in cli("import", "items.csv").out


def test_text_under_a_column_without_a_name_is_refused_not_dropped(
    workspace: Path, cli: Cli
) -> None:
    (workspace / "items.csv").write_text(
        "kind,title,,at\nscoop,Réunion,Le texte oublié,+1h\n", encoding="utf-8"
    )
    result = cli("import", "items.csv", ok=False)
    assert "row 2: column 3 has no name in the header but holds text" in result.err
    assert cli("list").out.strip() == "Nothing queued."


def test_every_problem_of_a_row_is_listed(workspace: Path, cli: Cli) -> None:
    (workspace / "items.csv").write_text(
        "kind,title,link,at,tags\n"
        "scoop,Bon,,+1h,\n"
        "fête,Tout faux,www.example.org,2020-01-01 10:00,a\n",
        encoding="utf-8",
    )
    result = cli("import", "items.csv", ok=False)
    assert "nothing was imported: 1 item to fix first" in result.err
    assert "row 3: link: expected a web address" in result.err
    assert "row 3: kind: expected one of" in result.err
    assert "row 3: at: 2020-01-01 10:00 is in the past" in result.err
    assert cli("list").out.strip() == "Nothing queued."


def test_a_markdown_file_without_at_is_refused(workspace: Path, cli: Cli) -> None:
    folder = workspace / "drafts"
    folder.mkdir()
    (folder / "a.md").write_text("---\nkind: scoop\nat: +1h\n---\n# Bon\n", "utf-8")
    (folder / "b.md").write_text("---\nkind: scoop\n---\n# Sans date\n", "utf-8")
    result = cli("import", "drafts", ok=False)
    assert "b.md: at: missing" in result.err
    assert cli("list").out.strip() == "Nothing queued."


def _items_csv(workspace: Path) -> None:
    (workspace / "items.csv").write_text(
        "kind,title,body,event_start,at\n"
        "scoop,Permanence : samedi,https://example.org/?utm_source=x&utm_medium=social,,"
        "2026-12-05 10:00\n"
        "scoop,Nous recrutons !,Deux heures par semaine 🙂,,+2h\n"
        "event,Repair café,,2026-12-12 14:00,next\n",
        encoding="utf-8",
    )


def test_importing_the_same_file_twice_adds_nothing_the_second_time(
    workspace: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    _items_csv(workspace)
    cli("import", "items.csv")
    before = cli("list", "--json").json()
    clock.shift(600)  # ten minutes later, the officer runs it again
    result = cli("import", "items.csv")
    assert "Skipped row 2: the same scoop «Permanence : samedi» as item 1." in result.out
    assert "Skipped row 3: the same scoop «Nous recrutons !» as item 2." in result.out
    assert "Skipped row 4: the same event «Repair café» as item 3." in result.out
    assert "Nothing imported: every item is already queued" in result.out
    assert cli("list", "--json").json() == before
    # A new row in the file: only it goes in.
    with (workspace / "items.csv").open("a", encoding="utf-8") as out:
        out.write("scoop,Nouveau,,,2026-12-06 10:00\n")
    result = cli("import", "items.csv", "--json").json()
    assert isinstance(result, dict)
    assert result["item_ids"] == [4]
    assert [s["item_id"] for s in result["skipped"]] == [1, 2, 3]
    # Said on purpose, they go in again.
    result = cli("import", "items.csv", "--allow-duplicate", "--json").json()
    assert isinstance(result, dict)
    assert result["item_ids"] == [5, 6, 7, 8]


def test_a_row_repeated_in_the_file_is_imported_once(workspace: Path, cli: Cli) -> None:
    (workspace / "items.csv").write_text(
        "kind,title,at\n"
        "scoop,Info,2026-12-05 10:00\n"
        "scoop,Autre,+1h\n"
        "scoop,Info,2026-12-05 10:00\n",
        encoding="utf-8",
    )
    result = cli("import", "items.csv", "--check")
    assert "Skipped row 4: the same scoop «Info» as row 2." in result.out
    assert "All 2 items are valid" in result.out
    result = cli("import", "items.csv")
    assert "Imported 2 items (2 deliveries), ids 1 to 2." in result.out
    assert "1 item already queued skipped" in result.out
    assert _count(cli) == 2
