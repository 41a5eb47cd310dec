"""A small ledger with a known history, the settings that name its channels, and a way to export."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crosspost.calendar.rows import Query, Row, iter_rows
from crosspost.config import Settings, parse_settings
from crosspost.domain import Delivery, NewItem, PlannedDelivery
from crosspost.states import State
from crosspost.store import Store
from tests.conftest import CONFIG

PARIS = ZoneInfo("Europe/Paris")

LABELLED = (
    CONFIG.replace(
        '[channels.blog]\ntype = "fake"', '[channels.blog]\ntype = "fake"\nlabel = "Blog"'
    )
    .replace('[channels.twitter]\ntype = "fake"', '[channels.twitter]\ntype = "fake"\nlabel = "X"')
    .replace(
        '[channels.facebook]\ntype = "fake"',
        '[channels.facebook]\ntype = "fake"\nlabel = "Facebook"',
    )
    .replace('database = "sqlite:///crosspost.db"', 'organisation = "Les Amis du Vélo"')
)


def paris(text: str) -> datetime:
    """A Paris wall-clock time as aware UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


@dataclass
class Ledger:
    """Builds deliveries through the Store API, and moves them the way the publisher does."""

    store: Store
    settings: Settings

    def add(
        self,
        channel: str,
        due: str | datetime,
        title: str,
        *,
        kind: str = "scoop",
        body: str = "",
        **fields: Any,
    ) -> Delivery:
        at = paris(due) if isinstance(due, str) else due
        new = NewItem(kind=kind, title=title, body=body, requested_at=at, **fields)
        [item_id] = self.store.add_items([(new, [PlannedDelivery(channel, at)])])
        [delivery] = self.store.get_item(item_id).deliveries
        return delivery

    def publish(self, delivery: Delivery, url: str | None = None) -> None:
        assert self.store.move(delivery.id, State.PENDING, State.CLAIMED)
        assert self.store.move(delivery.id, State.CLAIMED, State.SENDING)
        assert self.store.move(
            delivery.id,
            State.SENDING,
            State.PUBLISHED,
            published_at=delivery.due_at,
            remote_url=url or f"https://{delivery.channel}.example/{delivery.id}",
        )

    def fail(self, delivery: Delivery, reason: str) -> None:
        assert self.store.move(delivery.id, State.PENDING, State.CLAIMED)
        assert self.store.move(delivery.id, State.CLAIMED, State.SENDING)
        assert self.store.move(delivery.id, State.SENDING, State.FAILED, last_error=reason)

    def rows(self, start: str = "2026-11-30", end: str = "2027-01-04", **filters: Any) -> list[Row]:
        """The rows an export of [start, end) reads (local dates, end excluded)."""
        query = Query(start=paris(start), end=paris(end), **filters)
        return list(iter_rows(self.store, self.settings, query))

    def export(
        self, write: Callable[..., int], start: str = "2026-11-30", end: str = "2027-01-04"
    ) -> bytes:
        """Run an ICS writer over [start, end) and return the file it wrote."""
        out = io.BytesIO()
        rows = self.rows(start, end)
        write(rows, out, settings=self.settings, start=paris(start), end=paris(end))
        return out.getvalue()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return parse_settings(LABELLED.encode(), tmp_path / "crosspost.toml")


@pytest.fixture
def ledger(db_url: str, settings: Settings) -> Iterator[Ledger]:
    """An empty ledger; items are created 'on 20 November 2026' so their stamps are known."""
    store = Store.open(db_url)
    with time_machine.travel(paris("2026-11-20 10:00"), tick=False):
        yield Ledger(store, settings)
    store.close()
