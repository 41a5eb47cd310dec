"""An event's life through Mobilizon as an officer runs it: queued, created in the group,
announced with the event page's address, and never created twice after a lost answer.
On each database, against the fake Mobilizon."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.support.fakechannel import fake_platform
from tests.support.fakeplatform import FakePlatformServer
from tests.support.fakeplatform.mobilizon import mobilizon_of

CONFIG = """\
timezone = "Europe/Paris"

[channels.agenda]
type = "mobilizon"
instance_url = "{url}"
group = "asso_exemple"
settling = 0

[channels.facebook]
type = "fake"

[[routes]]
kind = "event"
to = ["agenda"]
announce = ["facebook"]
"""


@pytest.fixture
def mobilizon(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePlatformServer]:
    with FakePlatformServer(seed=13) as server:
        (workspace / "crosspost.toml").write_text(CONFIG.format(url=server.url), encoding="utf-8")
        monkeypatch.setenv("MOBILIZON_EMAIL", "communication@asso-exemple.fr")
        monkeypatch.setenv("MOBILIZON_PASSWORD", "mot de passe sûr")
        yield server


def add_event(cli: Cli) -> None:
    cli(
        "add",
        "--kind",
        "event",
        "--title",
        "Repair Café : vélos & petits appareils",
        "--body",
        "Apportez vos objets **cassés** !",
        "--event-start",
        "2030-03-30 14:00",
        "--event-end",
        "2030-03-30 18:00",
        "--location",
        "MJC, 3 allée des Tilleuls, 75011 Paris",
        "--at",
        "now",
    )


def test_the_event_is_created_and_its_page_announced(
    mobilizon: FakePlatformServer, cli: Cli
) -> None:
    assert "administrator of the group" in cli("channels", "check").out
    add_event(cli)

    cli("run", "--once")

    (event,) = mobilizon_of(mobilizon).events()
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    urls = {d["channel"]: d.get("remote_url") or d.get("url") for d in shown["deliveries"]}
    assert urls["agenda"] == event["url"]
    [announcement] = fake_platform("facebook").posts
    assert announcement.detail is not None
    assert event["url"] in str(announcement.detail["text"])
    # Saturday 30 March 2030 is the eve of the change to summer time: Paris is UTC+1.
    assert event["beginsOn"].isoformat() == "2030-03-30T13:00:00+00:00"


def test_a_lost_answer_is_found_again_not_created_twice(
    mobilizon: FakePlatformServer, cli: Cli
) -> None:
    add_event(cli)
    mobilizon.inject("lost_answer", platform="mobilizon")

    cli("run", "--once", ok=False)
    cli("run", "--once", ok=False)
    cli("run", "--once", ok=False)

    assert len(mobilizon_of(mobilizon).events()) == 1
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    states = {d["channel"]: d["state"] for d in shown["deliveries"]}
    assert states["agenda"] == "published"


def test_a_scoop_cannot_be_sent_to_mobilizon(mobilizon: FakePlatformServer, cli: Cli) -> None:
    refused = cli(
        "add", "--kind", "scoop", "--title", "Brève", "--channel", "agenda", "--at", "now", ok=False
    )
    assert "events only" in refused.err
    assert mobilizon.requests == []
