"""What one publication costs the ledger, call by call (the profile behind the store's changes).

    .venv/bin/python bench/profile_ledger.py [--deliveries 500] [--backlog 2000]
        [--baseline REF] [--no-append]

One thread, no network: on a SQLite ledger with a backlog of due deliveries, each
delivery goes through the engine's calls in order (claim_due of one, start_attempt,
save_progress, record_published, then next_due as the daemon's arm() does); the
mean wall time of each call is printed, beside the same sequence run by the code of
git revision --baseline (extracted with `git archive`, imported through PYTHONPATH
in a child process, same interpreter and libraries; the two alternate rounds of
100 deliveries so both see the same load). Run it under a profiler to see inside:

    .venv/bin/python -m cProfile -s cumulative bench/profile_ledger.py --no-append
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

from _common import Planned, bulk_ledger, channel_name, extract, report, table

CALLS = ("claim_due", "start_attempt", "save_progress", "record_published", "next_due")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--no-append", action="store_true")
    parser.add_argument("--baseline", default="main", help="git revision to compare with")
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw:  # the child: this code (or the baseline's), JSON on stdout
        print(json.dumps(measure(args.deliveries, args.backlog)))
        return

    ours = dict.fromkeys(CALLS, 0.0)
    theirs = dict.fromkeys(CALLS, 0.0)
    rounds = max(args.deliveries // 100, 1)
    with tempfile.TemporaryDirectory() as name:
        baseline = Path(name) / "baseline"
        revision = extract(args.baseline, baseline)
        for _ in range(rounds):
            for code, spent in ((None, ours), (baseline, theirs)):
                for call, seconds in child(code, args.deliveries // rounds, args.backlog).items():
                    spent[call] += seconds
    count = rounds * (args.deliveries // rounds)

    def cell(spent: dict[str, float], call: str | None = None) -> str:
        value = spent[call] if call else sum(spent.values())
        return f"{value / count * 1000:.2f} ms"

    rows = [[f"`Store.{c}()`", cell(ours, c), cell(theirs, c)] for c in CALLS]
    rows.append(["all five, per delivery", cell(ours), cell(theirs)])
    body = [
        f"One thread, SQLite, {count} deliveries taken one by one from a backlog "
        f"of {args.backlog:,} due: mean wall time per call (no network). Baseline: the "
        f"code of `{args.baseline}` ({revision}), rounds of 100 alternating with this code's.",
        "",
        *table(["Call", "Mean", "Baseline mean"], rows),
    ]
    report("Ledger calls of one publication", body, append=not args.no_append)


def child(code: Path | None, deliveries: int, backlog: int) -> dict[str, float]:
    """Total seconds per call over `deliveries`, measured in a fresh process."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    done = subprocess.run(
        [sys.executable, __file__, "--raw", "--deliveries", str(deliveries),
         "--backlog", str(backlog)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout)
    return result


def measure(deliveries: int, backlog: int) -> dict[str, float]:
    from crosspost.store import Store

    spent = dict.fromkeys(CALLS, 0.0)
    with tempfile.TemporaryDirectory() as name:
        url = f"sqlite:///{Path(name) / 'ledger.db'}"
        due = datetime.now(UTC) - timedelta(minutes=5)
        bulk_ledger(
            url,
            [Planned(f"Post {n}", channel_name(n % 500), due) for n in range(backlog)],
        )
        store = Store.open(url)
        lease = timedelta(minutes=5)
        for _ in range(deliveries):
            now = datetime.now(UTC)
            began = time.perf_counter()
            [delivery] = store.claim_due("profile", now, limit=1, lease=lease)
            mark = time.perf_counter()
            spent["claim_due"] += mark - began
            attempt = store.start_attempt(delivery.id, "profile", now)
            assert attempt is not None
            spent["start_attempt"] += time.perf_counter() - mark
            mark = time.perf_counter()
            store.save_progress(delivery.id, "profile", {"thread_ids": ["1"]})
            spent["save_progress"] += time.perf_counter() - mark
            mark = time.perf_counter()
            store.record_published(
                delivery.id, attempt, now, remote_id="1", url="https://x.com/i/1",
                published_at=now, dry_run=False, detail=None,
            )  # fmt: skip
            spent["record_published"] += time.perf_counter() - mark
            mark = time.perf_counter()
            store.next_due()
            spent["next_due"] += time.perf_counter() - mark
        store.close()

    return spent


if __name__ == "__main__":
    main()
