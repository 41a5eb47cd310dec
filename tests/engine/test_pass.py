"""One publish pass with fake channels: every error class, every transition it makes."""

from __future__ import annotations

from datetime import timedelta

from channels.base import Ambiguous, AuthExpired, Duplicate, Permanent, RateLimited, Transient
from tests.engine.conftest import Rig
from tests.support.fakechannel import fake_platform


def test_due_delivery_is_published_once_with_its_receipt(rig: Rig) -> None:
    item = rig.add()
    publisher = rig.make()
    tally = publisher.run_until_idle()
    assert tally.published == 1
    delivery = rig.delivery(item, "twitter")
    assert delivery.state == "published"  # type: ignore[attr-defined]
    assert delivery.remote_url == "https://fake.example/twitter/1"  # type: ignore[attr-defined]
    assert [a.outcome for a in delivery.attempt_history] == ["published"]  # type: ignore[attr-defined]
    # A second pass finds nothing to do: nothing is ever sent twice.
    rig.make().run_until_idle()
    assert fake_platform("twitter").count == 1
    assert "published   twitter" in rig.out.getvalue()


def test_nothing_goes_out_before_its_time(rig: Rig) -> None:
    item = rig.add(at=rig.clock.now + timedelta(minutes=5))
    rig.make().run_until_idle()
    assert rig.states(item) == {"twitter": "pending"}
    rig.clock.advance(minutes=5)
    rig.make().run_until_idle()
    assert rig.states(item) == {"twitter": "published"}


def test_announcements_wait_for_the_post_and_carry_its_link(rig: Rig) -> None:
    item = rig.add("article", "Bilan")
    publisher = rig.make()
    publisher.run_until_idle()
    assert rig.states(item) == {"blog": "published", "twitter": "pending", "facebook": "pending"}
    rig.clock.advance(minutes=10)
    publisher.run_until_idle()
    assert rig.states(item) == {
        "blog": "published",
        "twitter": "published",
        "facebook": "published",
    }
    [tweet] = fake_platform("twitter").posts
    assert tweet.detail is not None
    assert "https://fake.example/blog/1" in str(tweet.detail["text"])


def test_announcements_are_held_when_the_post_fails(rig: Rig) -> None:
    fake_platform("blog").fail_next(Permanent("the blog refused it"))
    item = rig.add("article", "Bilan")
    rig.clock.advance(hours=1)
    rig.make().run_until_idle()
    assert rig.states(item) == {"blog": "failed", "twitter": "pending", "facebook": "pending"}
    assert {d.channel for d in rig.store.held_announcements()} == {"twitter", "facebook"}
    assert fake_platform("twitter").count == 0


def test_a_late_published_post_delays_its_announcements_by_their_offset(rig: Rig) -> None:
    fake_platform("blog").fail_next(Transient("503"))
    item = rig.add("article", "Bilan")
    publisher = rig.make()
    publisher.run_until_idle()  # blog: retry in 15-30 s
    rig.clock.advance(minutes=9)
    publisher.run_until_idle()  # blog out at +9 min
    rig.clock.advance(minutes=2)  # +11 min: the announcements' own time has passed...
    publisher.run_until_idle()
    # ...but they keep their 10 minutes after the post really went out.
    assert rig.states(item)["twitter"] == "pending"
    rig.clock.advance(minutes=8)
    publisher.run_until_idle()
    assert rig.states(item)["twitter"] == "published"


def test_transient_errors_back_off_then_fail_after_max_attempts(rig: Rig) -> None:
    fake_platform("twitter").fail_next(Transient("503 a"), Transient("503 b"), Transient("503 c"))
    item = rig.add()
    publisher = rig.make()
    publisher.run_until_idle()
    first = rig.delivery(item, "twitter")
    assert first.state == "pending"  # type: ignore[attr-defined]
    wait = first.next_attempt_at - rig.clock.now  # type: ignore[attr-defined]
    assert timedelta(seconds=15) <= wait <= timedelta(seconds=30)
    rig.clock.advance(seconds=30)
    publisher.run_until_idle()
    second = rig.delivery(item, "twitter")
    wait = second.next_attempt_at - rig.clock.now  # type: ignore[attr-defined]
    assert timedelta(seconds=30) <= wait <= timedelta(seconds=60)
    rig.clock.advance(minutes=1)
    publisher.run_until_idle()
    final = rig.delivery(item, "twitter")
    assert final.state == "failed"  # type: ignore[attr-defined]
    assert final.last_error == "503 c"  # type: ignore[attr-defined]
    assert [a.outcome for a in final.attempt_history] == ["transient"] * 3  # type: ignore[attr-defined]


