"""`crosspost health`: on a ledger with a known history, every sentence and the exit status."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crosspost.domain import Delivery, NewItem, PlannedDelivery
from crosspost.states import State
from crosspost.store import Store
from tests.conftest import Cli

PARIS = ZoneInfo("Europe/Paris")

POLICY = """
[policy]
quiet = ["sun", "22:00-07:00"]

[policy.twitter]
min_per_week = 3
max_per_day = 4
slots = ["tue 12:30", "thu 12:30", "sat 10:00"]

[policy.blog]
min_per_month = 2

[policy.facebook]
max_per_day = 1
"""


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


# Wednesday 9 December 2026, 10:00 in Paris: the weeks looked back on are those of
# 9, 16, 23 and 30 November; this week is the one of 7 December.
NOW = paris("2026-12-09 10:00")


class Ledger:
    """Builds a history through the Store API, the way the publisher would have left it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, channel: str, due: str, title: str, kind: str = "scoop") -> Delivery:
        at = paris(due)
        new = NewItem(kind=kind, title=title, requested_at=at)
        [item_id] = self.store.add_items([(new, [PlannedDelivery(channel, at)])])
        [delivery] = self.store.get_item(item_id).deliveries
        return delivery

    def _send(self, delivery: Delivery) -> None:
        assert self.store.move(delivery.id, State.PENDING, State.CLAIMED)
        assert self.store.move(delivery.id, State.CLAIMED, State.SENDING)

    def published(self, channel: str, due: str, title: str = "Post") -> None:
        delivery = self.add(channel, due, title)
        self._send(delivery)
        assert self.store.move(
            delivery.id,
            State.SENDING,
            State.PUBLISHED,
            published_at=paris(due),
            remote_url=f"https://{channel}.example/{delivery.id}",
        )

    def failed(self, channel: str, due: str, title: str, reason: str) -> None:
        delivery = self.add(channel, due, title)
        self._send(delivery)
        assert self.store.move(delivery.id, State.SENDING, State.FAILED, last_error=reason)

    def unknown(self, channel: str, due: str, title: str, reason: str) -> None:
        delivery = self.add(channel, due, title)
        self._send(delivery)
        assert self.store.move(delivery.id, State.SENDING, State.UNKNOWN, last_error=reason)

    def skipped(self, channel: str, due: str, title: str) -> None:
        delivery = self.add(channel, due, title)
        assert self.store.move(
            delivery.id, State.PENDING, State.SKIPPED_LATE, last_error="found 7 hours late"
        )

    def stuck(self, channel: str, due: str, title: str, lease_until: str) -> None:
        delivery = self.add(channel, due, title)
        assert self.store.move(
            delivery.id,
            State.PENDING,
            State.CLAIMED,
            claimed_by="gone",
            lease_until=paris(lease_until),
        )


@pytest.fixture
def ledger(workspace: Path, db_url: str) -> Iterator[Ledger]:
    config = (workspace / "crosspost.toml").read_text(encoding="utf-8")
    for name, label in (("blog", "The blog"), ("twitter", "X"), ("facebook", "Facebook")):
        config = config.replace(
            f'[channels.{name}]\ntype = "fake"',
            f'[channels.{name}]\ntype = "fake"\nlabel = "{label}"',
        )
    (workspace / "crosspost.toml").write_text(config + POLICY, encoding="utf-8")
    store = Store.open(db_url)
    with time_machine.travel(NOW - timedelta(days=60), tick=False):
        yield Ledger(store)
    store.close()


