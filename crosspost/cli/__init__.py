"""The `crosspost` command: one Typer sub-app per concern, merged into one namespace.

Modules here import only Typer at load time; the ledger, the SDKs and the
scheduler are imported by the commands that need them, so `--help` is instant.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from crosspost.cli import (
    calendar,
    channels,
    db,
    demo,
    health,
    importing,
    items,
    lifecycle,
    publishing,
    queue,
    rules,
    setup,
)
from crosspost.cli.context import AppContext, app_context, error
from crosspost.errors import CrosspostError


class CrosspostGroup(TyperGroup):
    """Turns the errors an officer can fix into one clear line and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CrosspostError as exc:
            error(f"Error: {exc}")
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, typer.TyperException, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # `crosspost list | head`: the reader left; nothing went wrong.
            sys.stderr.close()
            raise typer.Exit(0) from None
        except Exception as exc:
            if os.environ.get("CROSSPOST_DEBUG"):
                raise
            # Not the officer's fault: say so plainly, keep the details for a bug report.
            error(
                f"Internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in Crosspost. Run again with CROSSPOST_DEBUG=1 for the "
                "details, and report them."
            )
            raise typer.Exit(70) from None
        finally:
            obj = ctx.obj
            if isinstance(obj, AppContext):
                obj.close()


app = typer.Typer(
    cls=CrosspostGroup,
    name="crosspost",
    help="Queue editorial items and publish each on its channels, once, on time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        help="crosspost.toml to use (default: $CROSSPOST_CONFIG, ./crosspost.toml, "
        "then the user config directory).",
        dir_okay=False,
    ),
) -> None:
    app_context(ctx).config_path = config


for module in (setup, demo, items, queue, lifecycle, importing, publishing, calendar, health):
    app.add_typer(module.app)
app.add_typer(rules.app, name="rules", help="See how routing rules apply to an item.")
app.add_typer(db.app, name="db", help="Create, upgrade and inspect the database.")
app.add_typer(channels.app, name="channels", help="Check credentials, list and resume channels.")


def main() -> None:
    app(prog_name="crosspost")
