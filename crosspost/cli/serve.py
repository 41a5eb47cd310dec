"""`crosspost serve` and `crosspost tokens`: calendars to subscribe to, behind tokens."""

from __future__ import annotations

import typer

from crosspost.cli.context import app_context, emit_json, now, say
from crosspost.i18n import _, pgettext

app = typer.Typer()
tokens_app = typer.Typer(no_args_is_help=True)


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (put a reverse proxy in front)."
    ),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the calendar feeds, the live calendar page and the proposal form until stopped.

    /t/TOKEN/calendar.ics, /t/TOKEN/agenda.ics and /t/TOKEN/calendar.html (calendar
    tokens); /t/TOKEN/propose (propose tokens). See `crosspost tokens create`.
    """
    import uvicorn

    from crosspost.web.app import create_app

    context = app_context(ctx)
    app_ = create_app(context.settings, context.store)
    say(
        _("Serving on {address} (Ctrl-C stops); tokens: `crosspost tokens list`.").format(
            address=f"http://{host}:{port}/"
        )
    )
    uvicorn.run(app_, host=host, port=port, log_level="warning", server_header=False)


@tokens_app.command("create")
def create(
    ctx: typer.Context,
    scope: str = typer.Option(
        ..., "--for", help="calendar (subscribe to the feeds) or propose (the proposal form)."
    ),
    name: str = typer.Option(..., "--name", help="Who holds it, to recognise it in the list."),
) -> None:
    """Make a token; it is shown once and never stored (only a fingerprint of it is kept)."""
    from crosspost.errors import InputError
    from crosspost.store._tokens import SCOPES

    problems = []
    if scope not in SCOPES:
        problems.append(
            _("for: expected one of {scopes} (got {scope!r})").format(
                scopes=", ".join(SCOPES), scope=scope
            )
        )
    name = " ".join(name.split())
    if not name or len(name) > 200:
        problems.append(_("name: expected 1 to 200 characters"))
    if problems:
        raise InputError(_("no token made:") + "\n  " + "\n  ".join(problems))
    token, secret = app_context(ctx).store.create_token(name, scope)
    say(
        _("Token {id} for {scope}, held by «{name}»: {secret}").format(
            id=token.id, scope=scope, name=token.name, secret=secret
        )
    )
    say(_("It is shown only now: keep it (a password manager), or revoke it and make another."))
    base = f"http://127.0.0.1:8080/t/{secret}"
    if scope == "calendar":
        say(_("Subscribe with the address of `crosspost serve`, e.g.:"))
        say(f"  {base}/calendar.ics   " + _("(add ?channel=NAME or ?kind=KIND)"))
        say(f"  {base}/agenda.ics     " + _("(the public events)"))
        say(f"  {base}/calendar.html  " + _("(the page, always current)"))
    else:
        say(_("Give the member: {address}").format(address=f"{base}/propose"))


@tokens_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON (see docs/json.md)."),
) -> None:
    """The tokens made, what they open and when they were last used (never the tokens)."""
    from crosspost.cli.output import table
    from crosspost.shapes import instant
    from crosspost.wording import show_local

    context = app_context(ctx)
    tokens = context.store.tokens()
    if as_json:
        emit_json(
            [
                {
                    "id": t.id,
                    "name": t.name,
                    "for": t.scope,
                    "created_at": instant(t.created_at),
                    "last_used_at": instant(t.last_used_at),
                    "revoked_at": instant(t.revoked_at),
                }
                for t in tokens
            ]
        )
        return
    if not tokens:
        say(_("No token; make one with `crosspost tokens create --for calendar --name NAME`."))
        return
    zone = context.settings.zone
    rows = [
        (
            str(t.id),
            t.scope,
            t.name,
            show_local(t.last_used_at, zone),
            _("revoked {when}").format(when=show_local(t.revoked_at, zone))
            if t.revoked_at
            else _("valid"),
        )
        for t in tokens
    ]
    say(table(rows, (pgettext("column", "ID"), _("FOR"), _("NAME"), _("LAST USED"), _("STATE"))))


@tokens_app.command("revoke")
def revoke(ctx: typer.Context, token_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Revoke a token: from now on it opens nothing."""
    token = app_context(ctx).store.revoke_token(token_id, now())
    say(
        _("Token {id} («{name}», {scope}) revoked.").format(
            id=token.id, name=token.name, scope=token.scope
        )
    )
