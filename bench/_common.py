"""What every benchmark script shares: the machine, the fake server, configs, processes, reports.

Not a benchmark itself. Each script imports it (``from _common import ...``) and
appends one section to bench/RESULTS.md with the date, the machine, the versions
and the exact command that produced it.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "RESULTS.md"
BIN = Path(sys.executable).parent
CROSSPOST = str(BIN / "crosspost")
PG_ADMIN = os.environ.get(
    "CROSSPOST_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
#: Any values work with the fake server; the X adapter only needs them to exist.
X_ENV = {
    "X_API_KEY": "bench-key",
    "X_API_SECRET": "bench-secret",
    "X_ACCESS_TOKEN": "bench-token",
    "X_ACCESS_TOKEN_SECRET": "bench-token-secret",
}
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: The machine's 1-minute load average when the script started: other work skews figures.
LOAD_AT_START = os.getloadavg()[0]

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------- the report


def machine() -> str:
    model = platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    kib = 0
    with contextlib.suppress(OSError, StopIteration):
        kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    return (
        f"{os.cpu_count()} cores ({model}), {kib / 2**20:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}"
    )


def versions() -> str:
    from importlib.metadata import version

    names = ("crosspost", "SQLAlchemy", "APScheduler", "psycopg", "tweepy", "requests")
    parts = [f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
    parts += [f"{name} {version(name)}" for name in names]
    parts.append(f"PostgreSQL {_pg_version()}")
    parts.append(f"git {_git_head()}")
    return ", ".join(parts)


def _pg_version() -> str:
    try:
        import psycopg

        with psycopg.connect(_libpq(PG_ADMIN), connect_timeout=3) as conn:
            row = conn.execute("show server_version").fetchone()
            return str(row[0]).split()[0] if row else "?"
    except Exception:
        return "unreachable"


def _git_head() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        return f"{head}{' (with uncommitted changes)' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def command_line() -> str:
    script = Path(sys.argv[0]).resolve()
    with contextlib.suppress(ValueError):
        script = script.relative_to(ROOT)
    return " ".join(shlex.quote(a) for a in [".venv/bin/python", str(script), *sys.argv[1:]])


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A Markdown table; numbers right-aligned."""
    lines = ["| " + " | ".join(headers) + " |"]
    aligns = []
    for index in range(len(headers)):
        numeric = all(_numeric(row[index]) for row in rows) and rows
        aligns.append("---:" if numeric else "---")
    lines.append("|" + "|".join(aligns) + "|")
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _numeric(cell: Any) -> bool:
    text = str(cell).replace(",", "").replace("%", "").replace("x", "").strip()
    for suffix in (" ms", " s", " MiB", " MB", "/s", " KiB"):
        text = text.removesuffix(suffix)
    try:
        float(text.lstrip("<>~≈ "))
        return True
    except ValueError:
        return False


