"""Which month grids the HTML calendar draws for a range of days.

One grid per month, showing only the weeks of the range. A range that starts late
in a month (from 28 December) would open on a grid of a few days, then repeat that
week greyed at the top of the next month: a near-empty grid on screen and a
near-blank first page on paper. So a month with at most a week of days in the range,
at its start or its end, is drawn inside its neighbour's grid instead, as long as that
grid stays within six week rows (what an A4 landscape page holds).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from crosspost.calendar.rows import week_start

#: A month with this many days of the range or fewer joins its neighbour's grid.
FOLDED_DAYS = 7

#: The week rows a grid may have: six fit an A4 landscape page under the header.
MAX_ROWS = 6


@dataclass(frozen=True)
class Grid:
    """One month's grid: named after `month`, its days `first` to `last` shown as in range."""

    month: date
    first: date
    last: date

    @property
    def rows(self) -> int:
        """How many week rows the grid has."""
        return (week_start(self.last) - week_start(self.first)).days // 7 + 1

    def weeks(self) -> Iterator[date]:
        """The Monday of each row."""
        monday = week_start(self.first)
        while monday <= self.last:
            yield monday
            monday += timedelta(weeks=1)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def plain_grids(first_day: date, last_day: date) -> list[Grid]:
    """One grid per calendar month the range touches, each cut to the range."""
    grids = []
    month = first_day.replace(day=1)
    while month <= last_day:
        end = _next_month(month) - timedelta(days=1)
        grids.append(Grid(month, max(month, first_day), min(end, last_day)))
        month = _next_month(month)
    return grids


def month_grids(first_day: date, last_day: date) -> list[Grid]:
    """The grids to draw: a short leading or trailing month folded into its neighbour's."""
    grids = plain_grids(first_day, last_day)
    if len(grids) > 1:
        lead, after = grids[0], grids[1]
        merged = Grid(after.month, lead.first, after.last)
        if _days(lead) <= FOLDED_DAYS and merged.rows <= MAX_ROWS:
            grids[:2] = [merged]
    if len(grids) > 1:
        before, tail = grids[-2], grids[-1]
        merged = Grid(before.month, before.first, tail.last)
        if _days(tail) <= FOLDED_DAYS and merged.rows <= MAX_ROWS:
            grids[-2:] = [merged]
    return grids


def _days(grid: Grid) -> int:
    return (grid.last - grid.first).days + 1
