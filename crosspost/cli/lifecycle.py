"""`reschedule`, `cancel`, `retry`, `resolve`, `delete`: change where an item stands."""

from __future__ import annotations

import typer

from crosspost.cli.context import app_context, now, say
from crosspost.i18n import _, ngettext

app = typer.Typer()

ITEM = typer.Argument(..., metavar="ID", help="The item (see `crosspost list`).")
CHANNELS = typer.Option(None, "--channel", help="Only this channel (repeat for several).")


@app.command("reschedule")
def reschedule(
    ctx: typer.Context,
    item_id: int = ITEM,
    at: str = typer.Option(..., "--at", help="New publication time (same forms as add)."),
    channel: list[str] | None = CHANNELS,
) -> None:
    """Move an item's pending deliveries to a new time (offsets between them are kept)."""
    from crosspost.cli.output import print_changes
    from crosspost.errors import InputError
    from crosspost.when import parse_publish_time

    context = app_context(ctx)
    settings = context.settings
    try:
        new_time = parse_publish_time(
            at, settings.zone, now=now(), default_time=settings.default_time
        )
    except InputError as exc:
        raise InputError(f"at: {exc}") from None
    changes = context.store.reschedule(item_id, new_time, channel or None)
    say(_("Item {id}:").format(id=item_id))
    print_changes(changes)


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    item_id: int = ITEM,
    channel: list[str] | None = CHANNELS,
    notify: bool = typer.Option(
        True,
        "--notice/--no-notice",
        help="Where a post of it is already out, post a cancellation notice "
        "(when its sequence has cancel_notice on).",
    ),
) -> None:
    """Withdraw an item (or some of its channels) before it goes out.

    An event already announced gets a cancellation notice where it went out."""
    from crosspost.cli.output import print_changes
    from crosspost.sequences.notices import cancel_notices

    context = app_context(ctx)
    record = context.store.get_item(item_id)
    notices = cancel_notices(context.settings, record, now()) if notify else None
    changes = context.store.cancel(item_id, channel or None, notices=notices)
    say(_("Item {id}:").format(id=item_id))
    print_changes(changes)


@app.command("retry")
def retry(
    ctx: typer.Context,
    item_id: int = ITEM,
    channel: list[str] | None = CHANNELS,
    force: bool = typer.Option(
        False,
        "--force",
        help="Also resend deliveries whose outcome is unknown. Only after checking the "
        "platform: if the post is there, this publishes it twice.",
    ),
) -> None:
    """Send failed or skipped deliveries again, now."""
    from crosspost.cli.output import print_changes

    changes = app_context(ctx).store.retry(item_id, now(), channel or None, force=force)
    say(_("Item {id}:").format(id=item_id))
    print_changes(changes)


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    item_id: int = ITEM,
    channel: str = typer.Option(..., "--channel", help="The channel whose outcome you checked."),
    published: str | None = typer.Option(
        None, "--published", metavar="URL", help="It is online, at this address."
    ),
    not_published: bool = typer.Option(
        False, "--not-published", help="It is not online and should not be sent: mark it failed."
    ),
) -> None:
    """Settle a delivery whose outcome is unknown, after looking on the platform."""
    from crosspost.errors import InputError

    if (published is None) == (not not_published):
        raise InputError(_("resolve: give either --published URL or --not-published"))
    change = app_context(ctx).store.resolve(
        item_id, channel, published, now(), published=published is not None
    )
    from crosspost.wording import state_name

    say(
        _("Item {id}: {channel} {old} -> {new}").format(
            id=item_id,
            channel=change.channel,
            old=state_name(change.old_state),
            new=state_name(change.new_state or ""),
        )
    )


@app.command("delete")
def delete(
    ctx: typer.Context,
    item_id: int = ITEM,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Remove an item nothing of which was published, with its deliveries and history."""
    from crosspost.errors import Conflict

    store = app_context(ctx).store
    record = store.get_item(item_id)
    if not yes:
        channels = ", ".join(f"{d.channel} {d.step}".strip() for d in record.deliveries) or _(
            "no channel"
        )
        question = _("Delete item {id} «{title}» ({channels}) and its history?").format(
            id=item_id, title=record.item.title, channels=channels
        )
        if not typer.confirm(question, default=False):
            raise Conflict(_("item {id} kept: nothing was deleted").format(id=item_id))
    deleted = store.delete_item(item_id)
    count = len(deleted.deliveries)
    say(
        ngettext(
            "Deleted item {id} «{title}» and its {count} delivery.",
            "Deleted item {id} «{title}» and its {count} deliveries.",
            count,
        ).format(id=item_id, title=deleted.item.title, count=count)
    )
