"""`crosspost import`: many items at once from a CSV file or a folder of Markdown files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from crosspost.cli.context import app_context, emit_json, now, say
from crosspost.i18n import _, ngettext

app = typer.Typer()

#: Skipped rows named one by one; a re-run of a 10,000-row file says the rest in one line.
SHOWN = 20


@app.command("import")
def import_(
    ctx: typer.Context,
    source: Path = typer.Argument(
        ..., metavar="FILE", help="A .csv file (header row names the fields) or a folder of .md."
    ),
    dry_run: bool = typer.Option(False, "--check", help="Check everything, write nothing."),
    allow_duplicate: bool = typer.Option(
        False,
        "--allow-duplicate",
        help="Import rows identical to an item already queued (they are skipped otherwise).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the new item ids as JSON."),
) -> None:
    """Import items; any bad row rejects the whole import, with every problem listed.

    Rows identical (kind, title, body, time) to an item already queued are skipped
    and named, so running the same import twice adds nothing.
    """
    from crosspost.intake import accept_all, find_duplicates, read_sources
    from crosspost.when import is_next_slot

    context = app_context(ctx)
    settings = context.settings
    sources = list(read_sources(source))
    # `at: next` rows are checked as "now", then given the next free slots in file order.
    at_next = [is_next_slot(str(s.fields.get("at", ""))) for s in sources]
    for row, flag in zip(sources, at_next, strict=True):
        if flag:
            row.fields["at"] = "now"
    current = now()
    if len(sources) >= 500:
        with typer.progressbar(sources, label=_("Checking"), file=None) as bar:
            accepted = accept_all(bar, settings, now=current)
    else:
        accepted = accept_all(sources, settings, now=current)
    skipped = [] if allow_duplicate else find_duplicates(accepted, context.store)
    if skipped:
        dropped = {id(d.accepted) for d in skipped}
        kept = [
            (a, flag) for a, flag in zip(accepted, at_next, strict=True) if id(a) not in dropped
        ]
        accepted = [a for a, _ in kept]
        at_next = [flag for _, flag in kept]
    if any(at_next):
        from crosspost.policy import place_batch

        accepted = place_batch(settings, context.store, accepted, at_next, now=current)
    _refuse_on_channel_errors(settings, accepted)
    deliveries = sum(len(a.plan.deliveries) for a in accepted)
    if not as_json:
        for duplicate in skipped[:SHOWN]:
            say(
                _("Skipped {source}: the same {kind} «{title}» as {same_as}.").format(
                    source=duplicate.accepted.source,
                    kind=duplicate.accepted.item.kind,
                    title=duplicate.accepted.item.title,
                    same_as=duplicate.same_as,
                )
            )
        if len(skipped) > SHOWN:
            more = len(skipped) - SHOWN
            say(
                _("Skipped {count} more already queued (--json lists them all).").format(count=more)
            )
    if dry_run:
        say(
            ngettext(
                "All {items} are valid ({posts}); nothing written.",
                "All {items} are valid ({posts}); nothing written.",
                len(accepted),
            ).format(items=_items(len(accepted)), posts=_deliveries(deliveries))
        )
        return
    from crosspost.media import keep_image

    # The workspace's copies of the images, once every row is accepted.
    batch = [(keep_image(a.item, settings), a.plan.deliveries) for a in accepted]
    ids = context.store.add_items(batch)
    if as_json:
        emit_json(
            {
                "item_ids": ids,
                "deliveries": deliveries,
                "skipped": [
                    {"source": d.accepted.source, "same_as": d.same_as, "item_id": d.item_id}
                    for d in skipped
                ],
            }
        )
        return
    if not ids:
        say(_("Nothing imported: every item is already queued (--allow-duplicate to add them)."))
        return
    first, last = (ids[0], ids[-1]) if ids else (0, 0)
    say(
        _("Imported {items} ({posts}), ids {first} to {last}.").format(
            items=_items(len(ids)), posts=_deliveries(deliveries), first=first, last=last
        )
    )
    if skipped:
        count = len(skipped)
        say(
            ngettext(
                "{count} item already queued skipped (listed above).",
                "{count} items already queued skipped (listed above).",
                count,
            ).format(count=count)
        )


def _items(count: int) -> str:
    return ngettext("{count} item", "{count} items", count).format(count=count)


def _deliveries(count: int) -> str:
    return ngettext("{count} delivery", "{count} deliveries", count).format(count=count)


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
            ngettext(
                "nothing was imported: {count} item to fix first:",
                "nothing was imported: {count} items to fix first:",
                refused,
            ).format(count=refused)
            + "\n  "
            + "\n  ".join(problems)
        )
