"""`crosspost init`: a commented starter configuration and its database."""

from __future__ import annotations

from pathlib import Path

import typer

from crosspost.cli.context import say

app = typer.Typer()


def starter_config(timezone: str) -> str:
    template = (Path(__file__).resolve().parent.parent / "starter.toml").read_text("utf-8")
    return template.replace("{timezone}", timezone)


@app.command("init")
def init(
    directory: Path = typer.Argument(
        Path("."), help="Where to create crosspost.toml (default: here).", file_okay=False
    ),
    timezone: str = typer.Option(
        "Europe/Paris", "--timezone", help="Your time zone, e.g. Europe/Paris, America/Montreal."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing crosspost.toml."),
) -> None:
    """Write a starter crosspost.toml (static blog + dry-run X and Facebook) and the database."""
    from crosspost.config import CONFIG_NAME, parse_settings
    from crosspost.errors import ConfigError
    from crosspost.store import Store

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_NAME
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; edit it, or run init --force to replace it")
    text = starter_config(timezone)
    settings = parse_settings(text.encode("utf-8"), path)  # refuse a bad --timezone early
    path.write_text(text, encoding="utf-8")
    Store.open(settings.database_url).close()
    say(f"Created {path} and the database {settings.database_url.removeprefix('sqlite:///')}.")
    say("Next: crosspost add --kind scoop --title 'Hello' --at +1h   (then: crosspost list)")
