"""The channels a publisher stopped sending to until their credentials or setup are fixed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from crosspost.i18n import _
from crosspost.store import Store
from schedules.log import EventLog

if TYPE_CHECKING:
    from schedules.engine import Tally


class Pauses:
    """This publisher's view of paused channels, kept in step with the ledger's.

    The ledger's pause is what every publisher obeys; the local set also stops the
    deliveries this one already claimed in the same batch.
    """

    def __init__(self, store: Store, log: EventLog, tally: Tally) -> None:
        self.store = store
        self.log = log
        self.tally = tally
        self._names: set[str] = set()

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def hold(self, name: str) -> None:
        """Stop sending to `name` from here at once (the ledger is told right after)."""
        self._names.add(name)

    def credentials_expired(self, name: str, message: str, now: datetime) -> None:
        self._names.add(name)
        self.store.pause_channel(name, message, now)
        self.log.paused(name, message)

    def setup_problem(self, name: str, message: str, now: datetime) -> None:
        """A config or credential problem found before sending: reported once per run."""
        self._names.add(name)
        self.store.pause_channel(name, message, now)
        if name not in self.tally.config_problems:
            self.tally.config_problems[name] = message
            self.log.paused(
                name,
                message,
                until=_("this is fixed (then `crosspost channels check {name}`)").format(name=name),
            )

    def resumed(self, name: str) -> None:
        self._names.discard(name)
        self.tally.config_problems.pop(name, None)
