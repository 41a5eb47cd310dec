"""The terminal agenda: days as headings, then one line per delivery in local time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from crosspost.calendar.rows import Row
from crosspost.wording import post_state_name, show_date


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def write_table(
    rows: Iterable[Row],
    echo: Callable[[str], None],
    *,
    label_width: int = 10,
    kind_width: int = 12,
    title_width: int = 40,
) -> int:
    """Print the agenda line by line as rows arrive; returns how many rows were shown."""
    current: date | None = None
    count = 0
    for row in rows:
        day = row.local.date()
        if day != current:
            if current is not None:
                echo("")
            echo(show_date(day))
            current = day
        d = row.delivery
        state = post_state_name(d.state)
        line = (
            f"  {row.local:%H:%M}  {row.label:<{label_width}}  {d.item.kind:<{kind_width}}  "
            f"{shorten(row.title, title_width):<{title_width}}  {state:<12}  {row.detail}"
        )
        echo(line.rstrip())
        count += 1
    return count
