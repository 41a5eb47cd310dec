"""Real processes against the fake platform server: exactly once, whatever happens.

- several daemons share one PostgreSQL queue;
- overlapping cron runs share one SQLite file;
- a daemon SIGKILLed at random points of the publish path, over and over, with
  "accepted but the answer is lost" faults, on X, on a Facebook Page and on Mastodon
  (the fake pages as the platforms do: 25 Graph posts a page by default, X's
  max_results, Mastodon's 40 with its Link header; Mastodon also honours the key),
  and on the real local Bluesky PDS behind tests/support/pdsproxy, which loses
  putRecord's answers: afterwards every delivery is published exactly once, or
  reported, never duplicated, never stuck.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crosspost.config import parse_settings
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.store import Store
from tests.support.fakeplatform import FakePlatformServer
from tests.support.pds import new_account, pds_url
from tests.support.pdsproxy import PDSProxy

pytestmark = pytest.mark.slow

CHANNELS = 10


def _channel_lines(platform: str, fake_url: str, handle: str) -> list[str]:
    """The settings of one channel on `platform`, pointed at the fake server (or the proxy
    in front of the PDS, for Bluesky)."""
    if platform == "bluesky":
        # One account for every channel, so one session file: a new process resumes it.
        return [
            'type = "bluesky"',
            f'handle = "{handle}"',
            f'service = "{fake_url}"',
            "hashtags = false",
            'session_file = "bluesky.session"',
        ]
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
    fake_url: str,
    *,
    lease: str = "5m",
    settling: float = 1.0,
    platform: str = "twitter",
    handle: str = "",
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
            *_channel_lines(platform, fake_url, handle),
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


def _kill_over_and_over(
    env: dict[str, str],
    log: Path,
    *,
    within: float,
    most: int,
    after: tuple[float, float] = (0.05, 1.2),
    seed: int = 2026,
    in_a_send: Callable[[], object] | None = None,
) -> int:
    """Start a daemon and SIGKILL it at a random point, again and again; how many kills.

    The point is drawn in `after` (seconds after the daemon says it is publishing).
    With `in_a_send`, every other kill comes when it returns instead: while a request
    the platform has received is still unanswered, which no random point can promise
    on a loaded machine."""
    rng = random.Random(seed)
    kills = 0
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and kills < most:
        daemon = _crosspost(env, "run", log=log)
        # The random point counts from the daemon's start, not from exec: on a loaded
        # machine Python's imports alone can outlast a fixed delay, and nothing is sent.
        _wait_started([daemon], [log], starts=kills + 1)
        if in_a_send is not None and kills % 2 == 0:
            in_a_send()
        else:
            time.sleep(rng.uniform(*after))
        daemon.send_signal(signal.SIGKILL)
        daemon.wait()
        kills += 1
    return kills


def _survivor_settles(
    tmp_path: Path, env: dict[str, str], db_url: str, total: int
) -> dict[str, int]:
    """A daemon left to run until everything is settled; the ledger's counts."""
    survivor = _crosspost(env, "run", log=tmp_path / "survivor.log")
    try:
        return _wait_settled(db_url, total, within=120)
    finally:
        _stop([survivor], [tmp_path / "survivor.log"])


def _assert_exactly_once(
    posted: Counter[str], db_url: str, counts: dict[str, int], total: int, survivor_log: Path
) -> None:
    """Never duplicated, never stuck, and what is online is published in the ledger."""
    ledger = _ledger(db_url)
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
    assert len(published) >= total - 5, (counts, survivor_log.read_text()[-3000:])


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
    kills = _kill_over_and_over(env, tmp_path / "killed.log", within=90, most=25)
    fake.clear_faults()
    counts = _survivor_settles(tmp_path, env, db_url, total)
    assert kills >= 10
    # The lookups had to page: more than a Graph page of posts followed a lost answer.
    creates = fake.creates
    lost_at = [n for n, create in enumerate(creates) if create.fault == "lost_answer"]
    assert lost_at
    assert len(creates) - lost_at[0] > 26
    _assert_exactly_once(_titles_posted(fake), db_url, counts, total, tmp_path / "survivor.log")


@pytest.mark.bluesky
def test_a_daemon_killed_at_random_points_never_posts_twice_on_the_real_bluesky_server(
    tmp_path: Path,
) -> None:
    # Fewer posts than on the fake: each putRecord is a signed commit of the real PDS,
    # and one account's repository takes them one at a time (CI time counts).
    total = 60
    account = new_account(pds_url(), prefix="k")
    db_url = f"sqlite:///{tmp_path / 'crosspost.db'}"
    with PDSProxy(account.url, seed=11, latency_ms=40) as proxy:
        env = _workspace(
            tmp_path,
            proxy.url,
            db_url,
            lease="2s",
            settling=0.5,
            platform="bluesky",
            handle=account.handle,
        )
        env["BLUESKY_APP_PASSWORD"] = account.app_password
        # One putRecord in six is written by the PDS but its answer is lost.
        proxy.inject("lost_answer", probability=0.15)
        _queue(tmp_path, env, total, spread_s=8)
        # A daemon's first post comes 1 to 3 s after it starts (the SDK's import and the
        # session file): kills must land in the sends, not all before them.
        kills = _kill_over_and_over(
            env,
            tmp_path / "killed.log",
            within=45,
            most=12,
            after=(0.8, 4.0),
            in_a_send=lambda: proxy.wait_for_next_write(timeout=4),
        )
        proxy.clear_faults()
        counts = _survivor_settles(tmp_path, env, db_url, total)
    records = account.records()
    posted = Counter(r["value"]["text"].split("\n", 1)[0] for r in records)
    assert kills >= 6
    # Kills landed inside sends, which the next daemon had to check on the PDS.
    logs = (tmp_path / "killed.log").read_text() + (tmp_path / "survivor.log").read_text()
    assert sum(int(n) for n in re.findall(r"(\d+) interrupted sends? to be checked", logs)) > 0
    # Answers were lost, and what they made is online (once, as checked below).
    assert proxy.lost
    assert set(proxy.lost) <= {r["uri"].rsplit("/", 1)[1] for r in records}
    _assert_exactly_once(posted, db_url, counts, total, tmp_path / "survivor.log")
    # Every new process resumes the saved session: one login, and one more for each kill
    # that fell between createSession and the file's write (the first daemon logs in
    # about when kills start), not one a daemon nor one a channel.
    sessions = account.sessions()
    assert sessions["createSession"] <= 3, sessions
