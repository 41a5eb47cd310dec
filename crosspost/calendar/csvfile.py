"""CSV export: one row per delivery, in the shape spreadsheets open without a wizard.

Dates and times are separate local columns (a spreadsheet recognises both);
the UTC instants follow for scripts. `delimiter=";"` suits French spreadsheet
defaults, and `bom=True` makes Excel read the file as UTF-8 (accents intact).

The first line names the columns for people, in the interface language ("Date",
"Heure", "Canal" in French; English labels are the column names themselves);
`labels=False` writes the fixed names of COLUMNS whatever the language, for scripts.
The columns, their order and their values are the same in every language.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from crosspost.calendar.rows import Row
from crosspost.i18n import pgettext
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


def column_labels() -> list[str]:
    """The header for people: COLUMNS in the language in force (English: COLUMNS as they are)."""
    labels = {
        "date": pgettext("CSV column", "date"),
        "time": pgettext("CSV column", "time"),
        "channel": pgettext("CSV column", "channel"),
        "channel_label": pgettext("CSV column", "channel_label"),
        "kind": pgettext("CSV column", "kind"),
        "title": pgettext("CSV column", "title"),
        "state": pgettext("CSV column", "state"),
        "url": pgettext("CSV column", "url"),
        "detail": pgettext("CSV column", "detail"),
        "item_id": pgettext("CSV column", "item_id"),
        "delivery_key": pgettext("CSV column", "delivery_key"),
        "due_at_utc": pgettext("CSV column", "due_at_utc"),
        "published_at_utc": pgettext("CSV column", "published_at_utc"),
    }
    return [labels[name] for name in COLUMNS]


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


def write_csv(
    rows: Iterable[Row],
    out: TextIO,
    *,
    delimiter: str = ",",
    bom: bool = False,
    labels: bool = True,
) -> int:
    """Write the header and one line per row; returns how many rows were written."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(column_labels() if labels else COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(csv_row(row))
        count += 1
    return count
