"""What every command shares: the config path, and settings and ledger opened on demand."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crosspost.clock import utcnow
from crosspost.redact import redact, redact_data

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.sqlite_reads import Reader
    from crosspost.store import Store


@dataclass
class AppContext:
    config_path: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _reader: Reader | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from crosspost.config import load_settings
            from crosspost.redact import register_settings

            self._settings = load_settings(self.config_path)
            from crosspost.language import use

            # What the officer types from here on is answered in the config's language.
            use(self._settings.language)
            # Before anything is printed: rows written before redaction may hold a token.
            register_settings(self._settings)
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            from crosspost.store import Store

            self._store = Store.open(self.settings.database_url)
        return self._store

    @property
    def reader(self) -> Store | Reader:
        """What `list`, `show` and `status` read with: on a SQLite ledger at the newest
        schema, the standard library's sqlite3 (crosspost/sqlite_reads.py: SQLAlchemy's
        import was most of their time); otherwise, or once the store is open, the store."""
        if self._store is not None:
            return self._store
        if self._reader is None:
            from crosspost.sqlite_reads import open_reader

            self._reader = open_reader(self.settings.database_url, lambda: self.store)
            if self._reader is None:
                return self.store
        return self._reader

    def publishing_store(self, workers: int | None) -> Store:
        """The ledger with a connection for every publishing thread and the daemon's jobs.

        With fewer connections than threads, threads queue for one, and a wait longer
        than the pool's timeout fails a publication that had nothing wrong with it.
        """
        if self._store is None:
            from crosspost.store import Store

            threads = workers or self.settings.publisher.workers
            self._store = Store.open(
                self.settings.database_url, pool_size=threads + 6, max_overflow=10
            )
        return self._store

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._store is not None:
            self._store.close()
            self._store = None


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):
        obj = AppContext()
        ctx.find_root().obj = obj
    return obj


def now() -> datetime:
    """The command's clock (crosspost.clock, which time-machine freezes in tests)."""
    return utcnow()


def emit_json(data: Any) -> None:
    json.dump(redact_data(data), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def say(message: str = "") -> None:
    typer.echo(redact(message))


def warn(message: str) -> None:
    typer.secho(redact(message), err=True, fg=typer.colors.YELLOW)
