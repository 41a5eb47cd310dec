"""Officer-facing speed: the commands a communication officer types, timed as real processes.

    .venv/bin/python bench/bench_officer.py [--ledger 100000] [--import-rows 10000]
        [--calendar 10000] [--repeat 5] [--baseline REF] [--no-append]

Every command is a new `crosspost` process (cold interpreter; the OS file cache
and the .pyc files are warm, as on a machine in use), timed from spawn to exit,
median and best of --repeat runs after one untimed run. The commands are spawned
without PYTHONDONTWRITEBYTECODE, even when the shell running the bench sets it: a
user's machine writes .pyc files, so the untimed run writes them and the timed runs
read them, instead of timing a compile of every module a user never pays:

- `crosspost --help`;
- `crosspost add`, `list`, `show` and `status` on a ledger of 100k deliveries
  (SQLite), each also run from the code of git revision --baseline (extracted with
  `git archive`, imported through PYTHONPATH, same interpreter and libraries), the
  two alternating run by run so both see the same load;
- `crosspost import` of a 10k-row CSV into that ledger (items/s, and whether the
  progress bar shows);
- `crosspost calendar -f ics` and `-f html` of 10k deliveries.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import CROSSPOST, Planned, bulk_ledger, env_for, extract, log, report, table

CONFIG = """\
timezone = "Europe/Paris"
database = "sqlite:///{db}"
organisation = "Réseau des associations"

[channels.blog]
type = "static-blog"
path = "site"

[channels.twitter]
type = "twitter"
mode = "dry-run"

[channels.facebook]
type = "facebook"
mode = "dry-run"
page_id = "104000000000001"

# As in the starter configuration: a scoop also goes to Bluesky.
[channels.bluesky]
type = "bluesky"
mode = "dry-run"
handle = "reseau-asso.bsky.social"

[[routes]]
kind = "event"
to = ["facebook"]

[[routes]]
kind = "scoop"
to = ["twitter", "bluesky"]

