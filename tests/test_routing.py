"""Routing rules: kinds, tags, offsets, explicit channels and announce chains."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crosspost.config import Settings, parse_settings
from crosspost.errors import InputError
from crosspost.routing import plan_deliveries

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

CONFIG = """
[channels.blog]
type = "fake"
[channels.twitter]
type = "fake"
[channels.facebook]
type = "fake"
[channels.newsletter]
type = "fake"

[[routes]]
kind = ["article", "job"]
to = ["blog"]
announce = ["twitter", "facebook"]
announce_offset = "30m"

[[routes]]
kind = "*"
tags = ["urgent"]
to = ["twitter"]
offset = "-10m"

[[routes]]
kind = "event"
to = ["facebook", "newsletter"]
offset = "1h"
announce = ["twitter"]
announce_from = "newsletter"
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return parse_settings(CONFIG.encode(), tmp_path / "crosspost.toml")


def test_announce_chain_waits_for_the_first_target(settings: Settings) -> None:
    plan = plan_deliveries(settings, kind="article", tags=(), publish_at=AT)
    assert [(p.channel, p.role, p.waits_for, p.due_at - AT) for p in plan.deliveries] == [
        ("blog", "post", None, timedelta(0)),
        ("twitter", "announce", "blog", timedelta(minutes=30)),
        ("facebook", "announce", "blog", timedelta(minutes=30)),
    ]
    assert [n for n, _ in plan.matched] == [1]


def test_tags_match_case_insensitively_and_the_first_route_wins(settings: Settings) -> None:
    plan = plan_deliveries(settings, kind="job", tags=("Urgent",), publish_at=AT)
    assert [n for n, _ in plan.matched] == [1, 2]
    twitter = [p for p in plan.deliveries if p.channel == "twitter"]
    assert len(twitter) == 1
    assert twitter[0].role == "announce"
    assert "routes[2] also sends to twitter" in plan.notes[0]


def test_offsets_and_announce_from(settings: Settings) -> None:
    plan = plan_deliveries(settings, kind="event", tags=(), publish_at=AT)
    by_channel = {p.channel: p for p in plan.deliveries}
    assert by_channel["facebook"].due_at == AT + timedelta(hours=1)
    assert by_channel["twitter"].waits_for == "newsletter"


def test_explicit_channels_replace_routes(settings: Settings) -> None:
    plan = plan_deliveries(
        settings, kind="event", tags=(), publish_at=AT, channels=("blog", "blog")
    )
    assert [p.channel for p in plan.deliveries] == ["blog"]
    assert plan.matched == ()


def test_no_route_is_explained(settings: Settings) -> None:
    with pytest.raises(InputError, match="no route sends 'scoop' items anywhere"):
        plan_deliveries(settings, kind="scoop", tags=(), publish_at=AT)
