"""init, db upgrade/current and rules explain, as a new officer meets them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli


def test_init_writes_a_working_starter_and_refuses_to_overwrite(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("init", "--timezone", "America/Montreal")
    assert "Created" in result.out
    text = (tmp_path / "crosspost.toml").read_text(encoding="utf-8")
    assert 'timezone = "America/Montreal"' in text
    assert (tmp_path / "crosspost.db").exists()
    listed = cli("channels", "list", "--json").json()
    assert isinstance(listed, list)
    assert {(c["name"], c["mode"]) for c in listed} == {
        ("blog", "live"),
        ("twitter", "dry-run"),
        ("facebook", "dry-run"),
        ("mastodon", "dry-run"),
        ("bluesky", "dry-run"),
    }
    # Scoops and announcements reach the networks associations moved to.
    queued = cli("add", "--kind", "scoop", "--title", "Brève : merci !", "--at", "now").out
    assert [line.split()[0] for line in queued.splitlines()[1:4]] == [
        "twitter",
        "mastodon",
        "bluesky",
    ]
    again = cli("init", ok=False)
    assert again.code == 1
    assert "already exists" in again.err
    assert (tmp_path / "crosspost.toml").read_text(encoding="utf-8") == text


def test_init_refuses_an_unknown_time_zone_and_writes_nothing(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("init", "--timezone", "Europe/Pariss", ok=False)
    assert "unknown time zone 'Europe/Pariss'" in result.err
    assert not (tmp_path / "crosspost.toml").exists()


def test_db_upgrade_and_current(workspace: Path, cli: Cli) -> None:
    first = cli("db", "upgrade").out
    assert "Database upgraded from empty" in first or "up to date" in first
    assert "up to date" in cli("db", "upgrade").out
    assert "up to date" in cli("db", "current").out


def test_rules_explain_an_item_and_a_file(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "article", "--title", "Bilan", "--at", "2030-01-02 10:00")
    out = cli("rules", "explain", "1").out
    assert "routes[3] matches (kind article): to blog; announced on twitter, facebook" in out
    assert "30m after it is out" in out
    assert "2030-01-02 10:30 CET   announces the blog post" in out
    draft = workspace / "draft.md"
    draft.write_text("---\nkind: scoop\nat: 2030-01-02 10:00\n---\n# Info\n", "utf-8")
    shown = cli("rules", "explain", str(draft), "--json").json()
    assert isinstance(shown, dict)
    assert shown["routes"] == [2]
    assert [d["channel"] for d in shown["deliveries"]] == ["twitter"]
    assert cli("list").out.count("\n") == 4  # explain queued nothing


def test_init_example_writes_the_tour_article_and_its_photo(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = cli("init", "--example").out
    assert "crosspost add article.md" in out
    assert (tmp_path / "article.md").read_text("utf-8").startswith("---\nkind: article\n")
    assert (tmp_path / "photo.jpg").read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
    queued = cli("add", "article.md").out
    assert "Queued item 1: article «Notre bilan 2026»" in queued


def test_init_example_never_overwrites_an_article_md(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "article.md").write_text("# Mon brouillon\n", "utf-8")
    refused = cli("init", "--example", ok=False)
    assert refused.code == 1
    assert "article.md already in" in refused.err
    assert (tmp_path / "article.md").read_text("utf-8") == "# Mon brouillon\n"
    assert not (tmp_path / "crosspost.toml").exists()
    assert not (tmp_path / "photo.jpg").exists()


def test_the_french_starter_holds_the_english_settings_with_french_comments(
    tmp_path: Path,
) -> None:
    import re

    from crosspost.cli.setup import starter_config
    from crosspost.config import parse_settings

    english = starter_config("Europe/Paris", "en")
    french = starter_config("Europe/Paris", "fr")
    assert "# Configuration de Crosspost : vos canaux" in french
    assert "# Crosspost configuration: your channels" in english
    settings = [
        parse_settings(text.encode(), tmp_path / "crosspost.toml") for text in (english, french)
    ]
    assert settings[0].file.model_dump() == settings[1].file.model_dump()
    assert {n: c.model_dump() for n, c in settings[0].channels.items()} == {
        n: c.model_dump() for n, c in settings[1].channels.items()
    }

    # Every setting line, commented out or not, is the same in both: only the words differ.
    def keys(text: str) -> list[str]:
        return re.findall(r"^#? ?(\[[^\]]+\]|[a-z_\"0-9 -]+ = .*)$", text, re.M)

    assert keys(english) == keys(french)


def test_init_writes_the_french_starter_under_a_french_locale(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    cli("init")
    text = (tmp_path / "crosspost.toml").read_text(encoding="utf-8")
    assert "# Le blog intégré à Crosspost" in text
    assert cli("channels", "list", "--json").json()
