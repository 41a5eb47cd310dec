"""A member's real WordPress feed (scripts/wordpress-test-site.sh): its RSS, pulled twice.

Skipped when CROSSPOST_TEST_WP_URL is not set, unless CROSSPOST_REQUIRE_WORDPRESS=1
(CI sets it so a missing site fails loudly instead of passing quietly).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import Cli

pytestmark = pytest.mark.wordpress


@pytest.fixture
def wordpress() -> tuple[str, tuple[str, str]]:
    url = os.environ.get("CROSSPOST_TEST_WP_URL")
    if not url:
        how = 'run eval "$(scripts/wordpress-test-site.sh)" first'
        if os.environ.get("CROSSPOST_REQUIRE_WORDPRESS") == "1":
            pytest.fail(f"CROSSPOST_REQUIRE_WORDPRESS=1 but CROSSPOST_TEST_WP_URL is unset: {how}")
        pytest.skip(f"no local WordPress (CROSSPOST_TEST_WP_URL): {how}")
    auth = (os.environ["CROSSPOST_TEST_WP_USER"], os.environ["CROSSPOST_TEST_WP_APP_PASSWORD"])
    return url.rstrip("/"), auth


@pytest.fixture
def member_post(wordpress: tuple[str, tuple[str, str]]) -> Iterator[dict[str, Any]]:
    """A post the member publishes on their site, removed afterwards."""
    url, auth = wordpress
    marker = uuid.uuid4().hex[:8]
    response = requests.post(
        f"{url}/",
        params={"rest_route": "/wp/v2/posts"},
        json={
            "title": f"Atelier couture : l'hiver au chaud {marker}",
            "content": "<p>Apportez <strong>vos pulls troués</strong> 🧶 : on les reprise.</p>",
            "status": "publish",
        },
        auth=auth,
        timeout=30,
    )
    response.raise_for_status()
    post = response.json()
    yield post
    requests.delete(
        f"{url}/",
        params={"rest_route": f"/wp/v2/posts/{post['id']}", "force": "true"},
        auth=auth,
        timeout=30,
    )


def test_a_real_wordpress_feed_is_pulled_once_and_its_304_honoured(
    workspace: Path,
    cli: Cli,
    wordpress: tuple[str, tuple[str, str]],
    member_post: dict[str, Any],
) -> None:
    url, _ = wordpress
    cli("feeds", "add", "atelier", f"{url}/?feed=rss2", "--kind", "article",
        "--label", "Atelier couture de Lyon")  # fmt: skip
    out = cli("feeds", "pull").out
    assert "new draft" in out
    listed = cli("review", "--json").json()
    assert isinstance(listed, dict)
    title = member_post["title"]["rendered"]
    mine = [d for d in listed["items"] if d["link"] == member_post["link"]]
    assert len(mine) == 1
    assert mine[0]["title"] == title.replace("&#8217;", "\u2019")
    assert "**vos pulls troués** 🧶" in mine[0]["body"]
    assert mine[0]["source"] == "Atelier couture de Lyon"
    # Pulled again: WordPress answers 304 to our validators, or (if another test posted
    # meanwhile) sends the feed again; either way this post is not drafted twice.
    again = cli("feeds", "pull").out
    relisted = cli("review", "--json").json()
    assert isinstance(relisted, dict)
    assert len([d for d in relisted["items"] if d["link"] == member_post["link"]]) == 1
    if "unchanged since the last pull" not in again:
        assert "new draft" not in again or len(relisted["items"]) > len(listed["items"])
