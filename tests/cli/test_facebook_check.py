"""`channels check` on Facebook, against the fake Graph: a user token reads the Page as well
as the Page's own token, so only whom the token speaks for and what it was granted tell them
apart; a post with the wrong one is Graph's #200."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.support.fakeplatform import FakePlatformServer

PAGE_TOKEN = "EAAPage-0001-token"
USER_TOKEN = "EAAUser-0002-token"


@pytest.fixture
def graph() -> Iterator[FakePlatformServer]:
    server = FakePlatformServer(seed=5, latency_ms=0)
    server.configure(graph_tokens=(PAGE_TOKEN, USER_TOKEN), graph_user_tokens=(USER_TOKEN,))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page_workspace(workspace: Path, graph: FakePlatformServer) -> Path:
    (workspace / "crosspost.toml").write_text(
        f"""timezone = "Europe/Paris"

[channels.facebook]
type = "facebook"
page_id = "104000000000001"
api_base = "{graph.url}"

[[routes]]
kind = "event"
to = ["facebook"]
""",
        encoding="utf-8",
    )
    return workspace


def test_the_pages_own_token_passes(
    page_workspace: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FB_PAGE_TOKEN", PAGE_TOKEN)
    result = cli("channels", "check")
    assert "ok   facebook" in result.out
    assert "the token is this Page's and may publish" in result.out


def test_a_user_token_fails_the_check_naming_whom_it_speaks_for(
    page_workspace: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FB_PAGE_TOKEN", USER_TOKEN)
    result = cli("channels", "check", ok=False)
    assert result.code == 1
    assert "FAIL facebook" in result.out
    assert "speaks for Camille Martin" in result.out
    assert USER_TOKEN not in result.out + result.err


def test_a_token_without_pages_manage_posts_fails_the_check(
    page_workspace: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, graph: FakePlatformServer
) -> None:
    graph.configure(graph_scopes=("pages_show_list", "pages_read_engagement"))
    monkeypatch.setenv("FB_PAGE_TOKEN", PAGE_TOKEN)
    result = cli("channels", "check", ok=False)
    assert "lacks the permission pages_manage_posts" in result.out
