"""A refused crosspost.toml or item says what was expected in plain words, never pydantic's."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.config import parse_settings
from crosspost.errors import ConfigError
from tests.conftest import CONFIG, Cli

#: pydantic's own English, which an officer must never read.
PYDANTIC = ("Input should", "Field required", "Extra inputs", "String should", "valid dictionary")


def _refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings(text.encode(), tmp_path / "crosspost.toml")
    message = str(caught.value)
    assert not [words for words in PYDANTIC if words in message], message
    return message.removeprefix(f"{tmp_path / 'crosspost.toml'}: ")


BAD = [
    ("kinds = 3", 'kinds: expected a list, like ["a", "b"] (got 3)',
     'kinds: il faut une liste, comme ["a", "b"] (valeur donnée : 3)'),
    ("[publisher]\nworkers = 'two'",
     "publisher.workers: expected a whole number, like 3 (got 'two')",
     "publisher.workers: il faut un nombre entier, comme 3 (valeur donnée : 'two')"),
    ("[publisher]\nworkers = 0", "publisher.workers: expected a number of at least 1 (got 0)",
     "publisher.workers: il faut un nombre d'au moins 1 (valeur donnée : 0)"),
    ("routes = 3", 'routes: expected a list, like ["a", "b"] (got 3)',
     'routes: il faut une liste, comme ["a", "b"] (valeur donnée : 3)'),
    ('[[routes]]\nkind = 4\nto = ["blog"]',
     'routes[1].kind: expected text or a list, like ["a", "b"] (got 4)',
     'routes[1].kind: il faut du texte ou une liste, comme ["a", "b"] (valeur donnée : 4)'),
    ("timezon = 'UTC'", "timezon: unknown key (check its spelling)",
     "timezon: clé inconnue (vérifiez l'orthographe)"),
    ("[publisher]\nlease = true", None, None),
]  # fmt: skip


@pytest.mark.parametrize(("toml", "english", "french"), BAD, ids=[row[0] for row in BAD])
def test_a_bad_config_says_what_was_expected_in_both_languages(
    tmp_path: Path, toml: str, english: str | None, french: str | None
) -> None:
    text = f"timezone = 'Europe/Paris'\n{toml}\n"
    message = _refusal(tmp_path, text)
    if english is not None:
        assert english in message
    message = _refusal(tmp_path, 'language = "fr"\n' + text)
    if french is not None:
        assert french in message


def test_a_channel_setting_of_the_wrong_kind_names_the_choices(tmp_path: Path) -> None:
    text = CONFIG.replace(
        '[channels.blog]\ntype = "fake"', '[channels.blog]\ntype = "fake"\nmode = "sandbox"'
    )
    assert "channels.blog.mode: expected one of " in _refusal(tmp_path, text)
    french = _refusal(tmp_path, 'language = "fr"\n' + text)
    assert "channels.blog.mode: il faut l'une de ces valeurs : " in french
    assert " ou " in french


@pytest.fixture
def french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")


def test_item_refusals_are_plain_french(workspace: Path, cli: Cli, french: None) -> None:
    result = cli("add", "--kind", "scoop", "--title", " ", "--at", "now", ok=False)
    assert result.code == 1, result
    assert "title: ne doit pas être vide" in result.err
    (workspace / "note.md").write_text(
        "---\nkind: scoop\ntitle: Repair café\ntitre: Oups\ntags:\n  - {a: 1}\nat: now\n"
        "---\nTexte\n",
        encoding="utf-8",
    )
    err = cli("add", "note.md", ok=False).err
    assert not [words for words in PYDANTIC if words in err], err
    assert "titre: champ inconnu ; les champs possibles sont kind, title," in err
    assert "tags.0: il faut du texte" in err


def test_item_refusals_are_plain_english(workspace: Path, cli: Cli) -> None:
    (workspace / "note.md").write_text(
        "---\nkind: scoop\ntitle:\n  - Repair\n  - café\ntags: {a: 1}\nat: now\n---\nText\n",
        encoding="utf-8",
    )
    err = cli("add", "note.md", ok=False).err
    assert not [words for words in PYDANTIC if words in err], err
    assert "title: expected text" in err
    assert 'tags: expected a list, like ["a", "b"]' in err
