"""Which month grids the HTML calendar draws: a short month at either end joins its neighbour."""

from __future__ import annotations

from datetime import date

from crosspost.calendar.months import Grid, month_grids, plain_grids


def test_a_range_starting_on_28_december_opens_on_january_not_on_a_four_day_december() -> None:
    # 28-31 December share January's first week row: no grid of their own, no repeated week.
    grids = month_grids(date(2026, 12, 28), date(2027, 1, 31))
    assert grids == [Grid(date(2027, 1, 1), date(2026, 12, 28), date(2027, 1, 31))]
    assert grids[0].rows == 5
    assert next(iter(grids[0].weeks())) == date(2026, 12, 28)


def test_a_week_that_straddles_two_months_is_one_grid() -> None:
    assert month_grids(date(2026, 12, 28), date(2027, 1, 3)) == [
        Grid(date(2027, 1, 1), date(2026, 12, 28), date(2027, 1, 3))
    ]


def test_a_short_trailing_month_joins_the_month_before() -> None:
    # 1-2 January at the end of a December export: shown in December's last row.
    assert month_grids(date(2026, 12, 1), date(2027, 1, 2)) == [
        Grid(date(2026, 12, 1), date(2026, 12, 1), date(2027, 1, 2))
    ]


def test_a_leading_week_joins_when_the_grid_stays_on_one_page() -> None:
    # 22-28 February (a whole week) before March 2027 (five rows): six rows, one page.
    grids = month_grids(date(2027, 2, 22), date(2027, 3, 31))
    assert grids == [Grid(date(2027, 3, 1), date(2027, 2, 22), date(2027, 3, 31))]
    assert grids[0].rows == 6


def test_a_month_with_more_than_a_week_of_days_keeps_its_own_grid() -> None:
    # From 21 December: eleven days of December are worth their own grid.
    grids = month_grids(date(2026, 12, 21), date(2027, 1, 31))
    assert [g.month for g in grids] == [date(2026, 12, 1), date(2027, 1, 1)]
    assert grids == plain_grids(date(2026, 12, 21), date(2027, 1, 31))


def test_a_fold_that_would_need_a_seventh_row_is_not_made() -> None:
    # May 2027 already has six rows (it starts on a Saturday): 24-30 April stay apart.
    grids = month_grids(date(2027, 4, 24), date(2027, 5, 31))
    assert [(g.first, g.last) for g in grids] == [
        (date(2027, 4, 24), date(2027, 4, 30)),
        (date(2027, 5, 1), date(2027, 5, 31)),
    ]
    assert grids[1].rows == 6


def test_one_month_alone_is_one_grid_cut_to_the_range() -> None:
    assert month_grids(date(2026, 12, 3), date(2026, 12, 17)) == [
        Grid(date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 17))
    ]
