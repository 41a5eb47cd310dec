"""An engine on a real ledger (SQLite and PostgreSQL) with fake channels."""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crosspost.config import Settings, parse_settings
from crosspost.domain import NewItem
from crosspost.routing import plan_deliveries
from crosspost.store import Store
from schedules.engine import Publisher
from schedules.log import EventLog

ENGINE_CONFIG = """
timezone = "Europe/Paris"
max_lateness = "6h"

[publisher]
workers = 4
max_attempts = 3
retry_base = "30s"
retry_cap = "10m"

[channels.blog]
type = "fake"
[channels.twitter]
type = "fake"
[channels.facebook]
type = "fake"
[channels.limited]
type = "fake"
per_15min = 2
[channels.blind]
type = "fake"
lookup = false

[[routes]]
kind = "article"
to = ["blog"]
announce = ["twitter", "facebook"]
announce_offset = "10m"

[[routes]]
kind = "scoop"
to = ["twitter"]
"""


class Clock:
    """A hand-moved clock for the engine (the database only sees what it is given)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@dataclass
class Rig:
    settings: Settings
    store: Store
    clock: Clock
    out: io.StringIO
    make: Callable[..., Publisher]

    def add(self, kind: str = "scoop", title: str = "Info", *, at: datetime | None = None,
            channels: tuple[str, ...] | None = None, image: str | None = None,
            body: str = "") -> int:  # fmt: skip
        when = at or self.clock.now
        plan = plan_deliveries(
            self.settings, kind=kind, tags=(), publish_at=when, channels=channels
        )
        item = NewItem(kind=kind, title=title, body=body, requested_at=when, image_path=image)
        [item_id] = self.store.add_items([(item, plan.deliveries)])
        return item_id

    def states(self, item_id: int) -> dict[str, str]:
        return {d.channel: d.state for d in self.store.get_item(item_id).deliveries}

    def delivery(self, item_id: int, channel: str) -> object:
        [found] = [d for d in self.store.get_item(item_id).deliveries if d.channel == channel]
        return found


START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def rig(db_url: str, tmp_path: Path) -> Iterator[Rig]:
    settings = parse_settings(ENGINE_CONFIG.encode(), tmp_path / "crosspost.toml")
    store = Store.open(db_url)
    clock = Clock(START)
    out = io.StringIO()
    publishers: list[Publisher] = []

    def make(**kwargs: object) -> Publisher:
        log = EventLog(settings.zone, stream=out)
        publisher = Publisher(
            settings, store, mode="test", log=log, clock=clock, rng=random.Random(7), **kwargs
        )  # type: ignore[arg-type]
        publisher.start()
        publishers.append(publisher)
        return publisher

    yield Rig(settings, store, clock, out, make)
    for publisher in publishers:
        publisher.stop()
    store.close()
