"""Package attributes imported on first use (an adapter's package exports its classes lazily)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that imports `package.<home>` only when `name` is asked for.

    Reading crosspost.toml validates a [channels.NAME] table with the `settings` module
    alone (channels/registry.py), without the adapter and the SDK it imports.
    """

    def attribute(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{home}"), name)

    return attribute
