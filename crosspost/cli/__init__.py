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
    feeds,
    health,
    importing,
    items,
    lifecycle,
    publishing,
    queue,
    review,
    rules,
    serve,
    setup,
)
from crosspost.cli.context import AppContext, app_context
from crosspost.errors import CrosspostError

#: Where `--json` on the command line is remembered for the error handler.
JSON_ERRORS = "crosspost.json_errors"


class CrosspostGroup(TyperGroup):
    """Turns the errors an officer can fix into one clear line and exit code 1."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        # https://no-color.org: any non-empty NO_COLOR turns colours off; sub-contexts
        # inherit it, so every secho (errors, warnings) prints plain text.
        if os.environ.get("NO_COLOR"):
            extra.setdefault("color", False)
        if parent is None:
            from crosspost.cli.help_text import translate
            from crosspost.config_file import declared_language
            from crosspost.language import use

            # --help is written before crosspost.toml is validated (and a broken file
            # must not hide the help): its `language` alone is read, else the locale's.
            use(declared_language(_config_option(args)))
            translate(self)
        return super().make_context(info_name, args, parent, **extra)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        options = args[: args.index("--")] if "--" in args else args
        ctx.meta[JSON_ERRORS] = "--json" in options
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        from crosspost.cli.output import print_error
        from crosspost.i18n import _

        as_json = bool(ctx.meta.get(JSON_ERRORS))
        try:
            return super().invoke(ctx)
        except CrosspostError as exc:
            print_error(str(exc), exc.exit_code, as_json=as_json)
            raise typer.Exit(exc.exit_code) from None
        except typer.TyperException as exc:
            # A usage error (exit 2) after `--json`: the script gets JSON too.
            if not as_json:
                _show_usage_error(exc)
                raise
            print_error(exc.format_message(), exc.exit_code, as_json=True)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # `crosspost list | head`: the reader left; nothing went wrong.
            sys.stderr.close()
            raise typer.Exit(0) from None
        except Exception as exc:
            problem = _database_problem(ctx, exc)
            if problem is not None:
                print_error(str(problem), problem.exit_code, as_json=as_json)
                raise typer.Exit(problem.exit_code) from None
            if os.environ.get("CROSSPOST_DEBUG"):
                raise
            # Not the officer's fault: say so plainly, keep the details for a bug report.
            print_error(
                _(
                    "Internal error: {error}: {detail}\n"
                    "This is a bug in Crosspost. Run again with CROSSPOST_DEBUG=1 for the "
                    "details, and report them."
                ).format(error=type(exc).__name__, detail=exc),
                INTERNAL_ERROR,
                as_json=as_json,
                prefix=False,
            )
            raise typer.Exit(INTERNAL_ERROR) from None
        finally:
            obj = ctx.obj
            if isinstance(obj, AppContext):
                obj.close()


def _database_problem(ctx: Any, exc: Exception) -> CrosspostError | None:
    """A database error no guard turned into the officer's words (an unreachable server,
    a read-only file met outside the store's transactions): the same words here."""
    obj = ctx.obj
    settings = getattr(obj, "_settings", None) if isinstance(obj, AppContext) else None
    if settings is None:
        return None
    from crosspost.db_errors import explain

    return explain(exc, settings.database_url)


def _show_usage_error(exc: typer.TyperException) -> None:
    """A French officer reads click's usage errors in French (English: click shows them)."""
    from crosspost.language import current

    if current() != "fr" or not hasattr(exc, "ctx") or not hasattr(exc, "format_message"):
        return
    from crosspost.cli.usage_errors import show

    show(exc)
    raise typer.Exit(getattr(exc, "exit_code", 2)) from None


def _config_option(args: list[str]) -> Path | None:
    """The value of --config/-c among the options before the command, if given."""
    for index, arg in enumerate(args):
        if arg == "--" or not arg.startswith("-"):
            return None
        if arg in ("--config", "-c"):
            return Path(args[index + 1]) if index + 1 < len(args) else None
        for prefix in ("--config=", "-c"):
            if arg.startswith(prefix) and len(arg) > len(prefix):
                return Path(arg[len(prefix) :])
    return None


app = typer.Typer(
    cls=CrosspostGroup,
    name="crosspost",
    help="Queue editorial items and publish each on its channels, once, on time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Typer's --install-completion / --show-completion (bash, zsh, fish, PowerShell).
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Exit status of an internal error (a bug), as sysexits' EX_SOFTWARE.
INTERNAL_ERROR = 70


def _version(value: bool) -> None:
    if value:
        from crosspost import __version__

        typer.echo(f"crosspost {__version__}")
        raise typer.Exit()


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
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    app_context(ctx).config_path = config


for module in (
    setup,
    demo,
    items,
    queue,
    review,
    lifecycle,
    importing,
    publishing,
    calendar,
    health,
    serve,
):
    app.add_typer(module.app)
app.add_typer(rules.app, name="rules", help="See how routing rules apply to an item.")
app.add_typer(db.app, name="db", help="Create, upgrade and inspect the database.")
app.add_typer(channels.app, name="channels", help="Check credentials, list and resume channels.")
app.add_typer(feeds.app, name="feeds", help="Follow members' RSS, Atom and ICS feeds.")
app.add_typer(serve.tokens_app, name="tokens", help="Tokens for `crosspost serve`.")


def main() -> None:
    app(prog_name="crosspost")
