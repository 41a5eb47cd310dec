"""A large idle queue: the daemon's memory and CPU, the wake-up query, the database size.

    .venv/bin/python bench/bench_idle.py [--sizes 100000,1000000] [--databases sqlite,postgres]
        [--idle 20] [--baseline REF] [--no-append]

For each size, a ledger of that many pending deliveries spread over the next year
(500 channels; built in bulk, not timed), then:

- the wake-up query (`Store.next_due`, what the daemon's watch job runs every
  second) and an empty claim (`Store.claim_due` with nothing due, what every
  sweep and wake runs): median of 20 runs, in this process;
- `crosspost run` as a real process: time until it logs that it is publishing
  (its restart time), then resident memory (VmRSS) and CPU (utime + stime from
  /proc/<pid>/stat) over --idle seconds with nothing due;
- the database size (SQLite: the file after a checkpoint; PostgreSQL:
  pg_database_size), per 100k deliveries.

With --baseline REF, the daemon of git revision REF (extracted with `git archive`,
imported through PYTHONPATH) is measured right after this code's on the same ledger,
so restart, memory and idle CPU compare within one run (the queries and the size are
this code's only: they run in this process).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import (
    FakeServer,
    Planned,
    bulk_ledger,
    channel_name,
    cpu_seconds,
    crosspost_config,
    extract,
    log,
    pg_available,
    pg_backends,
    pg_database,
    report,
    rss_mib,
    start_daemon,
    table,
)

TARGET_RSS = 100.0
TARGET_CPU = 0.01


def year_of(count: int, channels: int) -> list[Planned]:
    start = datetime.now(UTC) + timedelta(hours=2)
    step = timedelta(days=365) / count
    return [
        Planned(f"Queued {n:07d}", channel_name(n % channels), start + step * n)
        for n in range(count)
    ]


def query_times(url: str) -> tuple[float, float, str]:
    """(next_due median s, empty claim median s, the plan of next_due's query)."""
    from crosspost.store import Store

    store = Store.open(url, migrate=False)
    now = datetime.now(UTC)
    store.next_due()
    wake = []
    claim = []
    for _ in range(20):
        began = time.perf_counter()
        store.next_due()
        wake.append(time.perf_counter() - began)
        began = time.perf_counter()
        store.claim_due("bench", now, limit=8, lease=timedelta(minutes=5))
        claim.append(time.perf_counter() - began)
    plan = explain_next_due(store)
    store.close()
    return statistics.median(wake), statistics.median(claim), plan


def explain_next_due(store: object) -> str:
    """How the database runs next_due's query (EXPLAIN QUERY PLAN / EXPLAIN)."""
    from sqlalchemy import event

    from crosspost.store import Store

    assert isinstance(store, Store)
    captured: list[tuple[str, object]] = []

    def capture(
        conn: object, cursor: object, statement: str, params: object, *rest: object
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", capture)
    store.next_due()
    event.remove(store.engine, "before_cursor_execute", capture)
    if not captured:
        return "?"
    statement, params = captured[-1]
    prefix = "EXPLAIN QUERY PLAN " if store.is_sqlite else "EXPLAIN "
    with store.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        cursor = raw.cursor()
        cursor.execute(prefix + statement, params)
        rows = [str(r[-1]) for r in cursor.fetchall()]
    return "; ".join(" ".join(r.split()) for r in rows)


def database_size(url: str, tmp: Path) -> float:
    """Bytes on disk."""
    from sqlalchemy import text

    from crosspost.store import Store

    store = Store.open(url, migrate=False)
    with store.engine.connect() as connection:
        if store.is_sqlite:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            size = float(Path(url.removeprefix("sqlite:///")).stat().st_size)
        else:
            size = float(
                connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            )
    store.close()
    return size


def idle_daemon(
    config: Path, log_path: Path, seconds: float, url: str, code: Path | None = None
) -> tuple[float, float, float, float]:
    """(restart s, peak RSS MiB, daemon CPU share, database server CPU share) while idle.

    `code`: a checkout whose daemon runs instead of this one (a baseline)."""
    daemon = start_daemon(config, log_path, code=code)
    try:
        restart = daemon.ready - daemon.started
        time.sleep(3)  # let the first sweep and watch run
        servers = pg_backends(url)
        cpu0 = cpu_seconds(daemon.pid)
        server0 = {pid: cpu_seconds(pid) for pid in servers}
        began = time.monotonic()
        peak = 0.0
        while time.monotonic() - began < seconds:
            time.sleep(0.5)
            peak = max(peak, rss_mib(daemon.pid))
        elapsed = time.monotonic() - began
        cpu = (cpu_seconds(daemon.pid) - cpu0) / elapsed
        server = 0.0
        if url.startswith("postgresql") and not servers:
            log("warning: no PostgreSQL backend found for the daemon")
        for pid, before in server0.items():
            with contextlib.suppress(OSError):
                server += cpu_seconds(pid) - before
    finally:
        daemon.stop()
    return restart, peak, cpu, server / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of idle measured")
    parser.add_argument("--baseline", help="git revision whose daemon runs beside this code's")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    databases = args.databases.split(",")
    if "postgres" in databases and not pg_available():
        databases.remove("postgres")

    rows = []
    plans = []
    with tempfile.TemporaryDirectory() as name, FakeServer(50) as server:
        tmp = Path(name)
        baseline = None
        if args.baseline:
            baseline = (tmp / "baseline", extract(args.baseline, tmp / "baseline"))
        for database in databases:
            for size in [int(s) for s in args.sizes.split(",")]:
                log(f"{database}: {size:,} pending deliveries")
                place: contextlib.AbstractContextManager[str] = (
                    pg_database(f"idle{size}") if database == "postgres" else _sqlite(tmp, size)
                )
                with place as url:
                    began = time.perf_counter()
                    bulk_ledger(url, year_of(size, args.channels))
                    built = time.perf_counter() - began
                    wake, claim, plan = query_times(url)
                    config = crosspost_config(
                        tmp / f"idle-{database}-{size}.toml",
                        database=url,
                        server_url=server.url,
                        channels=args.channels,
                    )
                    daemons = [("this code", None)]
                    if baseline is not None:
                        daemons.append((f"baseline {baseline[1]}", baseline[0]))
                    measured = [
                        (label, *idle_daemon(config, tmp / f"idle-{database}-{size}-{n}.log",
                                             args.idle, url, code))
                        for n, (label, code) in enumerate(daemons)
                    ]  # fmt: skip
                    per_100k = database_size(url, tmp) / size * 100_000 / 2**20
                for label, restart, rss, cpu, server_cpu in measured:
                    rows.append(
                        [
                            label,
                            database,
                            f"{size:,}",
                            f"{wake * 1000:.2f} ms",
                            f"{claim * 1000:.2f} ms",
                            f"{restart:.2f} s",
                            f"{rss:.0f} MiB" + ("" if rss < TARGET_RSS else " (target < 100)"),
                            f"{cpu:.2%}" + ("" if cpu < TARGET_CPU else " (target < 1%)"),
                            f"{server_cpu:.2%}" if database == "postgres" else "(in the daemon)",
                            f"{per_100k:.1f} MiB",
                            f"{built:.0f} s",
                        ]
                    )
                    print(" | ".join(rows[-1]), flush=True)
                plans.append(f"- {database}, {size:,}: `{plan}`")
                print(" | ".join(rows[-1]), flush=True)

    body = [
        f"Pending deliveries over the next year on {args.channels} channels, nothing due. "
        "Wake-up query = `Store.next_due()` (the watch job, every second); empty claim = "
        "`Store.claim_due()` with nothing due (each sweep and wake); both medians of 20 "
        "in one process. The daemon is `crosspost run` as a real process (8 threads, "
        f"{args.channels} live X channels): restart = spawn until it logs that it is "
        f"publishing; RSS = peak VmRSS over {args.idle:g} s idle; CPU = (utime + stime) / "
        "wall time over the same window, as a share of one core; for PostgreSQL, the "
        "server processes serving the daemon are measured the same way (SQLite runs "
        "inside the daemon). Targets: RSS < 100 MiB, "
        "idle CPU < 1% of a core. Fixture built in bulk (last column, not part of any figure).",
        "",
        *table(
            [
                "Code",
                "Database",
                "Pending",
                "Wake-up query",
                "Empty claim",
                "Restart",
                "RSS",
                "Idle CPU",
                "PostgreSQL server CPU",
                "Size per 100k",
                "Built in",
            ],
            rows,
        ),
        "",
        "Query plans of the wake-up query:",
        "",
        *plans,
    ]
    report("A large idle queue", body, append=not args.no_append)


def _sqlite(tmp: Path, size: int) -> contextlib.AbstractContextManager[str]:
    return contextlib.nullcontext(f"sqlite:///{tmp / f'idle{size}.db'}")


if __name__ == "__main__":
    main()
