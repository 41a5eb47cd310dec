"""`crosspost list` and `crosspost show`: what is queued, where, when, and how it went."""

from __future__ import annotations

from datetime import datetime

import typer

from crosspost.cli.context import app_context, emit_json, now, say
from crosspost.cli.filters import STATES, bound, check_names

app = typer.Typer()


@app.command("list")
def list_(
    ctx: typer.Context,
    status: list[str] | None = typer.Option(
        None, "--status", "-s", help=f"Only these states ({STATES}); repeat for several."
    ),
    channel: list[str] | None = typer.Option(None, "--channel", help="Only these channels."),
    kind: list[str] | None = typer.Option(None, "--kind", "-k", help="Only these kinds."),
    from_: str | None = typer.Option(None, "--from", help="Due from this time (default: any)."),
    to: str | None = typer.Option(
        None, "--to", help="Due before this time (a date alone includes that day)."
    ),
    limit: int = typer.Option(200, "--limit", min=1, help="Show at most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (see docs/json.md)."),
) -> None:
    """List deliveries (one line per item and channel), by due time."""
    from crosspost.attention import note
    from crosspost.cli.output import table
    from crosspost.i18n import _, pgettext
    from crosspost.ledger import DeliveryFilter
    from crosspost.wording import show_local, state_name

    context = app_context(ctx)
    settings = context.settings
    check_names(settings, status, channel, kind)
    current = now()

    def moment(name: str, text: str | None, *, end_of_day: bool) -> datetime | None:
        return None if text is None else bound(name, text, settings, current, end_of_day=end_of_day)

    where = DeliveryFilter(
        states=tuple(status) if status else None,
        channels=tuple(channel) if channel else None,
        kinds=tuple(kind) if kind else None,
        due_from=moment("from", from_, end_of_day=False),
        due_to=moment("to", to, end_of_day=True),
        limit=limit,
    )
    deliveries = context.reader.list_deliveries(where)
    if as_json:
        from crosspost.shapes import delivery_json

        emit_json([delivery_json(d, settings.zone, with_item=True) for d in deliveries])
        return
    if not deliveries:
        filtered = status or channel or kind or from_ or to
        say(_("Nothing matches.") if filtered else _("Nothing queued."))
        return
    rows = [
        (
            str(d.item.id),
            show_local(d.due_at, settings.zone),
            # A post of the item's sequence: 'facebook -1d'.
            f"{d.channel} {d.step}" if d.step else d.channel,
            state_name(d.state),
            d.item.kind,
            _short(d.item.title),
            note(d),
        )
        for d in deliveries
    ]
    headers = (
        pgettext("column", "ID"),
        _("WHEN"),
        _("CHANNEL"),
        _("STATE"),
        _("KIND"),
        _("TITLE"),
        "",
    )
    say(table(rows, headers))
    if len(deliveries) == limit:
        more = _("(first {limit} shown; narrow with --from/--to or raise --limit)")
        say(more.format(limit=limit))


def _short(title: str, width: int = 40) -> str:
    return title if len(title) <= width else title[: width - 1] + "…"


@app.command("show")
def show(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., metavar="ID"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (see docs/json.md)."),
) -> None:
    """Show one item: its content, its deliveries and every publication attempt."""
    from crosspost import attention
    from crosspost.cli.output import delivery_line
    from crosspost.i18n import N_, _
    from crosspost.wording import seconds, show_local, state_name

    #: What the title line says of an item that is not simply active.
    status_marks = {
        "cancelled": N_(" (cancelled)"),
        "closed": N_(" (closed)"),
        "draft": N_(" (draft)"),
        "rejected": N_(" (rejected)"),
    }
    context = app_context(ctx)
    settings = context.settings
    record = context.reader.get_item(item_id)
    zone = settings.zone
    if as_json:
        from crosspost.shapes import delivery_json, item_json

        emit_json(
            {
                "item": item_json(record.item, zone),
                "deliveries": [delivery_json(d, zone) for d in record.deliveries],
            }
        )
        return
    item = record.item
    say(
        _("Item {id}: {kind} «{title}»").format(id=item.id, kind=item.kind, title=item.title)
        + (_(status_marks[item.status]) if item.status in status_marks else "")
    )
    publish_at, event = _("publish at"), _("event")
    if item.source:
        source = _("from")
        say(f"  {source:<12} {item.source}")
    if item.status == "draft":
        waiting = _("waiting")
        since = _("for review since {since}: `crosspost approve {id}` routes it").format(
            since=show_local(item.created_at, zone), id=item.id
        )
        say(f"  {waiting:<12} {since}")
    elif item.status == "rejected":
        rejected = _("rejected")
        say(f"  {rejected:<12} {show_local(item.reviewed_at, zone)}: {item.review_note}")
    else:
        say(f"  {publish_at:<12} {show_local(item.requested_at, zone)}")
    if item.event_start:
        end = _(" to {end}").format(end=show_local(item.event_end, zone)) if item.event_end else ""
        say(f"  {event:<12} {show_local(item.event_start, zone)}{end}")
    for label, value in (
        (N_("location"), item.location),
        (N_("link"), item.link),
        (N_("image"), item.image_path),
        (N_("alt"), item.image_alt),
        (N_("tags"), ", ".join(item.tags)),
    ):
        if value:
            shown = _(label)
            say(f"  {shown:<12} {value}")
    if item.body:
        say("")
        for line in item.body.splitlines()[:12]:
            say(f"  | {line}")
        if len(item.body.splitlines()) > 12:
            say("  | …")
    say("")
    if not record.deliveries:
        say(
            _("Deliveries: none until approved")
            if item.status == "draft"
            else _("Deliveries: none")
        )
        return
    say(_("Deliveries:"))
    for delivery in record.deliveries:
        say(delivery_line(delivery, zone))
        for attempt in delivery.attempt_history:
            took = ""
            if attempt.ended_at:
                took = f" ({seconds(attempt.ended_at - attempt.started_at)})"
            error = (
                _(": {error}").format(error=attempt.error_message) if attempt.error_message else ""
            )
            say(
                _("      attempt {number} {when}{took} {outcome}{error}").format(
                    number=attempt.number,
                    when=show_local(attempt.started_at, zone),
                    took=took,
                    outcome=state_name(attempt.outcome),
                    error=error,
                )
            )
        advice = attention.advice(delivery)
        if advice:
            say(f"      -> {advice}")
