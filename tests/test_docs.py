"""The reference documents cannot drift from the code they describe."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from channels.registry import adapter_class, known_types
from crosspost.config import (
    FeedSettings,
    FileSettings,
    PublisherSettings,
    ReviewSettings,
    Route,
)
from crosspost.policy.rules import ChannelPolicyIn, GlobalPolicyIn

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DOC = ROOT / "docs" / "config.md"


def test_the_cli_reference_is_the_commands_own_help() -> None:
    script = ROOT / "scripts" / "cli_reference.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, (
        "docs/cli.md differs from the commands' --help: run `python scripts/cli_reference.py`"
        f"\n{result.stdout}{result.stderr}"
    )


def _documented_keys(section: str) -> set[str]:
    """The `key` names in the table of one `## section` of docs/config.md."""
    text = CONFIG_DOC.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"docs/config.md has no section '## {section}'"
    return set(re.findall(r"^\| `([a-z0-9_]+)`", match.group(1), re.M))


def _keys(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


@pytest.mark.parametrize(
    ("section", "model"),
    [
        ("Top level", FileSettings),
        ("[publisher]", PublisherSettings),
        ("[review]", ReviewSettings),
        ("[feeds]", FeedSettings),
        ("[[routes]]", Route),
        ("[policy]", GlobalPolicyIn),
        ("[policy.CHANNEL]", ChannelPolicyIn),
    ],
)
def test_every_config_key_is_documented(section: str, model: type[BaseModel]) -> None:
    tables = {"channels", "routes", "policy", "publisher"}
    missing = _keys(model) - tables - _documented_keys(section)
    assert not missing, f"docs/config.md, {section}: undocumented keys {sorted(missing)}"


@pytest.mark.parametrize("type_name", [t for t in known_types() if t != "fake"])
def test_every_channel_key_is_documented(type_name: str) -> None:
    settings = adapter_class(type_name).Settings
    missing = (
        _keys(settings)
        - _documented_keys("Every channel")
        - _documented_keys(f'type = "{type_name}"')
    )
    assert not missing, f'docs/config.md, type = "{type_name}": undocumented {sorted(missing)}'
