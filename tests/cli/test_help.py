"""`--help` of every command: French under a French locale or config, in words an officer reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from crosspost.cli.help_text import commands, texts
from crosspost.i18n import _
from crosspost.language import using
from tests.conftest import Cli


def _paths() -> list[str]:
    from crosspost.cli import app

    return [
        path
        for path, command in commands(typer.main.get_command(app))
        if not getattr(command, "hidden", False)
    ]


def _english_texts() -> set[str]:
    """Every help text and placeholder whose French is not the same words."""
    from crosspost.cli import app

    found = {
        text for _path, command in commands(typer.main.get_command(app)) for text in texts(command)
    }
    with using("fr"):
        return {text for text in found if _(text) != text}


def _help(path: str) -> str:
    result = Cli()(*path.split(), "--help")
    # Wrapped lines and no-break spaces read as one line of words.
    return " ".join(result.out.split())


#: What Typer prints when a value is named by its Python type or a range by its bounds.
JARGON = re.compile(
    r"<(?:str|int|float|path|file|dir|text|bool|list\[[^\]]*\]|[a-z]+ range)>"
    r"|\bx\s*[<>]=|<=\s*x\b|\b(?:TEXT|INTEGER|FLOAT|PATH|RANGE|BOOLEAN)\b|IANA"
)
#: Typer's own English words around the help texts.
TYPER_ENGLISH = ("Usage:", "Options:", "Arguments:", "Commands:", "[default:", "required]")


ALL = _paths()


def test_the_walk_sees_every_command() -> None:
    assert {"", "add", "calendar", "db upgrade", "feeds add", "tokens revoke"} <= set(ALL)
    assert len(ALL) >= 35


@pytest.mark.parametrize("path", ALL, ids=lambda path: path or "crosspost")
def test_every_help_is_french_under_a_french_locale(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    out = _help(path)
    assert out.startswith("Utilisation : crosspost")
    english = [
        text for text in _english_texts() if len(text) > 12 and " ".join(text.split()) in out
    ]
    assert english == []
    assert [word for word in TYPER_ENGLISH if word in out] == []
    assert "Afficher cette aide et quitter." in out
    assert JARGON.findall(out) == []


@pytest.mark.parametrize("path", ALL, ids=lambda path: path or "crosspost")
def test_every_help_is_free_of_jargon_in_english(path: str) -> None:
    out = _help(path)
    assert out.startswith("Usage: crosspost")
    assert JARGON.findall(out) == []


def test_values_are_named_by_what_to_type_in_both_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _help("add")
    assert "--at WHEN When to publish: now, +2h, 14h, 'demain 9h'" in out
    assert "--body-file FILE Read the text" in out
    assert "Usage: crosspost add [OPTIONS] [FILE]" in out
    assert "--weeks WEEKS Weeks to look back on (complete weeks). [default: 4; from 1 to 260]" in (
        _help("health")
    )
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    out = _help("add")
    assert "--at QUAND Quand publier : maintenant, +2h, 14h, 'demain 9h'" in out
    assert "--tag MOT-CLÉ Un mot-clé (répétez pour en donner plusieurs)." in out
    assert "Utilisation : crosspost add [OPTIONS] [FICHIER]" in out
    assert "[par défaut : 4 ; de 1 à 260]" in _help("health")
    assert "NUMÉRO Le numéro du brouillon (voyez `crosspost review`). [obligatoire]" in (
        _help("approve")
    )
    assert "Commandes : init Écrire un crosspost.toml de départ" in _help("")


def test_a_colon_is_never_left_alone_at_the_start_of_a_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    for path in ("add", "calendar", "health", "run"):
        lines = Cli()(*path.split(), "--help").out.splitlines()
        assert [line for line in lines if re.match(r"\s*[:;!?]", line)] == []


def test_help_follows_the_language_of_crosspost_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "crosspost.toml"
    config.write_text('language = "fr"\n', encoding="utf-8")
    assert "Quand publier : maintenant" in _help("add")
    # --config names the file, before the command.
    other = tmp_path / "other.toml"
    other.write_text('language = "en"\n', encoding="utf-8")
    assert "When to publish: now" in _help(f"--config {other} add")
    assert "When to publish: now" in _help(f"-c {other} add")
    # The file's choice wins over the locale, as for every other sentence.
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    config.write_text('language = "en"\n', encoding="utf-8")
    assert "When to publish: now" in _help("add")


def test_a_broken_crosspost_toml_does_not_hide_the_help(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    (tmp_path / "crosspost.toml").write_text('language = "fr\n[[routes', encoding="utf-8")
    assert "Quand publier : maintenant" in _help("add")
    (tmp_path / "crosspost.toml").write_bytes(b"language = '\xff'\n")
    assert "Quand publier : maintenant" in _help("add")
