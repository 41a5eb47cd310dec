"""Group commits: many publishing threads share transactions, and still each learns its
own outcome, only once it is committed (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crosspost.domain import NewItem, PlannedDelivery
from crosspost.store import Store

AT = datetime(2026, 9, 7, 7, 0, tzinfo=UTC)  # 9 h in Paris: the rentrée's rush
THREADS = 24


def _queue(store: Store, count: int) -> None:
    store.add_items(
        [
            (
                NewItem(kind="scoop", title=f"Forum des assos : stand n°{n} 🎪", requested_at=AT),
                [PlannedDelivery(f"x{n % 3}", AT)],
            )
            for n in range(count)
        ]
    )


def _together(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run `jobs` on their own threads, released at once; their results or errors."""
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = jobs[index]()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_publishing_threads_share_commits_and_each_post_is_recorded_once(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        _queue(store, THREADS)
        claimed = store.claim_due("w1", AT, limit=THREADS, lease=timedelta(minutes=5))
        assert len(claimed) == THREADS

        def publish(index: int) -> tuple[int | None, bool]:
            delivery = claimed[index]
            attempt = store.start_attempt(delivery.id, "w1", AT)
            assert attempt is not None
            store.save_progress(delivery.id, "w1", {"thread_ids": [f"19{index:04d}"]})
            recorded = store.record_published(
                delivery.id, attempt, AT, remote_id=f"19{index:04d}", url=None,
                published_at=AT, dry_run=False, detail=None,
            )  # fmt: skip
            return attempt, bool(recorded)

        # Another worker whose claim is not its own learns it, in the same rush.
        outcomes = _together(
            [lambda i=i: publish(i) for i in range(THREADS)]
            + [lambda: store.start_attempt(claimed[0].id, "w2", AT)]
        )
        *published, stranger = outcomes
        assert stranger is None
        assert all(moved for _, moved in published)
        assert len({attempt for attempt, _ in published}) == THREADS
        for delivery in claimed:
            [again] = store.get_item(delivery.item.id).deliveries
            assert (again.state, again.attempts) == ("published", 1)
            assert again.progress == {"thread_ids": [again.remote_id]}
        # Fewer transactions than writes: the threads' writes were committed together.
        assert store._group.writes == 3 * THREADS + 1
        assert store._group.groups < store._group.writes
    finally:
        store.close()


def test_a_write_that_fails_fails_alone_and_the_others_are_committed(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        _queue(store, THREADS)
        claimed = store.claim_due("w1", AT, limit=THREADS, lease=timedelta(minutes=5))
        for delivery in claimed:
            assert store.start_attempt(delivery.id, "w1", AT) is not None

        def save(index: int) -> None:
            # One progress cannot be stored (not JSON): its caller alone hears of it.
            progress: dict[str, Any] = {"thread_ids": [str(index)]}
            if index == 5:
                progress["since"] = object()
            store.save_progress(claimed[index].id, "w1", progress)

        outcomes = _together([lambda i=i: save(i) for i in range(THREADS)])
        assert isinstance(outcomes[5], Exception)
        assert [o for i, o in enumerate(outcomes) if i != 5] == [None] * (THREADS - 1)
        for index, delivery in enumerate(claimed):
            [again] = store.get_item(delivery.item.id).deliveries
            assert again.state == "sending"
            assert again.progress == (None if index == 5 else {"thread_ids": [str(index)]})
    finally:
        store.close()


def test_a_closed_store_still_writes_in_the_callers_own_transaction(db_url: str) -> None:
    store = Store.open(db_url)
    _queue(store, 1)
    [delivery] = store.claim_due("w1", AT, limit=1, lease=timedelta(minutes=5))
    store.close()
    assert store.start_attempt(delivery.id, "w1", AT) is not None
    with pytest.raises(Exception, match="serializable"):
        store.save_progress(delivery.id, "w1", {"since": object()})
    [again] = store.get_item(delivery.item.id).deliveries
    assert (again.state, again.attempts) == ("sending", 1)
    store.close()  # the connections opened since