def report(title: str, body: Sequence[str], *, append: bool = True) -> None:
    """Print a section and append it to RESULTS.md with date, machine, versions, command."""
    lines = [
        f"## {title} ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"- Command: `{command_line()}`",
        f"- Machine: {machine()}",
        f"- Versions: {versions()}",
        f"- Load average (1 min) at start {LOAD_AT_START:.2f}, at the end "
        f"{os.getloadavg()[0]:.2f} (2 cores; anything else running skews the figures)",
        "",
        *body,
        "",
    ]
    text = "\n".join(lines)
    print(text, flush=True)
    if append:
        if not RESULTS.exists():
            RESULTS.write_text("# Benchmark results\n\nAppended by the scripts in bench/.\n\n")
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(text + "\n")
        print(f"(appended to {RESULTS.relative_to(ROOT)})", flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-share * len(ordered) // 1))))
    return ordered[rank - 1]


def ratio(ours: float, theirs: float) -> str:
    if ours <= 0:
        return "∞" if theirs > 0 else "-"
    return f"{theirs / ours:.2g}x"


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc/<pid>/status (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    # After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class FakeServer:
    """`python -m tests.support.fakeplatform` in its own process (its own GIL), on loopback."""

    def __init__(self, latency_ms: float = 50.0) -> None:
        self.latency_ms = latency_ms
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "tests.support.fakeplatform", "--port", "0",
                "--latency", f"{latency_ms}ms",
            ],
            stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1"):
            raise RuntimeError(f"the fake server did not start: {self.url!r}")

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}{path}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())

    def creates(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/_fake/creates"))

    def count(self) -> int:
        return int(self._call("GET", "/_fake/stats")["creates"])

    def reset(self) -> None:
        self._call("POST", "/_fake/reset", {})

    def wait_for(self, count: int, timeout: float) -> int:
        """Poll until `count` creates were recorded (or the timeout); the count seen."""
        deadline = time.monotonic() + timeout
        seen = self.count()
        while seen < count and time.monotonic() < deadline:
            time.sleep(0.25)
            seen = self.count()
        return seen

    def close(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def crosspost_config(
    path: Path,
    *,
    database: str,
    server_url: str,
    channels: int,
    workers: int = 8,
    extra: str = "",
) -> Path:
    """A crosspost.toml with `channels` live X channels (x000, x001...) on the fake server."""
    lines = [
        'timezone = "Europe/Paris"',
        f"database = {json.dumps(database)}",
        'max_lateness = "6h"',
        "",
        "[publisher]",
        f"workers = {workers}",
        extra,
    ]
    for number in range(channels):
        lines += [
            "",
            f"[channels.{channel_name(number)}]",
            'type = "twitter"',
            'mode = "live"',
            f'api_base = "{server_url}"',
            f'upload_base = "{server_url}"',
            "timeout = 10",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def channel_name(number: int) -> str:
    return f"x{number:03d}"


def env_for(config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPOST_")}
    env |= X_ENV | {"CROSSPOST_CONFIG": str(config)}
    return env


@dataclass
class Daemon:
    """A `crosspost run` process and its log file."""

    process: subprocess.Popen[bytes]
    log_path: Path
    started: float
    ready: float = 0.0

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 40.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_daemon(
    config: Path,
    log_path: Path,
    *,
    workers: int | None = None,
    ready_timeout: float = 120.0,
    code: Path | None = None,
    cpus: set[int] | None = None,
) -> Daemon:
    """`crosspost run` as a real process; returns once it logs that it is publishing.

    `code`: a checkout whose crosspost the process imports instead (a baseline).
    `cpus`: the cores it may run on (as `taskset -c` would pin it)."""
    args = [CROSSPOST, "--config", str(config), "run", "--log-format", "json"]
    if workers:
        args += ["--workers", str(workers)]
    out = log_path.open("wb")
    started = time.monotonic()
    env = env_for(config)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    pin = None if cpus is None else (lambda: os.sched_setaffinity(0, cpus))
    process = subprocess.Popen(
        args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=config.parent, preexec_fn=pin
    )
    out.close()
    daemon = Daemon(process, log_path, started)
    deadline = started + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"crosspost run exited {process.returncode}:\n{daemon.log_text()}")
        if "publishing from" in daemon.log_text():
            daemon.ready = time.monotonic()
            return daemon
        time.sleep(0.01)
    daemon.stop()
    raise RuntimeError(f"crosspost run was not ready in {ready_timeout} s:\n{daemon.log_text()}")


# ---------------------------------------------------------------- databases


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextlib.contextmanager
def pg_database(label: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one run, dropped afterwards; yields its URL."""
    import psycopg

    name = f"crosspost_bench_{label}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(_libpq(PG_ADMIN), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(_libpq(PG_ADMIN), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_available() -> bool:
    return _pg_version() != "unreachable"


def pg_backends(url: str) -> list[int]:
    """PostgreSQL server processes serving other connections to this database."""
    if url.startswith("sqlite"):
        return []
    import psycopg

    with psycopg.connect(_libpq(url)) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [int(r[0]) for r in rows]


# ---------------------------------------------------------------- ledgers


@dataclass(frozen=True)
class Planned:
    """One bench item with one delivery: its title, channel and due time."""

    title: str
    channel: str
    due: datetime
    kind: str = "scoop"


def bulk_ledger(url: str, planned: Sequence[Planned], *, chunk: int = 20_000) -> None:
    """Write items and their deliveries as the Store would, but in bulk (fixtures only).

    The same rows `Store.add_items` writes (pending, next_attempt_at = due_at, a fresh
    key), inserted with executemany so that a 1M-delivery ledger takes a minute,
    not an hour. Timed benchmarks never use it; `crosspost add`/`import` are timed
    through the real command.
    """
    from sqlalchemy import func, insert, select, text

    from crosspost.models import DeliveryRow, ItemRow
    from crosspost.store import Store

    store = Store.open(url)
    now = datetime.now(UTC)
    with store.engine.begin() as connection:
        first = int(connection.scalar(select(func.coalesce(func.max(ItemRow.id), 0))) or 0) + 1
        first_delivery = (
            int(connection.scalar(select(func.coalesce(func.max(DeliveryRow.id), 0))) or 0) + 1
        )
        for start in range(0, len(planned), chunk):
            part = planned[start : start + chunk]
            items = []
            deliveries = []
            for offset, plan in enumerate(part):
                number = start + offset
                items.append(
                    {
                        "id": first + number, "kind": plan.kind, "title": plan.title,
                        "body": "", "tags": [], "requested_at": plan.due,
                        "status": "active", "created_at": now, "updated_at": now,
                    }
                )  # fmt: skip
                deliveries.append(
                    {
                        "id": first_delivery + number, "key": uuid.uuid4().hex,
                        "item_id": first + number, "channel": plan.channel, "role": "post",
                        "due_at": plan.due, "state": "pending", "attempts": 0,
                        "next_attempt_at": plan.due, "dry_run": False, "updated_at": now,
                    }
                )  # fmt: skip
            connection.execute(insert(ItemRow), items)
            connection.execute(insert(DeliveryRow), deliveries)
        if not store.is_sqlite:
            for table_name in ("items", "deliveries"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
                        f"(SELECT max(id) FROM {table_name}))"
                    )
                )
    if not store.is_sqlite:
        # Autovacuum would analyze such a load within a minute; do it now, deterministically.
        with store.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    store.close()


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine, from /proc/stat; diff two readings."""
    fields = [float(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_cores(before: tuple[float, float], after: tuple[float, float]) -> float:
    """Cores busy on average between two machine_busy() readings."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total * (os.cpu_count() or 1) if total else 0.0


def extract(ref: str, into: Path) -> str:
    """The code of git revision `ref` under `into`; returns its short hash."""
    into.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