def known_history(ledger: Ledger) -> None:
    # X: three posts, one, three, none, then one so far this week.
    for due in ("2026-11-10 12:30", "2026-11-12 12:30", "2026-11-14 10:00"):
        ledger.published("twitter", due)
    ledger.published("twitter", "2026-11-17 12:30")
    for due in ("2026-11-24 12:30", "2026-11-26 12:30", "2026-11-28 10:00"):
        ledger.published("twitter", due)
    ledger.skipped("twitter", "2026-12-01 12:30", "Soirée jeux")
    ledger.published("twitter", "2026-12-08 12:30")
    ledger.add("twitter", "2026-12-10 12:30", "Permanence")
    ledger.add("twitter", "2026-12-15 12:30", "Vide-grenier")
    ledger.add("twitter", "2026-12-15 12:30", "Collecte de jouets")
    ledger.add("twitter", "2026-12-20 10:00", "Marché de Noël")
    # The blog: last updated on 23 October; an October failure is older than the window.
    ledger.failed("blog", "2026-10-20 09:00", "Ancien", "server error")
    ledger.published("blog", "2026-10-23 09:00")
    ledger.add("blog", "2026-12-15 09:00", "Bilan de l'année", kind="article")
    # Facebook: no cadence target, but a failure, an unknown outcome, a late post, a dead
    # publisher's claim, and two posts on a day that allows one.
    ledger.failed("facebook", "2026-12-02 18:00", "Repair café", "The page token has expired")
    ledger.unknown("facebook", "2026-12-03 18:00", "Atelier vélo", "no answer after 30 s")
    ledger.add("facebook", "2026-12-08 18:00", "Chorale")
    ledger.stuck("facebook", "2026-12-09 09:00", "Assemblée", lease_until="2026-12-09 09:05")
    ledger.add("facebook", "2026-12-11 11:00", "Friperie")
    ledger.add("facebook", "2026-12-11 16:00", "Goûter")


def _findings(out: str, heading: str) -> list[str]:
    """The ✗ lines of one channel's block."""
    block = out.split(f"\n{heading}\n", 1)[1].split("\n\n", 1)[0]
    return [line.strip()[2:] for line in block.splitlines() if line.strip().startswith("✗")]


def _notes(out: str, heading: str) -> list[str]:
    block = out.split(f"\n{heading}\n", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in block.splitlines() if not line.strip().startswith("✗")]


def test_every_sentence_matches_what_happened(ledger: Ledger, cli: Cli) -> None:
    known_history(ledger)
    with time_machine.travel(NOW, tick=False):
        result = cli("health", ok=False)
    assert result.code == 3, result
    out = result.out
    assert out.startswith(
        "Editorial health on Wednesday 9 December at 10:00 (Europe/Paris): "
        "the last 4 weeks and the 2 weeks ahead.\n"
    )

    assert _notes(out, "The blog (blog): 2 per month") == [
        "The blog: 0 posts in the 4 weeks from Monday 9 November to Sunday 6 December "
        "(target: 2 per month).",
        "The blog: last post 47 days ago (Friday 23 October).",
    ]
    assert _findings(out, "The blog (blog): 2 per month") == [
        "The blog has not been updated for 47 days (target: 2 per month).",
        "The blog: no post in November 2026 (target: 2 per month).",
        "The blog: this month (December 2026) has 0 posts so far and 1 planned "
        "(target: 2 per month): plan 1 more.",
    ]

    assert _notes(out, "X (twitter): 3 per week") == [
        "X: 7 posts in the 4 weeks from Monday 9 November to Sunday 6 December "
        "(target: 3 per week).",
        "X: last post yesterday (Tuesday 8 December).",
    ]
    assert _findings(out, "X (twitter): 3 per week") == [
        "X: only 1 post in the week of Monday 16 November (target: 3 per week).",
        "X: no post in the week of Monday 30 November (target: 3 per week).",
        "X: this week has 1 post so far and 1 planned (target: 3 per week): plan 1 more.",
        "X: «Vide-grenier» (item 11) and «Collecte de jouets» (item 12) are both planned for "
        "Tuesday 15 December at 12:30; move one with `crosspost reschedule ID --at ...`.",
        "X: «Marché de Noël» is planned for Sunday 20 December at 10:00, a quiet time (sun); "
        "move it with `crosspost reschedule 13 --at ...`.",
        "X: «Soirée jeux», due Tuesday 1 December at 12:30, was not sent: the publisher found "
        "it too late. `crosspost retry 8` sends it anyway, `crosspost cancel 8` drops it.",
    ]

    assert _notes(out, "Facebook (facebook)") == [
        "Facebook: 0 posts in the 4 weeks from Monday 9 November to Sunday 6 December."
    ]
    assert _findings(out, "Facebook (facebook)") == [
        "Facebook: 2 posts on Friday 11 December (the policy allows 1 a day).",
        "Facebook: «Repair café», due Wednesday 2 December at 18:00, failed: The page token "
        "has expired. Fix the cause, then `crosspost retry 17`.",
        "Facebook: nobody knows whether «Atelier vélo», due Thursday 3 December at 18:00, is "
        "online: no answer after 30 s. Look on Facebook, then `crosspost resolve 18 "
        "--channel facebook --published URL` or `--not-published`.",
        "Facebook: «Chorale» was due Tuesday 8 December at 18:00 and has not gone out "
        "(16 hours late): is the publisher running? See `crosspost status`.",
        "Facebook: «Assemblée» was taken by a publisher that stopped answering; a running "
        "publisher releases it (`crosspost run`), then check `crosspost show 20`.",
    ]
    assert out.endswith("The editorial policy falls short: 14 things to fix.\n")


