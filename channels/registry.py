"""Channel type name -> adapter class, through the `crosspost.channels` entry-point group.

Built-in adapters are registered exactly like a third party's would be (see
pyproject.toml), so `pip install crosspost-mastodon` can add a type.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points

from channels.base import Channel, ChannelSettings
from crosspost.errors import ConfigError
from crosspost.secrets import SecretSource

GROUP = "crosspost.channels"


@cache
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def known_types() -> list[str]:
    return sorted(_entry_points())


def adapter_class(type_name: str) -> type[Channel]:
    """The adapter registered for `type_name`, imported on first use."""
    entry = _entry_points().get(type_name)
    if entry is None:
        known = ", ".join(known_types()) or "none (is crosspost installed?)"
        raise ConfigError(f"unknown channel type {type_name!r}; known types: {known}")
    try:
        adapter = entry.load()
    except ImportError as exc:
        raise ConfigError(
            f"channel type {type_name!r} could not be loaded ({exc}); "
            "reinstall crosspost or the plugin that provides it"
        ) from None
    if not (isinstance(adapter, type) and issubclass(adapter, Channel)):
        raise ConfigError(f"channel type {type_name!r} ({entry.value}) is not a Channel class")
    return adapter


def build(name: str, settings: ChannelSettings, secrets: SecretSource) -> Channel:
    """A ready adapter for `[channels.NAME]`; dry-run mode wraps it so nothing is sent."""
    adapter = adapter_class(settings.type)(name, settings, secrets)
    if settings.mode == "dry-run":
        from channels.dryrun import DryRun

        return DryRun(adapter)
    return adapter
