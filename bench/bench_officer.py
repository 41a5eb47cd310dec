"""Officer-facing speed: the commands a communication officer types, timed as real processes.

    .venv/bin/python bench/bench_officer.py [--ledger 100000] [--import-rows 10000]
        [--calendar 10000] [--repeat 5] [--no-append]

Every command is a new `crosspost` process (cold interpreter; the OS file cache
and the .pyc files are warm, as on a machine in use), timed from spawn to exit,
median and best of --repeat runs after one untimed run:

- `crosspost --help`;
- `crosspost add` and `crosspost list` on a ledger of 100k deliveries (SQLite);
- `crosspost import` of a 10k-row CSV into that ledger (items/s, and whether the
  progress bar shows);
- `crosspost calendar -f ics` and `-f html` of 10k deliveries.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import CROSSPOST, Planned, bulk_ledger, env_for, log, report, table

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

[[routes]]
kind = "event"
to = ["facebook"]

[[routes]]
kind = "scoop"
to = ["twitter"]

[[routes]]
kind = "article"
to = ["blog"]
announce = ["twitter", "facebook"]
announce_offset = "30m"
"""

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


def timed(config: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    began = time.perf_counter()
    done = subprocess.run(
        [CROSSPOST, *args],
        env=env_for(config),
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
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()

    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        log(f"building a {args.ledger:,}-delivery ledger")
        big = workspace(root, "big", args.ledger, timedelta(days=365))

        median, best = repeated(big, args.repeat, "--help")
        rows.append(["`crosspost --help`", f"{median:.3f} s", f"{best:.3f} s", "< 0.25 s",
                     verdict(median, 0.25)])  # fmt: skip
        median, best = repeated(
            big, args.repeat, "add", "--kind", "scoop", "--title", "Permanence", "--at", "+2h",
            "--allow-duplicate",  # the same add, repeated on purpose
        )  # fmt: skip
        rows.append([f"`crosspost add` ({args.ledger:,} ledger)", f"{median:.3f} s",
                     f"{best:.3f} s", "< 0.5 s", verdict(median, 0.5)])  # fmt: skip
        median, best = repeated(big, args.repeat, "list")
        rows.append([f"`crosspost list` ({args.ledger:,} ledger)", f"{median:.3f} s",
                     f"{best:.3f} s", "< 0.5 s", verdict(median, 0.5)])  # fmt: skip

        log(f"importing {args.import_rows:,} rows")
        items_csv = root / "items.csv"
        write_csv(items_csv, args.import_rows)
        backup = root / "big.db"
        shutil.copy(big.parent / "crosspost.db", backup)
        rates = []
        shown = False
        for _ in range(2):
            shutil.copy(backup, big.parent / "crosspost.db")
            seconds, done = timed(big, "import", str(items_csv))
            rates.append(args.import_rows / seconds)
            shown = shown or "Checking" in (done.stdout + done.stderr)
        rows.append(
            [
                f"`crosspost import` ({args.import_rows:,}-row CSV)",
                f"{statistics.median(rates):,.0f} items/s",
                f"{max(rates):,.0f} items/s",
                ">= 5,000 items/s",
                verdict(max(rates), 5000, higher_is_better=True)
                + ("" if shown else "; no progress bar seen"),
            ]
        )

        log(f"calendar exports of {args.calendar:,} deliveries")
        cal = workspace(root, "calendar", args.calendar, timedelta(days=56))
        first = datetime.now(UTC).strftime("%Y-%m-%d")
        last = (datetime.now(UTC) + timedelta(days=60)).strftime("%Y-%m-%d")
        for fmt in ("ics", "html"):
            out = root / f"calendar.{fmt}"
            median, best = repeated(
                cal, min(args.repeat, 3), "calendar", "--from", first, "--to", last,
                "-f", fmt, "-o", str(out),
            )  # fmt: skip
            size = out.stat().st_size / 2**20
            label = f"`crosspost calendar -f {fmt}` ({args.calendar:,} deliveries, {size:.1f} MiB)"
            rows.append([label, f"{median:.2f} s", f"{best:.2f} s", "none", "-"])

    body = [
        "Each command is a new process (cold interpreter; OS file cache and .pyc warm), "
        "timed from spawn to exit: median and best of "
        f"{args.repeat} runs after one untimed run (import: best and median of 2 runs on a "
        "fresh copy of the ledger; calendar: of 3). Ledger: SQLite, "
        f"{args.ledger:,} deliveries over the next year, three channels in dry-run.",
        "",
        *table(["Command", "Median", "Best", "Target", "Verdict"], rows),
    ]
    report("Officer-facing speed", body, append=not args.no_append)


if __name__ == "__main__":
    main()
