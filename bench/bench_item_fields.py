"""What deriving an item's forms from crosspost/item_fields.py costs, beside the explicit code.

    .venv/bin/python bench/bench_item_fields.py [--items 10000] [--repeat 9] [--no-append]

Loads --items real `ItemRow`s (SQLite, every field filled) once, then times, on the
same rows alternately, best of --repeat runs: row -> `Item` as the store does it now
(`crosspost.store._core._item`) and as it was written by hand before (a copy below),
and the `--json` shape of those items (`crosspost.shapes.item_json`, and a copy of the
hand-written one). The listing and exports go through the first for every row they
show; `--json` output through the second.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _common import report, table

from crosspost.domain import Item, NewItem
from crosspost.models import ItemRow
from crosspost.shapes import instant, item_json, local
from crosspost.store import Store
from crosspost.store._core import _item

AT = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def _explicit_item(row: ItemRow) -> Item:
    """The conversion as crosspost/store/_core.py spelled it before item_fields.py."""
    return Item(
        id=row.id, kind=row.kind, title=row.title, body=row.body, link=row.link,
        image_path=row.image_path, image_alt=row.image_alt, tags=tuple(row.tags or ()),
        event_start=row.event_start, event_end=row.event_end, location=row.location,
        requested_at=row.requested_at, deadline=row.deadline,
        step_texts=dict(row.step_texts or {}), variants=dict(row.variants or {}),
        series_id=row.series_id, occurrence=row.occurrence, status=row.status,
        created_at=row.created_at, updated_at=row.updated_at, source=row.source,
        reviewed_at=row.reviewed_at, review_note=row.review_note,
    )  # fmt: skip


def _explicit_json(item: Item, zone: ZoneInfo) -> dict[str, Any]:
    """The shape as crosspost/shapes.py spelled it before item_fields.py."""
    return {
        "id": item.id, "kind": item.kind, "title": item.title, "body": item.body,
        "link": item.link, "image": item.image_path, "alt": item.image_alt,
        "tags": list(item.tags), "event_start": instant(item.event_start),
        "event_end": instant(item.event_end), "location": item.location,
        "deadline": instant(item.deadline), "steps": dict(item.step_texts),
        "variants": dict(item.variants), "publish_at": instant(item.requested_at),
        "publish_at_local": local(item.requested_at, zone), "status": item.status,
        "created_at": instant(item.created_at), "updated_at": instant(item.updated_at),
        "source": item.source, "reviewed_at": instant(item.reviewed_at),
        "review_note": item.review_note,
    }  # fmt: skip


def _new(number: int) -> NewItem:
    start = AT + timedelta(days=number % 300, hours=5)
    return NewItem(
        kind="event",
        title=f"Repair café n°{number} : on répare ensemble",
        requested_at=AT + timedelta(minutes=number),
        body="Apportez vos objets **cassés** : grille-pain, vélos, vêtements.",
        link=f"https://exemple.fr/agenda/{number}?utm_source=crosspost&utm_medium=social",
        image_path="/srv/media/affiche.png",
        image_alt="Affiche : un fer à souder",
        tags=("zérodéchet", "réparation"),
        event_start=start,
        event_end=start + timedelta(hours=4),
        location="Salle des fêtes, 2 rue de l'Église",
        step_texts={"-1d": "Demain : {title}"},
        variants={"mastodon": "Repair café samedi 14 h !"},
        source="Repair Café de Fontaine",
    )


def _best(runs: int, *work: Callable[[], object]) -> list[float]:
    """Best wall-clock seconds of each of `work`, run alternately `runs` times."""
    best = [float("inf")] * len(work)
    for _ in range(runs):
        for index, job in enumerate(work):
            started = time.perf_counter()
            job()
            best[index] = min(best[index], time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'ledger.db'}")
        store.add_items([(_new(n), []) for n in range(args.items)])
        with Session(store.engine) as session:
            rows = list(session.scalars(select(ItemRow)))
            assert [_item(r) for r in rows[:50]] == [_explicit_item(r) for r in rows[:50]]
            items = [_item(r) for r in rows]
            assert all(item_json(i, PARIS) == _explicit_json(i, PARIS) for i in items[:50]), (
                "the derived shape differs from the explicit one"
            )
            derived_item, explicit_item, derived_json, explicit_json = _best(
                args.repeat,
                lambda: [_item(r) for r in rows],
                lambda: [_explicit_item(r) for r in rows],
                lambda: [item_json(i, PARIS) for i in items],
                lambda: [_explicit_json(i, PARIS) for i in items],
            )
        store.close()

    def per_item(seconds: float) -> str:
        return f"{seconds / args.items * 1e6:.1f} µs"

    rows_out = [
        ["row -> Item", per_item(derived_item), per_item(explicit_item),
         f"{derived_item / explicit_item:.2f}x"],
        ["Item -> --json shape", per_item(derived_json), per_item(explicit_json),
         f"{derived_json / explicit_json:.2f}x"],
    ]  # fmt: skip
    body = [
        f"{args.items:,} items of the ledger (every field filled), loaded once; best of "
        f"{args.repeat} runs, derived and explicit alternating.",
        "",
        *table(["Conversion, per item", "Derived", "Explicit (before)", "Ratio"], rows_out),
    ]
    report("Item fields declared once: the derived conversions (issue 10, item 4)", body,
           append=not args.no_append)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
