"""The test suite's speed against a baseline revision, on the tests both have (issue 10).

The suite grew (new channels, real servers), so its total time says nothing about
whether the fixtures got cheaper. This runs the tests that exist under the same node id
in both revisions, each side with its own checkout and virtual environment, alternately
(base, head, base, head, ...) so the machine's load weighs on both alike, and prints the
wall time of each run and the medians.

    python bench/bench_suite.py                 # baseline 8d42ae5 (before issue 10)
    python bench/bench_suite.py --base REF --runs 3 --workers 2

It needs PostgreSQL on 127.0.0.1 like the suite (CROSSPOST_REQUIRE_POSTGRES=1 is set so a
missing server fails rather than skips half the tests on one side only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: The last commit before issue 10's work (the suite the issue measured: "60 s today").
DEFAULT_BASE = "8d42ae5"


def checkout(ref: str, into: Path) -> Path:
    """A detached worktree of `ref` with its own venv; returns the venv's python."""
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(into / "src"), ref],
        check=True,
        capture_output=True,
    )
    subprocess.run([sys.executable, "-m", "venv", str(into / "venv")], check=True)
    python = into / "venv" / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-e", f"{into / 'src'}[test,postgres]"],
        check=True,
    )
    return python


def collected(python: Path, src: Path) -> set[str]:
    """The node ids the suite of `src` collects."""
    out = subprocess.run(
        [str(python), "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=src,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line for line in out.splitlines() if "::" in line}


def timed_run(python: Path, src: Path, ids_file: Path, workers: int) -> tuple[float, str]:
    """Wall seconds of one run of the shared tests, and pytest's summary line."""
    started = time.perf_counter()
    command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*command, "-n", str(workers), f"@{ids_file}"],
        cwd=src,
        capture_output=True,
        text=True,
        env={**os.environ, "CROSSPOST_REQUIRE_POSTGRES": "1"},
    )
    elapsed = time.perf_counter() - started
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "?"
    return elapsed, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=DEFAULT_BASE)
    parser.add_argument("--head", default="HEAD")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="crosspost-bench-suite-") as tmp:
        root = Path(tmp)
        sides = {}
        for name, ref in (("base", args.base), ("head", args.head)):
            (root / name).mkdir()
            python = checkout(ref, root / name)
            sides[name] = (python, root / name / "src")
        shared = collected(*sides["base"]) & collected(*sides["head"])
        ids_file = root / "shared-ids.txt"
        ids_file.write_text("\n".join(sorted(shared)) + "\n")
        print(f"{len(shared)} tests under the same node id in {args.base} and {args.head}")
        times: dict[str, list[float]] = {"base": [], "head": []}
        try:
            for run in range(1, args.runs + 1):
                for name in ("base", "head"):
                    elapsed, summary = timed_run(*sides[name], ids_file, args.workers)
                    times[name].append(elapsed)
                    load = os.getloadavg()[0]
                    print(f"run {run} {name:4}: {elapsed:6.1f} s  (load {load:.1f})  {summary}")
        finally:
            for name in sides:
                subprocess.run(
                    ["git", "-C", str(REPO), "worktree", "remove", "--force", str(sides[name][1])],
                    capture_output=True,
                )
        base, head = statistics.median(times["base"]), statistics.median(times["head"])
        print(f"median base {base:.1f} s, head {head:.1f} s: head/base {head / base:.2f}")


if __name__ == "__main__":
    main()
