"""`run`, `publish`, `preview`, `status`: the publication side of the command line."""

from __future__ import annotations

from typing import Any

import typer

from crosspost.cli.context import app_context, emit_json, now, say
from crosspost.i18n import N_, _

app = typer.Typer()

#: How a post's length is counted, as the channels name it (channels/*: UNIT).
UNITS = {
    "characters": N_("characters"),
    "weighted characters": N_("weighted characters"),
    "graphemes": N_("graphemes"),
}

#: `run --once` exit status when something failed, was skipped, is unknown or waits for you.
EXIT_TROUBLE = 4


def _exit_status(tally: Any) -> None:
    """Exit 1 with the fix to run for a problem of the set-up, 4 for any other trouble."""
    from crosspost.errors import ConfigError

    if tally.config_problems:
        raise ConfigError(
            "\n".join(
                _(
                    "{name} is paused, nothing was sent: {problem}; its posts wait, and "
                    "`crosspost channels check {name}` resumes it once this is fixed"
                ).format(name=name, problem=problem)
                for name, problem in sorted(tally.config_problems.items())
            )
        )
    if tally.troubled:
        raise typer.Exit(EXIT_TROUBLE)


def _log(settings: Any, fmt: str) -> Any:
    from crosspost.errors import InputError
    from schedules.log import EventLog, quiet_libraries

    quiet_libraries()

    if fmt not in ("text", "json"):
        raise InputError(_("log-format: expected text or json (got {got!r})").format(got=fmt))
    return EventLog(settings.zone, fmt=fmt)


@app.command("run")
def run(
    ctx: typer.Context,
    once: bool = typer.Option(
        False,
        "--once",
        help="Publish what is due, then exit (for cron). Exit 4 if anything failed, is "
        "unknown or needs you; 1 if the set-up must be fixed first.",
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        max=256,
        help="How many posts go out at once (default: as crosspost.toml says).",
    ),
    log_format: str = typer.Option("text", "--log-format", help="text or json."),
) -> None:
    """Publish every delivery at its time: as a daemon, or once for cron."""
    context = app_context(ctx)
    settings = context.settings
    log = _log(settings, log_format)
    if once:
        from schedules.engine import Publisher

        store = context.publishing_store(workers)
        publisher = Publisher(settings, store, mode="cron", log=log, workers=workers)
        publisher.start()
        try:
            tally = publisher.run_until_idle()
        finally:
            publisher.stop()
        _exit_status(tally)
        return
    from schedules.daemon import Daemon

    Daemon(settings, context.publishing_store(workers), log, workers=workers).run_forever()


@app.command("publish")
def publish(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., metavar="ID"),
    log_format: str = typer.Option("text", "--log-format", help="text or json."),
) -> None:
    """Publish one item now on all its pending channels; announcements follow at once."""
    from crosspost.errors import Conflict
    from schedules.engine import Publisher

    context = app_context(ctx)
    store = context.publishing_store(None)
    if not store.make_due_now(item_id, now()):
        raise Conflict(
            _("item {id} has nothing pending to publish (see `crosspost show`)").format(id=item_id)
        )
    publisher = Publisher(
        context.settings, store, mode="publish", log=_log(context.settings, log_format)
    )
    publisher.start()
    try:
        tally = publisher.run_until_idle(item_id=item_id)
    finally:
        publisher.stop()
    _exit_status(tally)


@app.command("preview")
def preview(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., metavar="ID"),
    channel: list[str] | None = typer.Option(None, "--channel", help="Only this channel."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show each post exactly as it will be published, with its length and warnings."""
    from crosspost.preview import image_facts, image_line, preview_delivery

    context = app_context(ctx)
    settings = context.settings
    record = context.store.get_item(item_id)
    results = [
        preview_delivery(settings, delivery, record.deliveries)
        for delivery in record.deliveries
        if (not channel or delivery.channel in channel) and delivery.channel in settings.channels
    ]
    if as_json:
        facts = image_facts(record.item)
        image = (
            {"path": facts.path, "size": facts.size, "alt": facts.alt, "exists": facts.exists}
            if facts
            else None
        )
        emit_json(
            [
                {
                    "channel": r.channel,
                    "role": r.role,
                    "text": r.rendered.text if r.rendered else None,
                    "parts": list(r.rendered.parts) if r.rendered else [],
                    "length": r.rendered.length if r.rendered else None,
                    "limit": r.rendered.limit if r.rendered else None,
                    "unit": r.rendered.unit if r.rendered else None,
                    "problems": [{"level": p.level, "message": p.message} for p in r.problems],
                    "link_known": r.link_known,
                    "card": r.card,
                    "cost": str(r.cost),
                    "image": image,
                }
                for r in results
            ]
        )
        return
    picture = image_line(record.item)
    if picture:
        say(picture)
        say("")
    for result in results:
        label = settings.channel_label(result.channel)
        header = f"── {label} ({result.channel})"
        if result.rendered and result.rendered.length is not None:
            limit = f"/{result.rendered.limit}" if result.rendered.limit else ""
            unit = result.rendered.unit
            header += f" · {result.rendered.length}{limit} {_(UNITS.get(unit, unit))}"
        say(header)
        if result.rendered:
            say(result.rendered.text)
        if result.card:
            say(f"[link card: {result.card}]")
        for problem in result.problems:
            level = _("ERROR: {message}") if problem.level == "error" else _("warning: {message}")
            say(level.format(message=problem.message))
        say("")
    from crosspost.cli.costs import cost_lines

    for line in cost_lines(context, results):
        say(line)


@app.command("status")
def status(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Running publishers, queue depth, what is next, and what needs attention."""
    from crosspost.attention import status_report
    from crosspost.cli.costs import spend_json, spend_lines, spend_report
    from crosspost.cli.status import status_json, status_lines

    context = app_context(ctx)
    settings = context.settings
    report = status_report(
        context.reader, settings.zone, now=now(), remind_after=settings.review.remind_after
    )
    spend = spend_report(context)
    if as_json:
        emit_json(status_json(report) | ({"spend": spend_json(spend)} if spend else {}))
        return
    for line in status_lines(report):
        say(line)
    for line in spend_lines(spend, context.settings.channel_label):
        say(line)
