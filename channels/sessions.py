"""A channel's login kept between runs: one JSON file, mode 600, shared under a lock.

Some platforms limit logins (Bluesky: 30 in 5 minutes; Mobilizon: 5 a minute) and
hand out refresh tokens that work once, while cron starts a process for every pass.
So the tokens live in a file that every process of the channel shares: read, refreshed
and written by one process at a time (two refreshing the same token would log each
other out), replaced whole (crosspost.files), and ignored when others could read it.
What the file holds, and when it is refreshed, is each adapter's (its session.py).
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from crosspost import files

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

log = logging.getLogger(__name__)

#: A frozen dataclass whose fields are all strings (its repr hiding the tokens).
Saved = TypeVar("Saved", bound="DataclassInstance")


class SessionFile(Generic[Saved]):
    """The session of one channel on disk: read, written atomically with mode 600, locked."""

    def __init__(self, path: Path, holds: type[Saved], *, platform: str) -> None:
        self.path = path
        self.holds = holds
        #: Named in the warnings ("the Bluesky session file ... cannot be read").
        self.platform = platform

    @classmethod
    def of_channel(
        cls, template: Path, channel: str, holds: type[Saved], *, platform: str
    ) -> SessionFile[Saved]:
        """The file of `channel`: "{channel}" in the session_file setting is its name."""
        return cls(Path(str(template).replace("{channel}", channel)), holds, platform=platform)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Only one process at a time reads, refreshes and writes the session."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    def load(self, belongs: Callable[[Saved], bool]) -> Saved | None:
        """The saved session if the file is there, private, whole, and `belongs` to the
        account now configured (a changed account or server starts afresh)."""
        try:
            mode = stat.S_IMODE(self.path.stat().st_mode)
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("the %s session file %s cannot be read (%s)", self.platform, self.path, exc)
            return None
        if mode & 0o077:
            # Others could read the tokens: do not use them; a new session replaces them.
            log.warning(
                "the %s session file %s was readable by others; replacing it",
                self.platform,
                self.path,
            )
            return None
        names = [field.name for field in dataclasses.fields(self.holds)]
        try:
            saved = self.holds(**{name: str(raw[name]) for name in names})
        except (KeyError, TypeError):
            return None
        return saved if belongs(saved) else None

    def save(self, saved: Saved) -> None:
        """Write the session: a 600 temporary file beside it, renamed over it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        files.write_text(self.path, json.dumps(dataclasses.asdict(saved)), mode=0o600)
