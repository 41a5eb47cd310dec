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


def test_what_settings_know_of_each_built_in_type_is_what_its_adapter_says() -> None:
    """crosspost.toml is read with `BUILTINS`, never importing an adapter: they must agree."""
    from channels.registry import BUILTINS, _entry_points, only_kinds, settings_class

    assert set(BUILTINS) == set(_entry_points())  # every type this package ships
    for type_name in BUILTINS:
        adapter = adapter_class(type_name)
        assert settings_class(type_name) is adapter.Settings, type_name
        assert only_kinds(type_name) == getattr(adapter, "only_kinds", ()), type_name


def test_reading_the_settings_imports_no_adapter() -> None:
    """A fresh interpreter reading a config of blog, Facebook and Mastodon channels."""
    import subprocess
    import sys

    script = """
import sys
from pathlib import Path
from crosspost.config import parse_settings
parse_settings(Path(sys.argv[1]).read_bytes(), Path(sys.argv[1]))
print(" ".join(sorted(m for m in sys.modules if m.endswith(".channel"))))
"""
    config = """\
timezone = "Europe/Paris"
database = "sqlite:///x.db"
[channels.blog]
type = "static-blog"
path = "site"
[channels.facebook]
type = "facebook"
mode = "dry-run"
page_id = "104000000000001"
[channels.masto]
type = "mastodon"
mode = "dry-run"
instance_url = "https://mastodon.example"
[[routes]]
kind = "article"
to = ["blog"]
announce = ["facebook", "masto"]
"""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "crosspost.toml"
        path.write_text(config, encoding="utf-8")
        (Path(folder) / "site").mkdir()
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
        )
    assert done.stdout.split() == []
