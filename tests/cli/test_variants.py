"""An item's own text for some channels (`--text-for`, `variants:` in front matter, a CSV
`variants` cell): shorter posts for X than for Facebook, the link added as usual."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from tests.conftest import Cli
from tests.support.fakechannel import fake_platform

NOW = "2026-12-02T15:00:00Z"
SHORT = "AG samedi 14 h : venez ! 🎉"
LINK = "https://asso.example.org/ag?utm_source=crosspost&utm_campaign=ag_2026"


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _posted(channel: str) -> list[str]:
    return [str(r.detail["text"]) for r in fake_platform(channel).posts if r.detail]


def test_the_variant_is_the_whole_post_on_its_channel_and_the_link_follows(
    workspace: Path, cli: Cli
) -> None:
    long_body = "Ordre du jour : bilan moral, bilan financier, élection du bureau. " * 3
    cli(
        "add", "--kind", "scoop", "--title", "Assemblée générale de l'association",
        "--body", long_body, "--link", LINK, "--channel", "twitter", "--channel", "facebook",
        "--text-for", f"twitter={SHORT}", "--at", "now",
    )  # fmt: skip
    shown = cli("show", "1", "--json").json()
    assert shown["item"]["variants"] == {"twitter": SHORT}  # type: ignore[index]
    preview = cli("preview", "1").out
    assert f"{SHORT}\n\n{LINK}" in preview
    cli("run", "--once")
    assert _posted("twitter") == [f"{SHORT}\n\n{LINK}"]
    [facebook] = _posted("facebook")
    assert facebook.startswith("Assemblée générale de l'association\n\nOrdre du jour")


def test_a_variant_for_a_channel_that_does_not_exist_is_refused_and_nothing_written(
    workspace: Path, cli: Cli
) -> None:
    refused = cli(
        "add", "--kind", "scoop", "--title", "Brève", "--at", "now",
        "--text-for", "mastodon=Texte court", ok=False,
    )  # fmt: skip
    assert refused.code != 0
    assert "variants: 'mastodon' is not a channel of crosspost.toml" in refused.err
    assert cli("list", "--json").json() == []
    no_equals = cli(
        "add", "--kind", "scoop", "--title", "Brève", "--at", "now",
        "--text-for", "twitter", ok=False,
    )  # fmt: skip
    assert "expected CHANNEL=text" in no_equals.err


def test_variants_from_front_matter_and_from_a_csv_cell(workspace: Path, cli: Cli) -> None:
    (workspace / "brève.md").write_text(
        "---\nkind: scoop\ntitle: Repair café : 1 200 objets sauvés\nat: now\n"
        "variants:\n  twitter: 1 200 objets sauvés de la benne ♻️\n---\n"
        "Merci aux bénévoles, aux réparateurs et à la mairie.\n",
        encoding="utf-8",
    )
    cli("add", "brève.md")
    (workspace / "items.csv").write_text(
        "kind;title;at;variants\n"
        'scoop;Permanence juridique : tous les mardis;now;"twitter=Juriste gratuit le mardi '
        '| facebook=Permanence juridique gratuite, tous les mardis de 14 h à 17 h"\n',
        encoding="utf-8",
    )
    cli("import", "items.csv")
    items = cli("list", "--json").json()
    assert isinstance(items, list)
    first = cli("show", "1", "--json").json()
    second = cli("show", "2", "--json").json()
    assert first["item"]["variants"] == {"twitter": "1 200 objets sauvés de la benne ♻️"}  # type: ignore[index]
    assert second["item"]["variants"] == {  # type: ignore[index]
        "twitter": "Juriste gratuit le mardi",
        "facebook": "Permanence juridique gratuite, tous les mardis de 14 h à 17 h",
    }
    cli("run", "--once")
    assert "1 200 objets sauvés de la benne ♻️" in _posted("twitter")
    assert "Juriste gratuit le mardi" in _posted("twitter")
