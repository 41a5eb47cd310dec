"""Moderation as a reviewer meets it: drafts wait without deliveries, approve routes them,
reject keeps the reason, and nothing of a draft is ever published."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from crosspost.domain import NewItem
from crosspost.store import Store
from tests.conftest import Cli
from tests.support.fakechannel import fake_platform

# Monday 30 November 2026, 10:00 in Paris.
NOW = "2026-11-30T09:00:00Z"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _member_draft(db_url: str, **fields: object) -> int:
    """A draft as a member's feed leaves it: through the store's one insert path."""
    from datetime import UTC, datetime

    values: dict[str, object] = {
        "kind": "event",
        "title": "Atelier réparation : vélos & grille-pain",
        "body": "Venez avec vos objets cassés 🔧 https://example.org/?utm_source=rss&utm_medium=x_y",
        "requested_at": datetime(2026, 11, 30, 9, tzinfo=UTC),
        "event_start": datetime(2026, 12, 12, 13, tzinfo=UTC),
        "location": "Salle des fêtes, Fontaine",
        "status": "draft",
        "source": "Repair Café de Fontaine",
    }
    values.update(fields)
    store = Store.open(db_url)
    try:
        (item_id,) = store.add_items([(NewItem(**values), ())])  # type: ignore[arg-type]
    finally:
        store.close()
    return item_id


def test_a_draft_waits_without_deliveries_and_run_publishes_nothing(
    workspace: Path, cli: Cli, db_url: str
) -> None:
    draft = _member_draft(db_url)
    cli("add", "--kind", "scoop", "--title", "Typed by the officer", "--at", "now")
    shown = cli("show", str(draft), "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["status"] == "draft"
    assert shown["item"]["source"] == "Repair Café de Fontaine"
    assert shown["deliveries"] == []
    cli("run", "--once")
    # Only the officer's scoop went out; the draft has nothing a publisher could claim.
    assert fake_platform("twitter").count == 1
    assert fake_platform("facebook").count == 0
    text = cli("show", str(draft)).out
    assert "(draft)" in text
    assert "from         Repair Café de Fontaine" in text
    assert "Deliveries: none until approved" in text


def test_review_lists_what_waits_oldest_first_with_its_source(
    workspace: Path, cli: Cli, db_url: str, clock: time_machine.Coordinates
) -> None:
    first = _member_draft(db_url)
    clock.shift(3 * 3600)
    second = _member_draft(
        db_url, kind="job", title="Offre : coordinateur·rice bénévoles", event_start=None
    )
    out = cli("review").out
    assert "2 drafts wait for review:" in out
    lines = out.splitlines()[1:]
    assert lines[0].split() == ["ID", "SOURCE", "KIND", "TITLE", "EVENT", "WAITING", "SINCE"]
    [first_line] = [line for line in lines if line.startswith(f"{first} ")]
    [second_line] = [line for line in lines if line.startswith(f"{second} ")]
    assert lines.index(first_line) < lines.index(second_line)
    assert "Repair Café de Fontaine" in first_line
    assert "Saturday 12 December at 14:00" in first_line  # the event, local time
    assert "(3 hours)" in first_line
    assert "Monday 30 November at 13:00 (0 minutes)" in second_line
    listed = cli("review", "--json").json()
    assert isinstance(listed, dict)
    assert [i["id"] for i in listed["items"]] == [first, second]
    assert listed["items"][0]["waiting_since"] == "2026-11-30T09:00:00Z"


def test_approve_routes_the_draft_as_add_would_and_it_is_published(
    workspace: Path, cli: Cli, db_url: str
) -> None:
    draft = _member_draft(db_url)
    result = cli("approve", str(draft), "--at", "now")
    assert f"Approved item {draft}: event «Atelier réparation : vélos & grille-pain»" in result.out
    assert "facebook" in result.out
    assert "Nothing waits for review." in cli("review").out
    cli("run", "--once")
    [post] = fake_platform("facebook").posts
    text = str(post.detail["text"] if post.detail else "")
    # The member is credited (review.credit), and the UTM link reaches the post as typed.
    assert text.rstrip().endswith("via Repair Café de Fontaine")
    assert "utm_source=rss&utm_medium=x_y" in text
    again = cli("approve", str(draft), ok=False)
    assert again.code == 1
    assert "not waiting for review: it was already routed" in again.err


def test_approve_takes_a_kind_and_channels_and_defaults_to_the_next_slot(
    workspace: Path, cli: Cli, db_url: str
) -> None:
    draft = _member_draft(db_url, kind="article", event_start=None)
    other = _member_draft(db_url, kind="job", event_start=None)
    cli("approve", str(draft), "--kind", "scoop")
    shown = cli("show", str(draft), "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["kind"] == "scoop"
    assert [d["channel"] for d in shown["deliveries"]] == ["twitter"]
    # No posting slots configured: "next" is the next default_time (09:00, it is 10:00).
    assert shown["deliveries"][0]["due_at"] == "2026-12-01T08:00:00Z"
    cli("approve", str(other), "--channel", "blog", "--channel", "facebook", "--at", "+2d")
    shown = cli("show", str(other), "--json").json()
    assert isinstance(shown, dict)
    assert {d["channel"]: d["due_at"] for d in shown["deliveries"]} == {
        "blog": "2026-12-02T09:00:00Z",
        "facebook": "2026-12-02T09:00:00Z",
    }


def test_a_refused_approval_names_the_field_and_leaves_the_draft_waiting(
    workspace: Path, cli: Cli, db_url: str
) -> None:
    past = _member_draft(db_url, event_start=__import__("datetime").datetime.fromisoformat(
        "2026-11-29T13:00:00+00:00"
    ))  # fmt: skip
    job = _member_draft(db_url, kind="job", event_start=None)
    refused = cli("approve", str(past), "--at", "now", ok=False)
    assert refused.code == 1
    assert "after the event starts" in refused.err
    no_route = cli("approve", str(job), ok=False)
    assert "kind: no route sends 'job' items anywhere" in no_route.err
    bad_channel = cli("approve", str(job), "--channel", "instagram", ok=False)
    assert "channel: no channel named 'instagram'" in bad_channel.err
    for item_id in (past, job):
        shown = cli("show", str(item_id), "--json").json()
        assert isinstance(shown, dict)
        assert shown["item"]["status"] == "draft"
        assert shown["deliveries"] == []


def test_reject_keeps_the_reason_and_the_item_never_goes_out(
    workspace: Path, cli: Cli, db_url: str
) -> None:
    draft = _member_draft(db_url)
    empty = cli("reject", str(draft), "--reason", "   ", ok=False)
    assert "reason: say why it is rejected" in empty.err
    out = cli("reject", str(draft), "--reason", "Hors de notre territoire : Isère seulement").out
    assert "Rejected item" in out
    assert "Nothing waits for review." in cli("review").out
    rejected = cli("review", "--rejected").out
    assert "Hors de notre territoire : Isère seulement" in rejected
    twice = cli("reject", str(draft), "--reason", "encore", ok=False)
    assert "already rejected" in twice.err
    cli("run", "--once")
    assert fake_platform("facebook").count == 0
    # A reviewer who changes their mind may still approve it.
    cli("approve", str(draft), "--at", "now")
    cli("run", "--once")
    assert fake_platform("facebook").count == 1


def test_add_draft_keeps_a_typed_item_for_review(workspace: Path, cli: Cli) -> None:
    out = cli("add", "--draft", "--kind", "scoop", "--title", "À relire", "--at", "now").out
    assert "Kept item 1 for review" in out
    cli("run", "--once")
    assert fake_platform("twitter").count == 0
    # Editing a draft changes its text; it stays a draft, still without deliveries.
    cli("edit", "1", "--title", "À relire : version 2", "--at", "+1d")
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["title"] == "À relire : version 2"
    assert shown["item"]["status"] == "draft"
    assert shown["deliveries"] == []
    dup = cli("add", "--draft", "--kind", "scoop", "--title", "À relire : version 2",
              "--at", "now", ok=False)  # fmt: skip
    assert "not queued: item 1 is the same scoop" in dup.err


def test_status_and_health_say_how_many_drafts_wait_and_for_how_long(
    workspace: Path, cli: Cli, db_url: str, clock: time_machine.Coordinates
) -> None:
    _member_draft(db_url)
    _member_draft(db_url, kind="job", event_start=None)
    clock.shift(5 * 3600)
    status = cli("status").out
    assert "Review: 2 drafts wait for review, the oldest for 5 hours" in status
    assert "Nothing needs attention." in status
    assert "Review" in cli("health").out
    clock.shift(2 * 86400)
    status = cli("status").out
    assert "drafts should be decided within 2 days (review.remind_after)" in status
    assert "Nothing needs attention." not in status
    health = cli("health", ok=False)
    assert health.code == 3
    assert "✗ 2 drafts wait for review, the oldest for 2 days" in health.out
    report = cli("health", "--json", ok=False).json()
    assert isinstance(report, dict)
    assert report["review"]["drafts"] == 2
    assert report["review"]["late"] is True
    assert report["review"]["oldest_since"] == "2026-11-30T09:00:00Z"
    [finding] = [f for f in report["findings"] if f["check"] == "review_late"]
    assert finding["channel"] is None
    status_json = cli("status", "--json").json()
    assert isinstance(status_json, dict)
    assert status_json["review"]["drafts"] == 2


def test_the_credit_follows_the_config_and_can_be_turned_off(
    workspace: Path, cli: Cli, db_url: str
) -> None:
    config = workspace / "crosspost.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[review]\ncredit = "Relayé pour {source}"\n',
        encoding="utf-8",
    )
    draft = _member_draft(db_url)
    cli("approve", str(draft), "--at", "now")
    body = cli("show", str(draft), "--json").json()["item"]["body"]  # type: ignore[index]
    assert body.endswith("\n\nRelayé pour Repair Café de Fontaine")
    config.write_text(
        config.read_text(encoding="utf-8").replace('"Relayé pour {source}"', '"{nom}"'),
        encoding="utf-8",
    )
    refused = cli("review", ok=False)
    assert "review.credit: expected text with {source} as its only placeholder" in refused.err


SEQUENCE = """
[sequences.event]
announce = "-7d"
reminders = ["-1d", "morning"]
"""


def test_an_approved_event_gets_its_sequence_as_add_gives_it(
    workspace: Path, cli: Cli, db_url: str
) -> None:
    config = workspace / "crosspost.toml"
    config.write_text(config.read_text(encoding="utf-8") + SEQUENCE, encoding="utf-8")
    draft = _member_draft(db_url)
    cli("approve", str(draft))
    # The same event typed by the officer, without --at: the sequence times it.
    cli("add", "--kind", "event", "--title", "Atelier réparation : tricots",
        "--event-start", "2026-12-12 14:00", "--location", "Salle des fêtes, Fontaine")  # fmt: skip

    def due(item_id: int) -> dict[str, str]:
        shown = cli("show", str(item_id), "--json").json()
        assert isinstance(shown, dict)
        return {
            f"{d['channel']} {d['step']}".strip(): d["due_at_local"] for d in shown["deliveries"]
        }

    approved, typed = due(draft), due(draft + 1)
    assert approved == typed
    # Announced 7 days before the event (not at the next slot), recalled the day before.
    assert approved["facebook"] == "2026-12-05T14:00:00+01:00"
    assert approved["facebook -1d"] == "2026-12-11T14:00:00+01:00"
    assert "facebook morning" in approved
    # --at still wins over the sequence.
    other = _member_draft(db_url, title="Atelier réparation : lampes")
    cli("approve", str(other), "--at", "2026-12-01 18:00")
    assert due(other)["facebook"] == "2026-12-01T18:00:00+01:00"


def test_add_draft_refuses_a_recurring_event_and_writes_nothing(workspace: Path, cli: Cli) -> None:
    refused = cli("add", "--draft", "--kind", "event", "--title", "Permanence vélo",
                  "--event-start", "2026-12-05 14:00", "--repeat", "FREQ=WEEKLY;COUNT=3",
                  ok=False)  # fmt: skip
    assert refused.code == 1
    assert "draft: a recurring event (repeat)" in refused.err
    assert "Traceback" not in refused.err
    assert "Nothing waits for review." in cli("review").out
    assert cli("list", "--json").json() == []


def test_show_status_and_health_say_it_in_french_from_lang(
    workspace: Path,
    cli: Cli,
    db_url: str,
    clock: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    draft = _member_draft(db_url)
    clock.shift(3 * 86400)
    shown = cli("show", str(draft)).out.splitlines()
    assert (
        shown[0]
        == f"Élément {draft} : event «Atelier réparation : vélos & grille-pain» (brouillon)"
    )
    assert "  source       Repair Café de Fontaine" in shown
    assert "Publications : aucune avant l'approbation" in shown
    status = cli("status").out
    assert (
        "Relecture : 1 brouillon attend une relecture, depuis 3 jours : voir `crosspost review` ; "
        "un brouillon devrait être tranché sous 2 jours (review.remind_after)." in status
    )
    health = cli("health", ok=False)
    assert health.code == 3
    assert "Relecture" in health.out.splitlines()
