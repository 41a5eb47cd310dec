"""What one publication costs the ledger, call by call (the profile behind the store's changes).

    .venv/bin/python bench/profile_ledger.py [--deliveries 500] [--backlog 2000] [--no-append]

One thread, no network: on a SQLite ledger with a backlog of due deliveries, each
delivery goes through the engine's calls in order (claim_due of one, start_attempt,
save_progress, record_published, then next_due as the daemon's arm() does); the
mean wall time of each call is printed. Run it under a profiler to see inside:

    .venv/bin/python -m cProfile -s cumulative bench/profile_ledger.py --no-append
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import Planned, bulk_ledger, channel_name, report, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()

    from crosspost.store import Store

    calls = ("claim_due", "start_attempt", "save_progress", "record_published", "next_due")
    spent = dict.fromkeys(calls, 0.0)
    with tempfile.TemporaryDirectory() as name:
        url = f"sqlite:///{Path(name) / 'ledger.db'}"
        due = datetime.now(UTC) - timedelta(minutes=5)
        bulk_ledger(
            url,
            [Planned(f"Post {n}", channel_name(n % 500), due) for n in range(args.backlog)],
        )
        store = Store.open(url)
        lease = timedelta(minutes=5)
        for _ in range(args.deliveries):
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

    rows = [[f"`Store.{c}()`", f"{spent[c] / args.deliveries * 1000:.2f} ms"] for c in calls]
    total = sum(spent.values()) / args.deliveries * 1000
    rows.append(["all five, per delivery", f"{total:.2f} ms"])
    body = [
        f"One thread, SQLite, {args.deliveries} deliveries taken one by one from a backlog "
        f"of {args.backlog:,} due: mean wall time per call (no network).",
        "",
        *table(["Call", "Mean"], rows),
    ]
    report("Ledger calls of one publication", body, append=not args.no_append)


if __name__ == "__main__":
    main()
