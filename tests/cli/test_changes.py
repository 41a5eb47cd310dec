"""edit, reschedule, cancel, retry, resolve: only what is still pending changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from crosspost.config import load_settings
from crosspost.states import State
from crosspost.store import Store
from tests.conftest import Cli


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel("2026-11-29T16:00:00Z", tick=False) as traveller:
        yield traveller


def _store() -> Store:
    return Store.open(load_settings(None).database_url)


def _publish(channel: str, item_id: int = 1) -> None:
    """Stand in for the engine: move one delivery to published through the state machine."""
    store = _store()
    record = store.get_item(item_id)
    [delivery] = [d for d in record.deliveries if d.channel == channel]
    assert store.move(delivery.id, State.PENDING, State.CLAIMED)
    assert store.move(delivery.id, State.CLAIMED, State.SENDING)
    assert store.move(
        delivery.id, State.SENDING, State.PUBLISHED, remote_url=f"https://{channel}.example/1"
    )
    store.close()


def _states(cli: Cli, item_id: int = 1) -> dict[str, dict[str, object]]:
    shown = cli("show", str(item_id), "--json").json()
    assert isinstance(shown, dict)
    return {d["channel"]: d for d in shown["deliveries"]}


def _article(cli: Cli) -> None:
    cli("add", "--kind", "article", "--title", "Bilan", "--at", "2026-12-01 10:00")


def test_edit_changes_content_and_leaves_published_deliveries_alone(
    workspace: Path, cli: Cli
) -> None:
    _article(cli)
    _publish("blog")
    result = cli("edit", "1", "--title", "Bilan 2026", "--at", "2026-12-02 10:00")
    assert "blog" in result.out
    assert "left as is" in result.out
    deliveries = _states(cli)
    assert deliveries["blog"]["state"] == "published"
    assert deliveries["blog"]["due_at"] == "2026-12-01T09:00:00Z"
    assert deliveries["twitter"]["due_at"] == "2026-12-02T09:30:00Z"
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["title"] == "Bilan 2026"


def test_edit_channels_adds_and_cancels_only_pending(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "scoop", "--title", "Info", "--at", "+1h")
    cli("edit", "1", "--channel", "facebook")
    deliveries = _states(cli)
    assert deliveries["twitter"]["state"] == "cancelled"
    assert deliveries["facebook"]["state"] == "pending"
    # Routed back to twitter: the cancelled delivery comes back, no duplicate row.
    cli("edit", "1", "--channel", "twitter", "--channel", "facebook")
    deliveries = _states(cli)
    assert deliveries["twitter"]["state"] == "pending"
    assert len(deliveries) == 2


def test_edit_of_a_fully_published_item_is_refused(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "scoop", "--title", "Info", "--at", "+1h")
    _publish("twitter")
    result = cli("edit", "1", "--title", "Autre", ok=False)
    assert "nothing left to change: twitter is published" in result.err
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["title"] == "Info"


def test_reschedule_keeps_offsets_and_skips_published(workspace: Path, cli: Cli) -> None:
    _article(cli)
    _publish("blog")
    cli("reschedule", "1", "--at", "2026-12-10 08:00")
    deliveries = _states(cli)
    assert deliveries["blog"]["due_at"] == "2026-12-01T09:00:00Z"
    assert deliveries["twitter"]["due_at"] == "2026-12-10T07:30:00Z"
    assert deliveries["facebook"]["due_at"] == "2026-12-10T07:30:00Z"


def test_reschedule_into_the_past_is_refused(workspace: Path, cli: Cli) -> None:
    _article(cli)
    result = cli("reschedule", "1", "--at", "2026-11-01 10:00", ok=False)
    assert "at: 2026-11-01 10:00 is in the past" in result.err
    assert _states(cli)["blog"]["due_at"] == "2026-12-01T09:00:00Z"


def test_cancel_one_channel_then_all(workspace: Path, cli: Cli) -> None:
    _article(cli)
    _publish("blog")
    cli("cancel", "1", "--channel", "twitter")
    assert _states(cli)["twitter"]["state"] == "cancelled"
    result = cli("cancel", "1")
    assert "already published" in result.out
    deliveries = _states(cli)
    assert deliveries["blog"]["state"] == "published"
    assert deliveries["facebook"]["state"] == "cancelled"


def test_cancel_unknown_channel_names_the_real_ones(workspace: Path, cli: Cli) -> None:
    _article(cli)
    result = cli("cancel", "1", "--channel", "mastodon", ok=False)
    assert "has no delivery on mastodon; its channels: blog, facebook, twitter" in result.err


def test_show_of_a_missing_item(workspace: Path, cli: Cli) -> None:
    result = cli("show", "42", ok=False)
    assert result.code == 1
    assert "there is no item 42" in result.err


def test_retry_a_failed_delivery_and_refuse_an_unknown_one_without_force(
    workspace: Path, cli: Cli
) -> None:
    cli("add", "--kind", "event", "--title", "Fête", "--event-start", "2026-12-20 18:00",
        "--channel", "twitter", "--channel", "facebook", "--at", "now")  # fmt: skip
    store = _store()
    ids = {d.channel: d.id for d in store.get_item(1).deliveries}
    for channel, final in (("twitter", State.FAILED), ("facebook", State.UNKNOWN)):
        store.move(ids[channel], State.PENDING, State.CLAIMED)
        store.move(ids[channel], State.CLAIMED, State.SENDING)
        store.move(ids[channel], State.SENDING, final, last_error="boom")
    store.close()
    result = cli("retry", "1")
    assert "twitter      failed -> pending" in result.out
    assert "may already be online" in result.out
    assert _states(cli)["facebook"]["state"] == "unknown"
    cli("retry", "1", "--channel", "facebook", "--force")
    assert _states(cli)["facebook"]["state"] == "pending"


def test_resolve_an_unknown_delivery_as_published(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "scoop", "--title", "Info", "--at", "now")
    store = _store()
    [delivery] = store.get_item(1).deliveries
    store.move(delivery.id, State.PENDING, State.CLAIMED)
    store.move(delivery.id, State.CLAIMED, State.SENDING)
    store.move(delivery.id, State.SENDING, State.UNKNOWN)
    store.close()
    show = cli("show", "1").out
    assert "crosspost resolve 1 --channel twitter --published URL" in show
    cli("resolve", "1", "--channel", "twitter", "--published", "https://x.com/a/status/1")
    deliveries = _states(cli)
    assert deliveries["twitter"]["state"] == "published"
    assert deliveries["twitter"]["url"] == "https://x.com/a/status/1"
    again = cli("resolve", "1", "--channel", "twitter", "--published", "https://x", ok=False)
    assert "a published delivery cannot be marked published" in again.err


def test_cancelling_the_announced_post_cancels_its_announcements(workspace: Path, cli: Cli) -> None:
    _article(cli)
    result = cli("cancel", "1", "--channel", "blog")
    assert "twitter      pending -> cancelled (it announced that post)" in result.out
    assert {d["state"] for d in _states(cli).values()} == {"cancelled"}


def test_list_dates_cover_whole_days_and_unknown_names_are_refused(
    workspace: Path, cli: Cli
) -> None:
    cli("add", "--kind", "scoop", "--title", "Matin", "--at", "2026-12-05 08:00")
    cli("add", "--kind", "scoop", "--title", "Lendemain", "--at", "2026-12-06 08:00")
    rows = cli("list", "--from", "2026-12-05", "--to", "2026-12-05", "--json").json()
    assert isinstance(rows, list)
    assert [r["title"] for r in rows] == ["Matin"]
    result = cli("list", "--kind", "evenement", ok=False)
    assert "kind: expected one of event, scoop" in result.err


AT_FORMS = [
    "now",
    "+30m",
    "+2h",
    "+1d",
    "+1w",
    "2026-12-03",
    "2026-12-03 14:30",
    "2026-12-03T14:30+01:00",
    "next",
]


@pytest.mark.parametrize("at", AT_FORMS)
def test_edit_works_after_every_at_form(
    workspace: Path, cli: Cli, clock: time_machine.Coordinates, at: str
) -> None:
    """The README's "change your mind": the clock has microseconds, as a real one does."""
    clock.move_to("2026-11-29T16:00:00.123456Z")
    cli("add", "--kind", "scoop", "--title", "Réunion : ordre du jour", "--at", at)
    before = _states(cli)["twitter"]["due_at"]
    clock.shift(60)
    result = cli("edit", "1", "--title", "Réunion : ordre du jour (modifié)")
    assert "Item 1 updated" in result.out
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["title"] == "Réunion : ordre du jour (modifié)"
    assert _states(cli)["twitter"]["due_at"] == before


