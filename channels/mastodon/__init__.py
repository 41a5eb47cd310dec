"""Mastodon: statuses on any instance through its REST API, exactly once by Idempotency-Key.

The modules, each with one job: `settings` (the `[channels.NAME]` table), `text`
(Mastodon's count, threads, reading a status back), `render` (what the officer
sees, the exact requests), `media` (the image, its alt text, the wait for 202),
`api` (one function per endpoint), `errors` (what each failure means), and
`channel` (the adapter the engine calls).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channels.mastodon.channel import MastodonChannel
    from channels.mastodon.settings import MastodonSettings


def __getattr__(name: str) -> Any:
    # Imported on first use: reading crosspost.toml validates the [channels.NAME] table
    # with `settings` alone (channels/registry.py), without the adapter and its modules.
    home = {"MastodonChannel": "channel", "MastodonSettings": "settings"}.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)


__all__ = ["MastodonChannel", "MastodonSettings"]
