"""`crosspost calendar`: the range, the filters, the formats, files, and mistakes explained."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from crosspost.states import State
from crosspost.store import Store
from tests.conftest import Cli

PARIS = ZoneInfo("Europe/Paris")


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


@pytest.fixture(autouse=True)
def clock() -> object:
    # Sunday 29 November 2026 while the items are written, so their times are in the future.
    with time_machine.travel(paris("2026-11-29 17:00"), tick=False) as traveller:
        yield traveller


def _later(traveller: time_machine.Coordinates) -> None:
    """Wednesday 9 December 2026, 10:00: this week runs from the 7th to the 13th."""
    traveller.move_to(paris("2026-12-09 10:00"))


def _add(cli: Cli, kind: str, title: str, at: str, *more: str) -> None:
    cli("add", "--kind", kind, "--title", title, "--at", at, *more)


@pytest.fixture
def month(workspace: Path, cli: Cli, db_url: str) -> Iterator[Store]:
    _add(cli, "scoop", "Dimanche d'avant", "2026-12-06 18:00")
    _add(cli, "scoop", "Tout début", "2026-12-07 00:30")
    _add(cli, "event", "Repair café", "2026-12-10 18:00", "--event-start", "2026-12-12 14:00",
         "--location", "Maison des associations")  # fmt: skip
    _add(cli, "scoop", "Dernier soir", "2027-01-03 23:00")
    _add(cli, "scoop", "Trop tard", "2027-01-04 00:00")
    store = Store.open(db_url)
    [delivery] = store.get_item(2).deliveries
    store.move(delivery.id, State.PENDING, State.CLAIMED)
    store.move(delivery.id, State.CLAIMED, State.SENDING)
    store.move(delivery.id, State.SENDING, State.PUBLISHED, published_at=delivery.due_at,
               remote_url="https://x.example/42")  # fmt: skip
    yield store
    store.close()


def test_default_is_this_week_and_the_next_three(
    month: Store, cli: Cli, clock: time_machine.Coordinates
) -> None:
    _later(clock)
    out = cli("calendar").out
    assert out.startswith("Editorial calendar, 2026-12-07 to 2027-01-03 (Europe/Paris)\n\n")
    # Every channel of the test config is labelled "Fake": the names tell them apart.
    assert "Monday 7 December 2026\n  00:30  twitter   scoop" in out
    assert "Tout début" in out
    assert "published     https://x.example/42" in out
    assert "Thursday 10 December 2026\n  18:00  facebook  event" in out
    assert "Sunday 3 January 2027\n  23:00" in out
    assert "Dimanche d'avant" not in out
    assert "Trop tard" not in out


def test_a_date_alone_in_to_includes_that_day(month: Store, cli: Cli) -> None:
    out = cli("calendar", "--from", "2026-12-06", "--to", "2026-12-07").out
    assert "Dimanche d'avant" in out
    assert "Tout début" in out
    assert "Repair café" not in out


def test_filters_by_channel_state_and_kind(month: Store, cli: Cli) -> None:
    wide = ("--from", "2026-12-01", "--to", "2027-01-31")
    out = cli("calendar", *wide, "--status", "published").out
    assert "Tout début" in out
    assert "Repair café" not in out
    out = cli("calendar", *wide, "--channel", "facebook").out
    assert "Repair café" in out
    assert "Tout début" not in out
    out = cli("calendar", *wide, "--kind", "event").out
    assert [line for line in out.splitlines() if line.startswith("  ")] == [
        "  18:00  facebook  event         Repair café                               pending"
    ]


def test_an_empty_period_says_so(month: Store, cli: Cli) -> None:
    out = cli("calendar", "--from", "2027-06-01", "--to", "2027-06-30").out
    assert out.endswith("Nothing planned in this period.\n")


def test_ics_to_a_file_replaces_it_whole(month: Store, cli: Cli, workspace: Path) -> None:
    target = workspace / "public" / "calendar.ics"
    target.parent.mkdir()
    target.write_text("an older export", encoding="utf-8")
    result = cli("calendar", "--format", "ics", "--from", "2026-12-01", "--to", "2026-12-31",
                 "-o", str(target))  # fmt: skip
    assert result.out == (f"Wrote 3 deliveries to {target} (2026-12-01 to 2026-12-31).\n")
    events = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        "[facebook] Repair café",
        "[twitter] Dimanche d'avant",
        "[twitter] Tout début",
    ]
    assert sorted(p.name for p in target.parent.iterdir()) == ["calendar.ics"]  # no leftovers
    assert oct(target.stat().st_mode & 0o777) == "0o644"  # a web server can serve it


def test_ics_on_standard_output(month: Store, cli: Cli) -> None:
    out = cli("calendar", "--format", "ics", "--from", "2026-12-07", "--to", "2026-12-07").out
    [event] = Calendar.from_ical(out).walk("VEVENT")
    assert event["SUMMARY"] == "[twitter] Tout début"
    assert event["STATUS"] == "CONFIRMED"


def test_the_public_agenda(month: Store, cli: Cli) -> None:
    out = cli("calendar", "--format", "ics", "--agenda", "--from", "2026-12-01").out
    [event] = Calendar.from_ical(out).walk("VEVENT")
    assert event["SUMMARY"] == "Repair café"
    assert event.decoded("DTSTART") == paris("2026-12-12 14:00")
    assert event["LOCATION"] == "Maison des associations"


def test_csv_for_a_french_spreadsheet(month: Store, cli: Cli, workspace: Path) -> None:
    cli("calendar", "--format", "csv", "--delimiter", ";", "--bom", "--from", "2026-12-01",
        "-o", "agenda.csv")  # fmt: skip
    raw = (workspace / "agenda.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfdate;time;")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert [(r["date"], r["time"], r["title"]) for r in rows] == [
        ("2026-12-06", "18:00", "Dimanche d'avant"),
        ("2026-12-07", "00:30", "Tout début"),
        ("2026-12-10", "18:00", "Repair café"),
    ]


def test_markdown_and_html(month: Store, cli: Cli, workspace: Path) -> None:
    markdown = cli("calendar", "--format", "markdown", "--from", "2026-12-01").out
    assert markdown.startswith("# Editorial calendar\n")
    assert "| Thu 10 Dec | 18:00 | facebook | event | Repair café | pending |" in markdown
    cli("calendar", "--format", "html", "--from", "2026-12-01", "-o", "month.html")
    html = (workspace / "month.html").read_text(encoding="utf-8")
    assert "<h2>December 2026</h2>" in html
    assert "Repair café" in html


def test_exports_never_change_the_ledger(month: Store, cli: Cli) -> None:
    ids = [d.id for d in month.list_deliveries()]
    before = (month.list_deliveries(), month.modified_at(ids))
    for fmt in ("table", "ics", "csv", "html", "markdown"):
        cli("calendar", "--format", fmt, "--from", "2026-11-01", "--to", "2027-02-01")
    cli("calendar", "--format", "ics", "--agenda")
    cli("health", ok=False)
    assert (month.list_deliveries(), month.modified_at(ids)) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--format", "pdf"], "format: expected one of table, ics, csv, html, markdown"),
        (["--format", "csv", "--agenda"], "agenda: --agenda is an ICS feed"),
        (["--format", "ics", "--bom"], "--delimiter and --bom apply to --format csv"),
        (["--status", "done"], "status: expected one of pending, claimed"),
        (["--channel", "tiktok"], "channel: no channel named 'tiktok'"),
        (["--kind", "fête"], "kind: expected one of event, scoop"),
        (["--from", "bientôt"], "from: 'bientôt' is not a time"),
        (["--from", "2026-12-10", "--to", "2026-12-01"], "to: the end (2026-12-01) must come"),
        (["--format", "ics", "-o", "nowhere/x.ics"], "output: the folder nowhere does not exist"),
    ],
)
def test_mistakes_are_explained(workspace: Path, cli: Cli, args: list[str], expected: str) -> None:
    result = cli("calendar", *args, ok=False)
    assert result.code == 1
    assert expected in result.err


@pytest.mark.parametrize("delimiter", [";;", "", '"'])
def test_a_delimiter_of_more_than_one_character_is_refused(
    workspace: Path, cli: Cli, delimiter: str
) -> None:
    result = cli("calendar", "--format", "csv", "--delimiter", delimiter, ok=False)
    assert result.code == 1
    assert "delimiter: expected one character, like ';' or ',' (or 'tab')" in result.err
    assert "Internal error" not in result.err
