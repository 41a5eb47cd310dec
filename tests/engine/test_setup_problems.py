"""A set-up problem found before sending (secrets file others can read) never makes a post unknown.

The post stays pending with no attempt counted, its channel pauses with the fix
to run, and it goes out once the check passes again.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import responses
import time_machine

from crosspost.config import Settings, parse_settings
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.errors import ConfigError
from crosspost.store import Store
from schedules.engine import Publisher
from schedules.log import EventLog
from tests.graph_answers import FEED_URL, TOKEN, answer_feed, answer_page, config

START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Page token only in the secrets file, which starts private."""
    monkeypatch.delenv("FB_PAGE_TOKEN", raising=False)
    path = tmp_path / "secrets.env"
    path.write_text(f"FB_PAGE_TOKEN={TOKEN}\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def settings(tmp_path: Path, secrets: Path) -> Settings:
    return parse_settings(config().encode(), tmp_path / "crosspost.toml")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = Store.open(db_url)
    yield store
    store.close()


def _publisher(settings: Settings, store: Store) -> tuple[Publisher, io.StringIO]:
    out = io.StringIO()
    log = EventLog(settings.zone, stream=out)
    publisher = Publisher(settings, store, mode="test", log=log, rng=random.Random(5))
    publisher.start()
    return publisher, out


def _queue(store: Store) -> int:
    now = datetime.now(UTC)
    item = NewItem(kind="scoop", title="Repair café : samedi 14 h", requested_at=now)
    [item_id] = store.add_items([(item, [PlannedDelivery("facebook", now)])])
    return item_id


@pytest.mark.parametrize("adapter_built", [False, True], ids=["at-build", "at-send"])
def test_a_secrets_file_others_can_read_keeps_the_post_pending_and_pauses_the_channel(
    settings: Settings,
    store: Store,
    secrets: Path,
    rsps: responses.RequestsMock,
    adapter_built: bool,
) -> None:
    item_id = _queue(store)
    publisher, out = _publisher(settings, store)
    if adapter_built:
        # The daemon built the adapter while the file was private; it reads the file
        # only when the first post needs the token, from inside publish().
        settings.adapter("facebook")
    secrets.chmod(0o644)

    tally = publisher.run_until_idle()

    assert len(rsps.calls) == 0  # nothing left for Facebook
    [delivery] = store.get_item(item_id).deliveries
    assert delivery.state == "pending"
    assert delivery.attempts == 0
    assert all(a.outcome == "not_sent" for a in delivery.attempt_history)
    [pause] = store.paused_channels()
    assert pause.channel == "facebook"
    assert f"chmod 600 {secrets}" in pause.reason
    assert f"chmod 600 {secrets}" in tally.config_problems["facebook"]
    assert "paused" in out.getvalue()
    assert tally.unknown == tally.failed == 0

    # Still readable by others: the check fails, the channel stays paused.
    publisher.resume_paused_channels()
    assert [p.channel for p in store.paused_channels()] == ["facebook"]

    secrets.chmod(0o600)
    answer_page(rsps)
    answer_feed(rsps)
    publisher.resume_paused_channels()
    assert store.paused_channels() == []
    publisher.run_until_idle()
    [delivery] = store.get_item(item_id).deliveries
    assert delivery.state == "published"
    assert delivery.attempts == 1
    assert [c.request.url.split("?")[0] for c in rsps.calls if c.request.method == "POST"] == [
        FEED_URL
    ]
    publisher.stop()


def test_a_lookup_that_meets_a_set_up_problem_is_made_later_not_given_up(
    frozen: time_machine.Coordinates,
    settings: Settings,
    store: Store,
    secrets: Path,
    rsps: responses.RequestsMock,
) -> None:
    """An unknown post whose lookup cannot be made yet stays for the engine, not the officer."""
    item_id = _queue(store)
    publisher, _out = _publisher(settings, store)
    # Graph's gateway answers an HTML page: the post may be online.
    rsps.add(
        "POST", FEED_URL, status=502, body="<html>Bad Gateway</html>", content_type="text/html"
    )
    publisher.run_until_idle()
    assert store.get_item(item_id).deliveries[0].state == "unknown"

    secrets.chmod(0o644)
    fresh = parse_settings(config().encode(), settings.path)
    later, _ = _publisher(fresh, store)
    frozen.shift(timedelta(minutes=3))
    tally = later.run_until_idle()
    [delivery] = store.get_item(item_id).deliveries
    assert delivery.state == "unknown"
    assert delivery.next_attempt_at is not None  # looked up again, not handed to the officer
    assert f"chmod 600 {secrets}" in tally.config_problems["facebook"]
    assert tally.attention == 0
    assert [p.channel for p in store.paused_channels()] == ["facebook"]
    later.stop()
    publisher.stop()


def test_a_secrets_file_others_can_read_is_refused_even_with_every_value_in_the_environment(
    tmp_path: Path, secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crosspost.config import load_settings

    monkeypatch.setenv("FB_PAGE_TOKEN", TOKEN)
    path = tmp_path / "crosspost.toml"
    path.write_text(config(), encoding="utf-8")
    secrets.chmod(0o640)
    with pytest.raises(ConfigError, match=f"run: chmod 600 {secrets}"):
        load_settings(path)
    secrets.chmod(0o600)
    assert load_settings(path).channels["facebook"].type == "facebook"
