"""French typography as each channel publishes it, counted by that platform's own rules.

On X, twitter-text weighs U+202F (outside its weight-1 ranges) as 2 and U+00A0 as 1;
on Bluesky both are one grapheme; Facebook counts characters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from channels.base import RenderContext
from channels.bluesky import BlueskyChannel, BlueskySettings
from channels.bluesky.text import graphemes
from channels.facebook import FacebookChannel, FacebookSettings
from channels.static_blog import StaticBlogChannel, StaticBlogSettings
from channels.twitter import TwitterChannel, TwitterSettings
from channels.twitter.settings import LIMIT
from channels.twitter.text import weighted_length
from channels.wordpress import WordPressChannel, WordPressSettings
from crosspost import typography
from crosspost.domain import Item
from crosspost.secrets import SecretSource
from crosspost.typography import NARROW_NBSP, NBSP

PARIS = ZoneInfo("Europe/Paris")
N = NARROW_NBSP
FR = RenderContext(timezone=PARIS, typography="fr")
AS_TYPED = RenderContext(timezone=PARIS)
EVENT = Item(
    id=1,
    kind="event",
    title="Repair café : venez !",
    body="Apportez vos objets cassés !",
    event_start=datetime(2026, 12, 12, 13, 0, tzinfo=UTC),
    event_end=datetime(2026, 12, 12, 17, 0, tzinfo=UTC),
    location="Maison des associations",
    requested_at=datetime(2026, 12, 5, 9, 0, tzinfo=UTC),
)
ARTICLE = Item(
    id=2,
    kind="article",
    title="Bilan : une belle année !",
    body="**Merci**: 120 bénévoles ! Voir https://ex.org/bilan?utm_source=x_y&utm_medium=a "
    "et `code: brut!`.",
    requested_at=datetime(2026, 12, 5, 9, 0, tzinfo=UTC),
)


def x() -> TwitterChannel:
    settings = TwitterSettings.model_validate(
        {"type": "twitter", "username": "AssoQuartier", "hashtags": False},
        context={"base_dir": Path.cwd()},
    )
    return TwitterChannel("x", settings, SecretSource())


def bluesky(tmp_path: Path) -> BlueskyChannel:
    settings = BlueskySettings.model_validate(
        {"type": "bluesky", "handle": "asso.bsky.social", "hashtags": False},
        context={"base_dir": tmp_path},
    )
    return BlueskyChannel("bluesky", settings, SecretSource())


def test_x_event_post(tmp_path: Path) -> None:
    rendered = typography.render(x(), EVENT, FR)
    assert rendered.text.startswith(
        f"Repair café{N}: venez{N}!\n\nSamedi 12 décembre de 14{NBSP}h à 18{NBSP}h"
    )
    assert rendered.length == weighted_length(rendered.text)


def test_x_counts_a_narrow_no_break_space_as_twitter_text_does() -> None:
    """Two marks set the French way cost two weighted characters more than typed spaces."""
    typed = Item(id=3, kind="scoop", title="Oui ! Non ?")
    before = typography.render(x(), typed, AS_TYPED)
    after = typography.render(x(), typed, FR)
    assert after.text == f"Oui{N}! Non{N}?"
    assert (before.length, after.length) == (11, 13)


def test_x_a_post_that_typography_pushes_over_280_becomes_a_thread() -> None:
    words = ("Assemblée générale du quartier, tout le monde est invité. " * 5)[: LIMIT - 2]
    title = words.rstrip().ljust(LIMIT - 2, "x") + " !"
    item = Item(id=4, kind="scoop", title=title)
    assert weighted_length(title) == LIMIT
    assert typography.render(x(), item, AS_TYPED).parts == (title,)
    parts = typography.render(x(), item, FR).parts
    assert len(parts) == 2
    assert all(weighted_length(part) <= LIMIT for part in parts)


def test_bluesky_counts_it_as_one_grapheme(tmp_path: Path) -> None:
    rendered = typography.render(bluesky(tmp_path), ARTICLE, FR)
    assert rendered.text.startswith(f"Bilan{N}: une belle année{N}!\n\nMerci{N}: 120 bénévoles{N}!")
    assert "https://ex.org/bilan?utm_source=x_y&utm_medium=a" in rendered.text
    assert "code: brut!" in rendered.text
    assert rendered.length == graphemes(rendered.text)
    typed = typography.render(bluesky(tmp_path), ARTICLE, AS_TYPED)
    # Spaces typed before a mark become narrow ones; "Merci:" gains one.
    assert graphemes(rendered.text) == graphemes(typed.text) + 1
    # The link's facet points at the link itself in the set text's bytes.
    (post,) = rendered.request["posts"]
    data = post["record"]["text"].encode()
    [facet] = [f for f in post["record"]["facets"] if "uri" in f["features"][0]]
    link = data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
    assert link == "https://ex.org/bilan?utm_source=x_y&utm_medium=a"


def test_facebook_event_post() -> None:
    channel = FacebookChannel(
        "facebook",
        FacebookSettings.model_validate(
            {"type": "facebook", "page_id": "1234", "graph_version": "v21.0"}
        ),
        SecretSource(),
    )
    rendered = typography.render(channel, EVENT, FR)
    message = rendered.request["data"]["message"]
    assert message == (
        f"Repair café{N}: venez{N}!\n\n"
        f"📅 samedi 12 décembre de 14{NBSP}h à 18{NBSP}h\n"
        "📍 Maison des associations\n\n"
        f"Apportez vos objets cassés{N}!"
    )
    assert rendered.length == len(message)


def test_static_blog_page_and_markdown_file(tmp_path: Path) -> None:
    settings = StaticBlogSettings.model_validate(
        {"type": "static-blog", "site_url": "https://asso.example/"},
        context={"base_dir": tmp_path},
    )
    channel = StaticBlogChannel("blog", settings, SecretSource())
    rendered = typography.render(channel, ARTICLE, FR)
    assert rendered.request["front_matter"]["title"] == f"Bilan{N}: une belle année{N}!"
    body = rendered.request["body"]
    assert body.startswith(f"**Merci**{N}: 120 bénévoles{N}!")
    assert "`code: brut!`" in body
    # The slug is the title's words, whatever the spaces.
    assert rendered.request["front_matter"]["slug"].startswith("bilan-une-belle-annee")


def test_wordpress_post(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WP_APP_PASSWORD", "abcd efgh ijkl mnop qrst uvwx")
    settings = WordPressSettings.model_validate(
        {"type": "wordpress", "site_url": "https://asso.example", "username": "redaction"},
        context={"base_dir": tmp_path},
    )
    channel = WordPressChannel("blog", settings, SecretSource())
    post = typography.render(channel, EVENT, FR).request["post"]
    assert post["title"] == f"Repair café{N}: venez{N}!"
    assert f"Samedi 12 décembre de 14{NBSP}h à 18{NBSP}h" in post["content"]
    assert f"Apportez vos objets cassés{N}!</p>" in post["content"]


def test_as_typed_without_french_typography() -> None:
    rendered = typography.render(x(), EVENT, AS_TYPED)
    assert rendered.text.startswith(
        "Repair café : venez !\n\nSamedi 12 décembre 2026 de 14h00 à 18h00"
    )


def test_a_mark_after_a_link_or_a_hashtag_stays_out_of_it(tmp_path: Path) -> None:
    """Both platforms end a link or a tag at the narrow no-break space, as at a space."""
    item = Item(id=5, kind="scoop", title="Fête #ZéroDéchet! Tout est sur https://ex.org/fete!")
    on_x = typography.render(x(), item, FR)
    assert on_x.text == f"Fête #ZéroDéchet{N}! Tout est sur https://ex.org/fete{N}!"
    # The link weighs 23 whatever its length, each narrow space 2.
    assert on_x.length == weighted_length("Fête #ZéroDéchet") + 2 + 1 + 14 + 23 + 2 + 1
    (post,) = typography.render(bluesky(tmp_path), item, FR).request["posts"]
    data = post["record"]["text"].encode()
    spans = [data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode()
             for f in post["record"]["facets"]]  # fmt: skip
    assert spans == ["#ZéroDéchet", "https://ex.org/fete"]
