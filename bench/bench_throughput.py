"""Throughput on a backlog: deliveries/s of `crosspost run` against the ideal workers / latency.

    .venv/bin/python bench/bench_throughput.py [--backlog 10000] [--latency 50]
        [--workers 1,4,16,64] [--daemons 1,2,4] [--pg-workers 16] [--window 10]
        [--pin] [--baseline REF] [--no-append]

A backlog of 10k deliveries, all due, over 500 live X channels on the fake platform
server (its own process, loopback, 50 ms per answer). For each thread count, a
`crosspost run --workers N` process on a fresh copy of the SQLite ledger; the rate
is the number of creates the fake server received in a steady window (after the
first `warm-up` creates), divided by the window. Ideal = workers / latency.
Then 1, 2 and 4 daemons on one PostgreSQL ledger (FOR UPDATE SKIP LOCKED), each
with --pg-workers threads: the scaling ratio against one daemon.
With --baseline REF, every SQLite run (and every PostgreSQL daemon count) is repeated
right after with the daemon of git revision REF (extracted with `git archive`,
imported through PYTHONPATH; same interpreter, libraries, ledger copy and fake
server), so both are measured in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import (
    Daemon,
    FakeServer,
    Planned,
    bulk_ledger,
    busy_cores,
    channel_name,
    cpu_seconds,
    crosspost_config,
    extract,
    log,
    machine_busy,
    pg_available,
    pg_backends,
    pg_database,
    report,
    start_daemon,
    table,
)

TARGET_SHARE = 0.70
TARGET_CAP = 500.0


def backlog(count: int, channels: int) -> list[Planned]:
    due = datetime.now(UTC) - timedelta(minutes=5)
    return [
        Planned(f"Backlog {n:06d}", channel_name(n % channels), due + timedelta(milliseconds=n))
        for n in range(count)
    ]


def measure(
    server: FakeServer,
    daemons: list[Daemon],
    window: float,
    warmup: int,
    backlog_size: int,
    database_pids: Sequence[int] = (),
) -> tuple[float, float, float, float, float]:
    """Creates/s in the window, then CPU shares of one core: per daemon, of the fake
    server, of the whole machine (in cores), and of the database server processes
    `database_pids` together."""
    deadline = time.monotonic() + 60
    while server.count() < warmup and time.monotonic() < deadline:
        time.sleep(0.05)
    began = time.time()
    cpu0 = [cpu_seconds(d.pid) for d in daemons]
    fake0 = cpu_seconds(server.process.pid)
    database0 = {pid: cpu_seconds(pid) for pid in database_pids}
    machine0 = machine_busy()
    time.sleep(window)
    ended = time.time()
    machine = busy_cores(machine0, machine_busy())
    fake = (cpu_seconds(server.process.pid) - fake0) / (ended - began)
    cpu = sum(cpu_seconds(d.pid) - c for d, c in zip(daemons, cpu0, strict=True))
    database = 0.0
    for pid, before in database0.items():
        with contextlib.suppress(OSError):
            database += cpu_seconds(pid) - before
    received = [float(c["received_at"]) for c in server.creates()]
    inside = sum(1 for r in received if began <= r < ended)
    if len(received) >= backlog_size:
        log("warning: the backlog ran out during the window; the rate is a lower bound")
    elapsed = ended - began
    return inside / elapsed, cpu / elapsed / len(daemons), fake, machine, database / elapsed


def sqlite_run(
    args: argparse.Namespace,
    server: FakeServer,
    tmp: Path,
    workers: int,
    label: str,
    code: Path | None,
) -> list[str]:
    """One `crosspost run --workers N` on a fresh copy of the backlog; its table row."""
    log(f"sqlite ({label}): {workers} workers")
    server.reset()
    db = tmp / f"run{workers}-{label}.db"
    shutil.copy(tmp / "backlog.db", db)
    config = crosspost_config(
        tmp / f"sqlite{workers}-{label}.toml",
        database=f"sqlite:///{db}",
        server_url=server.url,
        channels=args.channels,
        workers=workers,
    )
    daemon = start_daemon(config, tmp / f"sqlite{workers}-{label}.log", code=code)
    try:
        rate, cpu, fake, machine, _ = measure(
            server, [daemon], args.window, args.warmup, args.backlog
        )
    finally:
        daemon.stop()
    ideal = workers / (args.latency / 1000)
    target = TARGET_SHARE * min(ideal, TARGET_CAP)
    verdict = "met" if rate >= target else f"missed by {target - rate:.0f}/s"
    per_post = f"{cpu / rate * 1000:.2f} ms" if rate else "-"
    row = [
        label,
        str(workers),
        f"{rate:.0f}/s",
        f"{ideal:.0f}/s",
        f"{rate / ideal:.0%}",
        f">= {target:.0f}/s: {verdict}",
        f"{cpu:.0%}",
        per_post,
        f"{fake:.0%}",
        f"{machine:.2f}",
    ]
    print(" | ".join(row), flush=True)
    return row


def sqlite_runs(
    args: argparse.Namespace, server: FakeServer, tmp: Path, baseline: tuple[Path, str] | None
) -> list[list[str]]:
    bulk_ledger(f"sqlite:///{tmp / 'backlog.db'}", backlog(args.backlog, args.channels))
    rows = []
    for workers in [int(w) for w in args.workers.split(",")]:
        rows.append(sqlite_run(args, server, tmp, workers, "this code", None))
        if baseline is not None:
            code, short = baseline
            rows.append(sqlite_run(args, server, tmp, workers, f"baseline {short}", code))
    return rows


def pg_runs(
    args: argparse.Namespace, server: FakeServer, tmp: Path, baseline: tuple[Path, str] | None
) -> list[list[str]]:
    """1, 2, ... daemons on one PostgreSQL ledger; with a baseline, each count again
    right after with the baseline's daemons (same backlog, server and pinning)."""
    rows: list[list[str]] = []
    first: dict[str, float] = {}
    codes: list[tuple[str, Path | None]] = [("this code", None)]
    if baseline is not None:
        codes.append((f"baseline {baseline[1]}", baseline[0]))
    for count in [int(d) for d in args.daemons.split(",")]:
        for label, code in codes:
            rows.append(pg_run(args, server, tmp, count, label, code, first))
    return rows


