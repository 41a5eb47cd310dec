"""Mobilizon, the federated events platform: an event item becomes an event of a group.

See channel.py for what is published and how it stays exactly once, session.py for
how the login is kept, api.py for what Mobilizon's answers mean.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channels.mobilizon.channel import MobilizonChannel
    from channels.mobilizon.settings import MobilizonSettings


def __getattr__(name: str) -> Any:
    # Imported on first use: reading crosspost.toml validates the [channels.NAME] table
    # with `settings` alone (channels/registry.py), without the adapter and its modules.
    home = {"MobilizonChannel": "channel", "MobilizonSettings": "settings"}.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)


__all__ = ["MobilizonChannel", "MobilizonSettings"]
