"""Writes crosspost/locale/crosspost.pot: every message the French catalog must hold.

The _(), ngettext(), pgettext() and N_() texts of the code (pybabel extract, with the
mappings in pyproject.toml), and the --help texts and value placeholders of every
command (Typer keeps them in keyword arguments and docstrings, where pybabel does not
look). scripts/i18n.sh runs it; tests/test_i18n.py
imports it to prove the catalog holds all of them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "crosspost" / "locale" / "crosspost.pot"


def help_texts() -> list[str]:
    """The --help texts of every command, as the officer reads them."""
    import typer.main

    from crosspost.cli import app
    from crosspost.cli.help_text import commands, texts

    root = typer.main.get_command(app)
    return [text for _path, command in commands(root) for text in texts(command)]


def catalog() -> Catalog:
    """The template: the code's messages and the help texts, sorted, without locations."""
    extracted = POT.with_suffix(".code.pot")
    CommandLineInterface().run(  # type: ignore[no-untyped-call]
        [
            "pybabel", "-q", "extract", "-F", str(ROOT / "pyproject.toml"),
            "--project=crosspost", "--no-location", "--sort-output", "--msgid-bugs-address=",
            "--copyright-holder=Crosspost contributors", "-o", str(extracted), str(ROOT),
        ]
    )  # fmt: skip
    try:
        with extracted.open("rb") as f:
            template = read_po(f)
    finally:
        extracted.unlink()
    for text in help_texts():
        if text not in template:
            template.add(text, auto_comments=["--help"])
    return template


def main(target: Path = POT) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as f:
        write_po(f, catalog(), omit_header=False, sort_output=True, no_location=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else POT)
