"""The README's "An event's whole life", run as written on a fresh `crosspost init`."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from tests.conftest import Cli

README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> tuple[str, list[list[str]]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## An event's whole life") :]
    section = section[: section.index("\n## ", 1)]
    toml = re.search(r"```toml\n(.*?)```", section, re.S)
    shell = re.search(r"```sh\n(.*?)```", section, re.S)
    assert toml, "the section lost its crosspost.toml lines"
    assert shell, "the section lost its commands"
    joined = shell.group(1).replace("\\\n", " ")
    commands = [shlex.split(line, comments=True) for line in joined.splitlines()]
    return toml.group(1), [c for c in commands if c]


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel("2026-12-02T10:00:00Z", tick=False) as traveller:
        yield traveller


def test_the_readme_event_life_runs_as_written(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", db_url)
    cli("init")
    toml, commands = _section()
    config = tmp_path / "crosspost.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + toml, encoding="utf-8")
    outputs = {}
    for command in commands:
        assert command[0] == "crosspost"
        result = cli(*command[1:], ok=command[1] not in ("health", "run"))
        assert result.code in (0, 3, 4), f"{shlex.join(command)}\n{result}"
        outputs[" ".join(command[1:3])] = result.out
    # What the comments promise.
    assert "facebook -1d 18:00" in outputs["list --kind"]
    assert "facebook morning" in outputs["list --kind"]
    assert "Dans 3 jours : Fête du quartier" in outputs["preview 1"]
    assert "Demain : Fête du quartier à 11h, Place de la mairie" in outputs["preview 1"]
    assert "Queued series" in outputs["add --kind"] or "Queued item" in outputs["add --kind"]
    assert (tmp_path / "calendar.html").read_text(encoding="utf-8").count("★") >= 1
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["status"] == "cancelled"
    assert shown["item"]["steps"] == {"morning": "C'est aujourd'hui : {title} !"}
