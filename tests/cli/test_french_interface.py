"""`status`, `health` and `show` in French from the locale, English when crosspost.toml says so."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine

from channels.base import Ambiguous, AuthExpired
from tests.cli.test_health import NOW, Ledger, known_history, ledger  # noqa: F401
from tests.conftest import Cli
from tests.support.fakechannel import fake_platform


@pytest.fixture
def french(monkeypatch: pytest.MonkeyPatch) -> None:
    """The officer's machine speaks French; crosspost.toml says nothing of the language."""
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")


def _english_in_config(workspace: Path) -> None:
    config = workspace / "crosspost.toml"
    config.write_text('language = "en"\n' + config.read_text(encoding="utf-8"), "utf-8")


def test_health_speaks_french_from_lang(
    ledger: Ledger,  # noqa: F811
    cli: Cli,
    french: None,
) -> None:
    known_history(ledger)
    with time_machine.travel(NOW, tick=False):
        result = cli("health", ok=False)
    assert result.code == 3, result
    lines = result.out.splitlines()
    assert lines[0] == (
        "Santé éditoriale, mercredi 9 décembre à 10:00 (Europe/Paris) : "
        "les 4 dernières semaines et les 2 semaines à venir."
    )
    assert "The blog (blog) : 2 par mois" in lines
    assert (
        "  The blog : 0 publication sur les 4 semaines du lundi 9 novembre au "
        "dimanche 6 décembre (objectif : 2 par mois)." in lines
    )
    assert "  The blog : dernière publication il y a 47 jours (vendredi 23 octobre)." in lines
    assert "  X : dernière publication hier (mardi 8 décembre)." in lines
    assert (
        "  ✗ X : seulement 1 publication pour la semaine du lundi 16 novembre "
        "(objectif : 3 par semaine)." in lines
    )
    assert (
        "  ✗ X : «Soirée jeux», prévue mardi 1er décembre à 12:30, n'est pas partie : "
        "le diffuseur l'a trouvée trop tard. `crosspost retry 8` l'envoie quand même, "
        "`crosspost cancel 8` l'abandonne." in lines
    )
    assert (
        "  ✗ Facebook : 2 publications le vendredi 11 décembre (la règle en permet 1 par jour)."
        in lines
    )
    assert lines[-1] == "La ligne éditoriale n'est pas tenue : 14 points à corriger."


def test_health_json_keeps_its_keys_in_french(
    ledger: Ledger,  # noqa: F811
    cli: Cli,
    french: None,
) -> None:
    known_history(ledger)
    with time_machine.travel(NOW, tick=False):
        french_json = cli("health", "--json", ok=False).json()
    assert isinstance(french_json, dict)
    assert {"schema", "channels", "findings", "holds"} <= set(french_json)
    assert {f["check"] for f in french_json["findings"]} >= {"stale", "over_max_per_day"}


def test_health_stays_english_when_the_config_says_en(
    ledger: Ledger,  # noqa: F811
    workspace: Path,
    cli: Cli,
    french: None,
) -> None:
    _english_in_config(workspace)
    known_history(ledger)
    with time_machine.travel(NOW, tick=False):
        out = cli("health", ok=False).out
    assert out.startswith("Editorial health on Wednesday 9 December at 10:00 (Europe/Paris)")
    assert "The editorial policy falls short: 14 things to fix." in out


def _troubled_queue(cli: Cli) -> None:
    fake_platform("facebook").fail_next(Ambiguous("timeout after sending"), posted_anyway=True)
    fake_platform("twitter").outage = AuthExpired("renew X_ACCESS_TOKEN")
    cli(
        "add",
        "--kind",
        "event",
        "--title",
        "Fête de l'été",
        "--event-start",
        "20/12 18h",
        "--at",
        "maintenant",
    )
    cli("add", "--kind", "scoop", "--title", "Info : repair café", "--at", "maintenant")
    cli("add", "--kind", "scoop", "--title", "Demain", "--at", "demain 9h")
    cli("run", "--once", ok=False)


@time_machine.travel("2026-12-02 10:00 +01:00", tick=False)
def test_status_speaks_french_from_lang(workspace: Path, cli: Cli, french: None) -> None:
    _troubled_queue(cli)
    lines = cli("status").out.splitlines()
    assert lines[0] == (
        "Aucun diffuseur ne tourne : lancez `crosspost run`, ou ajoutez la ligne cron (README)."
    )
    assert lines[1].startswith("File d'attente : ")
    assert "À venir :" in lines
    assert "EN PAUSE twitter : renew X_ACCESS_TOKEN" in lines
    assert "  `crosspost channels check twitter`." in lines
    assert "À traiter :" in lines
    assert "Rien à traiter." not in lines


@time_machine.travel("2026-12-02 10:00 +01:00", tick=False)
def test_status_stays_english_when_the_config_says_en(
    workspace: Path, cli: Cli, french: None
) -> None:
    _english_in_config(workspace)
    _troubled_queue(cli)
    out = cli("status").out
    assert out.startswith("No publisher is running")
    assert "PAUSED twitter: renew X_ACCESS_TOKEN" in out
    assert "Needs your attention:" in out


@time_machine.travel("2026-12-02 10:00 +01:00", tick=False)
def test_show_speaks_french_from_lang(workspace: Path, cli: Cli, french: None) -> None:
    _troubled_queue(cli)
    lines = cli("show", "1").out.splitlines()
    assert lines[0] == "Élément 1 : event «Fête de l'été»"
    assert lines[1].startswith("  publier le   2026-12-")
    assert lines[2].startswith("  événement    2026-12-20 18:00 CET")
    assert "Envois :" in lines
    attempts = [line for line in lines if line.startswith("      essai 1 2026-12-02 10:00 CET")]
    assert attempts, lines
    advice = [line for line in lines if line.startswith("      -> ")]
    assert advice == [
        "      -> la publication est peut-être en ligne même si facebook ne l'a pas confirmée. "
        "Regardez sur facebook : si elle y est, `crosspost resolve 1 --channel facebook "
        "--published URL` ; sinon, `crosspost retry 1 --channel facebook --force`"
    ]


@time_machine.travel("2026-12-02 10:00 +01:00", tick=False)
def test_show_stays_english_when_the_config_says_en(
    workspace: Path, cli: Cli, french: None
) -> None:
    _english_in_config(workspace)
    _troubled_queue(cli)
    lines = cli("show", "1").out.splitlines()
    assert lines[0] == "Item 1: event «Fête de l'été»"
    assert "Deliveries:" in lines
    assert any(line.startswith("      attempt 1 ") for line in lines)
