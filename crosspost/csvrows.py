"""CSV files of items: each data row, numbered as a spreadsheet shows it, with what is
wrong with the row itself (quotes, field counts, text under a column without a name)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from crosspost.errors import InputError
from crosspost.i18n import _, ngettext
from crosspost.item_fields import ALIASES, FIELDS


@dataclass(frozen=True)
class CsvRow:
    """A data row: its number as a spreadsheet shows it, its fields, what is wrong with it."""

    number: int
    fields: dict[str, Any]
    problems: tuple[str, ...] = ()


def from_csv(text: str) -> Iterator[CsvRow]:
    """Each non-blank data row of a ';', ',' or tab separated file with a header row."""
    # The separator is the one the header uses most: field names never contain one,
    # while data rows may (csv.Sniffer is misled by quotes and by uneven rows).
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line.strip() else ","
    # Spreadsheets quote with " and double it inside a field. strict: a quote left
    # open is an error, not a field that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text), dialect=csv.excel, delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error:
        raise InputError(
            _('CSV header: the first line has a stray quote ("); it must name the fields')
        ) from None
    if not header or not any(name.strip() for name in header):
        raise InputError(_("the CSV file is empty; its first line must name the fields"))
    unknown = [
        name
        for name in header
        if ALIASES.get(_key(name), _key(name)) not in FIELDS and name.strip()
    ]
    if unknown:
        raise InputError(
            _("CSV header: unknown column {columns}; expected some of {fields}").format(
                columns=", ".join(map(repr, unknown)), fields=", ".join(FIELDS)
            )
        )
    separator = _("tab") if delimiter == "\t" else repr(delimiter)
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield CsvRow(number, {}, (_quote_problem(str(exc)),))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        problems: tuple[str, ...] = ()
        # Empty cells past the header's end are a spreadsheet's habit, and shift nothing.
        while len(cells) > len(header) and not cells[-1].strip():
            cells.pop()
        if len(cells) != len(header):
            problems = (_count_problem(len(cells), len(header), separator),)
        fields = {name: value for name, value in zip(header, cells, strict=False) if name.strip()}
        unnamed = [
            str(column)
            for column, (name, value) in enumerate(zip(header, cells, strict=False), start=1)
            if not name.strip() and value.strip()
        ]
        if unnamed:
            # Never drop what the officer wrote: a value needs a column name to go anywhere.
            problems += (
                _(
                    "column {columns} has no name in the header but holds text; "
                    "name it ({fields}) or empty it"
                ).format(columns=", ".join(unnamed), fields=", ".join(FIELDS)),
            )
        yield CsvRow(number, fields, problems)


def _quote_problem(error: str) -> str:
    if "end of data" in error:
        return _(
            'a quote (") opens a field and is never closed, so the rest of the file '
            'was read into it; close it, or double a quote meant as text ("")'
        )
    return _(
        'a quote (") ends a field before its separator; quote the whole field '
        '("like this") and double the quotes inside it ("")'
    )


def _count_problem(found: int, expected: int, separator: str) -> str:
    if found < expected:
        return ngettext(
            "{found} field where the header names {expected}; "
            "a field is missing (leave it empty between two {separator} if it has no value)",
            "{found} fields where the header names {expected}; "
            "a field is missing (leave it empty between two {separator} if it has no value)",
            found,
        ).format(found=found, expected=expected, separator=separator)
    return _(
        "{found} fields where the header names {expected}; a text containing "
        '{separator} must be quoted ("like, this")'
    ).format(found=found, expected=expected, separator=separator)


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")
