#!/usr/bin/env bash
# Every benchmark of issue 6, one after the other; each appends its section to
# bench/RESULTS.md. About 12 minutes on a 2-core machine (see bench/README.md).
#
#   bench/run_all.sh            # from the repository root, with .venv installed
#   NO_APPEND=1 bench/run_all.sh    # print only, leave RESULTS.md alone
#
# PostgreSQL runs are skipped when 127.0.0.1:5432 cannot be reached
# (CROSSPOST_BENCH_PG_URL overrides the admin URL).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
EXTRA=()
if [[ -n "${NO_APPEND:-}" ]]; then EXTRA=(--no-append); fi

started=$(date +%s)
step() {
    local t0=$(date +%s)
    echo "== $* ==" >&2
    "$PY" "$@" "${EXTRA[@]}"
    echo "== $1: $(( $(date +%s) - t0 )) s ==" >&2
}

step bench/bench_officer.py
step bench/bench_baselines.py
step bench/bench_idle.py --idle 10
step bench/bench_throughput.py
step bench/bench_lateness.py
echo "== all done in $(( $(date +%s) - started )) s ==" >&2
