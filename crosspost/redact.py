"""Secrets out of every message: what a platform quotes back is masked before it is kept or shown.

One registry for the process. `SecretSource.get` adds every value it hands out, and
`register_settings` the values of the variables the configured channels name, so a
command that never calls a platform (`status`, `list`) masks them too. A value is
masked as written, URL-encoded, and inside an HTTP Basic header (base64 of
user:password). Values shorter than MIN_LENGTH are left alone: masking "2026" would
mangle dates and counts everywhere, and hides nothing worth hiding.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crosspost.config import Settings

#: Shorter values are not secrets worth mangling text for.
MIN_LENGTH = 6
MASK = "[redacted]"

_lock = threading.Lock()
_forms: set[str] = set()
#: Rebuilt on each new value; read without the lock (a reference swap is atomic).
_pattern: re.Pattern[str] | None = None


def register(value: str, *, user: str | None = None) -> None:
    """Mask `value` from now on; with `user`, also the Basic-auth header it makes."""
    global _pattern
    if len(value) < MIN_LENGTH:
        return
    # Imported here: every command imports this module, few register a secret.
    import base64
    from urllib.parse import quote, quote_plus

    forms = {value, quote(value, safe=""), quote(value), quote_plus(value)}
    if user is not None:
        forms.add(base64.b64encode(f"{user}:{value}".encode()).decode("ascii"))
    with _lock:
        if forms <= _forms:
            return
        _forms.update(forms)
        # Longest first, so a value containing another is masked whole.
        ordered = sorted(_forms, key=len, reverse=True)
        _pattern = re.compile("|".join(map(re.escape, ordered)))


def redact(text: str) -> str:
    """`text` with every registered secret replaced by [redacted]."""
    pattern = _pattern
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


def redact_optional(text: str | None) -> str | None:
    return None if text is None else redact(text)


def redact_data(data: Any) -> Any:
    """The same JSON-like structure with every string redacted (for --json and the JSON log)."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {key: redact_data(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [redact_data(value) for value in data]
    return data


def register_settings(settings: Settings) -> None:
    """Mask the values of the secrets the configured channels name (their `*_env` keys)."""
    from crosspost.errors import ConfigError

    try:
        source = settings.secrets()
        for channel in settings.channels.values():
            user = getattr(channel, "username", None)
            for key, name in channel:
                if not (key.endswith("_env") and isinstance(name, str) and source.has(name)):
                    continue
                value = source.get(name)  # registers it
                if isinstance(user, str):
                    register(value, user=user)
    except (ConfigError, OSError, UnicodeError):
        # An unreadable secrets file: its values cannot reach a platform either.
        return
