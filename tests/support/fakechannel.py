"""The in-memory `fake` channel type of the test suite (registered by tests/conftest.py).

`FakeChannel` (channel type "fake") publishes into memory and can be told to
fail in any of the ways a real platform fails. Tests script it through
`fake_platform(name)` and then assert on what it recorded.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import Field

from channels.base import (
    Channel,
    ChannelError,
    ChannelSettings,
    CheckResult,
    Problem,
    PublishJob,
    Receipt,
    RenderContext,
    Rendered,
)
from crosspost.domain import Item
from crosspost.secrets import SecretSource
from crosspost.text import capitalise, event_when


class FakeSettings(ChannelSettings):
    #: Longest accepted post, to exercise validation.
    max_length: int = Field(default=10_000, ge=1)
    base_url: str = "https://fake.example"
    lookup: bool = True


@dataclass
class FakePlatform:
    """The memory of one fake channel: what was posted and what to do next."""

    posts: list[Receipt] = field(default_factory=list)
    requests: list[dict[str, object]] = field(default_factory=list)
    #: Errors to raise on the next publish calls, in order. An Ambiguous here can be
    #: paired with `store_before_failing` to simulate "accepted but answer lost".
    script: deque[ChannelError] = field(default_factory=deque)
    store_before_failing: bool = False
    check_error: ChannelError | None = None
    #: Raised by every publish while set (e.g. credentials revoked), after the script.
    outage: ChannelError | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, *errors: ChannelError, posted_anyway: bool = False) -> None:
        self.script.extend(errors)
        self.store_before_failing = posted_anyway

    @property
    def count(self) -> int:
        return len(self.posts)

    def keys(self) -> list[str]:
        return [str(r.detail["key"]) for r in self.posts if r.detail]


_PLATFORMS: dict[str, FakePlatform] = {}
_PLATFORMS_LOCK = threading.Lock()


def fake_platform(name: str) -> FakePlatform:
    """The shared memory behind the fake channel called `name` (created on first use)."""
    with _PLATFORMS_LOCK:
        return _PLATFORMS.setdefault(name, FakePlatform())


def reset_fake_platforms() -> None:
    with _PLATFORMS_LOCK:
        _PLATFORMS.clear()


class FakeChannel(Channel):
    """A channel that publishes into memory; behaves like a platform, fails on request."""

    Settings = FakeSettings
    default_label = "Fake"
    supports_lookup = True

    def __init__(self, name: str, settings: ChannelSettings, secrets: SecretSource) -> None:
        super().__init__(name, settings, secrets)
        self.supports_lookup = self.fake_settings.lookup

    @property
    def platform(self) -> FakePlatform:
        return fake_platform(self.name)

    @property
    def fake_settings(self) -> FakeSettings:
        assert isinstance(self.settings, FakeSettings)
        return self.settings

    def render(self, item: Item, context: RenderContext) -> Rendered:
        lines = [item.title]
        if item.event_start is not None:
            lines.append(capitalise(event_when(item.event_start, item.event_end, context.timezone)))
        if item.location:
            lines.append(item.location)
        if item.body:
            lines.append(item.body)
        link = context.announced_url or item.link
        if link:
            lines.append(link)
        text = "\n\n".join(lines)
        return Rendered(
            channel=self.name,
            text=text,
            parts=(text,),
            request={"text": text},
            length=len(text),
            limit=self.fake_settings.max_length,
        )

    def validate(self, rendered: Rendered) -> list[Problem]:
        if rendered.length is not None and rendered.length > self.fake_settings.max_length:
            return [
                Problem(
                    "error",
                    f"post is {rendered.length}/{self.fake_settings.max_length} characters",
                )
            ]
        return []

    def publish(self, job: PublishJob) -> Receipt:
        platform = self.platform
        with platform.lock:
            platform.requests.append(dict(job.rendered.request))
            error = platform.script.popleft() if platform.script else platform.outage
            if error is None or platform.store_before_failing:
                receipt = self._store(job)
            if error is not None:
                raise error
            return receipt

    def _store(self, job: PublishJob) -> Receipt:
        number = len(self.platform.posts) + 1
        receipt = Receipt(
            remote_id=f"{self.name}-{number}",
            url=f"{self.fake_settings.base_url}/{self.name}/{number}",
            published_at=datetime.now(UTC),
            detail={"key": job.idempotency_key, "text": job.rendered.text},
        )
        self.platform.posts.append(receipt)
        return receipt

    def find_existing(self, job: PublishJob) -> Receipt | None:
        if not self.fake_settings.lookup:
            return None
        with self.platform.lock:
            for receipt in self.platform.posts:
                if receipt.detail and receipt.detail.get("key") == job.idempotency_key:
                    return receipt
        return None

    def check(self) -> CheckResult:
        if self.platform.check_error is not None:
            raise self.platform.check_error
        return CheckResult(True, "fake channel: always reachable")
