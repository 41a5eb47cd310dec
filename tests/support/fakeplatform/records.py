"""What the fake server saw: every create it made and every request it answered."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

#: Requests remembered for /_fake/requests (creates are never forgotten).
REQUEST_LOG_SIZE = 100_000


@dataclass(frozen=True)
class Create:
    """One post the platform made: a tweet, a feed post, a photo or a WordPress post."""

    platform: str
    #: "tweet", "feed", "photo", "status" or "post".
    kind: str
    #: The id the platform gave (the tweet id, "<page>_<n>", the WordPress post id).
    id: str
    #: The request body as parsed (JSON or form fields; files by size; no access token).
    body: dict[str, Any]
    #: time.time() when the request line arrived, before any latency.
    received_at: float
    #: The Idempotency-Key (or X-Idempotency-Key) header, if the request carried one.
    idempotency_key: str | None = None
    #: "timeout" or "lost_answer" when the client never got this create's answer.
    fault: str | None = None
    #: For a published Facebook photo: the page post it made ("<page>_<n>").
    post_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Exchange:
    """One platform request and what became of it."""

    platform: str
    method: str
    path: str
    received_at: float
    #: The status sent, or None when no answer was sent (drop, lost_answer).
    status: int | None
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Recorder:
    """Thread-safe memory of creates and requests, with counters for /_fake/stats."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._creates: list[Create] = []
        self._exchanges: deque[Exchange] = deque(maxlen=REQUEST_LOG_SIZE)
        self._requests = 0
        self._statuses: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()

    def add_create(self, create: Create) -> None:
        with self._lock:
            self._creates.append(create)

    def add_exchange(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)
            self._requests += 1
            self._statuses["none" if exchange.status is None else str(exchange.status)] += 1
            if exchange.fault:
                self._faults[exchange.fault] += 1

    def creates(self, platform: str | None = None) -> list[Create]:
        with self._lock:
            return [c for c in self._creates if platform is None or c.platform == platform]

    def count(self, platform: str | None = None) -> int:
        with self._lock:
            if platform is None:
                return len(self._creates)
            return sum(1 for c in self._creates if c.platform == platform)

    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            by_platform = Counter(c.platform for c in self._creates)
            return {
                "creates": len(self._creates),
                "creates_by_platform": dict(by_platform),
                "requests": self._requests,
                "statuses": dict(self._statuses),
                "faults_fired": dict(self._faults),
            }

    def reset(self) -> None:
        with self._lock:
            self._creates.clear()
            self._exchanges.clear()
            self._requests = 0
            self._statuses.clear()
            self._faults.clear()
