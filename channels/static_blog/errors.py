"""Operating-system failures while writing the site, as the ChannelError they stand for."""

from __future__ import annotations

import errno
from pathlib import Path

from channels.base import (
    ChannelError,
    Permanent,
    Transient,
)

#: Why a write failed -> what the engine does. Publishing is idempotent (same file
#: rewritten in place), so retrying is always safe; only what cannot get better by
#: itself is Permanent.
OS_ERRORS: dict[int, type[ChannelError]] = {
    errno.EACCES: Permanent,
    errno.EPERM: Permanent,
    errno.EROFS: Permanent,
    errno.EEXIST: Permanent,  # the site path is a file, not a directory
    errno.ENOTDIR: Permanent,
    errno.EISDIR: Permanent,
    errno.ENAMETOOLONG: Permanent,
    errno.ENOSPC: Transient,
    errno.EIO: Transient,
    errno.EAGAIN: Transient,
    errno.EBUSY: Transient,
}


def classify_os_error(exc: OSError, root: Path) -> ChannelError:
    """The channel error an operating-system failure while writing the site stands for."""
    kind = OS_ERRORS.get(exc.errno or 0, Transient)
    return kind(f"cannot write the blog in {root}: {exc.strerror or exc}")
