"""Crosspost against one APScheduler job per delivery: enqueue rate, restart, memory at 100k.

    .venv/bin/python bench/bench_baselines.py [--jobs 100000] [--measure 5000] [--no-append]

The usual alternative to a ledger is one APScheduler 3 date job per post in a
SQLAlchemyJobStore (SQLite). Both sides on the same machine, in the same run:

- enqueue rate: APScheduler `add_job()` one job at a time (--measure jobs) against
  Crosspost `Store.add_items()` one item at a time (each its own transaction, as
  `crosspost add` does) and in one batch of 1,000 (as `crosspost import` does);
- restart with 100k scheduled: a new APScheduler process (BackgroundScheduler
  started on the full job store) against a new `crosspost run` process (until it
  logs that it is publishing), each one's resident memory (VmRSS) then;
- listing what is scheduled: `scheduler.get_jobs()` (unpickles every job) against
  `crosspost list` (first 200 by due time) on the same 100k.

Lateness on the same bursts is in bench_lateness.py (apscheduler rows).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import (
    BENCH,
    CROSSPOST,
    FakeServer,
    Planned,
    bulk_ledger,
    channel_name,
    crosspost_config,
    env_for,
    log,
    report,
    rss_mib,
    start_daemon,
    table,
)


def aps(*args: str) -> dict[str, float]:
    spawned = time.time()
    done = subprocess.run(
        [sys.executable, str(BENCH / "_apscheduler_baseline.py"), *args],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if "ready_at" in result:
        result["process_ready_s"] = result["ready_at"] - spawned
    return result


def crosspost_enqueue(url: str, count: int) -> tuple[float, float]:
    """(items/s one item per transaction, items/s in batches of 1,000) through the Store."""
    from crosspost.domain import NewItem, PlannedDelivery
    from crosspost.store import Store

    store = Store.open(url)
    start = datetime.now(UTC) + timedelta(days=1)

    def item(n: int) -> tuple[NewItem, list[PlannedDelivery]]:
        due = start + timedelta(minutes=n)
        new = NewItem(kind="scoop", title=f"Post {n:07d}", requested_at=due)
        return new, [PlannedDelivery(channel_name(n % 500), due)]

    began = time.perf_counter()
    for n in range(count):
        store.add_items([item(n)])
    single = count / (time.perf_counter() - began)
    batch = [item(count + n) for n in range(count)]
    began = time.perf_counter()
    for offset in range(0, count, 1000):
        store.add_items(batch[offset : offset + 1000])
    batched = count / (time.perf_counter() - began)
    store.close()
    return single, batched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--measure", type=int, default=5000, help="add_job() calls timed")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as name, FakeServer(50) as server:
        tmp = Path(name)
        log(f"apscheduler: {args.measure:,} add_job() then a store of {args.jobs:,} jobs")
        aps_db = f"sqlite:///{tmp / 'aps.db'}"
        filled = aps(
            "fill", "--db", aps_db, "--count", str(args.jobs), "--measure", str(args.measure)
        )
        aps_rate = filled["add_job_count"] / filled["add_job_s"]
        log("apscheduler: restart on the full store")
        restarts = [aps("restart", "--db", aps_db) for _ in range(3)]
        aps_restart = sorted(r["process_ready_s"] for r in restarts)[1]
        aps_rss = max(r["rss_mib"] for r in restarts)
        aps_list = sorted(r["get_jobs_s"] for r in restarts)[1]
        aps_list_rss = max(r["rss_after_get_jobs_mib"] for r in restarts)
        aps_size = (tmp / "aps.db").stat().st_size / 2**20

        log(f"crosspost: enqueue {args.measure:,} items, then a ledger of {args.jobs:,}")
        cp_db = tmp / "cp.db"
        single, batched = crosspost_enqueue(f"sqlite:///{cp_db}", args.measure)
        start = datetime.now(UTC) + timedelta(days=2)
        step = timedelta(days=365) / args.jobs
        rest = args.jobs - 2 * args.measure
        bulk_ledger(
            f"sqlite:///{cp_db}",
            [
                Planned(f"Bulk {n:07d}", channel_name(n % 500), start + step * n)
                for n in range(rest)
            ],
        )
        config = crosspost_config(
            tmp / "cp.toml", database=f"sqlite:///{cp_db}", server_url=server.url, channels=500
        )
        log("crosspost: restart on the full ledger")
        ready = []
        rss = []
        for number in range(3):
            daemon = start_daemon(config, tmp / f"cp{number}.log")
            ready.append(daemon.ready - daemon.started)
            time.sleep(2)
            rss.append(rss_mib(daemon.pid))
            daemon.stop()
        cp_restart = sorted(ready)[1]
        cp_rss = max(rss)
        listing = []
        for _ in range(3):
            began = time.perf_counter()
            subprocess.run(
                [CROSSPOST, "--config", str(config), "list"],
                env=env_for(config),
                capture_output=True,
                check=True,
            )
            listing.append(time.perf_counter() - began)
        cp_list = sorted(listing)[1]
        cp_size = cp_db.stat().st_size / 2**20

    rows = [
        [
            "Enqueue, one at a time",
            f"{aps_rate:,.0f} jobs/s",
            f"{single:,.0f} items/s",
            f"{single / aps_rate:.2f}x",
        ],
        [
            "Enqueue, batches of 1,000",
            "(no batch API)",
            f"{batched:,.0f} items/s",
            f"{batched / aps_rate:.2f}x",
        ],
        [
            f"Restart with {args.jobs:,} scheduled (process start to ready)",
            f"{aps_restart:.2f} s",
            f"{cp_restart:.2f} s",
            f"{aps_restart / cp_restart:.2f}x",
        ],
        [
            "Resident memory after restart",
            f"{aps_rss:.0f} MiB",
            f"{cp_rss:.0f} MiB",
            f"{aps_rss / cp_rss:.2f}x",
        ],
        [
            "Listing what is scheduled",
            f"get_jobs(): {aps_list:.2f} s, {aps_list_rss:.0f} MiB",
            f"`crosspost list`: {cp_list:.2f} s (whole process)",
            f"{aps_list / cp_list:.2f}x",
        ],
        [
            "Database size",
            f"{aps_size:.0f} MiB",
            f"{cp_size:.0f} MiB",
            f"{aps_size / cp_size:.2f}x",
        ],
    ]
    body = [
        f"APScheduler 3 (BackgroundScheduler, SQLAlchemyJobStore on SQLite, one date job "
        f"per post) against Crosspost (SQLite ledger) with {args.jobs:,} scheduled posts. "
        f"Enqueue rates over {args.measure:,} posts each. Beyond the first "
        f"{args.measure:,} add_job() calls, the job store is filled with the very rows "
        "add_job() writes, in one transaction (minutes saved, nothing measured on them); "
        "the Crosspost ledger likewise. Advantage > 1 means Crosspost is better (rates: "
        "Crosspost / APScheduler; times, memory and size: APScheduler / Crosspost). "
        "Restart = process spawn (interpreter and imports included) until the scheduler "
        "runs / the daemon logs that it is publishing; medians (memory: maxima) of 3.",
        "",
        *table(
            ["Measure", "APScheduler job store", "Crosspost ledger", "Crosspost advantage"], rows
        ),
        "",
        "What the APScheduler design does not guarantee (Crosspost does): no record of "
        "what was sent, when, or how it failed (a job is deleted once run); no retry "
        "policy or classification of platform errors; a process that dies while a job "
        "runs loses that post (or, with a misfire grace, runs it again: a double post); "
        "one process only (a second scheduler on the same store runs every job twice, "
        "and a job added by another process is not seen until a restart); its jobs are "
        "pickles, unreadable by a report or a calendar, and tied to the code's import "
        "paths. Cron polling keeps no state of its own but is up to a minute late and, "
        "without leases, two overlapping runs can post twice.",
    ]
    report("Baselines: APScheduler job store against the ledger", body, append=not args.no_append)


if __name__ == "__main__":
    main()
