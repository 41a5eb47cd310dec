"""`crosspost db`: create, upgrade and inspect the ledger's schema."""

from __future__ import annotations

import typer

from crosspost.cli.context import app_context, say

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create the database or bring it to the newest schema (safe to run any time)."""
    from crosspost.db import current_revision, head_revision, make_engine
    from crosspost.db import upgrade as run_upgrade
    from crosspost.store import busy_guard

    settings = app_context(ctx).settings
    engine = make_engine(settings.database_url)
    try:
        before = current_revision(engine)
        with busy_guard():
            run_upgrade(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        say(f"The database is up to date (schema {after}).")
    else:
        say(f"Database upgraded from {before or 'empty'} to {after} (newest: {head_revision()}).")


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Show the database's schema version and where it is."""
    from crosspost.db import current_revision, head_revision, make_engine

    settings = app_context(ctx).settings
    engine = make_engine(settings.database_url)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    state = "up to date" if revision == head else f"needs `crosspost db upgrade` to {head}"
    say(f"{engine.url.render_as_string(hide_password=True)}: schema {revision or 'empty'}, {state}")
