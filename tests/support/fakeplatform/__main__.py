"""Run the fake platform server for benchmarks: prints its URL, serves until interrupted.

python -m tests.support.fakeplatform --port 8765 --latency 50ms
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
from types import FrameType

from tests.support.fakeplatform.server import FakePlatformServer

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0}


def parse_duration(text: str, bare_unit: str) -> float:
    """Seconds in "50ms", "1.5s" or "2m"; a bare number is in `bare_unit`."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 50ms, 2s)")
    return float(match.group(1)) * _UNITS[match.group(2) or bare_unit]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.fakeplatform",
        description="Fake X, Facebook Graph, Mastodon and WordPress APIs on one loopback URL.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--latency",
        type=lambda t: parse_duration(t, "ms"),
        default=0.0,
        help="added before every platform answer: 50ms, 0.2s (bare number: ms)",
    )
    parser.add_argument(
        "--hang",
        type=lambda t: parse_duration(t, "s"),
        default=60.0,
        help='how long a "timeout" fault holds its answer (bare number: s)',
    )
    parser.add_argument("--seed", type=int, default=None, help="for probabilistic faults")
    parser.add_argument(
        "--allow-duplicates",
        action="store_true",
        help="accept repeated text on X and Facebook (they refuse it for real)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        server = FakePlatformServer(
            args.host,
            args.port,
            seed=args.seed,
            latency_ms=args.latency * 1000,
            hang_s=args.hang,
            duplicates=not args.allow_duplicates,
        )
        server.start()
    except (OSError, ValueError) as error:
        print(f"fakeplatform: {error}", file=sys.stderr)
        return 2
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    # Before the URL is printed: a caller may stop us as soon as it has read it.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(server.url, flush=True)
    done.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
