"""A French officer types times the French way, on every road in: flags, CSV, front matter.

The clock is frozen on Wednesday 2 December 2026, 15:00 in Paris.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from tests.conftest import Cli

NOW = "2026-12-02T14:00:00Z"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def french(workspace: Path) -> Path:
    """The workspace's crosspost.toml, in French, with posting slots written the French way."""
    config = workspace / "crosspost.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        'language = "fr"\n' + text + '\n[policy.twitter]\nslots = ["jeudi 12h30", "samedi 10h"]\n'
        '\n[policy]\nquiet = ["dimanche", "22h à 7h"]\n',
        encoding="utf-8",
    )
    return workspace


def _item(cli: Cli, item_id: int = 1) -> dict[str, object]:
    shown = cli("show", str(item_id), "--json").json()
    assert isinstance(shown, dict)
    return shown


def test_add_with_french_times(french: Path, cli: Cli) -> None:
    cli(
        "add", "--kind", "event", "--title", "Repair café",
        "--event-start", "samedi 12/12 14h", "--event-end", "12/12 18h30",
        "--at", "demain 9h",
    )  # fmt: skip
    shown = _item(cli)
    item = shown["item"]
    assert isinstance(item, dict)
    assert item["event_start"] == "2026-12-12T13:00:00Z"
    assert item["event_end"] == "2026-12-12T17:30:00Z"
    [delivery] = shown["deliveries"]  # type: ignore[misc]
    assert delivery["due_at"] == "2026-12-03T08:00:00Z"


@pytest.mark.parametrize(
    ("at", "due"),
    [
        ("lundi 10h", "2026-12-07T09:00:00Z"),
        ("samedi prochain", "2026-12-05T08:00:00Z"),
        ("après-demain", "2026-12-04T08:00:00Z"),
        ("dans 2h", "2026-12-02T16:00:00Z"),
        ("12/12/2026 14h", "2026-12-12T13:00:00Z"),
        ("prochain", "2026-12-03T11:30:00Z"),  # the next free slot: Thursday 12h30
    ],
)
def test_at_forms(french: Path, cli: Cli, at: str, due: str) -> None:
    cli("add", "--kind", "scoop", "--title", "Nous recrutons !", "--at", at)
    [delivery] = _item(cli)["deliveries"]  # type: ignore[misc]
    assert delivery["due_at"] == due


def test_a_refusal_lists_the_french_forms_and_nothing_is_written(french: Path, cli: Cli) -> None:
    result = cli("add", "--kind", "scoop", "--title", "x", "--at", "bientôt", ok=False)
    assert result.code == 1
    assert "at: « bientôt » n'est pas une heure que Crosspost comprend ; formes acceptées : " in (
        result.err
    )
    assert "demain 9h" in result.err
    assert "12/12 14h30 (jour/mois)" in result.err
    assert "Traceback" not in result.err
    assert cli("list", "--json").json() == []


def test_the_spring_gap_is_refused_from_the_command_line(french: Path, cli: Cli) -> None:
    result = cli("add", "--kind", "scoop", "--title", "x", "--at", "28/03/2027 2h30", ok=False)
    assert (
        "at: le 28/03/2027 à 02:30 n'existe pas en Europe/Paris : cette nuit-là, les horloges "
        "passent de 02:00 à 03:00" in result.err
    )


def test_csv_with_french_dates(french: Path, cli: Cli) -> None:
    (french / "items.csv").write_text(
        "kind;title;event-start;at\n"
        "event;Repair café;12/12 14h;lundi 10h\n"
        "scoop;Nous recrutons !;;dans 3j\n"
        "scoop;Trop tôt;;2h\n"
        "event;Sans date;31/02 14h;demain\n",
        encoding="utf-8",
    )
    result = cli("import", "items.csv", ok=False)
    assert "ligne 4 : at: 2026-12-02 02:00 est déjà passé" in result.err
    assert "ligne 5 : event_start: « 31/02 14h » : le 31/02 n'existe pas" in result.err
    assert cli("list", "--json").json() == []
    (french / "items.csv").write_text(
        "kind;title;event-start;at\n"
        "event;Repair café;12/12 14h;lundi 10h\n"
        "scoop;Nous recrutons !;;dans 3j\n",
        encoding="utf-8",
    )
    cli("import", "items.csv")
    rows = cli("list", "--json").json()
    assert isinstance(rows, list)
    assert sorted((r["title"], r["due_at"]) for r in rows) == [
        ("Nous recrutons !", "2026-12-05T14:00:00Z"),
        ("Repair café", "2026-12-07T09:00:00Z"),
    ]


