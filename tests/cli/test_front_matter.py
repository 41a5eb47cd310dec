"""Front matter as an officer writes it: French values with " : ", and clear problems."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from crosspost.errors import InputError
from crosspost.front_matter import split
from tests.conftest import Cli


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel("2026-12-02T14:00:00Z", tick=False) as traveller:
        yield traveller


def test_values_are_text_as_typed() -> None:
    fields, body = split(
        "---\n"
        "kind: event\n"
        "title: Oui : non\n"
        "alt: Affiche : repair café\n"
        "location: Oui\n"
        "tags: #zérodéchet, réparation\n"
        "event_start: 2026-12-12 14:00\n"
        "at: 14:30\n"
        "link: https://ex.org/?utm_source=lettre_info&utm_medium=email\n"
        "---\n"
        "Texte : suite\n",
        "repair.md",
    )
    assert fields == {
        "kind": "event",
        "title": "Oui : non",
        "alt": "Affiche : repair café",
        "location": "Oui",  # not True
        "tags": "#zérodéchet, réparation",  # not a comment
        "event_start": "2026-12-12 14:00",
        "at": "14:30",  # not 870 (YAML 1.1 reads 14:30 as minutes in base 60)
        "link": "https://ex.org/?utm_source=lettre_info&utm_medium=email",
    }
    assert body == "Texte : suite"


def test_yaml_of_its_own_still_reads() -> None:
    fields, _ = split(
        "---\n"
        'title: "Dit : « oui »"\n'
        "tags: [réparation, quartier]\n"
        "channels:\n"
        "  - twitter\n"
        "  - Affiche : ok\n"
        "body: |\n"
        "  Ligne : une\n"
        "  deux\n"
        "location: Maison des\n"
        "  associations\n"
        "image:\n"
        "---\n",
        "a.md",
    )
    assert fields == {
        "title": "Dit : « oui »",
        "tags": ["réparation", "quartier"],
        "channels": ["twitter", "Affiche : ok"],
        "body": "Ligne : une\ndeux\n",
        "location": "Maison des associations",
        "image": None,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "---\nkind: scoop\ntitle: Repair\n\n# Repair café\n\nTexte\n",
            "repair.md: line 1: the front matter opened by --- is never closed; "
            "line 5 looks like the text: put a line --- above it",
        ),
        (
            "---\nkind: scoop\ntitle: Repair\n",
            "repair.md: line 1: the front matter opened by --- is never closed; "
            "add a line --- after the last field",
        ),
        (
            "---\nkind: scoop\ntags: [a, b\nat: now\n---\n",
            "repair.md: line 3: the front matter is not valid YAML (a list opened with [ is "
            "never closed with ]); write one `field: value` per line",
        ),
        (
            "---\nkind: scoop\n  title: x\n---\n",
            "repair.md: line 3: the front matter is not valid YAML (this line is indented as "
            "if it went on from the line above; start it at the margin); write one "
            "`field: value` per line",
        ),
        (
            "---\njust words\n---\n",
            "repair.md: line 2: the front matter must be `field: value` lines (e.g. kind: event)",
        ),
    ],
)
def test_problems_name_the_file_and_the_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        split(text, "repair.md")
    assert str(caught.value) == message


def test_add_a_file_whose_values_have_colons(workspace: Path, cli: Cli) -> None:
    (workspace / "affiche.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (workspace / "repair.md").write_text(
        "---\n"
        "kind: event\n"
        "title: Repair café : le retour\n"
        "event_start: 12/12 14h\n"
        "image: affiche.png\n"
        "alt: Affiche : un grille-pain réparé\n"
        "at: demain 9h\n"
        "---\n"
        "Venez : on répare tout.\n",
        encoding="utf-8",
    )
    cli("add", "repair.md")
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["title"] == "Repair café : le retour"
    assert shown["item"]["alt"] == "Affiche : un grille-pain réparé"
    assert shown["item"]["body"] == "Venez : on répare tout."


def test_add_a_file_never_closed_says_where(workspace: Path, cli: Cli) -> None:
    (workspace / "repair.md").write_text("---\nkind: scoop\nat: now\n\nBonjour\n", "utf-8")
    result = cli("add", "repair.md", ok=False)
    assert result.code == 1
    assert (
        "repair.md: line 1: the front matter opened by --- is never closed; line 5 looks "
        "like the text" in result.err
    )
    assert "Traceback" not in result.err


def test_a_folder_import_lists_every_files_problem(workspace: Path, cli: Cli) -> None:
    folder = workspace / "drafts"
    folder.mkdir()
    (folder / "a.md").write_text("---\nkind: scoop\nat: now\n---\n# Bon : très bon\n", "utf-8")
    (folder / "b.md").write_text("---\nkind: scoop\ntags: [a\n---\n# Cassé\n", "utf-8")
    (folder / "c.md").write_text("---\nkind: scoop\nat: now\n# Jamais fermé\n", "utf-8")
    (folder / "d.md").write_text("---\nkind: fête\nat: bientôt\n---\n# Inconnu\n", "utf-8")
    (folder / "e.md").write_bytes(b"---\nkind: scoop\n---\n# \xe9t\xe9\n")  # Latin-1
    result = cli("import", "drafts", ok=False)
    assert "nothing was imported: 4 items to fix first" in result.err
    assert "b.md: line 3: the front matter is not valid YAML (a list opened with [" in result.err
    assert "c.md: line 1: the front matter opened by --- is never closed; line 4" in result.err
    assert "d.md: kind: expected one of" in result.err
    assert "d.md: at: 'bientôt' is not a time" in result.err
    assert "e.md: the file is not UTF-8 text" in result.err
    assert cli("list").out.strip() == "Nothing queued."


def test_french_config_says_it_in_french(workspace: Path, cli: Cli) -> None:
    config = workspace / "crosspost.toml"
    config.write_text('language = "fr"\n' + config.read_text(encoding="utf-8"), "utf-8")
    (workspace / "repair.md").write_text("---\nkind: scoop\nat: now\n\nBonjour\n", "utf-8")
    result = cli("add", "repair.md", ok=False)
    assert (
        "repair.md: ligne 1 : l'en-tête ouvert par --- n'est jamais fermé ; la ligne 5 "
        "ressemble au texte : mettez une ligne --- au-dessus" in result.err
    )
