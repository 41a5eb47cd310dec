"""Real processes against the fake platform server: exactly once, whatever happens.

- several daemons share one PostgreSQL queue;
- overlapping cron runs share one SQLite file;
- a daemon SIGKILLed at random points of the publish path, over and over, with
  "accepted but the answer is lost" faults, on X, on a Facebook Page and on Mastodon
  (the fake pages as the platforms do: 25 Graph posts a page by default, X's
  max_results, Mastodon's 40 with its Link header; Mastodon also honours the key):
  afterwards every delivery is published exactly once, or reported, never
  duplicated, never stuck.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crosspost.config import parse_settings
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.store import Store
from tests.support.fakeplatform import FakePlatformServer

pytestmark = pytest.mark.slow

CHANNELS = 10


def _channel_lines(platform: str, fake_url: str) -> list[str]:
    """The settings of one channel on `platform`, pointed at the fake server."""
    if platform == "facebook":
        return ['type = "facebook"', 'page_id = "104000000000001"', f'api_base = "{fake_url}"']
    if platform == "mastodon":
        return ['type = "mastodon"', f'instance_url = "{fake_url}"', "hashtags = false"]
    return [
        'type = "twitter"',
        f'api_base = "{fake_url}"',
        f'upload_base = "{fake_url}"',
        "hashtags = false",
    ]


def _config(
    fake_url: str, *, lease: str = "5m", settling: float = 1.0, platform: str = "twitter"
) -> str:
    lines = [
        'timezone = "Europe/Paris"',
        "[publisher]",
        "workers = 8",
        f'lease = "{lease}"',
        'retry_base = "1s"',
        'retry_cap = "2s"',
        "max_attempts = 20",
    ]
    for n in range(CHANNELS):
        lines += [
            f"[channels.x{n}]",
            *_channel_lines(platform, fake_url),
            "timeout = 2",
            f"settling = {settling}",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def fake() -> Iterator[FakePlatformServer]:
    # duplicates=False: a double post must show up as two creates, not be refused.
    server = FakePlatformServer(seed=11, latency_ms=20, duplicates=False)
    server.start()
    yield server
    server.stop()


def _workspace(tmp_path: Path, url: str, db_url: str, **config: object) -> dict[str, str]:
    (tmp_path / "crosspost.toml").write_text(_config(url, **config), encoding="utf-8")  # type: ignore[arg-type]
    env = dict(os.environ)
    env |= {
        "CROSSPOST_CONFIG": str(tmp_path / "crosspost.toml"),
        "CROSSPOST_DATABASE_URL": db_url,
        "X_API_KEY": "key",
        "X_API_SECRET": "secret",
        "X_ACCESS_TOKEN": "token",
        "X_ACCESS_TOKEN_SECRET": "token-secret",
        "FB_PAGE_TOKEN": "page-token",
        "MASTODON_ACCESS_TOKEN": "mastodon-token",
        "PYTHONUNBUFFERED": "1",
    }
    return env


def _queue(tmp_path: Path, env: dict[str, str], count: int, *, spread_s: float = 0.0) -> None:
    settings = parse_settings(
        (tmp_path / "crosspost.toml").read_bytes(), tmp_path / "crosspost.toml"
    )
    store = Store.open(env["CROSSPOST_DATABASE_URL"])
    start = datetime.now(UTC)
    batch = []
    for n in range(count):
        due = start + timedelta(seconds=spread_s * n / max(count, 1))
        item = NewItem(kind="scoop", title=f"Annonce numéro {n:05d}", requested_at=due)
        batch.append((item, [PlannedDelivery(f"x{n % CHANNELS}", due)]))
    store.add_items(batch)
    store.close()
    assert settings.channels


def _crosspost(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "crosspost", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_settled(db_url: str, total: int, within: float) -> dict[str, int]:
    """Until nothing is pending, in flight or awaiting reconciliation."""
    store = Store.open(db_url)
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            counts = store.count_by_state()
            waiting = store.unknown_to_reconcile(datetime.now(UTC) + timedelta(days=1))
            busy = sum(counts.get(s, 0) for s in ("pending", "claimed", "sending"))
            if busy == 0 and not waiting:
                return counts
            time.sleep(0.25)
        raise AssertionError(f"not settled after {within} s: {store.count_by_state()}")
    finally:
        store.close()


def _titles_posted(fake: FakePlatformServer) -> Counter[str]:
    """How many times each item's title reached the platform."""
    posted: Counter[str] = Counter()
    for create in fake.creates:
        body = create.body
        text = str(body.get("text") or body.get("message") or body.get("status") or "")
        posted[text.split("\n", 1)[0]] += 1
    return posted


def _ledger(db_url: str) -> list[tuple[str, str, int]]:
    store = Store.open(db_url)
    rows = [(d.item.title, d.state, d.attempts) for d in store.list_deliveries()]
    store.close()
    return rows


