"""Scripted failures: which requests fail, how, and how many times.

Kinds, and what the client observes:

- ``5xx``: a 503 in the platform's own error shape; nothing is created.
- ``429``: the platform's rate-limit answer (X: 429 with x-rate-limit-reset, Graph:
  error code 4, WordPress: 429 with Retry-After, Mastodon: 429 with X-RateLimit-Reset
  as an ISO 8601 time); nothing is created.
- ``timeout``: the create IS made and recorded, then the answer is held for
  ``seconds`` (default: the ``hang_s`` setting), longer than the client waits.
- ``drop``: the connection is reset before anything is recorded (a connection error).
- ``lost_answer``: the create IS made and recorded, then the connection is closed
  without any answer ("Remote end closed connection without response").
- ``refuse``: the listener closes for ``seconds`` (or until resumed): connections
  are refused. It acts at once rather than per request.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

KINDS = ("5xx", "429", "timeout", "drop", "lost_answer", "refuse")
#: Which requests a fault may hit: the recorded creates only (the default),
#: any write (media uploads, terms...), or every platform request.
SCOPES = ("creates", "writes", "all")
PLATFORMS = ("twitter", "facebook", "wordpress", "mastodon", "mobilizon")


@dataclass
class Fault:
    """One scripted failure, fired `count` times or with `probability` per request."""

    kind: str
    platform: str | None = None
    count: int | None = 1
    probability: float | None = None
    scope: str = "creates"
    #: timeout: how long the answer is held; 429: the wait asked; refuse: the outage.
    seconds: float | None = None
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if self.platform is not None and self.platform not in PLATFORMS:
            raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}")
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
        if self.probability is not None:
            self.count = None
            if not 0.0 <= self.probability <= 1.0:
                raise ValueError("probability must be between 0 and 1")
        elif self.count is None or self.count < 1:
            raise ValueError("count must be an integer >= 1")
        if self.seconds is not None and self.seconds < 0:
            raise ValueError("seconds must be >= 0")

    def applies_to(self, platform: str, *, is_create: bool, is_write: bool) -> bool:
        if self.platform is not None and self.platform != platform:
            return False
        if self.scope == "creates":
            return is_create
        if self.scope == "writes":
            return is_write
        return True

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "platform": self.platform,
            "count": self.count,
            "probability": self.probability,
            "scope": self.scope,
            "seconds": self.seconds,
            "fired": self.fired,
        }


_FIELDS = {"kind", "platform", "count", "probability", "scope", "seconds"}


def fault_from_json(data: Any) -> Fault:
    """A Fault from its JSON form; ValueError says what is wrong with it."""
    if not isinstance(data, Mapping):
        raise ValueError("a fault is a JSON object")
    unknown = set(data) - _FIELDS
    if unknown:
        raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
    if "count" in data and "probability" in data:
        raise ValueError("give count or probability, not both")
    count = data.get("count", 1)
    probability = data.get("probability")
    seconds = data.get("seconds")
    if isinstance(count, bool) or not isinstance(count, int):
        raise ValueError("count must be an integer >= 1")
    for name, value in (("probability", probability), ("seconds", seconds)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"{name} must be a number")
    return Fault(
        kind=str(data.get("kind")),
        platform=data.get("platform"),
        count=count,
        probability=None if probability is None else float(probability),
        scope=str(data.get("scope", "creates")),
        seconds=None if seconds is None else float(seconds),
    )


class FaultPlan:
    """The faults waiting to fire, consulted once per platform request (thread-safe)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def draw(self, platform: str, *, is_create: bool, is_write: bool) -> Fault | None:
        """The fault this request meets, if any: the first that applies and fires."""
        with self._lock:
            for fault in self._faults:
                if not fault.applies_to(platform, is_create=is_create, is_write=is_write):
                    continue
                if fault.probability is not None and self._rng.random() >= fault.probability:
                    continue
                fault.fired += 1
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                return fault
        return None