def test_edit_of_an_event_keeps_its_times_and_refuses_an_announcement_after_it(
    workspace: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    clock.move_to("2026-11-29T16:00:00.654321Z")
    cli("add", "--kind", "event", "--title", "Fête", "--event-start", "2026-12-12 14:00",
        "--event-end", "2026-12-12 18:00", "--at", "+1d")  # fmt: skip
    cli("edit", "1", "--location", "Salle des fêtes, 2 rue de l'Église")
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["event_start"] == "2026-12-12T13:00:00Z"
    assert shown["item"]["event_end"] == "2026-12-12T17:00:00Z"
    assert shown["item"]["location"] == "Salle des fêtes, 2 rue de l'Église"
    result = cli("edit", "1", "--at", "2026-12-13 10:00", ok=False)
    assert result.code == 1
    assert "at: 2026-12-13 10:00 CET is after the event starts (2026-12-12 14:00 CET)" in result.err
    assert "Traceback" not in result.err
    assert cli("show", "1", "--json").json() == shown


def test_edit_of_an_item_whose_time_has_passed_still_changes_its_text(
    workspace: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    cli("add", "--kind", "scoop", "--title", "Info", "--at", "+30m")
    clock.shift(3600)  # the publisher was off: the delivery is late but still pending
    cli("edit", "1", "--body", "Texte corrigé")
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["body"] == "Texte corrigé"
    assert shown["deliveries"][0]["due_at"] == "2026-11-29T16:30:00Z"
