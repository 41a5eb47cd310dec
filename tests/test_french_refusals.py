"""The refusals of add, import and the filters, read by an officer in French (LANG=fr_FR.UTF-8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli


@pytest.fixture
def french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")


def test_add_lists_its_field_problems_in_french(workspace: Path, cli: Cli, french: None) -> None:
    refused = cli(
        "add",
        "--kind",
        "scoop",
        "--title",
        "Repair café : édition d'hiver",
        "--at",
        "+2h",
        "--link",
        "www.exemple.fr/?utm_source=lettre&utm_medium=mail",
        "--image",
        "affiche.png",
        ok=False,
    )
    assert refused.code == 1
    err = refused.err
    assert err.startswith("Erreur : 2 problèmes, rien n'a été enregistré :")
    assert "link: une adresse web commençant par http:// ou https:// est attendue" in err
    assert "image: aucun fichier à l'emplacement " in err
    assert cli("list").out.count("Repair") == 0


def test_add_refuses_an_undeclared_kind_and_alt_alone_in_french(
    workspace: Path, cli: Cli, french: None
) -> None:
    (workspace / "affiche.txt").write_text("pas une image", encoding="utf-8")
    refused = cli("add", "--kind", "brève", "--title", "Oui : non", "--at", "+1h", ok=False)
    assert "kind: attendu " in refused.err
    assert "(reçu « brève ») ; déclarez-en d'autres dans `kinds = [...]`" in refused.err
    picture = cli(
        "add",
        "--kind",
        "scoop",
        "--title",
        "Affiche",
        "--at",
        "+1h",
        "--image",
        "affiche.txt",
        ok=False,
    )
    assert (
        "image: une image est attendue (.jpg, .jpeg, .png, .gif, .webp), reçu « affiche.txt »"
        in picture.err
    )


def test_import_lists_each_rows_problems_in_french(workspace: Path, cli: Cli, french: None) -> None:
    rows = workspace / "agenda.csv"
    rows.write_text(
        "kind;title;at;link\n"
        "scoop;Repair café : édition d'hiver;12/12/2026 14h;https://exemple.fr/?utm_source=a&b=1\n"
        "scoop;Atelier vélo;demain 9h\n"
        "scoop;Bourse aux jouets 🧸;13/12/2026 10h;exemple.fr;en trop\n",
        encoding="utf-8",
    )
    refused = cli("import", str(rows), ok=False)
    assert refused.err.splitlines() == [
        "Erreur : rien n'a été importé : 2 éléments à corriger d'abord :",
        "  ligne 3 : 3 champs alors que l'en-tête en nomme 4 ; il manque un champ "
        "(laissez-le vide entre deux ';' s'il n'a pas de valeur)",
        "  ligne 4 : 5 champs alors que l'en-tête en nomme 4 ; un texte contenant ';' "
        'doit être entre guillemets ("comme, ceci")',
        "  ligne 4 : link: une adresse web commençant par http:// ou https:// est attendue "
        "(valeur donnée : 'exemple.fr')",
    ]
    assert cli("list").out.count("Repair") == 0


def test_import_refuses_an_unknown_column_and_front_matter_in_french(
    workspace: Path, cli: Cli, french: None
) -> None:
    rows = workspace / "agenda.csv"
    rows.write_text("kind;titre;at\nscoop;Oui : non;+1h\n", encoding="utf-8")
    column = cli("import", str(rows), ok=False)
    assert column.err.startswith("Erreur : en-tête CSV : colonne inconnue 'titre' ; ")
    folder = workspace / "billets"
    folder.mkdir()
    (folder / "hiver.md").write_text(
        "---\nkind: scoop\ntitle: Oui : non\nat: +1h\nbody: Déjà là\n---\nEt encore ici\n",
        encoding="utf-8",
    )
    (folder / "latin1.md").write_bytes("---\ntitle: Café\n---\n".encode("latin-1"))
    both = cli("import", str(folder), ok=False)
    assert both.err.splitlines()[1:] == [
        "  hiver.md : body: donné à la fois dans l'en-tête et comme texte",
        "  latin1.md : le fichier n'est pas du texte UTF-8",
    ]
    empty = workspace / "vide"
    empty.mkdir()
    assert cli("import", str(empty), ok=False).err == (
        f"Erreur : {empty} : aucun fichier Markdown (.md) dans ce dossier\n"
    )


def test_list_filters_refuse_in_french(workspace: Path, cli: Cli, french: None) -> None:
    status = cli("list", "--status", "publié", ok=False)
    assert status.err.startswith("Erreur : status: attendu pending, claimed")
    assert status.err.rstrip().endswith("(reçu « publié »)")
    channel = cli("list", "--channel", "insta", ok=False)
    assert channel.err.startswith("Erreur : channel: aucun canal ne s'appelle « insta » ; ")


def test_channel_texts_steps_and_config_refuse_in_french(
    workspace: Path, cli: Cli, french: None
) -> None:
    base = ["add", "--kind", "scoop", "--title", "Fête : 10 ans !", "--at", "+1d"]
    variant = cli(*base, "--text-for", "insta=Venez nombreux !", ok=False)
    assert "« insta » n'est pas un canal de crosspost.toml ; canaux possibles : " in variant.err
    empty = cli(*base, "--text-for", "twitter=", ok=False)
    assert "le texte pour twitter est vide" in empty.err
    step = cli(*base, "--step-text", "-1d=Demain : {titre}", ok=False)
    assert "-1d : champ inconnu {titre} dans « Demain : {titre} » ; champs possibles : " in step.err
    wording = cli(*base, "--step-text", "Demain soir", ok=False)
    assert "« 'Demain soir' » : ÉTAPE=texte est attendu" not in wording.err
    assert "« Demain soir » : ÉTAPE=texte est attendu, p. ex. " in wording.err
    missing = cli("--config", "absent.toml", "list", ok=False)
    assert "le fichier de configuration absent.toml n'existe pas" in missing.err


def test_a_repeat_rule_is_refused_in_french(workspace: Path, cli: Cli, french: None) -> None:
    base = ["add", "--kind", "event", "--title", "Repair café", "--repeat"]
    endless = cli(*base, "chaque samedi à 14h", ok=False)
    assert (
        "« chaque samedi à 14h » ne finit jamais ; dites jusqu'à quand, "
        'p. ex. "chaque samedi à 14h de janvier à juin"'
    ) in endless.err
    unknown = cli(*base, "tous les jours", ok=False)
    assert "« tous les jours » n'est pas une règle que Crosspost comprend ; " in unknown.err
    assert 'ou "chaque mardi à 18h30"' in unknown.err


def test_click_usage_errors_speak_french(workspace: Path, cli: Cli, french: None) -> None:
    typo = cli("add", "--kind", "scoop", "--titel", "Fête : 10 ans !", ok=False)
    assert typo.code == 2
    assert typo.err.splitlines() == [
        "Utilisation : crosspost add [OPTIONS] [FICHIER]",
        "Pour de l'aide : « crosspost add -h ».",
        "",
        "Erreur : l'option --titel n'existe pas (options possibles : --help, --title)",
    ]
    missing = cli("show", ok=False)
    assert missing.err.endswith("Erreur : il manque l'argument 'NUMÉRO'.\n")
    no_value = cli("list", "--status", ok=False)
    assert no_value.err == "Erreur : l'option '--status' demande une valeur.\n"
    # Not pydantic's "Input should be a valid integer": what to type instead.
    typed = cli("show", "douze", ok=False)
    assert typed.err.endswith(
        "Erreur : valeur refusée pour 'NUMÉRO' : il faut un nombre entier, comme 3\n"
    )
    assert "Input should be" not in cli("list", "--limit", "dix", ok=False).err


def test_click_usage_errors_stay_english_for_english(workspace: Path, cli: Cli) -> None:
    typo = cli("add", "--titel", "x", ok=False)
    assert typo.code == 2
    assert "Try 'crosspost add -h' for help." in typo.err
    assert "No such option: --titel" in typo.err


def test_channels_check_and_list_speak_french(workspace: Path, cli: Cli, french: None) -> None:
    config = workspace / "crosspost.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[channels.mastodon]\ntype = "mastodon"\ninstance_url = "https://mastodon.social"\n'
        'mode = "dry-run"\n',
        encoding="utf-8",
    )
    checked = cli("channels", "check", "mastodon").out
    assert "simulation : rien n'est envoyé à Mastodon" in checked
    listed = cli("channels", "list").out
    assert "mastodon       mastodon     simulation Mastodon" in listed
    assert "dry-run" not in listed