def test_front_matter_with_french_dates(french: Path, cli: Cli) -> None:
    (french / "repair.md").write_text(
        "---\n"
        "kind: event\n"
        "event_start: samedi 12 décembre à 14h\n"
        "at: Lundi 7/12 10h\n"
        "---\n"
        "# Repair café\n\nVenez avec vos objets cassés.\n",
        encoding="utf-8",
    )
    cli("add", "repair.md")
    shown = _item(cli)
    assert shown["item"]["event_start"] == "2026-12-12T13:00:00Z"  # type: ignore[index]
    [delivery] = shown["deliveries"]  # type: ignore[misc]
    assert delivery["due_at"] == "2026-12-07T09:00:00Z"


def test_calendar_from_a_french_day(french: Path, cli: Cli) -> None:
    cli("add", "--kind", "scoop", "--title", "Tôt", "--at", "demain 9h")
    cli("add", "--kind", "scoop", "--title", "Tard", "--at", "lundi 9h")
    rows = cli("list", "--from", "samedi", "--json").json()
    assert isinstance(rows, list)
    assert [r["title"] for r in rows] == ["Tard"]
    rows = cli("list", "--to", "demain", "--json").json()
    assert isinstance(rows, list)
    assert [r["title"] for r in rows] == ["Tôt"]  # a day alone includes that day


def test_english_config_still_answers_in_english(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "scoop", "--title", "x", "--at", "demain 9h")
    result = cli("add", "--kind", "scoop", "--title", "y", "--at", "bientôt", ok=False)
    assert "at: 'bientôt' is not a time Crosspost understands; expected now" in result.err


def test_the_locale_decides_without_a_language_key(
    workspace: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    result = cli("add", "--kind", "scoop", "--title", "y", "--at", "bientôt", ok=False)
    assert "at: « bientôt » n'est pas une heure" in result.err


# ---------------------------------------------------------------- typography, end to end


def test_a_french_config_publishes_with_french_typography(french: Path, cli: Cli) -> None:
    """What preview shows is what the channel receives: the same spaces, counted the same."""
    from tests.support.fakechannel import fake_platform

    cli(
        "add", "--kind", "event", "--title", "Repair café : venez !",
        "--body", "Apportez vos objets `cassés!` : https://ex.org/?utm_source=a_b&x=1",
        "--event-start", "samedi 12/12 14h", "--event-end", "12/12 18h", "--at", "demain 9h",
    )  # fmt: skip
    shown = cli("preview", "1").out
    assert "Repair café\u202f: venez\u202f!" in shown
    assert "Samedi 12 décembre de 14\u00a0h à 18\u00a0h" in shown
    cli("publish", "1")
    [request] = fake_platform("facebook").requests
    assert request["text"] == (
        "Repair café\u202f: venez\u202f!\n\n"
        "Samedi 12 décembre de 14\u00a0h à 18\u00a0h\n\n"
        "Apportez vos objets `cassés!`\u202f: https://ex.org/?utm_source=a_b&x=1"
    )


def test_typography_none_keeps_the_text_as_typed(french: Path, cli: Cli) -> None:
    from tests.support.fakechannel import fake_platform

    config = french / "crosspost.toml"
    config.write_text('typography = "none"\n' + config.read_text(encoding="utf-8"))
    cli("add", "--kind", "scoop", "--title", "Nous recrutons !", "--at", "maintenant")
    cli("publish", "1")
    [request] = fake_platform("twitter").requests
    assert request["text"] == "Nous recrutons !"


def test_an_events_times_are_refused_in_french(french: Path, cli: Cli) -> None:
    result = cli(
        "add", "--kind", "event", "--title", "Repair café",
        "--event-start", "12/12 18h", "--event-end", "12/12 14h", "--at", "demain 9h",
        ok=False,
    )  # fmt: skip
    assert "event_end: l'événement finit avant de commencer" in result.err
    result = cli("add", "--kind", "event", "--title", "Repair café", "--at", "demain", ok=False)
    assert (
        "event_start: un événement a besoin de sa date et de son heure, "
        "p. ex. --event-start '12/12 14h'" in result.err
    )
    assert cli("list", "--json").json() == []
