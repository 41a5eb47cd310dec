"""CSV export: one row per delivery, in the shape spreadsheets open without a wizard.

Dates and times are separate local columns (a spreadsheet recognises both);
the UTC instants follow for scripts. `delimiter=";"` suits French spreadsheet
defaults, and `bom=True` makes Excel read the file as UTF-8 (accents intact).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from crosspost.calendar.rows import Row
from crosspost.shapes import instant

COLUMNS = (
    "date",
    "time",
    "channel",
    "channel_label",
    "kind",
    "title",
    "state",
    "url",
    "detail",
    "item_id",
    "delivery_key",
    "due_at_utc",
    "published_at_utc",
)

#: A cell starting with one of these is a formula to a spreadsheet; titles are not formulas.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    # OWASP's advice against CSV injection: a leading quote shows the text as typed.
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_row(row: Row) -> list[str]:
    d = row.delivery
    return [
        row.local.strftime("%Y-%m-%d"),
        row.local.strftime("%H:%M"),
        d.channel,
        row.label,
        d.item.kind,
        _text(row.title),
        d.state,
        row.url or "",
        _text(row.detail),
        str(d.item.id),
        d.key,
        instant(d.due_at) or "",
        instant(d.published_at) or "",
    ]


def write_csv(rows: Iterable[Row], out: TextIO, *, delimiter: str = ",", bom: bool = False) -> int:
    """Write the header and one line per row; returns how many rows were written."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(csv_row(row))
        count += 1
    return count
