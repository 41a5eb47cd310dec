"""What every fake platform provides to the server, and what the server hands each request."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from tests.support.fakeplatform.settings import Settings
from tests.support.fakeplatform.wire import Request, Response


class RecordCreate(Protocol):
    """Remembers a create made for the current request."""

    def __call__(
        self, kind: str, create_id: str, body: dict[str, Any], *, post_id: str | None = None
    ) -> None: ...


@dataclass(frozen=True)
class Env:
    """The server's side of one request: where it lives, its settings, how to record."""

    base_url: str
    settings: Settings
    record: RecordCreate


class Platform(ABC):
    """One fake API: routes its own paths, answers in its own wire format."""

    #: The channel type name ("twitter", "facebook", "wordpress").
    name: ClassVar[str]

    @abstractmethod
    def owns(self, request: Request) -> bool:
        """Whether this platform answers `request`."""

    @abstractmethod
    def is_create(self, request: Request) -> bool:
        """Whether `request` asks for a recorded create (judged on method, path and query)."""

    @abstractmethod
    def handle(self, request: Request, env: Env) -> Response:
        """The platform's answer; records what it creates through `env.record`."""

    @abstractmethod
    def unavailable(self, request: Request, env: Env) -> Response:
        """A 503 in this platform's error shape."""

    @abstractmethod
    def rate_limited(self, request: Request, env: Env, seconds: float) -> Response:
        """This platform's answer when the client must wait `seconds`."""

    @abstractmethod
    def reset(self) -> None:
        """Forget every object created."""


def reset_epoch(seconds: float) -> int:
    """The Unix time `seconds` from now, rounded up, as rate-limit headers give it."""
    return int(time.time() + seconds) + 1
