"""Errors an officer may see: each says what was wrong and what to do."""

from __future__ import annotations


class CrosspostError(Exception):
    """A problem to report in one clear message, without a traceback (exit 1)."""

    exit_code = 1


class ConfigError(CrosspostError):
    """crosspost.toml is missing, unreadable or invalid."""


class InputError(CrosspostError):
    """An item, a time or a flag the officer gave is not acceptable."""


class NotFound(CrosspostError):
    """No such item or delivery."""


class Conflict(CrosspostError):
    """The ledger changed under us (another process moved the delivery first)."""


class DatabaseBusy(CrosspostError):
    """Another process held the database too long."""


class DatabaseUnavailable(CrosspostError):
    """The database cannot be reached, opened or written: its server is down, its file is
    read-only or its disk full. The officer's set-up to fix, not a bug; nothing was changed."""
