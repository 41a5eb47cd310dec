"""`crosspost import`: many items at once from a CSV file or a folder of Markdown files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from crosspost.cli.context import app_context, emit_json, now, say

app = typer.Typer()


@app.command("import")
def import_(
    ctx: typer.Context,
    source: Path = typer.Argument(
        ..., metavar="FILE", help="A .csv file (header row names the fields) or a folder of .md."
    ),
    dry_run: bool = typer.Option(False, "--check", help="Check everything, write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the new item ids as JSON."),
) -> None:
    """Import items; any bad row rejects the whole import, with every problem listed."""
    from crosspost.intake import accept_all, read_sources

    context = app_context(ctx)
    settings = context.settings
    sources = list(read_sources(source))
    # `at: next` rows are checked as "now", then given the next free slots in file order.
    at_next = [str(fields.get("at", "")).strip().lower() == "next" for _, fields, _ in sources]
    for (_, fields, _), flag in zip(sources, at_next, strict=True):
        if flag:
            fields["at"] = "now"
    current = now()
    if len(sources) >= 500:
        with typer.progressbar(sources, label="Checking", file=None) as bar:
            accepted = accept_all(bar, settings, now=current)
    else:
        accepted = accept_all(sources, settings, now=current)
    if any(at_next):
        from crosspost.policy import place_batch

        accepted = place_batch(settings, context.store, accepted, at_next, now=current)
    _refuse_on_channel_errors(settings, accepted)
    deliveries = sum(len(a.plan.deliveries) for a in accepted)
    if dry_run:
        say(f"All {len(accepted)} items are valid ({deliveries} deliveries); nothing written.")
        return
    from crosspost.media import keep_image

    # The workspace's copies of the images, once every row is accepted.
    batch = [(keep_image(a.item, settings), a.plan.deliveries) for a in accepted]
    ids = context.store.add_items(batch)
    if as_json:
        emit_json({"item_ids": ids, "deliveries": deliveries})
        return
    first, last = (ids[0], ids[-1]) if ids else (0, 0)
    say(f"Imported {len(ids)} items ({deliveries} deliveries), ids {first} to {last}.")


def _refuse_on_channel_errors(settings: Any, accepted: list[Any]) -> None:
    """Render every item for its channels, as `add` does; any error rejects the import."""
    from crosspost.errors import InputError
    from crosspost.preview import planned_problems

    problems: list[str] = []
    refused = 0
    for one in accepted:
        errors = [
            f"{one.source}: {channel}: {problem.message}"
            for channel, problem in planned_problems(settings, one.item, one.plan.deliveries)
            if problem.level == "error"
        ]
        refused += bool(errors)
        problems += errors
    if problems:
        raise InputError(
            f"nothing was imported: {refused} item{'s' if refused > 1 else ''} "
            "to fix first:\n  " + "\n  ".join(problems)
        )
