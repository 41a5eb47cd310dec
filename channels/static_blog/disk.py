"""Writing the site safely: one writer at a time, every file replaced whole."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from channels.static_blog.pages import GENERATOR
from crosspost import files

LOCK_NAME = ".crosspost.lock"


_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


@contextmanager
def site_lock(root: Path) -> Iterator[None]:
    """Serialises writers of one site: threads by a lock, processes by flock on a file."""
    with _LOCKS_GUARD:
        thread_lock = _LOCKS.setdefault(root, threading.Lock())
    with thread_lock, open(root / LOCK_NAME, "a+b") as handle:
        if sys.platform != "win32":
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        yield


def write_atomic(target: Path, text: str) -> None:
    """Replaces `target` with `text` (UTF-8) so readers see the old or the new file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    files.write_text(target, text)


def copy_atomic(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    files.copy_file(source, target)


def is_ours_or_absent(file: Path) -> bool:
    if not file.exists():
        return True
    with open(file, encoding="utf-8", errors="replace") as handle:
        return GENERATOR in handle.read(4096)
