"""Markdown export for a wiki or a board report: totals per channel, then a table per week."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TextIO

from crosspost.calendar.rows import Row, week_start
from crosspost.states import IN_FLIGHT, NEEDS_ATTENTION, State
from crosspost.wording import show_date, show_short_day

#: How the totals group the states (a board wants four numbers, not eight).
GROUPS: tuple[tuple[str, frozenset[State]], ...] = (
    ("Planned", frozenset({State.PENDING, *IN_FLIGHT})),
    ("Published", frozenset({State.PUBLISHED})),
    ("Needs attention", NEEDS_ATTENTION),
    ("Cancelled", frozenset({State.CANCELLED})),
)

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def escape(text: str) -> str:
    """Text shown as typed inside a table cell: no accidental bold, link or column break."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def totals_table(counts: Mapping[tuple[str, str], int], labels: Mapping[str, str]) -> list[str]:
    """One line per channel: planned, published, needing attention, cancelled, total."""
    channels = sorted({c for c, _ in counts}, key=lambda c: labels.get(c, c).casefold())
    head = "| Channel | " + " | ".join(name for name, _ in GROUPS) + " | Total |"
    rule = "|---|" + "---:|" * (len(GROUPS) + 1)
    lines = [head, rule]
    for channel in channels:
        numbers = [sum(counts.get((channel, s), 0) for s in states) for _, states in GROUPS]
        total = sum(n for (c, _), n in counts.items() if c == channel)
        cells = " | ".join(str(n) for n in numbers)
        lines.append(f"| {escape(labels.get(channel, channel))} | {cells} | {total} |")
    return lines


def state_cell(row: Row) -> str:
    d = row.delivery
    if d.state == State.PUBLISHED and row.url:
        return f"published ([link](<{row.url}>))"
    if row.detail and d.state in NEEDS_ATTENTION:
        return f"**{d.state}**: {escape(row.detail)}"
    return d.state


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
    out.write(f"From {show_date(first_day)} to {show_date(last_day)}; times in {zone_name}.\n\n")
    if counts:
        out.write("\n".join(totals_table(counts, labels)) + "\n")
    week: date | None = None
    count = 0
    for row in rows:
        monday = week_start(row.local.date())
        if monday != week:
            out.write(f"\n## Week of {show_date(monday)}\n\n")
            out.write("| Day | Time | Channel | Kind | Title | State |\n")
            out.write("|---|---|---|---|---|---|\n")
            week = monday
        d = row.delivery
        out.write(
            f"| {show_short_day(row.local.date())} | {row.local:%H:%M} | {escape(row.label)} | "
            f"{escape(d.item.kind)} | {escape(row.title)} | {state_cell(row)} |\n"
        )
        count += 1
    if not count:
        out.write("\nNothing is planned in this period.\n")
    return count
