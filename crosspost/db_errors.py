"""What the database's own errors mean to an officer: the setting to look at, and what to do.

An unreachable PostgreSQL, a read-only or full SQLite file, a URL naming a database
Crosspost does not speak: none is a bug, each gets one clear sentence naming the
setting in force (`$CROSSPOST_DATABASE_URL`, else `database` in crosspost.toml) and
the database's URL with its password masked.

Standard library only: the SQLite reader (crosspost/sqlite_reads.py) uses it without
SQLAlchemy. SQLAlchemy's errors are recognised by their class names and the
driver's error they wrap (`orig`), the same way for the store and the CLI.
"""

from __future__ import annotations

import os
import re

from crosspost.errors import ConfigError, CrosspostError, DatabaseBusy, DatabaseUnavailable
from crosspost.i18n import _

#: The URLs Crosspost can use, as an officer should write them.
EXPECTED_URLS = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/NAME"

_PASSWORD = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@]*):[^@/?#]*@")


def shown_url(url: str) -> str:
    """`url` with its password masked as SQLAlchemy masks it (`user:***@host`)."""
    return _PASSWORD.sub(r"\g<head>:***@", url, count=1)


def setting() -> str:
    """Which setting gives the database URL in force (the variable overrides the file)."""
    from crosspost.config import ENV_DATABASE

    if os.environ.get(ENV_DATABASE):
        return f"${ENV_DATABASE}"
    return _("`database` in crosspost.toml")


def busy() -> DatabaseBusy:
    return DatabaseBusy(
        _(
            "the database is busy: another crosspost process kept it locked too long; "
            "nothing was changed, try again in a moment"
        )
    )


def unsupported_url(url: str) -> ConfigError:
    return ConfigError(
        _("{setting}: {url} is not a database Crosspost can use; expected {expected}").format(
            setting=setting(), url=shown_url(url), expected=EXPECTED_URLS
        )
    )


def missing_driver(url: str) -> ConfigError:
    """A PostgreSQL URL on an installation without its driver (the `postgres` extra)."""
    return ConfigError(
        _(
            "{setting}: {url} is a PostgreSQL database, and this installation has no "
            "PostgreSQL driver; install it (Crosspost's `postgres` extra) with: "
            "python -m pip install 'psycopg[binary]'"
        ).format(setting=setting(), url=shown_url(url))
    )


def cannot_create(path: str, error: OSError) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        _(
            "cannot create the database file {path}: {reason}; make its folder writable, "
            "or point {setting} at another file"
        ).format(path=path, reason=error.strerror or error, setting=setting())
    )


def explain(error: BaseException, url: str) -> CrosspostError | None:
    """The officer's sentence for a database error, or None when it is not one of theirs
    (a bug, a constraint: those keep their traceback for the report)."""
    if _is_sqlalchemy_url_error(error):
        return unsupported_url(url)
    driver = getattr(error, "orig", None) or error
    message = str(driver)
    lowered = message.lower()
    kind = type(driver).__module__.split(".", 1)[0]
    if kind == "sqlite3":
        found = _sqlite_problem(lowered, url)
        if found is not None:
            return found
    if kind == "psycopg" and _is_connection_problem(driver):
        return DatabaseUnavailable(
            _(
                "cannot reach the database {url}: {reason}. Check that the server is running "
                "and accepts this user, and the address in {setting}"
            ).format(url=shown_url(url), reason=_reason(message, url), setting=setting())
        )
    return None


def _sqlite_problem(message: str, url: str) -> CrosspostError | None:
    shown = shown_url(url)
    if "database is locked" in message or "database is busy" in message:
        return busy()
    if "readonly database" in message or "read-only" in message:
        return DatabaseUnavailable(
            _(
                "the database {url} is read-only, and Crosspost must write to it: give this "
                "account write access to the file and its folder, or point {setting} at a "
                "writable file; nothing was changed"
            ).format(url=shown, setting=setting())
        )
    if "database or disk is full" in message:
        return DatabaseUnavailable(
            _(
                "the disk holding the database {url} is full: free some space, then try "
                "again; nothing was changed"
            ).format(url=shown)
        )
    if "unable to open database file" in message:
        return DatabaseUnavailable(
            _(
                "cannot open the database {url}: check that its folder exists and that this "
                "account may write there, or point {setting} at another file"
            ).format(url=shown, setting=setting())
        )
    if "disk i/o error" in message:
        return DatabaseUnavailable(
            _(
                "the disk failed while reading or writing the database {url} (disk I/O "
                "error): check the disk and its free space, then try again"
            ).format(url=shown)
        )
    if "file is not a database" in message:
        return DatabaseUnavailable(
            _(
                "{url} is not a database file: {setting} must name Crosspost's SQLite "
                "ledger, or a file that does not exist yet"
            ).format(url=shown, setting=setting())
        )
    return None


def _is_sqlalchemy_url_error(error: BaseException) -> bool:
    # create_engine: an unknown dialect (NoSuchModuleError), a URL it cannot parse
    # (ArgumentError). make_engine refuses other dialects before (mysql://...).
    return type(error).__module__.startswith("sqlalchemy") and type(error).__name__ in (
        "NoSuchModuleError",
        "ArgumentError",
    )


def _is_connection_problem(error: BaseException) -> bool:
    """A PostgreSQL error that says the server is out of reach, not that a statement failed:
    no SQLSTATE (refused, unknown host, timeout), connection (08), operator intervention
    (57P: shut down, restarting), too many connections (53300), authorisation (28) or an
    unknown database (3D). A full disk or a deadlock on the server is not one of these."""
    if "OperationalError" not in {cls.__name__ for cls in type(error).__mro__}:
        return False
    state = getattr(error, "sqlstate", None)
    return state is None or str(state).startswith(("08", "57P", "53300", "28", "3D"))


def _reason(message: str, url: str) -> str:
    """The driver's reason in one line, without the password it might quote."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    reason = next((line for line in lines if not line.startswith("(Background")), message)
    reason = re.sub(r"\s+", " ", re.sub(r"^connection failed:\s*", "", reason))
    password = _password(url)
    if password:
        reason = reason.replace(password, "***")
    return reason.rstrip(".")


def _password(url: str) -> str | None:
    match = re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@]*:([^@/?#]*)@", url)
    return match.group(1) if match and match.group(1) else None
