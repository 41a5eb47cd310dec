"""`--help` in the officer's language: the commands' texts passed through the catalog.

Typer takes help texts at import, before the language is known, so they stay English
in the code (they are the message ids) and are translated on the click commands once
the command line is being read. scripts/i18n_pot.py puts the texts of FRENCH_HELP in
the catalog; a text not there yet stays English.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: The commands whose --help is in the catalog ("" is `crosspost` itself).
FRENCH_HELP = ("", "status", "health", "show", "list")


# Commands are Any: Typer builds them on its own copy of click (typer._click).
def commands(root: Any) -> Iterator[tuple[str, Any]]:
    """Every command under `root` with its path ('db upgrade'), `root` first as ''."""
    stack: list[tuple[str, Any]] = [("", root)]
    while stack:
        path, command = stack.pop()
        yield path, command
        if isinstance(getattr(command, "commands", None), dict):
            for name, sub in sorted(command.commands.items(), reverse=True):
                stack.append((f"{path} {name}".strip(), sub))


def texts(command: Any) -> Iterator[str]:
    """The help texts of one command: its own and its options' and arguments'."""
    if command.help:
        yield command.help
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            yield text


def translate(root: Any) -> None:
    """Give every command under `root` its help in the language in force."""
    from crosspost.i18n import _

    for _path, command in commands(root):
        if command.help:
            command.help = _(command.help)
        for param in command.params:
            text = getattr(param, "help", None)
            if text:
                param.help = _(text)