def _wait_started(
    processes: list[subprocess.Popen[bytes]],
    logs: list[Path],
    within: float = 60,
    *,
    starts: int = 1,
) -> None:
    """Until each daemon has said it is publishing: a SIGTERM that arrives while Python
    is still importing kills it before its handler exists (nothing claimed, but not the
    clean exit checked here)."""
    deadline = time.monotonic() + within
    for process, log in zip(processes, logs, strict=True):
        while log.read_text(encoding="utf-8", errors="replace").count("publishing from") < starts:
            if process.poll() is not None:
                break  # exited already: its exit code tells
            if time.monotonic() > deadline:
                raise AssertionError(f"{log.name}: the daemon did not start within {within} s")
            time.sleep(0.1)


def _stop(processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    _wait_started(processes, logs)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        assert process.wait(timeout=60) == 0, "a daemon did not exit cleanly on SIGTERM"


@pytest.mark.postgres
def test_four_daemons_on_postgresql_publish_a_thousand_posts_exactly_once(
    tmp_path: Path, fake: FakePlatformServer, pg_url: str
) -> None:
    env = _workspace(tmp_path, fake.url, pg_url)
    _queue(tmp_path, env, 1000)
    logs = [tmp_path / f"daemon{n}.log" for n in range(4)]
    daemons = [_crosspost(env, "run", log=log) for log in logs]
    try:
        counts = _wait_settled(pg_url, 1000, within=180)
    finally:
        _stop(daemons, logs)
    assert counts == {"published": 1000}
    assert fake.count("twitter") == 1000
    posted = _titles_posted(fake)
    assert len(posted) == 1000
    assert max(posted.values()) == 1
    # The work really was shared.
    store = Store.open(pg_url)
    workers = {
        a.worker
        for d in store.list_deliveries()
        for a in store.get_item(d.item.id).deliveries[0].attempt_history
    }
    store.close()
    assert len({w.split(":")[1] for w in workers if w}) >= 2


def test_overlapping_cron_runs_on_sqlite_publish_each_post_once(
    tmp_path: Path, fake: FakePlatformServer
) -> None:
    db_url = f"sqlite:///{tmp_path / 'crosspost.db'}"
    env = _workspace(tmp_path, fake.url, db_url)
    _queue(tmp_path, env, 300)
    runs = [_crosspost(env, "run", "--once", log=tmp_path / f"cron{n}.log") for n in range(3)]
    codes = [run.wait(timeout=180) for run in runs]
    assert codes == [0, 0, 0], [(tmp_path / f"cron{n}.log").read_text() for n in range(3)]
    assert fake.count("twitter") == 300
    assert max(_titles_posted(fake).values()) == 1
    assert {state for _, state, _ in _ledger(db_url)} == {"published"}


@pytest.mark.parametrize("platform", ["twitter", "facebook", "mastodon"])
def test_a_daemon_killed_at_random_points_never_posts_twice_nor_loses_a_post(
    tmp_path: Path, fake: FakePlatformServer, platform: str
) -> None:
    # 150 posts on one account or Page: after a lost answer, more than a Graph page
    # (25) and more than an X page asked for (100) may go out before the lookup.
    total = 150
    db_url = f"sqlite:///{tmp_path / 'crosspost.db'}"
    env = _workspace(tmp_path, fake.url, db_url, lease="2s", settling=0.5, platform=platform)
    fake.configure(latency_ms=60)
    # One create in six is accepted but its answer is lost: the client never knows.
    fake.inject("lost_answer", platform=platform, probability=0.15)
    _queue(tmp_path, env, total, spread_s=12)
    rng = random.Random(2026)
    kills = 0
    deadline = time.monotonic() + 90
    killed_log = tmp_path / "killed.log"
    while time.monotonic() < deadline and kills < 25:
        daemon = _crosspost(env, "run", log=killed_log)
        # The random point counts from the daemon's start, not from exec: on a loaded
        # machine Python's imports alone can outlast a fixed delay, and nothing is sent.
        _wait_started([daemon], [killed_log], starts=kills + 1)
        time.sleep(rng.uniform(0.05, 1.2))
        daemon.send_signal(signal.SIGKILL)
        daemon.wait()
        kills += 1
    fake.clear_faults()
    survivor = _crosspost(env, "run", log=tmp_path / "survivor.log")
    try:
        counts = _wait_settled(db_url, total, within=120)
    finally:
        _stop([survivor], [tmp_path / "survivor.log"])
    posted = _titles_posted(fake)
    ledger = _ledger(db_url)
    assert kills >= 10
    # The lookups had to page: more than a Graph page of posts followed a lost answer.
    creates = fake.creates
    lost_at = [n for n, create in enumerate(creates) if create.fault == "lost_answer"]
    assert lost_at
    assert len(creates) - lost_at[0] > 26
    # Never duplicated.
    assert max(posted.values()) == 1, [t for t, n in posted.items() if n > 1]
    # Never stuck: everything is published, or reported to the officer.
    assert set(counts) <= {"published", "failed", "unknown"}
    for title, state, _attempts in ledger:
        if state == "published":
            assert posted[title] == 1, f"{title} is marked published but is not online"
    lost = [t for t, s, _ in ledger if s != "published"]
    # Everything the platform holds is known to the ledger as published.
    published = {t for t, s, _ in ledger if s == "published"}
    assert set(posted) <= published | set(lost)
    assert len(published) >= total - 5, (counts, (tmp_path / "survivor.log").read_text()[-3000:])