def test_rate_limit_waits_until_told_and_does_not_count_as_a_failure(rig: Rig) -> None:
    retry_at = rig.clock.now + timedelta(minutes=15)
    fake_platform("twitter").fail_next(*[RateLimited("429", retry_at)] * 5)
    item = rig.add()
    publisher = rig.make()
    publisher.run_until_idle()
    delivery = rig.delivery(item, "twitter")
    assert delivery.state == "pending"  # type: ignore[attr-defined]
    assert delivery.next_attempt_at == retry_at  # type: ignore[attr-defined]
    assert delivery.attempts == 0  # type: ignore[attr-defined]
    for _ in range(4):
        rig.clock.now = retry_at
        publisher.run_until_idle()
    rig.clock.now = retry_at
    publisher.run_until_idle()
    assert rig.states(item) == {"twitter": "published"}


def test_permanent_error_fails_at_once_with_the_platform_message(rig: Rig) -> None:
    fake_platform("twitter").fail_next(Permanent("X says: text too long"))
    item = rig.add()
    tally = rig.make().run_until_idle()
    assert tally.failed == 1
    assert rig.states(item) == {"twitter": "failed"}
    assert rig.delivery(item, "twitter").last_error == "X says: text too long"  # type: ignore[attr-defined]
    assert "failed      twitter" in rig.out.getvalue()


def test_expired_credentials_pause_the_channel_until_a_check_passes(rig: Rig) -> None:
    platform = fake_platform("twitter")
    platform.outage = AuthExpired("renew X_ACCESS_TOKEN")
    first, second = rig.add(title="Un"), rig.add(title="Deux")
    publisher = rig.make()
    publisher.run_until_idle()
    assert [p.channel for p in rig.store.paused_channels()] == ["twitter"]
    assert rig.states(first) == rig.states(second) == {"twitter": "pending"}
    assert platform.count == 0
    platform.check_error = AuthExpired("still expired")
    publisher.resume_paused_channels()
    assert rig.store.paused_channels() != []
    platform.check_error = None
    platform.outage = None
    publisher.resume_paused_channels()
    publisher.run_until_idle()
    assert rig.states(first) == rig.states(second) == {"twitter": "published"}
    assert rig.delivery(first, "twitter").attempts == 1  # type: ignore[attr-defined]


def test_ambiguous_outcome_is_found_by_the_reconciler_not_resent(rig: Rig) -> None:
    platform = fake_platform("twitter")
    platform.fail_next(Ambiguous("timeout after sending"), posted_anyway=True)
    item = rig.add()
    publisher = rig.make()
    publisher.run_until_idle()
    assert rig.states(item) == {"twitter": "unknown"}
    publisher.reconcile()  # before the settling delay: nothing decided
    assert rig.states(item) == {"twitter": "unknown"}
    rig.clock.advance(minutes=3)
    publisher.reconcile()
    delivery = rig.delivery(item, "twitter")
    assert delivery.state == "published"  # type: ignore[attr-defined]
    assert delivery.remote_id == "twitter-1"  # type: ignore[attr-defined]
    publisher.run_until_idle()
    assert platform.count == 1


def test_ambiguous_outcome_not_found_is_retried_after_settling(rig: Rig) -> None:
    platform = fake_platform("twitter")
    platform.fail_next(Ambiguous("connection dropped"))
    item = rig.add()
    publisher = rig.make()
    publisher.run_until_idle()
    rig.clock.advance(minutes=3)
    publisher.reconcile()
    assert rig.states(item) == {"twitter": "pending"}
    publisher.run_until_idle()
    assert rig.states(item) == {"twitter": "published"}
    assert platform.count == 1


def test_without_lookup_an_unknown_outcome_waits_for_the_officer(rig: Rig) -> None:
    platform = fake_platform("blind")
    platform.fail_next(Ambiguous("timeout"), posted_anyway=True)
    item = rig.add(channels=("blind",))
    publisher = rig.make()
    publisher.run_until_idle()
    rig.clock.advance(hours=1)
    publisher.reconcile()
    publisher.run_until_idle()
    delivery = rig.delivery(item, "blind")
    assert delivery.state == "unknown"  # type: ignore[attr-defined]
    assert delivery.next_attempt_at is None  # type: ignore[attr-defined]
    assert platform.count == 1
    assert "attention" in rig.out.getvalue()


