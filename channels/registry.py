"""Channel type name -> adapter class, through the `crosspost.channels` entry-point group.

Built-in adapters are registered exactly like a third party's would be (see
pyproject.toml: `mastodon = "channels.mastodon:MastodonChannel"`), so `pip install
crosspost-linkedin` could add a type the same way. Code that is
not installed (the test suite's `fake` type, a plugin under development) calls
`register(type_name, adapter_class)` instead; a class registered so wins over an
entry point of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points

from channels.base import Channel, ChannelSettings
from crosspost.errors import ConfigError
from crosspost.secrets import SecretSource

GROUP = "crosspost.channels"


#: Adapters registered in this process by `register`, consulted before the entry points.
_REGISTERED: dict[str, type[Channel]] = {}


@cache
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def register(type_name: str, adapter: type[Channel]) -> None:
    """Make `type = "TYPE_NAME"` build `adapter` in this process, without an entry point."""
    if not (isinstance(adapter, type) and issubclass(adapter, Channel)):
        raise TypeError(f"channel type {type_name!r}: {adapter!r} is not a Channel class")
    _REGISTERED[type_name] = adapter


def known_types() -> list[str]:
    return sorted(_REGISTERED.keys() | _entry_points().keys())


def adapter_class(type_name: str) -> type[Channel]:
    """The adapter registered for `type_name`, imported on first use."""
    if type_name in _REGISTERED:
        return _REGISTERED[type_name]
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


@dataclass(frozen=True)
class Builtin:
    """What reading crosspost.toml needs of a built-in type, known without its adapter."""

    #: The module of its settings model (a light one: pydantic and channels.base).
    module: str
    settings: str
    #: The adapter's `only_kinds`.
    only_kinds: tuple[str, ...] = ()


#: Every command reads crosspost.toml, and importing each declared channel's adapter
#: (its rendering, its HTTP client...) to validate a table was a tenth of what `list`
#: costs. tests/channels/test_registry.py checks these against the adapters themselves.
BUILTINS: dict[str, Builtin] = {
    "static-blog": Builtin("channels.static_blog.settings", "StaticBlogSettings"),
    "twitter": Builtin("channels.twitter.settings", "TwitterSettings"),
    "facebook": Builtin("channels.facebook.settings", "FacebookSettings"),
    "wordpress": Builtin("channels.wordpress.settings", "WordPressSettings"),
    "bluesky": Builtin("channels.bluesky.settings", "BlueskySettings"),
    "mastodon": Builtin("channels.mastodon.settings", "MastodonSettings"),
    "mobilizon": Builtin("channels.mobilizon.settings", "MobilizonSettings", ("event",)),
}


def settings_class(type_name: str) -> type[ChannelSettings]:
    """The settings model of `type_name`'s tables; a built-in's without its adapter."""
    if type_name in _REGISTERED:
        return _REGISTERED[type_name].Settings
    builtin = BUILTINS.get(type_name)
    if builtin is None:
        return adapter_class(type_name).Settings
    model: type[ChannelSettings] = getattr(import_module(builtin.module), builtin.settings)
    return model


def only_kinds(type_name: str) -> tuple[str, ...]:
    """The only kinds of item `type_name` publishes (empty: any)."""
    if type_name not in _REGISTERED and type_name in BUILTINS:
        return BUILTINS[type_name].only_kinds
    kinds: tuple[str, ...] = getattr(adapter_class(type_name), "only_kinds", ())
    return kinds


def build(name: str, settings: ChannelSettings, secrets: SecretSource) -> Channel:
    """A ready adapter for `[channels.NAME]`; dry-run mode wraps it so nothing is sent."""
    adapter = adapter_class(settings.type)(name, settings, secrets)
    if settings.mode == "dry-run":
        from channels.dryrun import DryRun

        return DryRun(adapter)
    return adapter
