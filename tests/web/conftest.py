"""`crosspost serve` running for real: uvicorn on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

# Monday 30 November 2026, 10:00 in Paris.
NOW = "2026-11-30T09:00:00Z"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def served(workspace: Path) -> Iterator[str]:
    """`crosspost serve` as the officer runs it, on a free loopback port."""
    import uvicorn

    from crosspost.config import load_settings
    from crosspost.store import Store
    from crosspost.web.app import create_app

    settings = load_settings(workspace / "crosspost.toml")
    store = Store.open(settings.database_url)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, store), log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    store.close()
    sock.close()
