"""`run`, `publish`, `preview`, `status`: the publication side of the command line."""

from __future__ import annotations

from typing import Any

import typer

from crosspost.cli.context import app_context, emit_json, now, say

app = typer.Typer()

#: `run --once` exit status when something failed, was skipped, is unknown or waits for you.
EXIT_TROUBLE = 4


def _exit_status(tally: Any) -> None:
    """Exit 1 with the fix to run for a problem of the set-up, 4 for any other trouble."""
    from crosspost.errors import ConfigError

    if tally.config_problems:
        raise ConfigError(
            "\n".join(
                f"{name} is paused, nothing was sent: {problem}; its posts wait, and "
                f"`crosspost channels check {name}` resumes it once this is fixed"
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
        raise InputError(f"log-format: expected text or json (got {fmt!r})")
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
        None, "--workers", min=1, max=256, help="Publications at once (default from config)."
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
        raise Conflict(f"item {item_id} has nothing pending to publish (see `crosspost show`)")
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
            header += f" · {result.rendered.length}{limit} {result.rendered.unit}"
        say(header)
        if result.rendered:
            say(result.rendered.text)
        for problem in result.problems:
            say(f"{'ERROR' if problem.level == 'error' else 'warning'}: {problem.message}")
        say("")


@app.command("status")
def status(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Running publishers, queue depth, what is next, and what needs attention."""
    from datetime import timedelta

    from crosspost.cli.output import delivery_line
    from crosspost.shapes import delivery_json, instant
    from crosspost.store import DeliveryFilter
    from crosspost.when import show_local

    context = app_context(ctx)
    settings = context.settings
    store = context.store
    current = now()
    alive_after = current - timedelta(seconds=60)
    workers = store.workers()
    counts = store.count_by_state()
    upcoming = store.list_deliveries(DeliveryFilter(states=("pending",), due_from=current, limit=5))
    attention = store.list_deliveries(
        DeliveryFilter(states=("failed", "unknown", "skipped_late"), limit=50)
    )
    held = store.held_announcements()
    stuck = store.stuck(current)
    paused = store.paused_channels()
    overdue = store.list_deliveries(
        DeliveryFilter(states=("pending",), due_to=current - timedelta(minutes=2), limit=20)
    )
    if as_json:
        emit_json(
            {
                "publishers": [
                    {
                        "id": w.id,
                        "mode": w.mode,
                        "host": w.hostname,
                        "pid": w.pid,
                        "started_at": instant(w.started_at),
                        "heartbeat_at": instant(w.heartbeat_at),
                        "alive": w.heartbeat_at >= alive_after,
                    }
                    for w in workers
                ],
                "counts": counts,
                "next": [delivery_json(d, settings.zone, with_item=True) for d in upcoming],
                "attention": [delivery_json(d, settings.zone, with_item=True) for d in attention],
                "held": [delivery_json(d, settings.zone, with_item=True) for d in held],
                "stuck": [delivery_json(d, settings.zone, with_item=True) for d in stuck],
                "overdue": [delivery_json(d, settings.zone, with_item=True) for d in overdue],
                "paused_channels": [
                    {"channel": p.channel, "reason": p.reason, "since": instant(p.since)}
                    for p in paused
                ],
            }
        )
        return
    zone = settings.zone
    alive = [w for w in workers if w.heartbeat_at >= alive_after]
    if alive:
        for w in alive:
            say(
                f"Publisher {w.mode} on {w.hostname} (pid {w.pid}) since "
                f"{show_local(w.started_at, zone)}, last seen {show_local(w.heartbeat_at, zone)}"
            )
    else:
        say("No publisher is running: start `crosspost run`, or add the cron line (README).")
    queued = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "empty"
    say(f"Queue: {queued}")
    if upcoming:
        say("Next:")
        for d in upcoming:
            say(f"{delivery_line(d, zone)}  #{d.item.id} «{d.item.title}»")
    problems = False
    for pause in paused:
        problems = True
        say(f"PAUSED {pause.channel}: {pause.reason}")
        say("  Fix what it says (renew the credentials, or run the command given); the channel")
        say("  resumes by itself at the next daily check of a running daemon, or at once with")
        say(f"  `crosspost channels check {pause.channel}`.")
    if overdue and alive:
        problems = True
        say(f"{len(overdue)} delivery(ies) overdue although a publisher runs:")
    elif overdue:
        problems = True
        say(f"{len(overdue)} delivery(ies) overdue: no publisher is running.")
    for d in overdue[:5]:
        say(f"{delivery_line(d, zone)}  #{d.item.id} «{d.item.title}»")
    for title, rows in (
        ("Needs your attention", attention),
        ("Held announcements (the post they announce did not go out)", held),
        ("Stuck (publisher stopped mid-way; it will be checked automatically)", stuck),
    ):
        if rows:
            problems = True
            say(f"{title}:")
            for d in rows:
                say(f"{delivery_line(d, zone)}  #{d.item.id} «{d.item.title}»")
    if not problems:
        say("Nothing needs attention.")
