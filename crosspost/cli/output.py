"""How items and deliveries look in the terminal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import typer

from crosspost.attention import note
from crosspost.domain import Change, Delivery, PlannedDelivery
from crosspost.i18n import _
from crosspost.wording import show_local, state_name


def delivery_line(delivery: Delivery, zone: ZoneInfo) -> str:
    """'  twitter    2026-12-03 09:30 CET  pending    announces blog'
    (a step of a sequence says which last: '... pending  D-1 18:00')."""
    from crosspost.wording import step_label

    notes = " · ".join(n for n in (step_label(delivery.step), note(delivery)) if n)
    return (
        f"  {delivery.channel:<12} {show_local(delivery.due_at, zone):<22} "
        f"{state_name(delivery.state):<12} {notes}"
    ).rstrip()


def planned_line(planned: PlannedDelivery, zone: ZoneInfo) -> str:
    from crosspost.wording import step_label

    announces = (
        _("announces the {channel} post").format(channel=planned.waits_for)
        if planned.waits_for
        else ""
    )
    note = " · ".join(n for n in (step_label(planned.step), announces) if n)
    return f"  {planned.channel:<12} {show_local(planned.due_at, zone):<22} {note}".rstrip()


def print_changes(changes: Sequence[Change]) -> None:
    for change in changes:
        old = state_name(change.old_state) if change.old_state else ""
        new = state_name(change.new_state) if change.new_state else ""
        if change.new_state is None:
            left = _("{state}: left as is ({reason})").format(state=old, reason=change.reason)
            typer.echo(f"  {change.channel:<12} {left}")
        elif change.old_state == change.new_state:
            typer.echo(f"  {change.channel:<12} {new} ({change.reason})")
        else:
            extra = f" ({change.reason})" if change.reason else ""
            typer.echo(f"  {change.channel:<12} {old} -> {new}{extra}")


def print_error(message: str, code: int, *, as_json: bool = False, prefix: bool = True) -> None:
    """An error for the officer (red on stderr, after "Error: "), or for a script after `--json`.

    With `--json` the error is one JSON object on stdout, where the script reads the
    answer: `{"error": "...", "code": N}`, `code` being the exit status (docs/json.md).
    """
    from crosspost.redact import redact

    message = redact(message)
    if as_json:
        import json

        typer.echo(json.dumps({"error": message, "code": code}, ensure_ascii=False))
        return
    if prefix:
        message = _("Error: {message}").format(message=message)
    typer.secho(message, err=True, fg=typer.colors.RED)


def table(rows: Iterable[Sequence[str]], headers: Sequence[str]) -> str:
    """A plain aligned table (no colours: it must read in a log and a pipe)."""
    materialised = [list(map(str, r)) for r in rows]
    widths = [len(h) for h in headers]
    for row in materialised:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths[i], len(cell))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in materialised:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)
