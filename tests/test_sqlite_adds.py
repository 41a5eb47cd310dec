"""`crosspost add` on a SQLite ledger writes, through sqlite3, the rows the store writes.

crosspost/sqlite_adds.py and the reader's reads for `add` (duplicates, the policy's
busy times, the month's spend) stand in for the store so that `add` does not import
SQLAlchemy. The same commands are run on two copies of one ledger, one read and
written by the quick path, the other by the store (its URL carries `?timeout=15`,
an option the reader does not know): the output must be the same, and so must every
row of every table, the deliveries' random keys aside.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crosspost.budget import month_of
from crosspost.domain import NewItem
from crosspost.sqlite_reads import Reader, open_reader
from crosspost.store import Store
from tests.conftest import CONFIG, Cli
from tests.test_sqlite_reads import NOW, build

PARIS = ZoneInfo("Europe/Paris")
#: The typographic apostrophe French officers type (ruff would flag it in the source).
APOSTROPHE = "\u2019"
KEY = re.compile(r'"key": "[0-9a-f]{32}"')

UTM = "https://exemple.org/fete?utm_source=lettre_info&utm_medium=email&utm_campaign=noel_2026"

#: What officers type, in order; each is run on both ledgers at the same frozen time.
COMMANDS: list[tuple[str, ...]] = [
    ("add", "--kind", "scoop", "--title", "Fête des voisins : inscriptions ouvertes 🎉",
     "--body", f"Inscrivez-vous vite ! {UTM}", "--tag", "quartier", "--tag", "fête",
     "--at", "2026-12-10 18:00"),
    # The same again: refused with the id of the first.
    ("add", "--kind", "scoop", "--title", "Fête des voisins : inscriptions ouvertes 🎉",
     "--body", f"Inscrivez-vous vite ! {UTM}", "--tag", "quartier", "--tag", "fête",
     "--at", "2026-12-10 18:00"),
    ("add", "--kind", "scoop", "--title", "Fête des voisins : inscriptions ouvertes 🎉",
     "--body", f"Inscrivez-vous vite ! {UTM}", "--at", "2026-12-10 18:00",
     "--allow-duplicate", "--json"),
    # Long-form: the blog post and its two announcements, linked to it.
    ("add", "--kind", "article", "--title",
     f"Bilan de l{APOSTROPHE}année : « merci » à nos bénévoles",
     "--body", "Une année de rencontres. " * 6, "--link", UTM, "--at", "2026-12-11 09:00"),
    ("add", "--kind", "event", "--title", "Assemblée générale", "--event-start",
     "2026-12-20 14:00", "--event-end", "2026-12-20 17:30", "--location",
     f"Salle des fêtes, 3 rue de l{APOSTROPHE}Église, Montreuil", "--at", "2026-12-12 10:00"),
    ("add", "--kind", "scoop", "--title", "Permanence juridique", "--at", "next"),
    ("add", "--kind", "scoop", "--title", "Brouillon à relire", "--at", "now", "--draft"),
    ("add", "--kind", "scoop", "--title", "Sans heure"),
    ("add", "--kind", "scoop", "--title", "Trop tard", "--at", "lundi 25h"),
    ("add", "--kind", "event", "--title", "Sans date"),
    ("show", "--json", "21"),
    ("list", "--json"),
]  # fmt: skip


@pytest.fixture
def two_ledgers(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """Two copies of one built ledger, and a workspace to run the commands in."""
    first = tmp_path / "quick.db"
    shutil.copyfile(sqlite_template, first)
    store = Store.open(f"sqlite:///{first}")
    with time_machine.travel(NOW - timedelta(hours=4), tick=False):
        build(store)
    store.close()
    second = tmp_path / "store.db"
    shutil.copyfile(first, second)
    root = tmp_path / "ws"
    root.mkdir()
    (root / "crosspost.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(root)
    return first, second


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, with each value's storage type; keys only checked apart."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out: dict[str, list[tuple[object, ...]]] = {}
        for table in tables:
            columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
            kept = [c for c in columns if not (table == "deliveries" and c == "key")]
            listed = ", ".join(f'"{c}", typeof("{c}")' for c in kept)
            out[table] = db.execute(f'SELECT {listed} FROM "{table}" ORDER BY rowid').fetchall()
    return out


@pytest.mark.parametrize("language", ["en", "fr"])
def test_add_writes_and_prints_what_the_store_would(
    two_ledgers: tuple[Path, Path], cli: Cli, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    quick, through_store = two_ledgers
    monkeypatch.setenv("LANGUAGE", language)
    urls = [f"sqlite:///{quick}", f"sqlite:///{through_store}?timeout=15"]
    codes: list[int] = []
    with time_machine.travel(NOW, tick=False):
        for command in COMMANDS:
            outputs = []
            for url in urls:
                monkeypatch.setenv("CROSSPOST_DATABASE_URL", url)
                result = cli(*command, ok=False)
                # Each delivery's key is its own random one, on either path.
                out = KEY.sub('"key": "…"', result.out)
                outputs.append((result.code, out, result.err))
            assert outputs[0] == outputs[1], command
            codes.append(outputs[0][0])
    # Refused: the same scoop again, no time, a time that does not exist, an event
    # without its date; each refusal is worded the same on both paths (compared above).
    assert codes == [0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0]
    ours, theirs = _rows(quick), _rows(through_store)
    assert ours == theirs
    with sqlite3.connect(quick) as db:
        keys = [k for (k,) in db.execute("SELECT key FROM deliveries")]
        linked = db.execute(
            "SELECT count(*) FROM deliveries AS d JOIN items AS i ON i.id = d.item_id "
            "WHERE i.title LIKE 'Bilan%' AND d.waits_for_id IS NOT NULL"
        ).fetchone()
    assert len(set(keys)) == len(keys)
    assert all(len(k) == 32 for k in keys)
    assert linked == (2,)  # the X and Facebook announcements point at the blog post


def test_a_refused_add_writes_nothing(two_ledgers: tuple[Path, Path], cli: Cli) -> None:
    quick, _ = two_ledgers
    before = _rows(quick)
    os.environ["CROSSPOST_DATABASE_URL"] = f"sqlite:///{quick}"
    try:
        result = cli("add", "--kind", "scoop", "--title", "Demain", "--at", "lundi 25h", ok=False)
    finally:
        del os.environ["CROSSPOST_DATABASE_URL"]
    assert result.code == 1
    assert "at" in result.err
    assert "Traceback" not in result.err
    assert _rows(quick) == before


@pytest.fixture
def ledger(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[Store, Reader]]:
    path = tmp_path / "ledger.db"
    shutil.copyfile(sqlite_template, path)
    store = Store.open(f"sqlite:///{path}")
    with time_machine.travel(NOW - timedelta(hours=4), tick=False):
        build(store)
    reader = open_reader(f"sqlite:///{path}", lambda: store)
    assert reader is not None
    yield store, reader
    reader.close()
    store.close()


def test_the_busy_times_are_the_stores(ledger: tuple[Store, Reader]) -> None:
    store, reader = ledger
    every = ["blog", "twitter", "facebook", "mastodon"]
    for start, hours in ((NOW - timedelta(days=1), 48), (NOW, 3), (NOW - timedelta(hours=3), 1)):
        end = start + timedelta(hours=hours)
        for channels in (every, ["twitter"], ["facebook", "blog"], []):
            assert reader.occupied(channels, start, end) == store.occupied(channels, start, end)
    assert reader.occupied(every, NOW - timedelta(days=1), NOW + timedelta(days=1))


def test_duplicates_are_found_as_the_store_finds_them(ledger: tuple[Store, Reader]) -> None:
    store, reader = ledger
    known = [d.item for d in store.list_deliveries()]
    wanted = []
    for item in known:
        at = item.requested_at
        new = NewItem(kind=item.kind, title=item.title, body=item.body, requested_at=at)
        wanted += [
            (new, (at - timedelta(minutes=5), at + timedelta(minutes=5))),
            (new, (at + timedelta(minutes=1), None)),
            (new, (at - timedelta(days=2), at - timedelta(days=1))),
        ]
    stranger = NewItem(kind="scoop", title="Inconnu", body="", requested_at=NOW)
    wanted.append((stranger, (NOW - timedelta(days=9), None)))
    found = reader.find_duplicates(wanted)
    assert found == store.find_duplicates(wanted)
    assert any(found)
    assert found[-1] is None


def test_the_months_spend_is_the_stores(ledger: tuple[Store, Reader]) -> None:
    store, reader = ledger
    month = month_of(NOW, PARIS)
    store.record_spend("twitter", None, "post", 1, Decimal("0.015"), at=NOW)
    store.record_spend("twitter", None, "read", 40, Decimal("0.2"), at=NOW - timedelta(hours=1))
    store.record_spend("bluesky", None, "post", 1, Decimal("0.5"), at=NOW)
    store.record_spend("twitter", None, "post", 1, Decimal("9"), at=NOW - timedelta(days=40))
    for channels in (None, ["twitter"], ["twitter", "facebook"], []):
        assert reader.month_spend(month, channels) == store.month_spend(month, channels)
    assert reader.month_spend(month, ["twitter"]) == {"twitter": Decimal("0.215")}


def test_add_on_a_sqlite_ledger_does_not_load_sqlalchemy(
    two_ledgers: tuple[Path, Path], tmp_path: Path
) -> None:
    """What keeps `add` quick (bench/bench_officer.py): SQLAlchemy is half a second."""
    quick, _ = two_ledgers
    # The test channels (type "fake") are registered in this process only.
    workspace = tmp_path / "officer"
    workspace.mkdir()
    (workspace / "crosspost.toml").write_text(
        'timezone = "Europe/Paris"\n'
        "[channels.twitter]\n"
        'type = "twitter"\n'
        'mode = "dry-run"\n'
        "[[routes]]\n"
        'kind = "scoop"\n'
        'to = ["twitter"]\n',
        encoding="utf-8",
    )
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['crosspost', 'add', '--kind', 'scoop', '--title', 'Café associatif',"
        " '--at', '+2h']\n"
        "try:\n"
        "    runpy.run_module('crosspost', run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    env = os.environ | {"CROSSPOST_DATABASE_URL": f"sqlite:///{quick}"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        cwd=workspace,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Queued item" in done.stdout
    assert done.stdout.strip().endswith("False"), done.stdout
