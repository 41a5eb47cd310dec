"""The daemon's long-lived objects, kept out of the garbage collector's full passes.

CPython's full collection walks every object it tracks, and no thread runs meanwhile.
In a daemon that has loaded SQLAlchemy, the models and a platform's SDK, one pass
took some 40 ms: in a 9:00 rush it came about 1.7 s in and left the next 20 posts
10-55 ms late, the whole of the p99 (bench/RESULTS.md). What is loaded to start and
to publish lives as long as the process: frozen (gc.freeze), the collector no longer
walks it, and everything made afterwards is still collected as usual.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_settled: set[str] = set()


def settle(stage: str, *, collect: bool = False) -> bool:
    """Freeze what exists now, once per `stage` in this process; whether it did.

    `collect`: collect first, so that the garbage of start-up is freed, not frozen
    (a pass worth paying before the first post, not at one's instant).
    """
    with _lock:
        if stage in _settled:
            return False
        _settled.add(stage)
    if collect:
        gc.collect()
    gc.freeze()
    return True
