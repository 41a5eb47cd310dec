"""Credentials: from environment variables, else from a mode-0600 secrets file.

They are never stored in the ledger, logged, exported or shown in a message:
errors name the variable, not its value, and every value handed out is given
to crosspost.redact, which takes it out of whatever a platform quotes back.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from crosspost import redact
from crosspost.errors import ConfigError
from crosspost.i18n import _


class MissingSecret(ConfigError):
    """A credential a live channel needs is not set anywhere."""


class SecretSource:
    """Looks a secret up by name: the environment first, then the secrets file.

    A secrets file others can read is refused at once, even when the environment
    holds every value: its secrets are exposed all the same, and the officer must
    hear so before anything is sent.
    """

    def __init__(self, secrets_file: Path | None = None) -> None:
        if secrets_file is not None:
            check_private(secrets_file)
        self._file = secrets_file
        self._loaded: dict[str, str] | None = None

    def get(self, name: str) -> str:
        value = os.environ.get(name) or self._from_file().get(name)
        if value:
            redact.register(value)
            return value
        where = f" or in {self._file}" if self._file else ""
        raise MissingSecret(
            f"the secret {name} is not set: export {name}=... in the environment{where} "
            "(a secrets file must be readable by you only: chmod 600)"
        )

    def has(self, name: str) -> bool:
        return bool(os.environ.get(name) or self._from_file().get(name))

    def _from_file(self) -> dict[str, str]:
        if self._loaded is None:
            self._loaded = read_secrets_file(self._file) if self._file else {}
        return self._loaded


def check_private(path: Path) -> None:
    """Refuse a secrets file that users other than its owner may read or change."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        raise ConfigError(
            _(
                "the secrets file {path} can be read by other users (mode {mode}); "
                "run: chmod 600 {path}"
            ).format(path=path, mode=f"{mode:o}")
        )


def read_secrets_file(path: Path) -> dict[str, str]:
    """NAME=value lines (a dotenv subset); refuses a file others can read."""
    if not path.exists():
        return {}
    check_private(path)
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ConfigError(
                _("{path}, line {number}: expected NAME=value").format(path=path, number=number)
            )
        values[name.strip()] = value.strip().strip('"').strip("'")
    return values
