"""HTML export: one self-contained page, month grids then a week list, for a projector or A4.

Nothing is fetched: no script, no font, no image, no stylesheet link. A
Content-Security-Policy that allows only this page's own stylesheet (by its
hash) makes that a promise the browser keeps. Links to published posts stay
clickable; following one is the reader's choice, not a request the page makes.

State is readable without colour (a symbol and a line style per state) so a
black-and-white print still tells published from planned from failed.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import escape
from typing import IO, TextIO

from crosspost.calendar.months import Grid, month_grids
from crosspost.calendar.rows import Row, week_columns, week_start
from crosspost.i18n import N_, _, ngettext
from crosspost.language import current
from crosspost.states import State
from crosspost.typography import clock, polish
from crosspost.wording import (
    post_state_name,
    show_date,
    show_day_and_short_month,
    show_day_of_year,
    show_month,
    show_weekday_and_number,
    weekday_abbreviations,
)

#: Channel colours (classes ch-0..ch-7 in STYLE): dark enough for text on white (contrast
#: >= 4.5:1) and told apart without red, which is kept for failures.
PALETTE_SIZE = 8

#: Symbol and word for each state: the symbol survives a black-and-white print.
#: The words are translated where they are shown (`_state`).
STATES: dict[str, tuple[str, str]] = {
    State.PUBLISHED: ("✓", N_("published")),
    State.PENDING: ("○", N_("planned")),
    State.CLAIMED: ("↻", N_("sending")),
    State.SENDING: ("↻", N_("sending")),
    State.FAILED: ("✗", N_("failed")),
    State.UNKNOWN: ("?", N_("unknown: check")),
    State.SKIPPED_LATE: ("✗", N_("not sent (too late)")),
    State.CANCELLED: ("⊘", N_("cancelled")),
}

#: The mark of a post due in one of the policy's quiet times (a moon: night, Sunday rest).
QUIET = "☾"
LEGEND_STATES = (
    State.PUBLISHED,
    State.PENDING,
    State.SENDING,
    State.FAILED,
    State.UNKNOWN,
    State.CANCELLED,
)

#: Entries shown in a grid cell before "+ N more" (the week list has them all).
PER_CELL = 5

#: The week list is kept in memory up to this size, then in a temporary file.
SPOOL_IN_MEMORY = 8 * 2**20

STYLE = """
:root { --fail: #b00020; color: #111; background: #fff;
  font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
body { margin: 1.25rem 1.5rem; font-size: 20px; line-height: 1.3; }
h1 { font-size: 1.8rem; margin: 0; }
h2 { font-size: 1.5rem; margin: 0 0 .4rem; }
h3 { font-size: 1.15rem; margin: 1.2rem 0 .3rem; }
.meta { color: #333; margin: .2rem 0 .6rem; }
.legend { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; list-style: none;
  padding: 0; margin: .2rem 0 .8rem; font-size: .85rem; }
.sw { display: inline-block; width: .9em; height: .9em; border-radius: 2px;
  background: var(--c); vertical-align: -.1em; margin-right: .3em; }
.grid { width: 100%; border-collapse: collapse; table-layout: fixed; }
.grid th { text-align: left; font-size: .85rem; padding: .15rem .35rem;
  border-bottom: 2px solid #111; }
.grid td { vertical-align: top; border: 1px solid #8a8a8a; height: 7.5rem;
  padding: .15rem .25rem; }
.grid td.out { background: #eeeeee; color: #777; }
.grid td.today { box-shadow: inset 0 0 0 3px #111; }
.num { font-weight: 700; font-size: 1rem; }
.grid ul { list-style: none; margin: .1rem 0 0; padding: 0; }
.ev { font-weight: 600; border-left: .4rem double #333; padding-left: .2rem; }
.ev.cancelled { text-decoration: line-through; color: #777; }
.e { border-left: .4rem solid var(--c); background: color-mix(in srgb, var(--c) 16%, #fff);
  margin: 0 0 .15rem; padding: .05rem .3rem; font-size: .84rem; line-height: 1.2;
  border-radius: 2px; overflow: hidden; display: -webkit-box;
  -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
.e b { color: var(--c); }
.e.st-pending, .e.st-claimed, .e.st-sending { background: #fff; outline: 1px dashed var(--c);
  outline-offset: -1px; }
.e.st-failed, .e.st-unknown, .e.st-skipped_late { background: #fde7ea;
  outline: 2px solid var(--fail); outline-offset: -2px; }
.e.st-cancelled { background: #fff; color: #666; text-decoration: line-through;
  border-left-color: #aaa; }
.e.st-cancelled b { color: #666; }
.s { font-weight: 700; }
.st-failed .s, .st-unknown .s, .st-skipped_late .s { color: var(--fail); }
.more { font-size: .72rem; font-style: italic; color: #333; }
.month { margin-bottom: 1.8rem; }
.list { width: 100%; border-collapse: collapse; font-size: .85rem; table-layout: fixed; }
.list th:nth-child(1) { width: 8%; } .list th:nth-child(2) { width: 8%; }
.list th:nth-child(3) { width: 12%; } .list th:nth-child(4) { width: 9%; }
.list th:nth-child(5) { width: 28%; } .list th:nth-child(6) { width: 13%; }
.list th, .list td { text-align: left; vertical-align: top; padding: .2rem .4rem;
  border-bottom: 1px solid #bbb; }
.list th { border-bottom: 2px solid #111; }
.list td { overflow-wrap: anywhere; }
.list td.t { white-space: nowrap; }
.list td.c { font-weight: 700; color: var(--c); }
.q { font-weight: 700; }
.q i { font-style: normal; font-size: 1.2em; line-height: 1; }
.list tr.st-cancelled td { color: #666; text-decoration: line-through; }
.list tr.st-failed td, .list tr.st-unknown td, .list tr.st-skipped_late td {
  background: #fde7ea; }
.list tr.st-failed td.st, .list tr.st-unknown td.st, .list tr.st-skipped_late td.st {
  color: var(--fail); font-weight: 700; }
.detail { overflow-wrap: anywhere; }
.empty { font-style: italic; }
.ch-0 { --c: #1f5fa8; } .ch-1 { --c: #a84f00; } .ch-2 { --c: #0b7a55; } .ch-3 { --c: #7b3fa0; }
.ch-4 { --c: #00707a; } .ch-5 { --c: #7a5a00; } .ch-6 { --c: #a3286a; } .ch-7 { --c: #3d4f66; }
@media print {
  @page { size: A4 landscape; margin: 9mm; }
  @page weeks { size: A4 portrait; margin: 12mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { margin: 0; font-size: 10pt; }
  h1 { font-size: 14pt; } h2 { font-size: 13pt; }
  .meta, .legend { margin: 0 0 2mm; font-size: 8pt; }
  .month { margin: 0 0 4mm; break-inside: avoid-page; }
  .grid td { height: 23mm; }
  .e { font-size: 7.5pt; }
  .weeks { page: weeks; break-before: page; }
  .week { break-inside: avoid-page; }
  .list { font-size: 8pt; }
  a { color: inherit; text-decoration: none; }
}
"""


def _style_hash(style: str) -> str:
    digest = hashlib.sha256(style.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


#: Only the stylesheet above may apply; nothing may be fetched, framed, submitted or run.
CSP = (
    f"default-src 'none'; style-src '{_style_hash(STYLE)}'; img-src 'none'; "
    "font-src 'none'; connect-src 'none'; media-src 'none'; frame-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True)
class Page:
    """What the page says around the deliveries."""

    title: str
    first_day: date
    last_day: date
    zone_name: str
    generated: str
    today: date
    #: Channel name -> label, in the order colours are given (the configured order).
    labels: dict[str, str]
    #: The events themselves, on their own days: day -> (local start, title, cancelled).
    events: dict[date, list[tuple[datetime, str, bool]]] = field(default_factory=dict)
    #: Whether the policy has quiet times (the legend then explains their mark).
    quiet_times: bool = False
    #: "fr": titles and times set the French way ("14 h 30", a narrow space before ":").
    typography: str = "none"

    def clock(self, moment: datetime) -> str:
        """'14:30', or '14 h 30' in French typography."""
        return clock(moment) if self.typography == "fr" else f"{moment:%H:%M}"

    def text(self, text: str) -> str:
        """A title as it is shown (escaped; set the French way in French typography)."""
        return escape(polish(text) if self.typography == "fr" else text)


def _colour_class(page: Page, channel: str) -> str:
    names = list(page.labels)
    index = names.index(channel) if channel in names else len(names)
    return f"ch-{index % PALETTE_SIZE}"


def _state(state: str) -> tuple[str, str]:
    """(symbol, word in the language in force) of a delivery state."""
    symbol, word = STATES.get(state, ("•", state))
    # The ledger's own words take the calendar's feminine form in French ("publiée").
    said = post_state_name(word)
    return symbol, said if said != word else _(word)


def _quiet_words(quiet: str) -> str:
    return _("quiet time ({quiet})").format(quiet=quiet)


def write_html(rows: Iterable[Row], out: TextIO, *, page: Page) -> int:
    """Write the page in one pass over `rows`; returns how many deliveries it lists.

    The week list comes after the grids but is written as the rows go by, into a
    spool that stays in memory while small and moves to a temporary file when not.
    """
    out.write(
        f'<!doctype html>\n<html lang="{current()}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(page.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    )
    out.write(_header(page))
    with tempfile.SpooledTemporaryFile(
        max_size=SPOOL_IN_MEMORY, mode="w+", encoding="utf-8"
    ) as spool:
        weeks = _WeekList(spool, page)
        noted = weeks.note(rows)
        for chunk in _months(noted, page):
            out.write(chunk)
        for _row in noted:  # rows the grids had no day for are still listed
            pass
        weeks.finish()
        spool.seek(0)
        heading = _("Week by week")
        out.write(f'<section class="weeks">\n<h2>{escape(heading)}</h2>\n')
        shutil.copyfileobj(spool, out)
    if weeks.count == 0:
        nothing = _("Nothing is planned in this period.")
        out.write(f'<p class="empty">{escape(nothing)}</p>\n')
    out.write("</section>\n</body>\n</html>\n")
    return weeks.count


def _header(page: Page) -> str:
    meta = _("{first} to {last}; times in {zone}; made {made}.").format(
        first=show_date(page.first_day),
        last=show_date(page.last_day),
        zone=page.zone_name,
        made=page.generated,
    )
    if page.typography == "fr":
        meta = polish(meta)
    channels = "".join(
        f'<li class="{_colour_class(page, name)}"><span class="sw"></span>{escape(label)}</li>'
        for name, label in page.labels.items()
    )
    states = "".join(
        f'<li><span class="s">{symbol}</span> {escape(word)}</li>'
        for symbol, word in map(_state, LEGEND_STATES)
    )
    if page.quiet_times:
        words = _("in a quiet time")
        states += f'<li><span class="q"><i>{QUIET}</i></span> {escape(words)}</li>'
    return (
        f"<header>\n<h1>{escape(page.title)}</h1>\n"
        f'<p class="meta">{escape(_capital(meta))}</p>\n'
        f'<ul class="legend">{channels}</ul>\n<ul class="legend">{states}</ul>\n</header>\n'
    )


class _Peek:
    """An iterator one can look into before taking."""

    def __init__(self, items: Iterable[Row]) -> None:
        self._items = iter(items)
        self._next: Row | None = next(self._items, None)

    def peek(self) -> Row | None:
        return self._next

    def take(self) -> Row:
        assert self._next is not None
        row, self._next = self._next, next(self._items, None)
        return row


def _months(rows: Iterable[Row], page: Page) -> Iterator[str]:
    """One grid per month of the range (crosspost/calendar/months.py says which), with only
    the weeks that fall in the range.

    Rows are taken in order as their day comes up: days outside a grid's part of the range
    are greyed and left empty, their posts appear in their own grid.
    """
    source = _Peek(rows)
    heads = "".join(f"<th>{escape(name)}</th>" for name in weekday_abbreviations())
    for grid in month_grids(page.first_day, page.last_day):
        parts = [
            f'<section class="month">\n<h2>{escape(_capital(show_month(grid.month)))}</h2>\n'
            f'<table class="grid">\n<thead><tr>{heads}</tr></thead>\n<tbody>\n'
        ]
        for monday in grid.weeks():
            parts.append("<tr>")
            for offset in range(7):
                day = monday + timedelta(days=offset)
                inside = grid.first <= day <= grid.last
                entries = _take_day(source, day) if inside else []
                parts.append(_cell(day, entries, page, grid, inside=inside))
            parts.append("</tr>\n")
        parts.append("</tbody>\n</table>\n</section>\n")
        yield "".join(parts)


def _capital(text: str) -> str:
    """A heading starts with a capital: 'Janvier 2027' (French month names are lower case)."""
    return text[:1].upper() + text[1:]


def _take_day(source: _Peek, day: date) -> list[Row]:
    taken = []
    while (row := source.peek()) is not None and row.local.date() <= day:
        taken.append(source.take())
    return [r for r in taken if r.local.date() == day]


def _cell(day: date, entries: Sequence[Row], page: Page, grid: Grid, *, inside: bool) -> str:
    classes = [] if inside else ["out"]
    if day == page.today and inside:
        classes.append("today")
    attr = f' class="{" ".join(classes)}"' if classes else ""
    event = _("event: {title}")
    items = "".join(
        f'<li class="ev{" cancelled" if cancelled else ""}" '
        f'title="{escape(event.format(title=title))}">'
        f"★ {page.clock(start)} <b>{page.text(title)}</b></li>"
        for start, title, cancelled in page.events.get(day, [])
        if inside
    )
    items += "".join(_entry(row, page) for row in entries[:PER_CELL])
    if len(entries) > PER_CELL:
        hidden = len(entries) - PER_CELL
        more = ngettext("+ {count} more", "+ {count} more", hidden).format(count=hidden)
        items += f'<li class="more">{escape(more)}</li>'
    listing = f"<ul>{items}</ul>" if items else ""
    # A day of the neighbouring month drawn in this grid says which month it is ("28 Dec").
    number = str(day.day)
    if inside and day.month != grid.month.month:
        number = escape(show_day_and_short_month(day))
    return f'<td{attr}><span class="num">{number}</span>{listing}</td>'


def _entry(row: Row, page: Page) -> str:
    d = row.delivery
    symbol, word = _state(d.state)
    title = page.text(row.title)
    quiet = ""
    hint = _("{channel}: {title} ({state})").format(channel=row.label, title=row.title, state=word)
    if row.quiet and d.state != State.CANCELLED:
        hint += f" {QUIET} {_quiet_words(row.quiet)}"
        quiet = f'<span class="q"><i>{QUIET}</i></span> '
    classes = f"e {_colour_class(page, d.channel)} st-{escape(d.state)}"
    if quiet:
        classes += " quiet"
    return (
        f'<li class="{classes}" title="{page.text(hint)}">'
        f'<span class="s">{symbol}</span> {page.clock(row.local)} {quiet}'
        f"<b>{escape(row.label)}</b> {title}</li>"
    )


class _WeekList:
    """The week-by-week tables, written as rows pass on their way to the grids."""

    def __init__(self, out: IO[str], page: Page) -> None:
        self.out = out
        self.page = page
        self.count = 0
        self._week: date | None = None

    def note(self, rows: Iterable[Row]) -> Iterator[Row]:
        """Pass `rows` through, listing each one."""
        for row in rows:
            self._add(row)
            yield row

    def _add(self, row: Row) -> None:
        monday = week_start(row.local.date())
        if monday != self._week:
            self._close()
            self._week = monday
            heads = "".join(f"<th>{escape(name)}</th>" for name in week_columns(detail=True))
            self.out.write(
                f'<section class="week">\n<h3>{escape(week_heading(monday, self.page.today))}'
                f'</h3>\n<table class="list"><thead><tr>{heads}</tr></thead><tbody>\n'
            )
        self.out.write(_list_row(row, self.page))
        self.count += 1

    def _close(self) -> None:
        if self._week is not None:
            self.out.write("</tbody></table>\n</section>\n")

    def finish(self) -> None:
        self._close()
        self._week = None


def week_heading(monday: date, today: date) -> str:
    """'Week of Monday 7 December 2026'; in French 'Semaine du lundi 7 décembre', the year
    only when it is not this year's."""
    day = show_day_of_year(monday, today.year) if current() == "fr" else show_date(monday)
    return _("Week of {day}").format(day=day)


def _list_row(row: Row, page: Page) -> str:
    d = row.delivery
    symbol, word = _state(d.state)
    day = row.local.date()
    detail = escape(row.detail)
    if row.url and row.url.startswith(("https://", "http://")):
        url = escape(row.url)
        detail = f'<a href="{url}" rel="noreferrer noopener">{url}</a>'
    state = f"{symbol} {escape(word)}"
    if row.quiet and d.state != State.CANCELLED:
        state += f'<br><span class="q"><i>{QUIET}</i> {escape(_quiet_words(row.quiet))}</span>'
    return (
        f'<tr class="{_colour_class(page, d.channel)} st-{escape(d.state)}">'
        f'<td class="t">{escape(show_weekday_and_number(day))}</td>'
        f'<td class="t">{page.clock(row.local)}</td><td class="c">{escape(row.label)}</td>'
        f"<td>{escape(d.item.kind)}</td><td>{page.text(row.title)}</td>"
        f'<td class="st">{state}</td><td class="detail">{detail}</td></tr>\n'
    )