def test_duplicate_refusal_is_checked_against_the_platform(rig: Rig) -> None:
    platform = fake_platform("twitter")
    platform.fail_next(Duplicate("duplicate content"), posted_anyway=True)
    item = rig.add()
    publisher = rig.make()
    publisher.run_until_idle()
    assert rig.states(item) == {"twitter": "unknown"}
    rig.clock.advance(minutes=3)
    publisher.reconcile()
    assert rig.states(item) == {"twitter": "published"}


def test_an_adapter_bug_never_resends_blindly(rig: Rig) -> None:
    platform = fake_platform("twitter")
    platform.fail_next(ZeroDivisionError("bug"), posted_anyway=True)  # type: ignore[arg-type]
    item = rig.add()
    rig.make().run_until_idle()
    assert rig.states(item) == {"twitter": "unknown"}


def test_too_late_is_skipped_and_reported_then_sent_on_retry(rig: Rig) -> None:
    item = rig.add()
    rig.clock.advance(hours=7)
    tally = rig.make().run_until_idle()
    assert tally.skipped == 1
    delivery = rig.delivery(item, "twitter")
    assert delivery.state == "skipped_late"  # type: ignore[attr-defined]
    assert "found 7 h after its time" in (delivery.last_error or "")  # type: ignore[attr-defined]
    rig.store.retry(item, rig.clock.now)
    rig.make().run_until_idle()
    assert rig.states(item) == {"twitter": "published"}


def test_a_little_late_is_still_sent(rig: Rig) -> None:
    item = rig.add()
    rig.clock.advance(hours=5, minutes=59)
    rig.make().run_until_idle()
    assert rig.states(item) == {"twitter": "published"}


def test_per_channel_limits_defer_instead_of_failing(rig: Rig) -> None:
    items = [rig.add(title=f"n{i}", channels=("limited",)) for i in range(5)]
    publisher = rig.make()
    tally = publisher.run_until_idle()
    assert tally.published == 2
    assert tally.deferred == 3
    assert tally.failed == 0
    waiting = [rig.delivery(i, "limited") for i in items if rig.states(i)["limited"] == "pending"]
    assert len(waiting) == 3
    assert all(d.next_attempt_at == rig.clock.now + timedelta(minutes=15) for d in waiting)  # type: ignore[attr-defined]
    rig.clock.advance(minutes=15)
    publisher.run_until_idle()
    rig.clock.advance(minutes=15)
    publisher.run_until_idle()
    assert fake_platform("limited").count == 5


def test_validation_errors_fail_without_sending(rig: Rig) -> None:
    item = rig.add(body="x" * 20_000)
    rig.make().run_until_idle()
    delivery = rig.delivery(item, "twitter")
    assert delivery.state == "failed"  # type: ignore[attr-defined]
    assert "post is" in (delivery.last_error or "")  # type: ignore[attr-defined]
    assert fake_platform("twitter").count == 0


def test_a_crash_while_sending_becomes_unknown_never_pending(rig: Rig) -> None:
    """A publisher killed mid-send leaves `sending`; the reaper must not resend it blindly."""
    item = rig.add()
    crashed = rig.make()
    [claimed] = rig.store.claim_due(
        crashed.worker_id, rig.clock.now, limit=5, lease=timedelta(minutes=5)
    )
    assert rig.store.start_attempt(claimed.id, crashed.worker_id, rig.clock.now) is not None
    rig.clock.advance(minutes=6)
    survivor = rig.make()
    survivor.reap()
    delivery = rig.delivery(item, "twitter")
    assert delivery.state == "unknown"  # type: ignore[attr-defined]
    assert [a.outcome for a in delivery.attempt_history] == ["crashed"]  # type: ignore[attr-defined]
    rig.clock.advance(minutes=2)  # the channel's settling delay, as for any lost answer
    survivor.reconcile()  # the fake platform has nothing: safe to resend
    survivor.run_until_idle()
    assert rig.states(item) == {"twitter": "published"}
    assert fake_platform("twitter").count == 1


def test_a_crash_after_claiming_releases_the_delivery(rig: Rig) -> None:
    item = rig.add()
    crashed = rig.make()
    rig.store.claim_due(crashed.worker_id, rig.clock.now, limit=5, lease=timedelta(minutes=5))
    rig.clock.advance(minutes=6)
    survivor = rig.make()
    survivor.run_until_idle()  # reaps first
    assert rig.states(item) == {"twitter": "published"}