def test_json_has_the_same_findings_and_the_periods(ledger: Ledger, cli: Cli) -> None:
    known_history(ledger)
    with time_machine.travel(NOW, tick=False):
        result = cli("health", "--json", ok=False)
    assert result.code == 3
    report = result.json()
    assert isinstance(report, dict)
    assert report["holds"] is False
    assert (report["since"], report["until"]) == ("2026-11-09", "2026-12-21")
    checks = [(f["channel"], f["check"]) for f in report["findings"]]
    assert checks.count(("twitter", "below_target")) == 2
    assert ("blog", "stale") in checks
    assert ("facebook", "stuck") in checks
    twitter = next(c for c in report["channels"] if c["channel"] == "twitter")
    assert twitter["days_since_last"] == 1
    assert twitter["last_published_at"] == "2026-12-08T11:30:00Z"
    assert [(p["start"], p["when"], p["published"], p["planned"]) for p in twitter["periods"]] == [
        ("2026-11-09", "past", 3, 0),
        ("2026-11-16", "past", 1, 0),
        ("2026-11-23", "past", 3, 0),
        ("2026-11-30", "past", 0, 0),
        ("2026-12-07", "current", 1, 1),
        ("2026-12-14", "ahead", 0, 3),
    ]


@pytest.fixture
def only_blog_policy(ledger: Ledger, workspace: Path) -> None:
    config = (workspace / "crosspost.toml").read_text(encoding="utf-8")
    (workspace / "crosspost.toml").write_text(
        config.replace(POLICY, "\n[policy.blog]\nmin_per_month = 2\n"), encoding="utf-8"
    )


@pytest.mark.usefixtures("only_blog_policy")
def test_a_kept_policy_exits_0(ledger: Ledger, cli: Cli) -> None:
    ledger.published("blog", "2026-11-20 09:00")
    ledger.published("blog", "2026-11-27 09:00")
    ledger.published("blog", "2026-12-02 09:00")
    ledger.add("blog", "2026-12-16 09:00", "Bilan", kind="article")
    # Old trouble, before the weeks looked back on, is not held against anyone.
    ledger.failed("twitter", "2026-10-01 12:30", "Ancien", "server error")
    with time_machine.travel(NOW, tick=False):
        result = cli("health", "--weeks", "2", "--ahead", "1", ok=False)
    assert result.code == 0, result
    assert (
        "The blog: 2 posts in the 2 weeks from Monday 23 November to Sunday 6 December "
        "(target: 2 per month)." in result.out
    )
    assert "The blog: last post 7 days ago (Wednesday 2 December)." in result.out
    assert result.out.endswith("The editorial policy holds.\n")
    assert "✗" not in result.out


@pytest.mark.usefixtures("only_blog_policy")
def test_a_channel_that_never_published(cli: Cli) -> None:
    with time_machine.travel(NOW, tick=False):
        result = cli("health", ok=False)
    assert result.code == 3
    assert (
        "✗ The blog has never been updated through Crosspost (target: 2 per month)." in result.out
    )


def test_a_dry_run_channel_is_said_not_to_count(ledger: Ledger, cli: Cli, workspace: Path) -> None:
    config = (workspace / "crosspost.toml").read_text(encoding="utf-8")
    config = config.replace('label = "X"', 'label = "X"\nmode = "dry-run"')
    (workspace / "crosspost.toml").write_text(config, encoding="utf-8")
    delivery = ledger.add("twitter", "2026-11-24 12:30", "Essai")
    ledger._send(delivery)
    ledger.store.move(delivery.id, State.SENDING, State.PUBLISHED, published_at=paris(
        "2026-11-24 12:30"), dry_run=True, remote_url="dry-run://twitter/1")  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        result = cli("health", ok=False)
    assert "  X is in dry-run mode: what it publishes is not counted.\n" in result.out
    assert "X: 0 posts in the 4 weeks from Monday 9 November to Sunday 6 December" in result.out
    assert "✗ X has never been updated through Crosspost (target: 3 per week)." in result.out
