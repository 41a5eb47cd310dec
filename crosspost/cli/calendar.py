"""`crosspost calendar`: the editorial calendar in the terminal, or exported to a file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crosspost.cli.context import app_context, now, say
from crosspost.cli.filters import STATES, bound, check_names

#: The CSV header choices of --header.
HEADERS = ("labels", "names")

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from crosspost.calendar.rows import Query, Row
    from crosspost.cli.context import AppContext
    from crosspost.config import Settings

app = typer.Typer()

FORMAT_HELP = "table (default), ics, csv, html or markdown."


@app.command("calendar")
def calendar(
    ctx: typer.Context,
    from_: str | None = typer.Option(
        None, "--from", help="First day or time shown (default: Monday of this week)."
    ),
    to: str | None = typer.Option(
        None,
        "--to",
        help="Last day shown (a date alone includes that day; default: four weeks from --from).",
    ),
    channel: list[str] | None = typer.Option(None, "--channel", help="Only these channels."),
    kind: list[str] | None = typer.Option(None, "--kind", "-k", help="Only these kinds."),
    status: list[str] | None = typer.Option(
        None, "--status", "-s", help=f"Only these states ({STATES})."
    ),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    output: Path | None = typer.Option(
        None, "--output", "-o", dir_okay=False, help="Write to this file (default: the terminal)."
    ),
    agenda: bool = typer.Option(
        False,
        "--agenda",
        help="With --format ics: the public agenda, one event per event item at its own "
        "date, time and place.",
    ),
    delimiter: str = typer.Option(
        ",", "--delimiter", help="CSV field separator (';' for French spreadsheets, 'tab')."
    ),
    bom: bool = typer.Option(
        False, "--bom", help="CSV: start with the mark Excel needs to read accents right (BOM)."
    ),
    header: str | None = typer.Option(
        None,
        "--header",
        help="CSV first line: 'labels' (default: column names in the interface language) or "
        "'names' (the fixed column names scripts read, whatever the language).",
    ),
) -> None:
    """Show or export the editorial calendar (this week and the next three by default)."""
    from crosspost.calendar import FORMATS
    from crosspost.calendar.rows import Query
    from crosspost.errors import InputError
    from crosspost.i18n import _, ngettext

    context = app_context(ctx)
    settings = context.settings
    if fmt not in FORMATS:
        raise InputError(
            _("format: expected one of {formats} (got {got})").format(
                formats=", ".join(FORMATS), got=repr(fmt)
            )
        )
    if agenda and fmt != "ics":
        raise InputError(_("agenda: --agenda is an ICS feed; use it with --format ics"))
    if fmt != "csv" and (bom or delimiter != ","):
        raise InputError(_("delimiter: --delimiter and --bom apply to --format csv"))
    if fmt != "csv" and header is not None:
        raise InputError(_("header: --header applies to --format csv"))
    if len(_Options(delimiter, bom).delimiter) != 1 or delimiter in ('"', "\n", "\r"):
        raise InputError(
            _("delimiter: expected one character, like ';' or ',' (or 'tab'), got {got}").format(
                got=repr(delimiter)
            )
        )
    if header not in (None, *HEADERS):
        raise InputError(
            _("header: expected {choices} (got {got})").format(
                choices=" or ".join(HEADERS), got=repr(header)
            )
        )
    check_names(settings, status, channel, kind)
    start, end = _range(from_, to, settings)
    query = Query(
        start=start,
        end=end,
        channels=tuple(channel) if channel else None,
        kinds=tuple(kind) if kind else None,
        states=tuple(status) if status else None,
    )
    if agenda:
        if status:
            raise InputError(
                _("status: the agenda lists event items, not deliveries; drop --status")
            )
        count = _write(output, binary=True, write=lambda out: _agenda(context, query, out))
        wrote = ngettext(
            "Wrote {count} event to {file} ({span}).", "Wrote {count} events to {file} ({span}).",
            count,
        )  # fmt: skip
    else:
        writer = _WRITERS[fmt]
        count = _write(
            output,
            binary=fmt == "ics",
            write=lambda out: writer(context, query, out, _Options(delimiter, bom, header)),
        )
        wrote = ngettext(
            "Wrote {count} delivery to {file} ({span}).",
            "Wrote {count} deliveries to {file} ({span}).",
            count,
        )
    if output is not None:
        say(wrote.format(count=count, file=output, span=_span(start, end, settings.zone)))


# ---------------------------------------------------------------- checking what was asked


def _range(from_: str | None, to: str | None, settings: Settings) -> tuple[datetime, datetime]:
    """[start, end) in UTC; a bare date means its whole day (--to includes it)."""
    from crosspost.calendar.rows import default_range
    from crosspost.errors import InputError
    from crosspost.i18n import _

    zone = settings.zone
    current = now()
    start, end = default_range(current, zone)
    if from_ is not None:
        start = bound("from", from_, settings, current, end_of_day=False)
        end = start + timedelta(weeks=4)
    if to is not None:
        end = bound("to", to, settings, current, end_of_day=True)
    if end <= start:
        raise InputError(
            _("to: the end ({end}) must come after the start ({start})").format(
                end=to or end, start=from_ or start
            )
        )
    return start, end


def _span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    from crosspost.wording import show_span

    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return show_span(start.astimezone(zone).date(), last)


# ---------------------------------------------------------------- writing


class _Options:
    def __init__(self, delimiter: str, bom: bool, header: str | None = None) -> None:
        self.delimiter = "\t" if delimiter.lower() in ("tab", "\\t") else delimiter
        self.bom = bom
        self.header = header or "labels"


def _write(output: Path | None, *, binary: bool, write: Callable[[Any], int]) -> int:
    if output is None:
        return write(
            typer.get_binary_stream("stdout") if binary else typer.get_text_stream("stdout")
        )
    from crosspost.errors import InputError
    from crosspost.i18n import _

    if not output.resolve().parent.is_dir():
        raise InputError(
            _("output: the folder {folder} does not exist").format(folder=output.parent)
        )
    from crosspost.files import replacing

    # A calendar served from that file is never seen half-written.
    with replacing(output, binary=binary) as out:
        return write(out)


def _rows(context: AppContext, query: Query) -> Iterator[Row]:
    from crosspost.calendar.rows import iter_rows

    return iter_rows(context.store, context.settings, query)


def _title(settings: Settings) -> str:
    from crosspost.calendar.page import calendar_title

    return calendar_title(settings)


def _table(context: AppContext, query: Query, out: Any, _options: _Options) -> int:
    from crosspost.calendar.rows import channel_labels
    from crosspost.calendar.table import write_table

    settings = context.settings
    labels = list(channel_labels(settings).values()) or ["channel"]

    def echo(line: str) -> None:
        out.write(line + "\n")

    echo(
        f"{_title(settings)}, {_span(query.start, query.end, settings.zone)} ({settings.zone.key})"
    )
    echo("")
    count = write_table(
        _rows(context, query),
        echo,
        label_width=max(len(label) for label in labels),
        kind_width=max(len(k) for k in settings.kinds),
    )
    if count == 0:
        from crosspost.i18n import _

        echo(_("Nothing planned in this period."))
    return count


def _ics(context: AppContext, query: Query, out: Any, _options: _Options) -> int:
    from crosspost.calendar.ics import write_ics

    return write_ics(
        _rows(context, query), out, settings=context.settings, start=query.start, end=query.end
    )


def _csv(context: AppContext, query: Query, out: Any, options: _Options) -> int:
    from crosspost.calendar.csvfile import write_csv

    return write_csv(
        _rows(context, query),
        out,
        delimiter=options.delimiter,
        bom=options.bom,
        labels=options.header == "labels",
    )


def _html(context: AppContext, query: Query, out: Any, _options: _Options) -> int:
    from crosspost.calendar.html import write_html
    from crosspost.calendar.page import calendar_page

    page = calendar_page(context.settings, context.store, query, now=now())
    return write_html(_rows(context, query), out, page=page)


def _markdown(context: AppContext, query: Query, out: Any, _options: _Options) -> int:
    from crosspost.calendar.markdown import write_markdown
    from crosspost.calendar.rows import channel_labels

    settings = context.settings
    zone = settings.zone
    counts = context.store.count_by_channel_state(query.where())
    return write_markdown(
        _rows(context, query),
        out,
        title=_title(settings),
        first_day=query.start.astimezone(zone).date(),
        last_day=(query.end - timedelta(microseconds=1)).astimezone(zone).date(),
        zone_name=zone.key,
        counts=counts,
        labels=channel_labels(settings),
    )


def _agenda(context: AppContext, query: Query, out: Any) -> int:
    from crosspost.calendar.agenda import write_agenda

    entries = context.store.iter_agenda(
        query.start, query.end, kinds=query.kinds, channels=query.channels
    )
    return write_agenda(entries, out, settings=context.settings, start=query.start, end=query.end)


_WRITERS: dict[str, Callable[[AppContext, Query, Any, _Options], int]] = {
    "table": _table,
    "ics": _ics,
    "csv": _csv,
    "html": _html,
    "markdown": _markdown,
}
