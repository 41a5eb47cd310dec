"""The commands of a normal day answer in French from a French locale, on each database,
and in English when crosspost.toml says `language = "en"`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli


@pytest.fixture
def french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")


def _english_in_config(workspace: Path) -> None:
    config = workspace / "crosspost.toml"
    config.write_text('language = "en"\n' + config.read_text(encoding="utf-8"), "utf-8")


def test_add_list_and_the_changes_speak_french(workspace: Path, cli: Cli, french: None) -> None:
    added = cli("add", "--kind", "scoop", "--title", "Réunion : le bilan !", "--at", "+2h")
    assert added.out.splitlines()[0] == "Élément 1 mis en file : scoop «Réunion : le bilan !»"
    assert "en attente" in added.out
    listed = cli("list").out.splitlines()
    assert listed[0].split() == ["N°", "QUAND", "CANAL", "ÉTAT", "TYPE", "TITRE"]
    assert "en attente" in listed[1]
    moved = cli("reschedule", "1", "--at", "demain 9h").out
    assert moved.splitlines() == [
        "Élément 1 :",
        "  twitter      en attente (reprogrammé)",
    ]
    cancelled = cli("cancel", "1").out
    assert "  twitter      en attente -> annulé" in cancelled
    edited = cli("edit", "1", "--title", "Autre", ok=False)
    assert edited.code == 1
    assert edited.err.startswith(
        "Erreur : l'élément 1 n'a plus rien à changer : twitter est annulé"
    )
    deleted = cli("delete", "1", "--yes").out
    assert deleted == "Élément 1 «Réunion : le bilan !» supprimé, avec son envoi (1).\n"


def test_refusals_speak_french(workspace: Path, cli: Cli, french: None) -> None:
    missing = cli("show", "42", ok=False)
    assert missing.err == "Erreur : il n'y a pas d'élément 42 (voir `crosspost list`)\n"
    unrouted = cli("add", "--kind", "job", "--title", "Offre", "--at", "+1h", ok=False)
    assert unrouted.err.startswith("Erreur : type : aucune route n'envoie les éléments « job »")
    nothing = cli("edit", "1", ok=False)
    assert "edit : rien à changer ; donnez au moins un champ (voir --help)" in nothing.err
    both = cli("resolve", "1", "--channel", "twitter", ok=False)
    assert "resolve : donnez soit --published ADRESSE, soit --not-published" in both.err


def test_rules_explain_and_preview_speak_french(workspace: Path, cli: Cli, french: None) -> None:
    cli("add", "--kind", "article", "--title", "Bilan", "--tag", "réemploi", "--at", "+1d")
    explained = cli("rules", "explain", "1").out.splitlines()
    assert explained[0] == "«Bilan» (type article, mots-clés réemploi)"
    assert explained[1] == (
        "  routes[3] s'applique (type article) : vers blog ; annoncé sur twitter, facebook "
        "30 minutes après sa parution"
    ) or explained[1].startswith("  routes[3] s'applique (type article) : vers blog ; annoncé sur")
    assert explained[2] == "Envois :"
    preview = cli("preview", "1").out
    assert "(lien de l'article, connu une fois qu'il sera publié)" in preview


def test_import_review_feeds_tokens_and_db_speak_french(
    workspace: Path, cli: Cli, french: None
) -> None:
    rows = workspace / "items.csv"
    rows.write_text("kind;title;at\nscoop;Atelier vélo;+1h\nscoop;Soupe & débat;+2h\n", "utf-8")
    assert cli("import", str(rows), "--check").out == (
        "Les 2 éléments sont valides (2 envois) ; rien n'a été écrit.\n"
    )
    assert cli("import", str(rows)).out == "Importé : 2 éléments (2 envois), n° 1 à 2.\n"
    again = cli("import", str(rows)).out
    assert again.startswith("Ignoré ")
    assert again.endswith(
        "Rien d'importé : chaque élément est déjà en file "
        "(--allow-duplicate pour les ajouter quand même).\n"
    )
    cli("add", "--kind", "scoop", "--title", "Proposé", "--at", "+3h", "--draft")
    assert cli("review").out.splitlines()[0] == "1 brouillon attend une relecture :"
    assert cli("reject", "3", "--reason", "hors sujet").out == (
        "Élément 3 refusé : scoop «Proposé» (hors sujet)\n"
    )
    assert cli("feeds", "list").out.startswith("Aucun flux suivi ;")
    bad = cli("feeds", "add", "x", "ftp://x", "--kind", "nope", ok=False).err
    assert bad.startswith("Erreur : flux non ajouté :\n  url : attendu une adresse web")
    assert cli("tokens", "list").out.startswith("Aucun jeton ;")
    assert cli("db", "upgrade").out.startswith("La base de données est à jour (schéma ")


def test_english_stays_with_language_en(workspace: Path, cli: Cli, french: None) -> None:
    _english_in_config(workspace)
    added = cli("add", "--kind", "scoop", "--title", "Réunion", "--at", "+2h").out
    assert added.splitlines()[0] == "Queued item 1: scoop «Réunion»"
    assert "pending" in added
    assert cli("list").out.split()[:6] == ["ID", "WHEN", "CHANNEL", "STATE", "KIND", "TITLE"]
    assert cli("show", "42", ok=False).err == (
        "Error: there is no item 42 (see `crosspost list`)\n"
    )
    assert cli("db", "upgrade").out.startswith("The database is up to date (schema ")
