"""Writing the site safely: one writer at a time, every file replaced whole."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from channels.static_blog.pages import GENERATOR

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


def _replace_from_temp(target: Path, fill: Callable[[Path], object]) -> None:
    """Writes through `fill(temp_path)` then renames over `target`: all or nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        fill(Path(temp))
        # On disk before the rename, so a power cut cannot leave an empty post behind.
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        # mkstemp makes the file private; a web server must be able to read the site.
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_atomic(target: Path, text: str) -> None:
    """Replaces `target` with `text` (UTF-8) so readers see the old or the new file."""
    _replace_from_temp(target, lambda temp: temp.write_text(text, encoding="utf-8"))


def copy_atomic(source: Path, target: Path) -> None:
    _replace_from_temp(target, lambda temp: shutil.copyfile(source, temp))


def is_ours_or_absent(file: Path) -> bool:
    if not file.exists():
        return True
    with open(file, encoding="utf-8", errors="replace") as handle:
        return GENERATOR in handle.read(4096)
