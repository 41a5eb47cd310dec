"""`run --once` as cron sees it: 4 when it leaves anything for the officer, 1 for a set-up fix."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import responses
import time_machine

from channels.base import Ambiguous
from tests.conftest import Cli
from tests.graph_answers import TOKEN, answer_feed, config
from tests.support.fakechannel import fake_platform

BLIND = """\
timezone = "Europe/Paris"

[channels.blind]
type = "fake"
lookup = false

[[routes]]
kind = "scoop"
to = ["blind"]
"""


@pytest.fixture
def traveller() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(datetime(2026, 12, 5, 9, 0, tzinfo=UTC), tick=True) as traveller:
        yield traveller


def test_run_once_exits_4_when_a_lookup_hands_the_post_to_the_officer(
    workspace: Path, cli: Cli, traveller: time_machine.Coordinates
) -> None:
    (workspace / "crosspost.toml").write_text(BLIND, encoding="utf-8")
    fake_platform("blind").fail_next(Ambiguous("timeout after sending"), posted_anyway=True)
    cli("add", "--kind", "scoop", "--title", "Fête de quartier : 18 h", "--at", "now")
    first = cli("run", "--once", ok=False)
    assert first.code == 4  # unknown

    traveller.shift(timedelta(minutes=3))  # the settling delay has passed
    handed = cli("run", "--once", ok=False)
    assert handed.code == 4, handed
    assert "attention" in handed.out
    [delivery] = cli("show", "1", "--json").json()["deliveries"]  # type: ignore[index]
    assert delivery["state"] == "unknown"
    assert "check it by hand" in delivery["last_error"]

    # Already the officer's: later runs have nothing new to say.
    traveller.shift(timedelta(minutes=3))
    assert cli("run", "--once").code == 0
    assert fake_platform("blind").count == 1


@pytest.fixture
def facebook(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The workspace with a Facebook Page whose token is only in a private secrets file."""
    monkeypatch.delenv("FB_PAGE_TOKEN", raising=False)
    (workspace / "crosspost.toml").write_text(config(), encoding="utf-8")
    secrets = workspace / "secrets.env"
    secrets.write_text(f"FB_PAGE_TOKEN={TOKEN}\n", encoding="utf-8")
    secrets.chmod(0o600)
    return secrets


@pytest.mark.parametrize("in_environment", [False, True], ids=["file-only", "env-too"])
def test_run_once_refuses_a_secrets_file_others_can_read_and_keeps_the_post(
    facebook: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, in_environment: bool
) -> None:
    if in_environment:
        monkeypatch.setenv("FB_PAGE_TOKEN", TOKEN)
    cli("add", "--kind", "scoop", "--title", "Repair café : samedi 14 h", "--at", "now")
    facebook.chmod(0o644)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        refused = cli("run", "--once", ok=False)
        assert len(rsps.calls) == 0
    assert refused.code == 1
    assert f"chmod 600 {facebook}" in refused.err
    assert "Traceback" not in refused.err

    os.chmod(facebook, 0o600)
    [delivery] = cli("show", "1", "--json").json()["deliveries"]  # type: ignore[index]
    assert delivery["state"] == "pending"
    assert delivery["attempts"] == 0
    with responses.RequestsMock() as rsps:
        answer_feed(rsps)
        assert cli("run", "--once").code == 0
    [delivery] = cli("show", "1", "--json").json()["deliveries"]  # type: ignore[index]
    assert delivery["state"] == "published"
