"""`crosspost db`: create, upgrade and inspect the ledger's schema."""

from __future__ import annotations

import typer

from crosspost.cli.context import app_context, say
from crosspost.i18n import _

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
        with busy_guard(settings.database_url):
            # What this process found under the migration lock: another one may have
            # upgraded while it waited.
            before = run_upgrade(engine)
            after = current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        say(_("The database is up to date (schema {schema}).").format(schema=after))
    else:
        say(
            _("Database upgraded from {before} to {after} (newest: {newest}).").format(
                before=before or _("empty"), after=after, newest=head_revision()
            )
        )


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Show the database's schema version and where it is."""
    from crosspost.db import current_revision, head_revision, make_engine
    from crosspost.store import busy_guard

    settings = app_context(ctx).settings
    engine = make_engine(settings.database_url)
    try:
        with busy_guard(settings.database_url):
            revision = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    state = (
        _("up to date")
        if revision == head
        else _("needs `crosspost db upgrade` to {head}").format(head=head)
    )
    say(
        _("{database}: schema {schema}, {state}").format(
            database=engine.url.render_as_string(hide_password=True),
            schema=revision or _("empty"),
            state=state,
        )
    )
