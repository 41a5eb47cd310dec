"""`crosspost feeds add|list|pull|remove`: members' RSS, Atom and ICS feeds in, as drafts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from crosspost.cli.context import app_context, emit_json, now, say, warn
from crosspost.i18n import _, ngettext

if TYPE_CHECKING:
    from crosspost.feeds.pull import Outcome
    from crosspost.store import Feed

app = typer.Typer(no_args_is_help=True)

#: `feeds pull` exit status when a feed could not be read (the others were pulled).
EXIT_FEED_FAILED = 4


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="What you call it: repair-cafe, or the member's name."),
    url: str = typer.Argument(..., help="The feed's address (RSS, Atom or ICS)."),
    kind: str = typer.Option(
        ..., "--kind", "-k", help="What its entries are: event, article, job..."
    ),
    auto: bool = typer.Option(
        False, "--auto", help="Skip review: each new entry is routed at once (trusted members)."
    ),
    label: str | None = typer.Option(
        None, "--label", help="The member's name as credited in posts (default: NAME)."
    ),
) -> None:
    """Follow a member's feed: each new entry becomes a draft for review."""
    from urllib.parse import urlparse

    from crosspost.errors import InputError

    context = app_context(ctx)
    settings = context.settings
    name = " ".join(name.split())
    problems = []
    if not name or len(name) > 100:
        problems.append(_("name: expected 1 to 100 characters"))
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        problems.append(
            _("url: expected a web address starting with http:// or https:// ({url!r})").format(
                url=url
            )
        )
    if kind not in settings.kinds:
        problems.append(
            _("kind: expected one of {kinds} (got {kind!r})").format(
                kinds=", ".join(settings.kinds), kind=kind
            )
        )
    if label is not None and not (0 < len(label.strip()) <= 300):
        problems.append(_("label: expected 1 to 300 characters"))
    if problems:
        raise InputError(_("feed not added:") + "\n  " + "\n  ".join(problems))
    feed = context.store.add_feed(
        name, url.strip(), kind, auto=auto, label=label.strip() if label else None
    )
    review = _("routed at once (--auto)") if auto else _("drafts for `crosspost review`")
    say(
        _("Following {name}: {kind} entries from {url}, {review}.").format(
            name=feed.name, kind=kind, url=feed.url, review=review
        )
    )
    seen = sum(feed.entries.values())
    if seen:
        say(
            ngettext(
                "This address was followed before: the {count} entry seen then is not "
                "queued again.",
                "This address was followed before: the {count} entries seen then are not "
                "queued again.",
                seen,
            ).format(count=seen)
        )
    say(_("Run `crosspost feeds pull` now, or let the daemon pull it (every [feeds] pull_every)."))


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON (see docs/json.md)."),
) -> None:
    """The feeds followed, and how their last pull went."""
    from crosspost.cli.output import table
    from crosspost.wording import show_local

    context = app_context(ctx)
    feeds = context.store.feeds()
    zone = context.settings.zone
    if as_json:
        emit_json([_feed_json(f) for f in feeds])
        return
    if not feeds:
        say(_("No feed followed; add one with `crosspost feeds add NAME URL --kind event`."))
        return
    rows = [
        (
            f.name,
            f.kind + (_(" (auto)") if f.auto else ""),
            str(f.entries.get("item", 0)),
            show_local(f.pulled_at, zone),
            _("FAILED: {error}").format(error=f.last_error)
            if f.last_error
            else (_("ok") if f.ok_at else "-"),
        )
        for f in feeds
    ]
    say(table(rows, (_("NAME"), _("KIND"), _("ITEMS"), _("LAST PULL"), _("RESULT"))))
    for f in feeds:
        credited = _(" (credited as «{label}»)").format(label=f.label) if f.label else ""
        say(f"  {f.name}: {f.url}{credited}")


@app.command("pull")
def pull(
    ctx: typer.Context,
    name: list[str] | None = typer.Argument(None, help="Only these feeds (default: all)."),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Say nothing about feeds with nothing new (for cron)."
    ),
) -> None:
    """Fetch every feed now; new entries become drafts. Exit 4 if a feed could not be read."""
    from crosspost.feeds.pull import describe, pull_feeds

    context = app_context(ctx)
    failed = 0
    pulled = 0
    for outcome in pull_feeds(context.settings, context.store, now=now(), names=name):
        pulled += 1
        failed += outcome.failed
        for line in describe(outcome):
            if outcome.failed:
                warn(line)
            elif not quiet or _news(outcome):
                say(line)
    if not pulled and not quiet:
        say(_("No feed followed; add one with `crosspost feeds add NAME URL --kind event`."))
    if failed:
        raise typer.Exit(EXIT_FEED_FAILED)


@app.command("remove")
def remove(ctx: typer.Context, name: str = typer.Argument(..., help="The feed to stop.")) -> None:
    """Stop following a feed; the items it brought stay as they are."""
    kept = app_context(ctx).store.remove_feed(name)
    say(
        ngettext(
            "No longer following {name}; its {count} item stays as it is.",
            "No longer following {name}; its {count} items stay as they are.",
            kept,
        ).format(name=name, count=kept)
    )


def _news(outcome: Outcome) -> bool:
    sync = outcome.sync
    return bool(
        outcome.notes
        or (
            sync
            and (
                sync.created
                or sync.routed
                or sync.updated
                or sync.cancelled
                or sync.refused
                or sync.left
                or sync.held
            )
        )
    )


def _feed_json(feed: Feed) -> dict[str, object]:
    from crosspost.shapes import instant

    return {
        "name": feed.name,
        "url": feed.url,
        "kind": feed.kind,
        "auto": feed.auto,
        "label": feed.label,
        "source": feed.source,
        "pulled_at": instant(feed.pulled_at),
        "ok_at": instant(feed.ok_at),
        "last_error": feed.last_error,
        "entries": feed.entries,
    }