def pg_run(
    args: argparse.Namespace,
    server: FakeServer,
    tmp: Path,
    count: int,
    label: str,
    code: Path | None,
    first: dict[str, float],
) -> list[str]:
    cores = sorted(os.sched_getaffinity(0))
    log(f"postgres ({label}): {count} daemons x {args.pg_workers} workers")
    server.reset()
    with pg_database(f"tp{count}") as url:
        bulk_ledger(url, backlog(args.backlog, args.channels))
        config = crosspost_config(
            tmp / f"pg{count}.toml",
            database=url,
            server_url=server.url,
            channels=args.channels,
            workers=args.pg_workers,
        )
        daemons = []
        try:
            for number in range(count):
                cpus = {number % len(cores)} if args.pin else None
                daemons.append(
                    start_daemon(config, tmp / f"pg{count}-{number}.log", cpus=cpus, code=code)
                )
            rate, cpu, fake, machine, database = measure(
                server, daemons, args.window, args.warmup, args.backlog, pg_backends(url)
            )
        finally:
            for daemon in daemons:
                daemon.stop()
    first.setdefault(label, rate)
    ideal = count * args.pg_workers / (args.latency / 1000)
    row = [
        label,
        str(count),
        str(count * args.pg_workers),
        f"{rate:.0f}/s",
        f"{ideal:.0f}/s",
        f"{rate / ideal:.0%}",
        f"{rate / first[label]:.2f}x" if first[label] else "-",
        f"{cpu:.0%}",
        f"{database:.0%}",
        f"{(cpu * count + database) / rate * 1000:.2f} ms" if rate else "-",
        f"{fake:.0%}",
        f"{machine:.2f}",
    ]
    print(" | ".join(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backlog", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=50.0, help="fake platform, ms")
    parser.add_argument("--workers", default="1,4,16,64")
    parser.add_argument("--daemons", default="1,2,4")
    parser.add_argument("--pg-workers", type=int, default=16)
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--window", type=float, default=10.0, help="seconds measured")
    parser.add_argument("--warmup", type=int, default=20, help="creates before the window")
    parser.add_argument("--pin", action="store_true", help="pin daemon N to core N mod cores")
    parser.add_argument("--baseline", help="git revision whose daemon runs beside this code's")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as name, FakeServer(args.latency) as server:
        tmp = Path(name)
        baseline = None
        if args.baseline:
            baseline = (tmp / "baseline", extract(args.baseline, tmp / "baseline"))
        sqlite_rows = sqlite_runs(args, server, tmp, baseline) if args.workers else []
        pg_rows = pg_runs(args, server, tmp, baseline) if args.daemons and pg_available() else []

    body = [
        f"Backlog of {args.backlog:,} due deliveries over {args.channels} live X channels; "
        f"fake platform latency {args.latency:g} ms (its own process, loopback). "
        f"`crosspost run --workers N` as a real process; rate = creates the fake server "
        f"received in a {args.window:g} s window after the first {args.warmup}. "
        "Ideal = workers / latency. Target: at least 70% of ideal, up to 500/s (so at "
        "least 350/s where the ideal exceeds 500/s). CPU = share of one core (a Python "
        "process publishes on one core at most: the GIL); machine = cores busy in all, "
        "of 2 (daemons, fake server, PostgreSQL, everything); CPU per post = daemon CPU "
        "seconds / deliveries in the window.",
    ]
    if sqlite_rows:
        body += [
            "",
            "SQLite:",
            "",
            *table(
                [
                    "Code",
                    "Workers",
                    "Deliveries/s",
                    "Ideal",
                    "Share of ideal",
                    "Target",
                    "Daemon CPU",
                    "CPU per post",
                    "Fake server CPU",
                    "Machine (cores busy)",
                ],
                sqlite_rows,
            ),
        ]
    if pg_rows:
        body += [
            "",
            f"PostgreSQL, daemons sharing one ledger, {args.pg_workers} workers each "
            "(scaling = rate / rate of one daemon of the same code; CPU = per daemon; "
            "PostgreSQL CPU = its server processes serving the daemons, in all"
            + ("; daemon N pinned to core N mod cores" if args.pin else "")
            + "). The ceiling on this machine: cores / (daemons + PostgreSQL + fake "
            "server CPU per post).",
            "",
            *table(
                [
                    "Code",
                    "Daemons",
                    "Workers",
                    "Deliveries/s",
                    "Ideal",
                    "Share",
                    "Scaling",
                    "CPU per daemon",
                    "PostgreSQL CPU",
                    "Daemons + PostgreSQL CPU per post",
                    "Fake server CPU",
                    "Machine (cores busy)",
                ],
                pg_rows,
            ),
        ]
    report("Throughput on a backlog", body, append=not args.no_append)


if __name__ == "__main__":
    main()
