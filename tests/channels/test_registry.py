"""Channel types come from entry points, or from `register` for code that is not installed."""

from __future__ import annotations

import pytest

from channels.registry import adapter_class, known_types, register
from crosspost.errors import ConfigError
from tests.support.fakechannel import FakeChannel


def test_the_suite_registers_the_fake_type_without_an_entry_point() -> None:
    assert adapter_class("fake") is FakeChannel
    built_in = {"fake", "static-blog", "twitter", "facebook", "wordpress", "mastodon"}
    assert built_in <= set(known_types())


def test_register_refuses_what_is_not_a_channel_class() -> None:
    with pytest.raises(TypeError, match=r"'carrier-pigeon'.*not a Channel class"):
        register("carrier-pigeon", dict)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown channel type 'carrier-pigeon'"):
        adapter_class("carrier-pigeon")