[[routes]]
kind = "article"
to = ["blog"]
announce = ["twitter", "facebook"]
announce_offset = "30m"
"""

HEADERS = ["Command", "Median", "Best", "Baseline median", "Baseline best", "Target", "Verdict"]

KINDS = (("scoop", "twitter"), ("event", "facebook"), ("article", "blog"))


def ledger(count: int, start: datetime, span: timedelta) -> list[Planned]:
    step = span / count
    return [
        Planned(
            f"Actualité {n}: atelier vélo, repair café",
            KINDS[n % 3][1],
            start + step * n,
            kind=KINDS[n % 3][0],
        )
        for n in range(count)
    ]


def workspace(root: Path, name: str, deliveries: int, span: timedelta) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "site").mkdir()
    db = folder / "crosspost.db"
    config = folder / "crosspost.toml"
    config.write_text(CONFIG.format(db=db), encoding="utf-8")
    start = datetime.now(UTC) + timedelta(hours=1)
    if deliveries:
        bulk_ledger(f"sqlite:///{db}", ledger(deliveries, start, span))
    return config


def command_env(config: Path) -> dict[str, str]:
    """The environment of a timed process: .pyc written and read, as on a user's machine."""
    env = env_for(config)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(
    config: Path, *args: str, code: Path | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """One run; `code`: a checkout whose crosspost is imported instead (the baseline)."""
    env = command_env(config)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        )
    began = time.perf_counter()
    done = subprocess.run(
        [CROSSPOST, *args],
        env=env,
        cwd=config.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"crosspost {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return elapsed, done


def repeated(config: Path, repeat: int, *args: str) -> tuple[float, float]:
    """(median, best) seconds over `repeat` runs, after one untimed run."""
    timed(config, *args)
    times = [timed(config, *args)[0] for _ in range(repeat)]
    return statistics.median(times), min(times)


def side_by_side(
    config: Path, repeat: int, baseline: Path, *args: str
) -> tuple[tuple[float, float], tuple[float, float]]:
    """((median, best) of this code, (median, best) of the baseline), runs alternating."""
    timed(config, *args)
    timed(config, *args, code=baseline)
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(repeat):
        ours.append(timed(config, *args)[0])
        theirs.append(timed(config, *args, code=baseline)[0])
    return (statistics.median(ours), min(ours)), (statistics.median(theirs), min(theirs))


def verdict(value: float, target: float, *, higher_is_better: bool = False) -> str:
    good = value >= target if higher_is_better else value < target
    if good:
        return "met"
    gap = target - value if higher_is_better else value - target
    return f"missed by {gap:.2f} s" if not higher_is_better else f"missed by {gap:,.0f}/s"


def write_csv(path: Path, rows: int) -> None:
    when = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%d")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["kind", "title", "body", "tags", "at"])
        for n in range(rows):
            writer.writerow(
                [
                    "scoop",
                    f"Import {n}: nouvelle permanence",
                    "Ouverte à toutes et tous, **sans inscription**.",
                    "quartier,vélo",
                    f"{when} {9 + n % 10:02d}:{n % 60:02d}",
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--calendar", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--baseline", default="main", help="git revision the officer commands are compared with"
    )
    parser.add_argument(
        "--only-commands", action="store_true", help="skip the import and calendar timings"
    )
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()

    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        log(f"building a {args.ledger:,}-delivery ledger")
        big = workspace(root, "big", args.ledger, timedelta(days=365))

        baseline = root / "baseline"
        revision = extract(args.baseline, baseline)
        median, best = repeated(big, args.repeat, "--help")
        rows.append(["`crosspost --help`", f"{median:.3f} s", f"{best:.3f} s", "", "",
                     "< 0.25 s", verdict(median, 0.25)])  # fmt: skip
        shown_id = str(args.ledger // 2)  # an item in the middle of the ledger
        commands: list[tuple[str, float, tuple[str, ...]]] = [
            ("add", 0.5, ("add", "--kind", "scoop", "--title", "Permanence", "--at", "+2h",
                          "--allow-duplicate")),  # the same add, repeated on purpose
            ("list", 0.3, ("list",)),
            ("show", 0.3, ("show", shown_id)),
            ("status", 0.3, ("status",)),
        ]  # fmt: skip
        for name, target, command in commands:
            (median, best), (base_median, base_best) = side_by_side(
                big, args.repeat, baseline, *command
            )
            rows.append([f"`crosspost {name}` ({args.ledger:,} ledger)", f"{median:.3f} s",
                         f"{best:.3f} s", f"{base_median:.3f} s", f"{base_best:.3f} s",
                         f"< {target} s", verdict(median, target)])  # fmt: skip
        floors(big, args.repeat, rows)
        if args.only_commands:
            args.import_rows = args.calendar = 0
        if args.import_rows:
            import_rows(root, big, args.import_rows, rows)
        if args.calendar:
            calendar_rows(root, args.calendar, args.repeat, rows)

    body = [
        "Each command is a new process (cold interpreter; OS file cache and .pyc warm: "
        "spawned without PYTHONDONTWRITEBYTECODE, as on a user's machine), "
        "timed from spawn to exit: median and best of "
        f"{args.repeat} runs after one untimed run (import: best and median of 2 runs on a "
        "fresh copy of the ledger; calendar: of 3). Ledger: SQLite, "
        f"{args.ledger:,} deliveries over the next year; X, Facebook and Bluesky in "
        "dry-run and a static blog (scoops go to X and Bluesky). "
        f"Baseline: the same commands from the code of `{args.baseline}` ({revision}), "
        "same interpreter and libraries, its runs alternating with this code's.",
        "",
        *table(HEADERS, rows),
    ]
    report("Officer-facing speed", body, append=not args.no_append)


#: What a read command costs before its query: the imports every one needs, then with
#: SQLAlchemy Core, then with its ORM (what `crosspost.store` is built on).
FLOORS = (
    ("Typer, settings, output (no ledger)", ""),
    ("+ SQLAlchemy Core", "import sqlalchemy, sqlalchemy.dialects.sqlite"),
    ("+ SQLAlchemy ORM", "import sqlalchemy.orm, sqlalchemy.dialects.sqlite"),
)
FLOOR_BASE = (
    "import sys, typer, typer._adapters, crosspost.cli, crosspost.cli.output; "
    "from crosspost.config import load_settings; load_settings(None); "
)


def floors(config: Path, repeat: int, rows: list[list[str]]) -> None:
    """Interpreter processes doing only the imports of a read command (no query)."""
    for label, extra in FLOORS:
        times = []
        for _ in range(repeat + 1):
            began = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", FLOOR_BASE + extra],
                env=command_env(config), cwd=config.parent, check=True,
            )  # fmt: skip
            times.append(time.perf_counter() - began)
        times = times[1:]
        rows.append([f"floor: {label}", f"{statistics.median(times):.3f} s",
                     f"{min(times):.3f} s", "", "", "none", "-"])  # fmt: skip


def import_rows(root: Path, big: Path, count: int, rows: list[list[str]]) -> None:
    log(f"importing {count:,} rows")
    items_csv = root / "items.csv"
    write_csv(items_csv, count)
    backup = root / "big.db"
    shutil.copy(big.parent / "crosspost.db", backup)
    rates = []
    shown = False
    for _ in range(2):
        shutil.copy(backup, big.parent / "crosspost.db")
        seconds, done = timed(big, "import", str(items_csv))
        rates.append(count / seconds)
        shown = shown or "Checking" in (done.stdout + done.stderr)
    rows.append(
        [
            f"`crosspost import` ({count:,}-row CSV)",
            f"{statistics.median(rates):,.0f} items/s",
            f"{max(rates):,.0f} items/s",
            "",
            "",
            ">= 5,000 items/s",
            verdict(max(rates), 5000, higher_is_better=True)
            + ("" if shown else "; no progress bar seen"),
        ]
    )


def calendar_rows(root: Path, count: int, repeat: int, rows: list[list[str]]) -> None:
    log(f"calendar exports of {count:,} deliveries")
    cal = workspace(root, "calendar", count, timedelta(days=56))
    first = datetime.now(UTC).strftime("%Y-%m-%d")
    last = (datetime.now(UTC) + timedelta(days=60)).strftime("%Y-%m-%d")
    for fmt in ("ics", "html"):
        out = root / f"calendar.{fmt}"
        median, best = repeated(
            cal, min(repeat, 3), "calendar", "--from", first, "--to", last,
            "-f", fmt, "-o", str(out),
        )  # fmt: skip
        size = out.stat().st_size / 2**20
        label = f"`crosspost calendar -f {fmt}` ({count:,} deliveries, {size:.1f} MiB)"
        rows.append([label, f"{median:.2f} s", f"{best:.2f} s", "", "", "none", "-"])


if __name__ == "__main__":
    main()
