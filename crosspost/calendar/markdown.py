"""Markdown export for a wiki or a board report: totals per channel, then a table per week."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TextIO

from crosspost.calendar.rows import Row, week_columns, week_start
from crosspost.i18n import N_, _, pgettext
from crosspost.language import current
from crosspost.states import IN_FLIGHT, NEEDS_ATTENTION, State
from crosspost.wording import post_state_name, show_date, show_day_of_year, show_short_day

#: How the totals group the states (a board wants four numbers, not eight); the names
#: are translated where the table is written.
GROUPS: tuple[tuple[str, frozenset[State]], ...] = (
    (N_("Planned"), frozenset({State.PENDING, *IN_FLIGHT})),
    (N_("Published"), frozenset({State.PUBLISHED})),
    (N_("Needs attention"), NEEDS_ATTENTION),
    (N_("Cancelled"), frozenset({State.CANCELLED})),
)

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def escape(text: str) -> str:
    """Text shown as typed inside a table cell: no accidental bold, link or column break."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def totals_table(counts: Mapping[tuple[str, str], int], labels: Mapping[str, str]) -> list[str]:
    """One line per channel: planned, published, needing attention, cancelled, total."""
    channels = sorted({c for c, _state in counts}, key=lambda c: labels.get(c, c).casefold())
    groups = " | ".join(_(name) for name, _states in GROUPS)
    channel_head, total_head = pgettext("calendar column", "Channel"), _("Total")
    head = f"| {channel_head} | {groups} | {total_head} |"
    rule = "|---|" + "---:|" * (len(GROUPS) + 1)
    lines = [head, rule]
    for channel in channels:
        numbers = [sum(counts.get((channel, s), 0) for s in states) for _, states in GROUPS]
        total = sum(n for (c, _state), n in counts.items() if c == channel)
        cells = " | ".join(str(n) for n in numbers)
        lines.append(f"| {escape(labels.get(channel, channel))} | {cells} | {total} |")
    return lines


def state_cell(row: Row) -> str:
    d = row.delivery
    name = post_state_name(d.state)
    if d.state == State.PUBLISHED and row.url:
        return _("{state} ([link]({url}))").format(state=name, url=f"<{row.url}>")
    if row.detail and d.state in NEEDS_ATTENTION:
        return _("**{state}**: {detail}").format(state=name, detail=escape(row.detail))
    return name


def write_markdown(
    rows: Iterable[Row],
    out: TextIO,
    *,
    title: str,
    first_day: date,
    last_day: date,
    zone_name: str,
    counts: Mapping[tuple[str, str], int],
    labels: Mapping[str, str],
) -> int:
    """Write the report, streaming the weeks; returns how many deliveries were listed."""
    out.write(f"# {escape(title)}\n\n")
    span = _("From {first} to {last}; times in {zone}.").format(
        first=show_date(first_day), last=show_date(last_day), zone=zone_name
    )
    out.write(f"{span}\n\n")
    if counts:
        out.write("\n".join(totals_table(counts, labels)) + "\n")
    week: date | None = None
    count = 0
    for row in rows:
        monday = week_start(row.local.date())
        if monday != week:
            out.write(f"\n## {escape(week_heading(monday, first_day))}\n\n")
            heads = week_columns(detail=False)
            out.write("| " + " | ".join(heads) + " |\n")
            out.write("|---|---|---|---|---|---|\n")
            week = monday
        d = row.delivery
        out.write(
            f"| {show_short_day(row.local.date())} | {row.local:%H:%M} | {escape(row.label)} | "
            f"{escape(d.item.kind)} | {escape(row.title)} | {state_cell(row)} |\n"
        )
        count += 1
    if not count:
        out.write("\n" + _("Nothing is planned in this period.") + "\n")
    return count


def week_heading(monday: date, first_day: date) -> str:
    """'Week of Monday 7 December 2026'; 'Semaine du lundi 7 décembre' (the year only when
    it is not the report's)."""
    if current() == "fr":
        return _("Week of {day}").format(day=show_day_of_year(monday, first_day.year))
    return _("Week of {day}").format(day=show_date(monday))
