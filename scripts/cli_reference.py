"""Writes docs/cli.md, the CLI reference, from the commands' own --help.

Run `python scripts/cli_reference.py` after changing a command; tests/test_docs.py
fails while docs/cli.md differs from what this produces, so the reference cannot drift.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer.main
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "cli.md"
WIDTH = 100

HEADER = """\
# Command reference

Generated from `crosspost --help` by `python scripts/cli_reference.py`; do not edit by
hand (a test compares it with the commands themselves).
"""


def _paths(command: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every command and sub-command, depth first, sub-commands sorted by name."""
    found = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            found.extend(_paths(sub, (*path, name)))
    return found


def render() -> str:
    """The whole reference, one section per command, each its --help as a user sees it."""
    from crosspost.cli import app

    runner = CliRunner()
    sections = [HEADER]
    for path in _paths(typer.main.get_command(app), ()):
        result = runner.invoke(
            app, [*path, "--help"], prog_name="crosspost", env={"COLUMNS": str(WIDTH)}
        )
        if result.exit_code != 0:
            raise SystemExit(f"crosspost {' '.join(path)} --help failed:\n{result.output}")
        title = " ".join(("crosspost", *path))
        sections.append(f"## `{title}`\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(sections)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        return 0 if TARGET.read_text(encoding="utf-8") == text else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
