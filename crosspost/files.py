"""Files replaced whole or not at all: a reader sees the old file or the new one, never half.

Every file Crosspost writes for someone else to read (a calendar a web server serves,
the static blog, the workspace's copy of an image, a saved session) goes through here:
written to a temporary file in the same folder, flushed to disk, then renamed over
the target (a rename within one folder is atomic, and after a power cut the file is
either the old one or the complete new one).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def replacing(
    target: Path, *, binary: bool = False, mode: int = 0o644, prefix: str | None = None
) -> Iterator[IO[Any]]:
    """A file to write whose content replaces `target` when the block ends without error.

    Text is UTF-8 with newlines as written. `mode` is set before the first byte, so a
    secret (mode 0o600) is never readable by others even for an instant; the default
    lets a web server read what it serves. The folder must exist.
    """
    folder = target.resolve().parent
    descriptor, temporary = tempfile.mkstemp(
        dir=folder, prefix=prefix or f".{target.name}.", suffix=".tmp"
    )
    try:
        os.chmod(temporary, mode)
        with (
            os.fdopen(descriptor, "wb")
            if binary
            else os.fdopen(descriptor, "w", encoding="utf-8", newline="")
        ) as out:
            yield out
            out.flush()
            # On disk before the rename, so a power cut cannot leave an empty file behind.
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(target: Path, text: str, *, mode: int = 0o644) -> None:
    """Replace `target` with `text` (UTF-8), atomically."""
    with replacing(target, mode=mode) as out:
        out.write(text)


def copy_file(source: Path, target: Path, *, prefix: str | None = None) -> None:
    """Replace `target` with a copy of `source`'s bytes, atomically."""
    with replacing(target, binary=True, prefix=prefix) as out, source.open("rb") as handle:
        shutil.copyfileobj(handle, out)
