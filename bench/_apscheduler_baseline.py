"""The obvious alternative: one APScheduler 3 date job per delivery in a SQLAlchemyJobStore.

Run by bench_lateness.py and bench_baselines.py as a separate process (its own GIL,
like the Crosspost daemon). Each job publishes through the same X adapter Crosspost
uses (render, OAuth 1.0a, tweepy, one session per post) to the fake server, so the
network work is identical; what differs is everything around it: no ledger, no
claim, no attempt record, no lease.

    BENCH_FAKE_URL=URL python bench/_apscheduler_baseline.py burst --db URL --count N \
        --rate R --start EPOCH --workers W
    python bench/_apscheduler_baseline.py fill --db URL --count N --measure M
    python bench/_apscheduler_baseline.py restart --db URL

Each prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_channels: dict[str, Any] = {}
_lock = threading.Lock()
_done = threading.Semaphore(0)
_server = os.environ.get("BENCH_FAKE_URL", "")


def _channel(name: str) -> Any:
    with _lock:
        channel = _channels.get(name)
        if channel is None:
            from channels.registry import build
            from channels.twitter import TwitterSettings
            from crosspost.secrets import SecretSource

            settings = TwitterSettings(
                type="twitter", mode="live", api_base=_server, upload_base=_server, timeout=10
            )
            channel = _channels[name] = build(name, settings, SecretSource())
        return channel


def post(number: int, channel: str, title: str) -> None:
    """The job: render and publish one post, exactly as the X adapter does for Crosspost."""
    from zoneinfo import ZoneInfo

    from channels.base import PublishJob, RenderContext
    from crosspost.domain import Delivery, Item

    try:
        adapter = _channel(channel)
        item = Item(id=number, kind="scoop", title=title)
        rendered = adapter.render(item, RenderContext(timezone=ZoneInfo("Europe/Paris")))
        delivery = Delivery(
            id=number, key=f"k{number}", item=item, channel=channel, role="post",
            due_at=datetime.now(UTC), state="sending",
        )  # fmt: skip
        adapter.publish(PublishJob(delivery, rendered, f"k{number}", lambda _p: None))
    finally:
        _done.release()


def _scheduler(db: str, workers: int) -> Any:
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=db)},
        executors={"default": ThreadPoolExecutor(max_workers=workers)},
        job_defaults={"misfire_grace_time": None, "coalesce": False},
        timezone=UTC,
    )


def burst(args: argparse.Namespace) -> dict[str, Any]:
    import _apscheduler_baseline as me  # an importable reference for the job store

    scheduler = _scheduler(args.db, args.workers)
    scheduler.start()
    # One post first, as Crosspost's daemon does in bench_lateness: imports the X stack.
    me.post(-1, _channel_of(0, args.channels), "Warm-up post")
    me._done.acquire()
    start = datetime.fromtimestamp(args.start, UTC)
    began = time.perf_counter()
    for number in range(args.count):
        due = start + timedelta(seconds=number / args.rate)
        scheduler.add_job(
            me.post, "date", run_date=due, id=f"p{number}",
            args=(number, _channel_of(number, args.channels), f"Bench {number:06d} {args.tag}"),
        )  # fmt: skip
    enqueued = time.perf_counter() - began
    late_enqueue = time.time() > args.start
    for _ in range(args.count):
        if not me._done.acquire(timeout=args.timeout):
            break
    scheduler.shutdown(wait=True)
    return {"enqueue_s": enqueued, "enqueue_after_start": late_enqueue}


def _channel_of(number: int, channels: int) -> str:
    return f"x{number % channels:03d}"


def fill(args: argparse.Namespace) -> dict[str, Any]:
    """add_job() `measure` jobs (the enqueue rate), then the rest written in bulk."""
    import pickle

    import _apscheduler_baseline as me

    scheduler = _scheduler(args.db, 4)
    scheduler.start(paused=True)
    year = datetime.now(UTC) + timedelta(days=1)
    step = timedelta(days=365) / args.count

    def due(number: int) -> datetime:
        when: datetime = year + step * number
        return when

    began = time.perf_counter()
    for number in range(args.measure):
        scheduler.add_job(
            me.post, "date", run_date=due(number), id=f"p{number}",
            args=(number, _channel_of(number, 500), f"Post {number:07d}"),
        )  # fmt: skip
    measured = time.perf_counter() - began
    # The rest: the very rows add_job() writes (id, next_run_time, pickled state),
    # inserted in one transaction so that building 100k jobs takes seconds, not minutes.
    store = scheduler._lookup_jobstore("default")
    template = store.lookup_job(f"p{args.measure - 1}")
    rows = []
    for number in range(args.measure, args.count):
        state = template.__getstate__()
        when = due(number)
        state |= {
            "id": f"p{number}",
            "args": (number, _channel_of(number, 500), f"Post {number:07d}"),
            "next_run_time": when,
        }
        state["trigger"] = type(template.trigger)(run_date=when, timezone=UTC)
        rows.append(
            {
                "id": state["id"],
                "next_run_time": when.timestamp(),
                "job_state": pickle.dumps(state, store.pickle_protocol),
            }
        )
    with store.engine.begin() as connection:
        connection.execute(store.jobs_t.insert(), rows)
    scheduler.shutdown(wait=False)
    return {"add_job_count": args.measure, "add_job_s": measured, "total": args.count}


def restart(args: argparse.Namespace) -> dict[str, Any]:
    """Start a scheduler on a full job store: how long, and how much memory."""
    began = time.perf_counter()
    scheduler = _scheduler(args.db, 4)
    scheduler.start()
    started = time.perf_counter() - began
    ready_at = time.time()
    rss_started = _rss_mib()
    listing = time.perf_counter()
    jobs = len(scheduler.get_jobs())
    listed = time.perf_counter() - listing
    rss_listed = _rss_mib()
    scheduler.shutdown(wait=False)
    return {
        "ready_at": ready_at,
        "start_s": started,
        "rss_mib": rss_started,
        "jobs": jobs,
        "get_jobs_s": listed,
        "rss_after_get_jobs_mib": rss_listed,
    }


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    b = sub.add_parser("burst")
    b.add_argument("--db", required=True)
    b.add_argument("--count", type=int, required=True)
    b.add_argument("--rate", type=float, required=True)
    b.add_argument("--start", type=float, required=True, help="epoch seconds of the first due")
    b.add_argument("--workers", type=int, default=32)
    b.add_argument("--channels", type=int, default=500)
    b.add_argument("--tag", default="aps")
    b.add_argument("--timeout", type=float, default=120.0)
    f = sub.add_parser("fill")
    f.add_argument("--db", required=True)
    f.add_argument("--count", type=int, required=True)
    f.add_argument("--measure", type=int, default=5000)
    r = sub.add_parser("restart")
    r.add_argument("--db", required=True)
    args = parser.parse_args()
    result = {"burst": burst, "fill": fill, "restart": restart}[args.mode](args)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
