"""The publication commands as an officer runs them: preview, publish, run --once, status."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from channels.base import Ambiguous, AuthExpired, Permanent
from tests.conftest import Cli
from tests.support.fakechannel import fake_platform


def test_preview_shows_each_post_with_its_length_and_problems(workspace: Path, cli: Cli) -> None:
    cli(
        "add",
        "--kind",
        "article",
        "--title",
        "Bilan",
        "--body",
        "Un **long** texte.",
        "--at",
        "now",
    )
    out = cli("preview", "1").out
    assert "── Fake (blog)" in out
    assert "── Fake (twitter)" in out
    assert "Bilan" in out
    assert "/280 characters" in out
    shown = cli("preview", "1", "--channel", "twitter", "--json").json()
    assert isinstance(shown, list)
    [twitter] = shown
    assert twitter["role"] == "announce"
    assert twitter["limit"] == 280
    # The fake blog's address is known only once it publishes: said so, no made-up domain.
    assert "(link of the article, known once it is published)" in twitter["text"]
    assert "link-to-come.invalid" not in twitter["text"]


def test_publish_one_item_now_with_its_announcements(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "article", "--title", "Bilan", "--at", "+2d")
    cli("add", "--kind", "scoop", "--title", "Autre", "--at", "now")
    result = cli("publish", "1")
    assert result.out.count("published") == 3
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert {d["state"] for d in shown["deliveries"]} == {"published"}
    # The blog post went first: both announcements carry its address.
    for name in ("twitter", "facebook"):
        [post] = fake_platform(name).posts
        assert post.detail is not None
        assert "https://fake.example/blog/1" in str(post.detail["text"])
    # Only item 1 was published.
    assert fake_platform("twitter").count == 1
    again = cli("publish", "1", ok=False)
    assert again.code == 1
    assert "nothing pending to publish" in again.err


def test_run_once_publishes_what_is_due_and_logs_json(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "scoop", "--title", "Maintenant", "--at", "now")
    cli("add", "--kind", "scoop", "--title", "Plus tard", "--at", "+1h")
    result = cli("run", "--once", "--log-format", "json")
    events = [json.loads(line) for line in result.out.splitlines()]
    [published] = [e for e in events if e["event"] == "published"]
    assert published["channel"] == "twitter"
    assert published["title"] == "Maintenant"
    assert published["url"] == "https://fake.example/twitter/1"
    assert published["time"].endswith("Z")
    assert fake_platform("twitter").count == 1


def test_run_once_exits_4_when_something_failed(workspace: Path, cli: Cli) -> None:
    fake_platform("twitter").fail_next(Permanent("X says no"))
    cli("add", "--kind", "scoop", "--title", "Refusé", "--at", "now")
    result = cli("run", "--once", ok=False)
    assert result.code == 4
    assert "failed" in result.out
    assert "X says no" in result.out


def test_status_explains_what_needs_attention(workspace: Path, cli: Cli) -> None:
    fake_platform("facebook").fail_next(Ambiguous("timeout after sending"), posted_anyway=True)
    fake_platform("twitter").outage = AuthExpired("renew X_ACCESS_TOKEN")
    cli(
        "add",
        "--kind",
        "event",
        "--title",
        "Fête",
        "--event-start",
        "2026-12-20 18:00",
        "--at",
        "now",
    )
    cli("add", "--kind", "scoop", "--title", "Info", "--at", "now")
    cli("add", "--kind", "scoop", "--title", "Demain", "--at", "+1d")
    cli("run", "--once", ok=False)
    out = cli("status").out
    assert "No publisher is running" in out
    assert "PAUSED twitter: renew X_ACCESS_TOKEN" in out
    assert "crosspost channels check twitter" in out
    assert "Next:" in out
    assert "Demain" in out
    shown = cli("status", "--json").json()
    assert isinstance(shown, dict)
    assert shown["paused_channels"][0]["channel"] == "twitter"
    assert shown["counts"]["unknown"] == 1


def test_channels_check_resumes_a_paused_channel(workspace: Path, cli: Cli) -> None:
    platform = fake_platform("twitter")
    platform.outage = AuthExpired("renew X_ACCESS_TOKEN")
    cli("add", "--kind", "scoop", "--title", "Info", "--at", "now")
    cli("run", "--once")
    platform.check_error = AuthExpired("token revoked")
    failed = cli("channels", "check", "twitter", ok=False)
    assert failed.code == 1
    assert "FAIL twitter" in failed.out
    platform.check_error = None
    platform.outage = None
    ok = cli("channels", "check", "twitter")
    assert "was paused; it is resumed" in ok.out
    cli("run", "--once")
    assert platform.count == 1


def test_channels_list(workspace: Path, cli: Cli) -> None:
    listed = cli("channels", "list", "--json").json()
    assert isinstance(listed, list)
    assert {c["name"] for c in listed} == {"blog", "twitter", "facebook"}


@pytest.mark.slow
def test_demo_publishes_everything_to_the_local_blog_and_dry_run_channels(
    tmp_path: Path, cli: Cli
) -> None:
    result = cli("demo", "--dir", str(tmp_path / "demo"))
    log = [
        line
        for line in result.out.splitlines()
        if re.match(r"\d{4}-\d\d-\d\d \S+ \S+  published", line)
    ]
    # The event on Facebook; the scoop on X, Mastodon and Bluesky; the article on the
    # blog, announced on the four networks.
    assert len(log) == 9
    assert {line.split()[4] for line in log} == {
        "blog", "twitter", "facebook", "mastodon", "bluesky"
    }  # fmt: skip
    assert "Editorial calendar (crosspost calendar):" in result.out
    assert (tmp_path / "demo" / "site" / "index.html").exists()
    assert (tmp_path / "demo" / "site" / "feed.xml").exists()
