"""Members' feeds served over real HTTP from a loopback server, with real payloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from tests.support.feedserver import FeedServer

PAYLOADS = Path(__file__).parent / "payloads"

#: Monday 30 November 2026, 10:00 in Paris.
NOW = "2026-11-30T09:00:00Z"

RSS = "application/rss+xml; charset=UTF-8"
ATOM = "application/atom+xml; charset=utf-8"
ICS = "text/calendar; charset=utf-8"


def payload(name: str) -> str:
    return (PAYLOADS / name).read_text(encoding="utf-8")


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    # tick: the HTTP client and server need real time to pass (timeouts).
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller
