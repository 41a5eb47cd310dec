"""The daemon pulls members' feeds on its own, every `feeds.pull_every`."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from crosspost.config import parse_settings
from crosspost.store import Store
from schedules.daemon import Daemon
from schedules.log import EventLog
from tests.engine.conftest import ENGINE_CONFIG
from tests.feeds.conftest import RSS, payload
from tests.support.feedserver import FeedServer


def test_the_daemon_pulls_feeds_on_a_schedule_and_drafts_wait(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, server: FeedServer
) -> None:
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", db_url)
    config = ENGINE_CONFIG + '\n[feeds]\npull_every = "1s"\nmax_age = "3650d"\n'
    settings = parse_settings(config.encode(), tmp_path / "crosspost.toml")
    store = Store.open(settings.database_url)
    url = server.serve("/feed/", payload("wordpress_rss2.xml"), RSS)
    store.add_feed("fontaine", url, "article", auto=False, label=None)
    stream = io.StringIO()
    daemon = Daemon(settings, store, EventLog(settings.zone, stream=stream), watch_every=0.2)
    daemon.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(server.hits("/feed/")) < 3:
            time.sleep(0.1)
    finally:
        daemon.stop()
        drafts = store.drafts()
        store.close()
    hits = server.hits("/feed/")
    assert len(hits) >= 3, "the daemon did not pull again on its schedule"
    assert [h.status for h in hits[:3]] == [200, 304, 304]
    assert [d.title for d in drafts] == [
        "Bilan 2026 : 412 objets réparés & 1,2 tonne de déchets évités",
        "Nous recrutons : un·e service civique pour l\u2019atelier vélo",
        "Retour sur la fête de la réparation",
    ]
    assert all(d.status == "draft" for d in drafts)
    assert "feed_pulled" in stream.getvalue()
    assert "fontaine: 3 new drafts" in stream.getvalue()
