"""The WordPress adapter against a real WordPress (scripts/wordpress-test-site.sh).

Run with:  eval "$(scripts/wordpress-test-site.sh)" && pytest -m wordpress
Skipped when CROSSPOST_TEST_WP_URL is not set, unless CROSSPOST_REQUIRE_WORDPRESS=1
(CI sets it so a missing site fails loudly instead of passing quietly).
"""

from __future__ import annotations

import os
import re
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from channels.base import AuthExpired, Permanent, PublishJob, Receipt, RenderContext
from channels.wordpress import WordPressChannel, WordPressSettings
from crosspost.domain import Delivery, Item
from crosspost.secrets import SecretSource

pytestmark = pytest.mark.wordpress

PARIS = ZoneInfo("Europe/Paris")
TITLE = "Café réparation : l'été à Lyon"
PASSWORD_ENV = "CROSSPOST_LIVE_WP_PASSWORD"


@dataclass(frozen=True)
class Site:
    """The local WordPress and the two users the setup script made."""

    url: str
    user: str
    password: str
    reader: str
    reader_password: str

    def get(self, route: str, **params: Any) -> Any:
        """A REST answer read as the admin, independently of the adapter."""
        response = requests.get(
            f"{self.url}/",
            params={"rest_route": f"/wp/v2/{route}", **params},
            auth=(self.user, self.password),
            timeout=30,
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def site() -> Site:
    url = os.environ.get("CROSSPOST_TEST_WP_URL")
    if not url:
        how = 'run eval "$(scripts/wordpress-test-site.sh)" first'
        if os.environ.get("CROSSPOST_REQUIRE_WORDPRESS") == "1":
            pytest.fail(f"CROSSPOST_REQUIRE_WORDPRESS=1 but CROSSPOST_TEST_WP_URL is unset: {how}")
        pytest.skip(f"no local WordPress (CROSSPOST_TEST_WP_URL): {how}")
    return Site(
        url=url.rstrip("/"),
        user=os.environ["CROSSPOST_TEST_WP_USER"],
        password=os.environ["CROSSPOST_TEST_WP_APP_PASSWORD"],
        reader=os.environ.get("CROSSPOST_TEST_WP_READER_USER", ""),
        reader_password=os.environ.get("CROSSPOST_TEST_WP_READER_APP_PASSWORD", ""),
    )


def channel_for(
    site: Site, tmp_path: Path, *, user: str = "", password: str = "", **settings: Any
) -> WordPressChannel:
    """An adapter whose application password comes from a mode-600 secrets file."""
    secrets = tmp_path / f"secrets-{uuid.uuid4().hex[:6]}.env"
    secrets.write_text(f"{PASSWORD_ENV}={password or site.password}\n", encoding="utf-8")
    secrets.chmod(0o600)
    table = {
        "type": "wordpress",
        "site_url": site.url,
        "username": user or site.user,
        "app_password_env": PASSWORD_ENV,
        **settings,
    }
    return WordPressChannel("blog", WordPressSettings.model_validate(table), SecretSource(secrets))


def tiny_png(path: Path) -> Path:
    """A real 4x4 orange PNG, written with zlib so the test needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
    path.write_bytes(png + chunk(b"IEND", b""))
    return path


def job_for(channel: WordPressChannel, item: Item, progress: dict[str, Any]) -> PublishJob:
    """A delivery of `item` whose saved progress lands in `progress`, as the ledger would."""
    key = uuid.uuid4().hex
    delivery = Delivery(
        id=1, key=key, item=item, channel="blog", role="post",
        due_at=datetime.now(UTC), state="sending", progress=progress,
    )  # fmt: skip
    rendered = channel.render(item, RenderContext(timezone=PARIS))
    assert [p for p in channel.validate(rendered) if p.level == "error"] == []
    return PublishJob(delivery, rendered, idempotency_key=key, save_progress=progress.update)


def event_item(image: Path, *tags: str) -> Item:
    return Item(
        id=1,
        kind="event",
        title=TITLE,
        body="Apportez **vos grille-pain** et vos lampes.\n\nInscriptions [ici](https://example.org/inscription).",
        image_path=str(image),
        image_alt="Une tasse de café sur l'établi",
        tags=tags,
        event_start=datetime(2026, 7, 4, 12, 0, tzinfo=UTC),
        event_end=datetime(2026, 7, 4, 16, 0, tzinfo=UTC),
        location="Maison des associations, Lyon 7e",
    )  # fmt: skip


def test_publishes_the_post_with_its_image_tags_and_accents(site: Site, tmp_path: Path) -> None:
    channel = channel_for(site, tmp_path)
    run_tag = f"crosspost-{uuid.uuid4().hex[:6]}"
    image = tiny_png(tmp_path / "Atelier été.png")
    item = event_item(image, "Réparation", "Lyon & environs", run_tag)
    progress: dict[str, Any] = {}
    job = job_for(channel, item, progress)

    receipt = channel.publish(job)

    post = site.get(f"posts/{receipt.remote_id}", context="edit")
    assert post["title"]["raw"] == TITLE
    assert post["status"] == "publish"
    assert receipt.url == post["link"]
    content = post["content"]["raw"]
    assert "<strong>Samedi 4 juillet 2026 de 14h00 à 18h00</strong>" in content
    assert "Maison des associations, Lyon 7e" in content
    assert "<strong>vos grille-pain</strong>" in content
    tags = site.get("tags", include=",".join(map(str, post["tags"])))
    assert sorted(t["name"] for t in tags) == sorted(["Réparation", "Lyon &amp; environs", run_tag])
    media = site.get(f"media/{post['featured_media']}", context="edit")
    assert media["alt_text"] == "Une tasse de café sur l'établi"
    assert media["mime_type"] == "image/png"
    # The upload name is made ASCII; WordPress numbers it when a run before left one.
    assert re.search(r"/atelier-ete(-\d+)?\.png$", media["source_url"])
    assert requests.get(media["source_url"], timeout=30).content == image.read_bytes()
    assert progress["featured_media"] == post["featured_media"]


def test_the_same_delivery_is_found_again_and_never_posted_twice(
    site: Site, tmp_path: Path
) -> None:
    channel = channel_for(site, tmp_path)
    item = Item(id=2, kind="article", title=TITLE, body="Le compte rendu de l'atelier.")
    job = job_for(channel, item, {})

    first = channel.publish(job)
    found = channel.find_existing(job)
    again = channel.publish(job)

    assert isinstance(found, Receipt)
    assert (found.remote_id, found.url) == (first.remote_id, first.url)
    assert again.remote_id == first.remote_id
    slug = first.detail["slug"] if first.detail else None
    assert str(slug).endswith(job.idempotency_key[:8])
    assert len(site.get("posts", slug=slug, status="any", context="edit")) == 1


def test_a_tag_stored_escaped_is_reused_not_duplicated(site: Site, tmp_path: Path) -> None:
    # WordPress stores "&" as "&amp;", so searching for the name finds nothing and the
    # second creation is answered term_exists with the existing id.
    channel = channel_for(site, tmp_path)
    name = f"Vélo & co {uuid.uuid4().hex[:6]}"
    one, two = (Item(id=n, kind="scoop", title=f"Brève {n}", tags=(name,)) for n in (3, 4))
    first = channel.publish(job_for(channel, one, {}))
    second = channel.publish(job_for(channel, two, {}))

    tags_first = site.get(f"posts/{first.remote_id}")["tags"]
    assert tags_first == site.get(f"posts/{second.remote_id}")["tags"]
    assert len(tags_first) == 1


def test_the_rest_route_form_publishes_drafts_and_finds_them(site: Site, tmp_path: Path) -> None:
    channel = channel_for(site, tmp_path, rest_root=f"{site.url}/?rest_route=/", status="draft")
    job = job_for(channel, Item(id=5, kind="article", title="Brouillon à relire"), {})

    receipt = channel.publish(job)

    assert channel.rest_root() == f"{site.url}/?rest_route=/"
    assert site.get(f"posts/{receipt.remote_id}", context="edit")["status"] == "draft"
    found = channel.find_existing(job)
    assert found is not None
    assert found.remote_id == receipt.remote_id


def test_the_rest_root_is_the_one_the_site_announces(site: Site, tmp_path: Path) -> None:
    announced = requests.head(f"{site.url}/", timeout=30).links["https://api.w.org/"]["url"]
    assert channel_for(site, tmp_path).rest_root() == announced


def test_check_names_the_user_and_role(site: Site, tmp_path: Path) -> None:
    result = channel_for(site, tmp_path).check()
    assert result.ok
    assert f"as {site.user} (administrator)" in result.message


def test_a_subscriber_is_told_which_role_is_needed(site: Site, tmp_path: Path) -> None:
    if not site.reader:
        pytest.skip("the setup script's Subscriber is not exported")
    channel = channel_for(site, tmp_path, user=site.reader, password=site.reader_password)

    result = channel.check()
    with pytest.raises(Permanent, match="Author role") as refused:
        channel.publish(job_for(channel, Item(id=6, kind="scoop", title="Interdit"), {}))

    assert not result.ok
    assert "(subscriber)" in result.message
    assert "Author role" in result.message
    assert "rest_forbidden_status" in refused.value.message


def test_a_wrong_password_pauses_the_channel(site: Site, tmp_path: Path) -> None:
    wrong = "abcd efgh ijkl mnop qrst uvwx"
    channel = channel_for(site, tmp_path, password=wrong)

    with pytest.raises(AuthExpired) as on_check:
        channel.check()
    with pytest.raises(AuthExpired) as on_publish:
        channel.publish(job_for(channel, Item(id=7, kind="scoop", title="Refusé"), {}))

    for error in (on_check.value, on_publish.value):
        assert PASSWORD_ENV in error.message
        assert wrong not in error.message


def test_an_update_rewrites_the_post_in_place_and_twice_is_harmless(
    site: Site, tmp_path: Path
) -> None:
    # A job offer past its deadline: the post says it is closed, at the same address.
    channel = channel_for(site, tmp_path)
    offer = Item(id=6, kind="job", title="Chargé·e de mission « jeunesse »", body="CDD & CDI")
    first = channel.publish(job_for(channel, offer, {}))
    closed = Item(id=6, kind="job", title="Candidatures closes : Chargé·e de mission « jeunesse »")
    update = Delivery(
        id=2, key=uuid.uuid4().hex, item=closed, channel="blog", role="update",
        due_at=datetime.now(UTC), state="sending", step="closed",
        announced_key="k", announced_remote_id=first.remote_id,
    )  # fmt: skip
    rendered = channel.render(closed, RenderContext(timezone=PARIS, role="update"))
    job = PublishJob(update, rendered, idempotency_key=update.key)

    receipt = channel.update(job)
    again = channel.update(job)

    post = site.get(f"posts/{first.remote_id}", context="edit")
    assert post["title"]["raw"] == "Candidatures closes : Chargé·e de mission « jeunesse »"
    assert (receipt.remote_id, receipt.url) == (first.remote_id, first.url)
    assert again.url == first.url
    assert post["slug"] == (first.detail or {})["slug"]
    slug_posts = site.get("posts", slug=post["slug"], status="any", context="edit")
    assert len(slug_posts) == 1


def test_an_update_of_a_post_that_is_gone_is_refused(site: Site, tmp_path: Path) -> None:
    channel = channel_for(site, tmp_path)
    item = Item(id=7, kind="job", title="Candidatures closes : Stage")
    update = Delivery(
        id=3, key=uuid.uuid4().hex, item=item, channel="blog", role="update",
        due_at=datetime.now(UTC), state="sending", announced_remote_id="99999999",
    )  # fmt: skip
    rendered = channel.render(item, RenderContext(timezone=PARIS, role="update"))
    with pytest.raises(Permanent):
        channel.update(PublishJob(update, rendered, idempotency_key=update.key))
