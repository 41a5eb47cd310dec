"""The daemon: wakes at the exact due time, follows the queue, survives clock changes."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from crosspost.config import Settings, parse_settings
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.errors import DatabaseUnavailable
from crosspost.store import Store
from schedules.daemon import AlreadyRunning, Daemon, SingleDaemonLock
from schedules.log import EventLog
from tests.engine.conftest import ENGINE_CONFIG
from tests.support.fakechannel import fake_platform


@pytest.fixture
def settings(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", db_url)
    return parse_settings(ENGINE_CONFIG.encode(), tmp_path / "crosspost.toml")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    store = Store.open(settings.database_url)
    yield store
    store.close()


def _daemon(settings: Settings, store: Store) -> Daemon:
    return Daemon(settings, store, EventLog(settings.zone, stream=io.StringIO()), watch_every=0.2)


def _queue(store: Store, due: datetime, title: str = "Info", channel: str = "twitter") -> int:
    item = NewItem(kind="scoop", title=title, requested_at=due)
    [item_id] = store.add_items([(item, [PlannedDelivery(channel, due)])])
    return item_id


def _published_at(store: Store, item_id: int, within: float = 10.0) -> datetime:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        [delivery] = store.get_item(item_id).deliveries
        if delivery.state == "published":
            assert delivery.published_at is not None
            return delivery.published_at
        time.sleep(0.01)
    raise AssertionError(f"item {item_id} was not published within {within} s")


def test_wakes_at_the_exact_due_time_not_on_a_polling_minute(
    settings: Settings, store: Store
) -> None:
    due = datetime.now(UTC) + timedelta(seconds=1.5)
    item = _queue(store, due)
    daemon = _daemon(settings, store)
    daemon.start()
    try:
        published = _published_at(store, item)
    finally:
        daemon.stop()
    assert timedelta(0) <= published - due < timedelta(seconds=1)


def test_an_item_queued_by_another_process_is_picked_up_on_time(
    settings: Settings, store: Store
) -> None:
    daemon = _daemon(settings, store)
    daemon.start()
    try:
        time.sleep(0.3)
        other = Store.open(settings.database_url)  # another terminal's `crosspost add`
        due = datetime.now(UTC) + timedelta(seconds=1)
        item = _queue(other, due)
        other.close()
        published = _published_at(store, item)
    finally:
        daemon.stop()
    assert timedelta(0) <= published - due < timedelta(seconds=1)


def test_catches_up_on_start_with_what_is_overdue(settings: Settings, store: Store) -> None:
    overdue = [_queue(store, datetime.now(UTC) - timedelta(minutes=30), f"n{i}") for i in range(3)]
    daemon = _daemon(settings, store)
    daemon.start()
    try:
        for item in overdue:
            _published_at(store, item)
    finally:
        daemon.stop()
    assert fake_platform("twitter").count == 3


def test_asleep_across_the_spring_forward_night(settings: Settings, store: Store) -> None:
    # 28 March 2027, Paris: 01:59:59 CET is followed by 03:00:00 CEST (01:00 UTC).
    with time_machine.travel(datetime(2027, 3, 28, 0, 59, 58, tzinfo=UTC), tick=True):
        due = datetime(2027, 3, 28, 1, 0, 0, tzinfo=UTC)  # "2027-03-28 03:00" local
        item = _queue(store, due)
        daemon = _daemon(settings, store)
        daemon.start()
        try:
            published = _published_at(store, item)
        finally:
            daemon.stop()
    assert timedelta(0) <= published - due < timedelta(seconds=1)


def test_a_clock_stepped_back_neither_repeats_nor_stalls(settings: Settings, store: Store) -> None:
    start = datetime(2026, 12, 1, 9, 0, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=True) as traveller:
        first = _queue(store, start + timedelta(seconds=1), "avant")
        daemon = _daemon(settings, store)
        daemon.start()
        try:
            _published_at(store, first)
            # NTP steps the clock back ten minutes.
            traveller.move_to(start - timedelta(minutes=10))
            time.sleep(1.2)  # the daemon notices and re-arms
            second = _queue(store, datetime.now(UTC) + timedelta(seconds=1), "après")
            published = _published_at(store, second, within=5)
        finally:
            daemon.stop()
    assert published < start  # on the stepped clock, not ten minutes later
    assert fake_platform("twitter").count == 2


def test_stop_lets_in_flight_posts_finish_and_releases_nothing_twice(
    settings: Settings, store: Store
) -> None:
    item = _queue(store, datetime.now(UTC))
    daemon = _daemon(settings, store)
    daemon.start()
    _published_at(store, item)
    daemon.stop()
    daemon.stop()  # idempotent
    assert store.workers() == []
    assert fake_platform("twitter").count == 1


def test_a_second_daemon_on_the_same_sqlite_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", f"sqlite:///{tmp_path / 'one.db'}")
    settings = parse_settings(ENGINE_CONFIG.encode(), tmp_path / "crosspost.toml")
    store = Store.open(settings.database_url)
    first = _daemon(settings, store)
    first.start()
    try:
        with pytest.raises(AlreadyRunning, match="already publishing from this database"):
            _daemon(settings, store).start()
    finally:
        first.stop()
    second = _daemon(settings, store)
    second.start()  # the lock was released with the first
    second.stop()
    store.close()


def test_the_daemon_s_lock_sits_beside_the_ledger_even_for_a_uri_url(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.db"
    lock = SingleDaemonLock(f"sqlite:///file:{ledger}?mode=rwc&uri=true")
    assert lock.path == tmp_path / "ledger.db.daemon.lock"


def test_a_lock_file_that_cannot_be_written_is_said_not_a_bug(tmp_path: Path) -> None:
    (tmp_path / "not a folder").write_text("", encoding="utf-8")
    lock = SingleDaemonLock(f"sqlite:///{tmp_path / 'not a folder' / 'ledger.db'}")
    with pytest.raises(DatabaseUnavailable) as refused:
        lock.acquire()
    message = str(refused.value)
    assert "the daemon cannot write its lock file" in message
    assert "ledger.db.daemon.lock" in message
    assert "must be writable by the user running `crosspost run`" in message


def test_posts_claimed_ahead_leave_at_their_instant_not_before(
    settings: Settings, store: Store
) -> None:
    # A 9:00 rush in miniature: one due every 30 ms, so each claim takes several early.
    # Two seconds for the daemon to be up (under load its start alone took over one).
    start = datetime.now(UTC) + timedelta(seconds=2)
    due = {_queue(store, start + timedelta(milliseconds=30 * n), f"Atelier n°{n}"): n
           for n in range(12)}  # fmt: skip
    daemon = _daemon(settings, store)
    daemon.start()
    try:
        for item in due:
            _published_at(store, item)
    finally:
        daemon.stop()
    sent = {
        str(r.detail["key"]): r.published_at for r in fake_platform("twitter").posts if r.detail
    }
    assert len(sent) == len(due)
    for item, n in due.items():
        [delivery] = store.get_item(item).deliveries
        at = start + timedelta(milliseconds=30 * n)
        # The platform's own receive time: never before the minute, and after it by the
        # time a loaded machine takes (how close is measured by bench/bench_lateness.py,
        # not here: a CI machine running other work stretched it past 0.5 s).
        assert timedelta(0) <= sent[delivery.key] - at < timedelta(seconds=2)


def test_stopping_while_a_claimed_post_waits_for_its_instant_gives_it_back(
    settings: Settings, store: Store
) -> None:
    from schedules.engine import Publisher

    at = datetime.now(UTC) + timedelta(milliseconds=800)
    item = _queue(store, at)
    log = EventLog(settings.zone, stream=io.StringIO())
    publisher = Publisher(settings, store, mode="daemon", log=log, ahead=timedelta(seconds=1))
    publisher.start()
    assert publisher.dispatch() == 1  # claimed 0.8 s early, its thread now waits
    publisher.stop(grace=timedelta(seconds=5))
    [delivery] = store.get_item(item).deliveries
    assert delivery.state == "pending"
    assert delivery.claimed_by is None
    # Its attempt was begun ahead and given back: not a failed try, still at its time.
    assert delivery.attempts == 0
    assert delivery.next_attempt_at == at
    assert fake_platform("twitter").count == 0

    # The next publisher sends it once, at its time.
    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()))
    later = Publisher(settings, store, mode="daemon", log=log)
    later.start()
    try:
        later.run_until_idle()
    finally:
        later.stop()
    [delivery] = store.get_item(item).deliveries
    assert delivery.state == "published"
    assert fake_platform("twitter").count == 1


def test_a_post_waiting_for_its_instant_is_not_sent_once_a_sibling_paused_its_channel(
    settings: Settings, store: Store
) -> None:
    from schedules.engine import Publisher

    at = datetime.now(UTC) + timedelta(milliseconds=600)
    item = _queue(store, at)
    log = EventLog(settings.zone, stream=io.StringIO())
    publisher = Publisher(settings, store, mode="daemon", log=log, ahead=timedelta(seconds=1))
    publisher.start()
    try:
        assert publisher.dispatch() == 1  # claimed early, its attempt begun, now waiting
        # What a sibling post does on X's 401, while this one waits for its minute.
        publisher.pauses.credentials_expired("twitter", "X refused the token", datetime.now(UTC))
        publisher.run_until_idle()
    finally:
        publisher.stop()
    [delivery] = store.get_item(item).deliveries
    assert fake_platform("twitter").count == 0
    assert delivery.state == "pending"
    assert delivery.attempts == 0
    assert delivery.next_attempt_at == at
    assert delivery.last_error == "not sent: its channel was paused before its time"


@pytest.mark.postgres
def test_a_database_gone_away_is_one_clear_line_and_the_daemon_carries_on(
    tmp_path: Path, pg_url: str, pg_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import create_engine, make_url, text

    monkeypatch.setenv("CROSSPOST_DATABASE_URL", pg_url)
    settings = parse_settings(ENGINE_CONFIG.encode(), tmp_path / "crosspost.toml")
    store = Store.open(settings.database_url)
    stream = io.StringIO()
    daemon = Daemon(settings, store, EventLog(settings.zone, stream=stream), watch_every=0.2)
    name = make_url(pg_url).database
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")

    def allow(allowed: bool) -> None:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {allowed}'))
            if not allowed:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                    ),
                    {"n": name},
                )

    daemon.start()
    try:
        allow(False)
        time.sleep(1.5)
        allow(True)
        item = _queue(store, datetime.now(UTC) + timedelta(seconds=0.5))
        _published_at(store, item)  # it kept retrying, and publishes once the server is back
    finally:
        allow(True)
        daemon.stop()
        store.close()
        admin.dispose()
    log = stream.getvalue()
    assert "watch failed: cannot reach the database" in log, log
    # Once per error while it was down (the watch ran every 0.2 s: more runs failed than
    # lines say so), then once when it came back.
    again = re.search(r"watch works again, after (\d+) failed runs", log)
    assert again is not None, log
    assert log.count("watch failed") < int(again.group(1)), log
    assert "Traceback" not in log
    assert "sqlalche.me" not in log  # SQLAlchemy's own wording stays out of the officer's log
