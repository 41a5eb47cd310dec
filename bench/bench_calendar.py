"""Calendar exports of a large ledger, timed against naive exports in the same run.

    python bench/bench_calendar.py [--deliveries 10000] [--db URL] [--no-append]

Builds a ledger (fake channels, a year of items on two channels each, a fifth of
them published, some failed or cancelled) through the Store API, then exports
it to ICS, CSV, HTML and Markdown twice each:

  streaming  what `crosspost calendar` does: rows read in batches, written as they come
  baseline   one list_deliveries() call for the whole range, then the same writer
             (for ICS: one icalendar Calendar holding every event, serialised at the end)

Prints a table (seconds, peak Python memory) and appends it to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shlex
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIG = """\
timezone = "Europe/Paris"
organisation = "Bench"

[channels.blog]
type = "fake"
label = "Blog"

[channels.twitter]
type = "fake"
label = "X"

[channels.facebook]
type = "fake"
label = "Facebook"
"""

START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
END = datetime(2028, 1, 3, 0, 0, tzinfo=UTC)


def build(store: Any, deliveries: int) -> None:
    """`deliveries` deliveries: two channels per item, spread over a year, in every state."""
    from crosspost.domain import NewItem, PlannedDelivery
    from crosspost.states import State

    channels = ("blog", "twitter", "facebook")
    items = deliveries // 2
    step = (END - START - timedelta(days=2)) / items
    batch = []
    for n in range(items):
        at = START + step * n
        first, second = channels[n % 3], channels[(n + 1) % 3]
        new = NewItem(
            kind=("event", "scoop", "article")[n % 3],
            title=f"Item {n}: repair café, vélos; « tout » ça",
            body="Un texte de quelques lignes,\navec des accents : é, è, à, ç.",
            requested_at=at,
        )
        batch.append((new, [PlannedDelivery(first, at), PlannedDelivery(second, at)]))
        if len(batch) == 1000:
            store.add_items(batch)
            batch = []
    if batch:
        store.add_items(batch)
    # A fifth published, a few failed and cancelled: the states the exports colour.
    ids = [d.id for d in store.list_deliveries()]
    for number, delivery_id in enumerate(ids):
        if number % 5 == 0:
            store.move(delivery_id, State.PENDING, State.CLAIMED)
            store.move(delivery_id, State.CLAIMED, State.SENDING)
            store.move(delivery_id, State.SENDING, State.PUBLISHED, published_at=START,
                       remote_url=f"https://example.org/posts/{delivery_id}")  # fmt: skip
        elif number % 50 == 1:
            store.move(delivery_id, State.PENDING, State.CLAIMED)
            store.move(delivery_id, State.CLAIMED, State.SENDING)
            store.move(delivery_id, State.SENDING, State.FAILED, last_error="403: duplicate")
        elif number % 50 == 2:
            store.move(delivery_id, State.PENDING, State.CANCELLED)


# ---------------------------------------------------------------- the exports


def _streaming_rows(store: Any, settings: Any) -> Iterator[Any]:
    from crosspost.calendar.rows import Query, iter_rows

    return iter_rows(store, settings, Query(START, END))


def _loaded_rows(store: Any, settings: Any) -> list[Any]:
    """The naive read: every delivery of the range in one list, then the same Row shape."""
    from crosspost.calendar.rows import Row, channel_labels
    from crosspost.store import DeliveryFilter

    everything = store.list_deliveries(DeliveryFilter(due_from=START, due_to=END))
    stamps = store.modified_at([d.id for d in everything])
    labels = channel_labels(settings)
    return [
        Row(d, labels[d.channel], d.due_at.astimezone(settings.zone), stamps[d.id])
        for d in everything
    ]


def ics_streaming(store: Any, settings: Any) -> int:
    from crosspost.calendar.ics import write_ics

    out = io.BytesIO()
    write_ics(_streaming_rows(store, settings), out, settings=settings, start=START, end=END)
    return len(out.getvalue())


def ics_baseline(store: Any, settings: Any) -> int:
    from icalendar import Calendar

    from crosspost.calendar.ics import delivery_event, description
    from crosspost.calendar.rows import rendered_text

    zone = settings.zone
    calendar = Calendar.new(name="Bench")
    for row in _loaded_rows(store, settings):
        text = rendered_text(settings, row.delivery)
        calendar.add_component(delivery_event(row, zone, lambda r, t=text: description(r, t, zone)))
    calendar.add_missing_timezones()
    return len(calendar.to_ical())


def csv_streaming(store: Any, settings: Any) -> int:
    from crosspost.calendar.csvfile import write_csv

    out = io.StringIO()
    write_csv(_streaming_rows(store, settings), out, delimiter=";", bom=True)
    return len(out.getvalue().encode())


def csv_baseline(store: Any, settings: Any) -> int:
    from crosspost.calendar.csvfile import write_csv

    out = io.StringIO()
    write_csv(_loaded_rows(store, settings), out, delimiter=";", bom=True)
    return len(out.getvalue().encode())


def _page(settings: Any) -> Any:
    from crosspost.calendar.html import Page
    from crosspost.calendar.rows import channel_labels

    return Page(
        title="Bench",
        first_day=START.astimezone(settings.zone).date(),
        last_day=(END - timedelta(microseconds=1)).astimezone(settings.zone).date(),
        zone_name=settings.zone.key,
        generated="now",
        today=date(2027, 6, 1),
        labels=channel_labels(settings),
    )


def html_streaming(store: Any, settings: Any) -> int:
    from crosspost.calendar.html import write_html

    out = io.StringIO()
    write_html(_streaming_rows(store, settings), out, page=_page(settings))
    return len(out.getvalue().encode())


def html_baseline(store: Any, settings: Any) -> int:
    from crosspost.calendar.html import write_html

    out = io.StringIO()
    write_html(_loaded_rows(store, settings), out, page=_page(settings))
    return len(out.getvalue().encode())


def _markdown(store: Any, settings: Any, rows: Any) -> int:
    from crosspost.calendar.markdown import write_markdown
    from crosspost.calendar.rows import Query, channel_labels

    out = io.StringIO()
    write_markdown(
        rows,
        out,
        title="Bench",
        first_day=START.date(),
        last_day=END.date(),
        zone_name=settings.zone.key,
        counts=store.count_by_channel_state(Query(START, END).where()),
        labels=channel_labels(settings),
    )
    return len(out.getvalue().encode())


def markdown_streaming(store: Any, settings: Any) -> int:
    return _markdown(store, settings, _streaming_rows(store, settings))


def markdown_baseline(store: Any, settings: Any) -> int:
    return _markdown(store, settings, _loaded_rows(store, settings))


EXPORTS: tuple[tuple[str, Callable[[Any, Any], int], Callable[[Any, Any], int]], ...] = (
    ("ICS", ics_streaming, ics_baseline),
    ("CSV", csv_streaming, csv_baseline),
    ("HTML", html_streaming, html_baseline),
    ("Markdown", markdown_streaming, markdown_baseline),
)


def measure(
    run: Callable[[Any, Any], int], store: Any, settings: Any, repeat: int
) -> tuple[float, float, float, int]:
    """(best wall seconds, best CPU seconds, peak MiB of Python allocations, bytes written).

    CPU time is given too because a busy machine stretches wall time, not CPU time.
    Memory is measured in one more run: tracemalloc slows everything it watches.
    """
    wall = cpu = float("inf")
    size = 0
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        size = run(store, settings)
        wall = min(wall, time.perf_counter() - began)
        cpu = min(cpu, time.process_time() - began_cpu)
    tracemalloc.start()
    run(store, settings)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return wall, cpu, peak / 2**20, size


# ---------------------------------------------------------------- the report


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{kib / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    return f"{os.cpu_count()} cores ({model}), {ram}, {platform.system()} {platform.release()}"


def versions(db_url: str) -> str:
    from importlib.metadata import version

    parts = [
        f"Python {platform.python_version()}",
        f"icalendar {version('icalendar')}",
        f"SQLAlchemy {version('SQLAlchemy')}",
    ]
    if db_url.startswith("sqlite"):
        parts.append(f"SQLite {sqlite3.sqlite_version}")
    else:
        parts.append(f"psycopg {version('psycopg')}")
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per export; the best counts")
    parser.add_argument("--no-append", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()

    from channels.registry import register
    from crosspost.config import parse_settings
    from crosspost.store import Store
    from tests.support.fakechannel import FakeChannel

    register("fake", FakeChannel)  # test support, not an installed channel type
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "crosspost.toml"
        config.write_text(CONFIG, encoding="utf-8")
        settings = parse_settings(config.read_bytes(), config)
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = Store.open(url)
        began = time.perf_counter()
        build(store, args.deliveries)
        built = time.perf_counter() - began
        count = len(store.list_deliveries())
        lines = [
            "| Export | Streaming s (CPU s) | Baseline s (CPU s) | Streaming peak MiB "
            "| Baseline peak MiB | Output MiB |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, streaming, baseline in EXPORTS:
            ours = measure(streaming, store, settings, args.repeat)
            naive = measure(baseline, store, settings, args.repeat)
            lines.append(
                f"| {name} | {ours[0]:.2f} ({ours[1]:.2f}) | {naive[0]:.2f} ({naive[1]:.2f}) "
                f"| {ours[2]:.1f} | {naive[2]:.1f} | {ours[3] / 2**20:.1f} |"
            )
            print(lines[-1], flush=True)
        store.close()
    database = "SQLite (file)" if url.startswith("sqlite") else url.split("://", 1)[0]
    report = [
        f"## Calendar exports, {count:,} deliveries ({datetime.now(UTC):%Y-%m-%d})",
        "",
        f"- Command: `{' '.join(shlex.quote(a) for a in ['python', *sys.argv])}`",
        f"- Machine: {machine()}",
        f"- Versions: {versions(url)}; database: {database}",
        f"- Ledger built in {built:.1f} s through the Store API (not part of the timings).",
        "- Streaming: rows read 1,000 at a time and written as they come (what "
        "`crosspost calendar` does); baseline: one list_deliveries() for the whole range "
        "(for ICS, one icalendar Calendar serialised at the end). Seconds: best of "
        f"{args.repeat} runs, wall clock (CPU time of this process in brackets: other work "
        "on the machine stretches the first, not the second). Peak memory: Python's "
        "(tracemalloc), in one more run.",
        "",
        *lines,
        "",
    ]
    print("\n".join(report))
    if not args.no_append:
        results = ROOT / "bench" / "RESULTS.md"
        with results.open("a", encoding="utf-8") as out:
            out.write("\n".join(report) + "\n")
        print(f"Appended to {results}")


if __name__ == "__main__":
    main()
