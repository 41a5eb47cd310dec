"""`review`, `approve`, `reject`: drafts from members wait here until someone decides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from crosspost.cli.context import app_context, emit_json, now, say, warn
from crosspost.i18n import _, ngettext, pgettext

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from crosspost.domain import Item

app = typer.Typer()

ID = typer.Argument(..., metavar="ID", help="The draft's id (see `crosspost review`).")


@app.command("review")
def review(
    ctx: typer.Context,
    rejected: bool = typer.Option(
        False, "--rejected", help="List the rejected items and why, instead of the drafts."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (see docs/json.md)."),
) -> None:
    """List the drafts waiting for review (members' feeds, `add --draft`), oldest first."""
    from crosspost.cli.output import table
    from crosspost.wording import duration_words, show_day_time

    context = app_context(ctx)
    zone = context.settings.zone
    moment = now()
    items = context.store.drafts(status="rejected" if rejected else "draft")
    if as_json:
        emit_json({"items": [_draft_json(item, zone) for item in items]})
        return
    if not items:
        say(_("No rejected item.") if rejected else _("Nothing waits for review."))
        return
    if rejected:
        count = len(items)
        say(
            ngettext("{count} rejected item:", "{count} rejected items:", count).format(count=count)
        )
        rows = [
            (
                str(i.id),
                i.source or "-",
                i.kind,
                _short(i.title),
                show_day_time(i.reviewed_at or moment, zone, now=moment),
                i.review_note or "",
            )
            for i in items
        ]
        headers = (
            pgettext("column", "ID"),
            _("SOURCE"),
            _("KIND"),
            _("TITLE"),
            _("REJECTED"),
            _("REASON"),
        )
        say(table(rows, headers))
        say(_("`crosspost approve ID` routes one after all."))
        return
    count = len(items)
    say(
        ngettext(
            "{count} draft waits for review:", "{count} drafts wait for review:", count
        ).format(count=count)
    )
    rows = [
        (
            str(i.id),
            i.source or "-",
            i.kind,
            _short(i.title),
            show_day_time(i.event_start, zone, now=moment) if i.event_start else "-",
            f"{show_day_time(_since(i, moment), zone, now=moment)} "
            f"({duration_words(moment - _since(i, moment))})",
        )
        for i in items
    ]
    headers = (
        pgettext("column", "ID"),
        _("SOURCE"),
        _("KIND"),
        _("TITLE"),
        _("EVENT"),
        _("WAITING SINCE"),
    )
    say(table(rows, headers))
    say(
        _(
            "`crosspost show ID` shows one in full; `crosspost approve ID` routes it, "
            '`crosspost reject ID --reason "..."` drops it.'
        )
    )


@app.command("approve")
def approve(
    ctx: typer.Context,
    item_id: int = ID,
    at: str | None = typer.Option(
        None,
        "--at",
        help="When to publish: next (each channel's next free posting slot; the default, "
        "unless the kind's sequence announces it, as add without --at), now, +2h, "
        "2026-12-03 or '2026-12-03 14:30'.",
    ),
    kind: str | None = typer.Option(None, "--kind", "-k", help="Route it as this kind instead."),
    channel: list[str] | None = typer.Option(
        None, "--channel", help="Send to this channel instead of the routes (repeat for several)."
    ),
) -> None:
    """Approve a draft: route it to its channels, as `add` would have."""
    from crosspost import review as moderation
    from crosspost.cli.output import delivery_line

    context = app_context(ctx)
    store = context.store
    record = store.get_item(item_id)
    _refuse_unless_waiting(record.item, allow_rejected=True)
    approved, routed = moderation.approve(
        context.settings,
        store,
        record.item,
        now=now(),
        at=at,
        kind=kind,
        channels=tuple(channel or ()),
    )
    for line in routed.warnings:
        warn(_("Warning: {message}").format(message=line))
    say(
        _("Approved item {id}: {kind} «{title}»").format(
            id=item_id, kind=approved.kind, title=approved.title
        )
    )
    for delivery in store.get_item(item_id).deliveries:
        say(delivery_line(delivery, context.settings.zone))


@app.command("reject")
def reject(
    ctx: typer.Context,
    item_id: int = ID,
    reason: str = typer.Option(
        ..., "--reason", "-r", help="Why (kept with the item, shown by `review --rejected`)."
    ),
) -> None:
    """Reject a draft: it is kept with the reason, and never published."""
    from crosspost.review import check_reason

    context = app_context(ctx)
    store = context.store
    why = check_reason(reason)
    _refuse_unless_waiting(store.get_item(item_id).item, allow_rejected=False)
    item = store.reject(item_id, why, now())
    say(
        _("Rejected item {id}: {kind} «{title}» ({why})").format(
            id=item_id, kind=item.kind, title=item.title, why=why
        )
    )


def _refuse_unless_waiting(item: Item, *, allow_rejected: bool) -> None:
    from crosspost.errors import Conflict

    if item.status == "draft" or (allow_rejected and item.status == "rejected"):
        return
    if item.status == "rejected":
        raise Conflict(
            _("item {id} is already rejected ({why})").format(id=item.id, why=item.review_note)
        )
    raise Conflict(
        _(
            "item {id} is not waiting for review: it was already routed (see `crosspost show {id}`)"
        ).format(id=item.id)
    )


def _since(item: Item, moment: Any) -> Any:
    return item.created_at or moment


def _short(title: str, width: int = 40) -> str:
    return title if len(title) <= width else title[: width - 1] + "…"


def _draft_json(item: Item, zone: ZoneInfo) -> dict[str, Any]:
    from crosspost.shapes import instant, item_json

    return item_json(item, zone) | {"waiting_since": instant(item.created_at)}
