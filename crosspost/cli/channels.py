"""`crosspost channels`: the configured channels, their credentials, their pauses."""

from __future__ import annotations

import typer

from crosspost.cli.context import app_context, emit_json, now, say
from crosspost.i18n import _, pgettext

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """The channels in crosspost.toml, their type and mode."""
    context = app_context(ctx)
    settings = context.settings
    rows = [
        {
            "name": name,
            "type": channel.type,
            "mode": channel.mode,
            "label": settings.channel_label(name),
        }
        for name, channel in settings.channels.items()
    ]
    if as_json:
        emit_json(rows)
        return
    modes = {
        "live": pgettext("channel mode", "live"),
        "dry-run": pgettext("channel mode", "dry-run"),
    }
    for row in rows:
        mode = modes.get(str(row["mode"]), str(row["mode"]))
        say(f"{row['name']:<14} {row['type']:<12} {mode:<10} {row['label']}")


@app.command("check")
def check(
    ctx: typer.Context,
    names: list[str] | None = typer.Argument(None, metavar="[NAME]...", help="Default: all."),
) -> None:
    """Verify each channel's credentials and permissions, without posting anything.

    A paused channel whose check passes is resumed at once.
    """
    from channels.registry import build
    from crosspost.errors import InputError
    from schedules.retry import describe

    context = app_context(ctx)
    settings = context.settings
    chosen = names or list(settings.channels)
    unknown = [n for n in chosen if n not in settings.channels]
    if unknown:
        raise InputError(
            _("no channel named {names}; declared: {declared}").format(
                names=", ".join(unknown), declared=", ".join(settings.channels)
            )
        )
    failures = 0
    for name in chosen:
        try:
            result = build(name, settings.channels[name], settings.secrets()).check()
            ok, message = result.ok, result.message
        except Exception as error:
            ok, message = False, describe(error)
        verdict = _("ok") if ok else _("FAIL")
        say(f"{verdict:<4} {name:<14} {message}")
        if ok and context.store.resume_channel(name, now()):
            resumed = _("{name} was paused; it is resumed and its posts will go out")
            say("     " + resumed.format(name=name))
        failures += not ok
    if failures:
        raise typer.Exit(1)
