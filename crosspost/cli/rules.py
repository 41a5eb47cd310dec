"""`crosspost rules explain`: which routes match an item, and what they create, when."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from crosspost.cli.context import app_context, emit_json, now, say
from crosspost.i18n import _

app = typer.Typer(no_args_is_help=True)


@app.command("explain")
def explain(
    ctx: typer.Context,
    target: str = typer.Argument(..., metavar="ITEM-OR-FILE", help="An item id or a .md file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show the routes an item matches and the deliveries they create, with their times."""
    from crosspost.cli.output import planned_line
    from crosspost.intake import accept, from_markdown
    from crosspost.routing import plan_deliveries
    from crosspost.shapes import instant
    from crosspost.when import format_duration

    context = app_context(ctx)
    settings = context.settings
    if target.isdigit():
        item = context.store.get_item(int(target)).item
        kind, tags, publish_at, title = item.kind, item.tags, item.requested_at, item.title
        assert publish_at is not None
        plan = plan_deliveries(settings, kind=kind, tags=tags, publish_at=publish_at)
        plan = _with_sequence(settings, item, plan)
    else:
        path = Path(target)
        accepted = accept(from_markdown(path), settings, now=now(), base_dir=path.parent)
        kind, tags, title = accepted.item.kind, accepted.item.tags, accepted.item.title
        plan = accepted.plan
    if as_json:
        emit_json(
            {
                "kind": kind,
                "tags": list(tags),
                "routes": [number for number, _ in plan.matched],
                "deliveries": [
                    {
                        "channel": p.channel,
                        "role": p.role,
                        "due_at": instant(p.due_at),
                        "waits_for": p.waits_for,
                        "route": p.route,
                        "step": p.step,
                    }
                    for p in plan.deliveries
                ],
                "notes": list(plan.notes),
            }
        )
        return
    tagged = _(", tagged {tags}").format(tags=", ".join(tags)) if tags else ""
    say(_("«{title}» (kind {kind}{tagged})").format(title=title, kind=kind, tagged=tagged))
    for number, route in plan.matched:
        parts = [_("kind {kinds}").format(kinds="/".join(route.kinds))]
        if route.tags:
            parts.append(_("tags {tags}").format(tags=", ".join(route.tags)))
        sends = _("to {channels}").format(channels=", ".join(route.to))
        if route.offset:
            sends += _(" {delay} later").format(delay=format_duration(route.offset))
        if route.announce:
            sends += _("; announced on {channels}").format(channels=", ".join(route.announce))
            if route.announce_offset:
                delay = format_duration(route.announce_offset)
                sends += _(" {delay} after it is out").format(delay=delay)
        say(
            _("  routes[{number}] matches ({conditions}): {sends}").format(
                number=number, conditions=_(" and ").join(parts), sends=sends
            )
        )
    for note in plan.notes:
        say(_("  note: {note}").format(note=note))
    say(_("Deliveries:"))
    for planned in plan.deliveries:
        say(planned_line(planned, settings.zone))


def _with_sequence(settings: Any, item: Any, plan: Any) -> Any:
    """The routes' plan with the posts of the item's sequence (reminders, recap)."""
    from dataclasses import replace

    from crosspost.domain import NewItem
    from crosspost.sequences.plan import plan_sequence

    new = NewItem(
        kind=item.kind,
        title=item.title,
        requested_at=item.requested_at,
        event_start=item.event_start,
        event_end=item.event_end,
        deadline=item.deadline,
    )
    steps = plan_sequence(settings, new, plan.deliveries, now=now(), timed_by_sequence=False)
    return replace(plan, deliveries=steps.deliveries, notes=plan.notes + steps.notes)
