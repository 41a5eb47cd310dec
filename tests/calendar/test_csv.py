"""CSV export: what a spreadsheet shows when the file is opened."""

from __future__ import annotations

import csv
import io

from crosspost.calendar.csvfile import COLUMNS, write_csv
from tests.calendar.conftest import Ledger


def _export(ledger: Ledger, **options: object) -> str:
    out = io.StringIO(newline="")
    write_csv(ledger.rows(), out, **options)  # type: ignore[arg-type]
    return out.getvalue()


def test_one_row_per_delivery_with_local_date_and_time(ledger: Ledger) -> None:
    done = ledger.add("blog", "2026-12-01 09:00", "Bilan")
    ledger.publish(done, "https://blog.example/bilan")
    ledger.add("twitter", "2026-12-03 12:30", "Atelier")
    rows = list(csv.DictReader(io.StringIO(_export(ledger))))
    assert list(rows[0]) == list(COLUMNS)
    assert [(r["date"], r["time"], r["channel_label"], r["state"]) for r in rows] == [
        ("2026-12-01", "09:00", "Blog", "published"),
        ("2026-12-03", "12:30", "X", "pending"),
    ]
    assert rows[0]["url"] == "https://blog.example/bilan"
    assert rows[0]["due_at_utc"] == "2026-12-01T08:00:00Z"
    assert rows[0]["delivery_key"] == done.key


def test_french_spreadsheets_semicolons_bom_and_crlf(ledger: Ledger) -> None:
    ledger.add("facebook", "2026-12-05 10:00", 'Repair café; vélos, "trottinettes"')
    text = _export(ledger, delimiter=";", bom=True)
    assert text.startswith("\ufeffdate;time;channel;")
    assert text.endswith("\r\n")
    assert ';"Repair café; vélos, ""trottinettes""";' in text
    [row] = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert row["title"] == 'Repair café; vélos, "trottinettes"'


def test_a_title_is_never_run_as_a_formula(ledger: Ledger) -> None:
    ledger.add("twitter", "2026-12-05 10:00", '=HYPERLINK("http://evil.example","clic")')
    ledger.add("twitter", "2026-12-05 11:00", "-20 % sur les adhésions")
    rows = list(csv.DictReader(io.StringIO(_export(ledger))))
    assert [r["title"] for r in rows] == [
        '\'=HYPERLINK("http://evil.example","clic")',
        "'-20 % sur les adhésions",
    ]
