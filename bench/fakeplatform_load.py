"""How many creates per second the fake platform server sustains under a burst.

Starts ``python -m tests.support.fakeplatform`` with the given latency (or uses --url),
then many client threads, each with its own requests.Session, post tweets, Page
posts and WordPress posts in turn for a fixed time. Prints the creates/s the clients
saw, their latency percentiles, and what the server recorded (which must match).

    .venv/bin/python bench/fakeplatform_load.py --clients 64 --seconds 10 --latency 50ms
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent

X_AUTH = {"Authorization": 'OAuth oauth_consumer_key="ck", oauth_token="t", oauth_signature="s"'}
PAGE = "104000000000001"
WP_AUTH = ("editor", "bench password")

Create = Callable[[requests.Session, str, str], requests.Response]


def _tweet(session: requests.Session, url: str, text: str) -> requests.Response:
    return session.post(f"{url}/2/tweets", json={"text": text}, headers=X_AUTH, timeout=10)


def _feed(session: requests.Session, url: str, text: str) -> requests.Response:
    data = {"message": text, "access_token": "bench"}
    return session.post(f"{url}/v25.0/{PAGE}/feed", data=data, timeout=10)


def _wp(session: requests.Session, url: str, text: str) -> requests.Response:
    body = {"title": text, "content": "bench", "status": "publish"}
    return session.post(f"{url}/wp-json/wp/v2/posts", json=body, auth=WP_AUTH, timeout=10)


CREATES: tuple[Create, ...] = (_tweet, _feed, _wp)


@dataclass
class Tally:
    """What the client threads saw, merged under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)

    def add(self, latency: float, outcome: str) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.outcomes[outcome] += 1


def _client(url: str, deadline: float, numbers: itertools.count[int], tally: Tally) -> None:
    session = requests.Session()
    while time.monotonic() < deadline:
        n = next(numbers)
        create = CREATES[n % len(CREATES)]
        started = time.monotonic()
        try:
            code = str(create(session, url, f"bench post {n}").status_code)
        except requests.RequestException as error:
            code = type(error).__name__
        tally.add(time.monotonic() - started, code)


def _start_server(latency: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fakeplatform", "--port", "0", "--latency", latency],
        cwd=ROOT,  # where `tests` is importable
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--latency", default="50ms")
    parser.add_argument("--url", help="an already running fake server (else one is started)")
    args = parser.parse_args()

    process, url = (None, args.url) if args.url else _start_server(args.latency)
    try:
        if args.url:
            requests.post(f"{url}/_fake/reset", timeout=5)
        tally = Tally()
        numbers = itertools.count()
        started = time.monotonic()
        deadline = started + args.seconds
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            for _ in range(args.clients):
                pool.submit(_client, url, deadline, numbers, tally)
        elapsed = time.monotonic() - started
        stats = requests.get(f"{url}/_fake/stats", timeout=5).json()
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)

    created = sum(n for code, n in tally.outcomes.items() if code in ("200", "201"))
    ms = [v * 1000 for v in tally.latencies]
    print(f"server {url}, latency {stats['latency_ms']:.0f} ms, {args.clients} client threads")
    print(f"creates/s seen by clients: {created / elapsed:.0f} ({created} in {elapsed:.1f} s)")
    print(f"outcomes: {dict(tally.outcomes)}")
    print(
        f"client latency ms: p50 {statistics.median(ms):.1f}, p95 {_percentile(ms, 0.95):.1f},"
        f" p99 {_percentile(ms, 0.99):.1f}, max {max(ms):.1f}"
    )
    print(
        f"server recorded {stats['creates']} creates {stats['creates_by_platform']},"
        f" peak in flight {stats['peak_in_flight']}"
    )
    return 0 if stats["creates"] == created else 1


if __name__ == "__main__":
    sys.exit(main())
