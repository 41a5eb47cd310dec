"""The quick SQLite reader of `list`, `show` and `status` reads what the store reads.

crosspost/sqlite_reads.py runs the store's read queries on the standard library's
sqlite3 (SQLAlchemy's import was most of those commands' time). Each test here builds
a ledger through the store (accents, emoji, announcements and their posts, attempts,
every state, drafts, a paused channel, a publisher), then asks both and compares:
the domain objects field by field, and the commands' output, text and --json.

The commands take the store when the database URL carries options the reader does
not know (`?timeout=15`, a real SQLAlchemy option): that is how the same ledger is
read both ways here, each through the real command.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from crosspost.domain import NewItem, PlannedDelivery
from crosspost.ledger import DeliveryFilter
from crosspost.models import Base
from crosspost.sqlite_reads import COLUMNS, Reader, open_reader
from crosspost.states import State
from crosspost.store import Store
from tests.conftest import Cli

NOW = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
WORKER = "w-1"


def _add(store: Store, new: NewItem, *planned: PlannedDelivery) -> int:
    [item_id] = store.add_items([(new, list(planned))])
    return item_id


def _ids(store: Store, item_id: int) -> dict[str, int]:
    return {d.channel: d.id for d in store.get_item(item_id).deliveries}


def _attempt(store: Store, delivery_id: int, at: datetime) -> int:
    """Claim one delivery and start an attempt, as a publisher does."""
    [claimed] = store.claim_due(WORKER, at, limit=1, lease=timedelta(minutes=5), item_id=None)
    assert claimed.id == delivery_id
    attempt = store.start_attempt(delivery_id, WORKER, at)
    assert attempt is not None
    return attempt


def build(store: Store) -> None:
    """A ledger with every state, left the way publishers and the officer leave it."""
    past = NOW - timedelta(hours=3)
    # Published (live and dry run), with an announcement that went out after it.
    article = _add(
        store,
        NewItem(
            kind="article",
            title="Fête de l'été : « Été indien » 🎉🌻",
            requested_at=past,
            body="Première ligne\n**Deuxième** ligne — avec des accents : éàçù œ ÿ",
            link="https://exemple.org/été?x=1&y=ü",
            tags=("vélo", "réparation", "🚲"),
            event_start=NOW + timedelta(days=3),
            event_end=NOW + timedelta(days=3, hours=4),
            location="Salle des fêtes, Saint-Étienne",
            variants={"twitter": "Venez ! 🎉"},
            step_texts={"-1d": "Demain : {title}"},
        ),
        PlannedDelivery("blog", past),
        PlannedDelivery("twitter", past + timedelta(minutes=30), role="announce", waits_for="blog"),
    )
    ids = _ids(store, article)
    attempt = _attempt(store, ids["blog"], past)
    store.record_published(
        ids["blog"], attempt, past + timedelta(seconds=2), remote_id="42",
        url="https://exemple.org/fete-ete", published_at=past + timedelta(seconds=2),
        dry_run=False, detail={"réponse": "créé ✓"},
    )  # fmt: skip
    # Failed after a retry, with its announcement held.
    failed = _add(
        store,
        NewItem(kind="article", title="Assemblée générale", requested_at=past),
        PlannedDelivery("blog", past),
        PlannedDelivery(
            "facebook", past + timedelta(minutes=30), role="announce", waits_for="blog"
        ),
    )
    blog = _ids(store, failed)["blog"]
    first = _attempt(store, blog, past)
    store.record_outcome(
        blog, first, past, new_state=State.PENDING, outcome="transient", error_class="Transient",
        message="503: réessayez plus tard", next_attempt_at=past + timedelta(minutes=1),
    )  # fmt: skip
    second = _attempt(store, blog, past + timedelta(minutes=1))
    store.record_outcome(
        blog, second, past + timedelta(minutes=2), new_state=State.FAILED, outcome="permanent",
        error_class="Permanent", message="refusé : texte trop long",
    )  # fmt: skip
    # Unknown outcome.
    unknown = _ids(
        store,
        _add(
            store,
            NewItem(kind="scoop", title="Résultat incertain ❓", requested_at=past),
            PlannedDelivery("twitter", past + timedelta(minutes=5)),
        ),
    )["twitter"]
    attempt = _attempt(store, unknown, past + timedelta(minutes=5))
    store.record_outcome(
        unknown, attempt, past + timedelta(minutes=6), new_state=State.UNKNOWN,
        outcome="ambiguous", error_class="Ambiguous", message="délai dépassé",
        next_attempt_at=past + timedelta(minutes=20),
    )  # fmt: skip
    # Skipped as too late, and a stuck claim (its lease ran out long ago).
    late = _ids(
        store,
        _add(
            store,
            NewItem(kind="scoop", title="Trop tard", requested_at=past),
            PlannedDelivery("twitter", past + timedelta(minutes=10)),
        ),
    )["twitter"]
    _attempt_free_claim(store, late, past + timedelta(minutes=10))
    assert store.skip_late(late, WORKER, past + timedelta(minutes=10), "trouvé trop tard")
    stuck = _ids(
        store,
        _add(
            store,
            NewItem(kind="event", title="Pris puis oublié", requested_at=past),
            PlannedDelivery("facebook", past + timedelta(minutes=15)),
        ),
    )["facebook"]
    _attempt_free_claim(store, stuck, past + timedelta(minutes=15))
    # Sending when its publisher died: an attempt without an end.
    sending = _ids(
        store,
        _add(
            store,
            NewItem(kind="scoop", title="Envoi interrompu", requested_at=past),
            PlannedDelivery("twitter", past + timedelta(minutes=20)),
        ),
    )["twitter"]
    _attempt(store, sending, past + timedelta(minutes=20))
    # Overdue (pending, long past), cancelled, and pending in the future.
    _add(
        store,
        NewItem(kind="scoop", title="En retard", requested_at=past),
        PlannedDelivery("twitter", past + timedelta(minutes=40)),
    )
    cancelled = _add(
        store,
        NewItem(kind="event", title="Annulé", requested_at=NOW + timedelta(days=1)),
        PlannedDelivery("facebook", NOW + timedelta(days=1)),
    )
    store.cancel(cancelled)
    for n in range(12):
        kind, channel = (("scoop", "twitter"), ("event", "facebook"), ("article", "blog"))[n % 3]
        _add(
            store,
            NewItem(kind=kind, title=f"Actualité {n} : atelier « vélo » ✨", requested_at=NOW),
            PlannedDelivery(channel, NOW + timedelta(hours=n + 1)),
        )
    # A draft waiting for review, a paused channel and a publisher.
    _add(store, NewItem(kind="scoop", title="Brouillon", requested_at=NOW, status="draft"))
    store.pause_channel("facebook", "jeton expiré : renouvelez-le", past)
    store.register_worker(WORKER, "daemon", NOW - timedelta(seconds=10))


def _attempt_free_claim(store: Store, delivery_id: int, at: datetime) -> None:
    [claimed] = store.claim_due(WORKER, at, limit=1, lease=timedelta(minutes=5))
    assert claimed.id == delivery_id


@pytest.fixture
def ledger(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[Store, Reader]]:
    import shutil

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


def _same(ours: Any, theirs: Any) -> None:
    """Equal in every field, those left out of == included (an item's variants...)."""
    as_data = [dataclasses.asdict(x) if dataclasses.is_dataclass(x) else x for x in ours]
    assert as_data == [dataclasses.asdict(x) if dataclasses.is_dataclass(x) else x for x in theirs]


FILTERS = [
    DeliveryFilter(),
    DeliveryFilter(limit=5),
    DeliveryFilter(states=(State.PENDING,), due_from=NOW, limit=5),
    DeliveryFilter(states=("failed", "unknown", "skipped_late")),
    DeliveryFilter(states=(State.PENDING,), due_to=NOW - timedelta(minutes=15)),
    DeliveryFilter(channels=("twitter",)),
    DeliveryFilter(channels=("blog", "facebook"), kinds=("article",)),
    DeliveryFilter(kinds=("event",), due_from=NOW + timedelta(hours=2)),
    DeliveryFilter(due_from=NOW - timedelta(hours=3), due_to=NOW + timedelta(hours=4)),
    DeliveryFilter(item_ids=(1, 2, 5)),
    DeliveryFilter(states=("cancelled",), channels=("facebook",), kinds=("event",), limit=1),
]


@pytest.mark.parametrize("where", FILTERS, ids=range(len(FILTERS)))
def test_a_list_gives_the_same_deliveries(
    ledger: tuple[Store, Reader], where: DeliveryFilter
) -> None:
    store, reader = ledger
    found = reader.list_deliveries(where)
    _same(found, store.list_deliveries(where))
    assert found or where.limit == 1  # each filter finds something (the last: one row)


def test_every_item_is_shown_the_same_with_its_attempts(ledger: tuple[Store, Reader]) -> None:
    store, reader = ledger
    items = {d.item.id for d in store.list_deliveries()} | {i.id for i in store.drafts()}
    assert len(items) > 10
    for item_id in sorted(items):
        ours, theirs = reader.get_item(item_id), store.get_item(item_id)
        _same([ours.item, *ours.deliveries], [theirs.item, *theirs.deliveries])
    assert any(d.attempt_history for d in reader.get_item(2).deliveries)


def test_what_status_reads_is_the_same(ledger: tuple[Store, Reader]) -> None:
    store, reader = ledger
    assert reader.count_by_state() == store.count_by_state()
    assert set(reader.count_by_state()) == {s.value for s in State}
    _same(reader.workers(), store.workers())
    _same(reader.paused_channels(), store.paused_channels())
    assert reader.drafts_waiting() == store.drafts_waiting()
    assert reader.drafts_waiting().count == 1
    for now in (NOW, NOW - timedelta(hours=3), NOW + timedelta(days=1)):
        _same(reader.stuck(now), store.stuck(now))
    assert reader.stuck(NOW)
    _same(reader.held_announcements(), store.held_announcements())
    assert reader.held_announcements()


def test_a_missing_item_is_refused_with_the_same_words(ledger: tuple[Store, Reader]) -> None:
    from crosspost.errors import NotFound

    store, reader = ledger
    with pytest.raises(NotFound) as ours:
        reader.get_item(9999)
    with pytest.raises(NotFound) as theirs:
        store.get_item(9999)
    assert str(ours.value) == str(theirs.value)


def test_the_reader_knows_every_column_the_store_reads() -> None:
    """A column added to crosspost/models.py must be read (and decoded) here too."""
    from crosspost.models import StateColumn, UTCDateTime
    from crosspost.sqlite_reads import _bool, _json, _state, _time

    for table, decoders in COLUMNS.items():
        columns = Base.metadata.tables[table].columns
        assert set(decoders) == {c.name for c in columns}, table
        for column in columns:
            kind = type(column.type)
            expected = {UTCDateTime: _time, StateColumn: _state}.get(kind)  # type: ignore[call-overload]
            if expected is None:
                expected = {"JSON": _json, "Boolean": _bool}.get(kind.__name__)
            assert decoders[column.name] is expected, f"{table}.{column.name}"


def test_an_older_schema_is_left_to_the_store(ledger: tuple[Store, Reader], tmp_path: Path) -> None:
    """Not at the newest migration: the store opens it, and upgrades it as before."""
    path = tmp_path / "ledger.db"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = 'an_older_one'")
    assert open_reader(f"sqlite:///{path}", lambda: None) is None
    assert open_reader(f"sqlite:///{tmp_path / 'none.db'}", lambda: None) is None
    assert open_reader(f"sqlite:///{path}?timeout=15", lambda: None) is None
    assert not (tmp_path / "none.db").exists()  # the reader never creates a ledger


# ---------------------------------------------------------------- the commands


@pytest.fixture
def two_urls(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One ledger, named so that the commands read it with the reader, then with the store."""
    import shutil

    from tests.conftest import CONFIG

    path = tmp_path / "ledger.db"
    shutil.copyfile(sqlite_template, path)
    store = Store.open(f"sqlite:///{path}")
    with time_machine.travel(NOW - timedelta(hours=4), tick=False):
        build(store)
    store.close()
    root = tmp_path / "ws"
    root.mkdir()
    (root / "crosspost.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(root)
    return [f"sqlite:///{path}", f"sqlite:///{path}?timeout=15"]


COMMANDS = [
    ("list",),
    ("list", "--json"),
    ("list", "--limit", "3"),
    ("list", "--status", "failed", "--status", "unknown"),
    ("list", "--channel", "twitter", "--kind", "scoop", "--json"),
    ("list", "--from", "2026-12-09 10:00", "--to", "2026-12-09 15:00"),
    ("list", "--kind", "job"),
    ("show", "1"),
    ("show", "1", "--json"),
    ("show", "2"),
    ("show", "4", "--json"),
    ("show", "999"),
    ("show", "999", "--json"),
    ("status",),
    ("status", "--json"),
]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_commands_print_the_same_either_way(
    two_urls: list[str], cli: Cli, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    monkeypatch.setenv("LANGUAGE", language)
    with time_machine.travel(NOW, tick=False):
        for command in COMMANDS:
            outputs = []
            for url in two_urls:
                monkeypatch.setenv("CROSSPOST_DATABASE_URL", url)
                result = cli(*command, ok=False)
                outputs.append((result.code, result.out, result.err))
            assert outputs[0] == outputs[1], command
            assert outputs[0][1] or outputs[0][2], command


def test_a_read_on_an_older_schema_upgrades_it_as_before(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`list` on a ledger one migration behind: the store upgrades it, then it lists."""
    from alembic import command
    from crosspost.db import (
        HEAD_REVISION,
        alembic_config,
        make_engine,
        migration_transaction,
        stored_revision,
        upgrade,
    )
    from tests.conftest import CONFIG

    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    config = alembic_config(engine)
    with migration_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    assert stored_revision(engine) != HEAD_REVISION
    root = tmp_path / "ws"
    root.mkdir()
    (root / "crosspost.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", f"sqlite:///{path}")
    assert cli("list").out.strip() == "Nothing queued."
    assert stored_revision(engine) == HEAD_REVISION
    engine.dispose()
