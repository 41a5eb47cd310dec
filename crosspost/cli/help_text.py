"""`--help` in the officer's language and words: the commands' texts passed through the catalog.

Typer takes help texts at import, before the language is known, so they stay English
in the code (they are the message ids) and are translated on the click commands once
the command line is being read. scripts/i18n_pot.py puts every command's texts and
placeholders in the catalog.

Typer names a value by its Python type (`<str>`, `<list[str]>`, `<int range>`) and
a range as `1<=x<=256`; an officer reads neither. Every value gets a placeholder
saying what to type (`WHEN`, `FILE`), and the help formatter says the rest in words:
its headings, "required", defaults and ranges.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from typer._click.core import Context
from typer._click.formatting import HelpFormatter

from crosspost.i18n import N_, _

#: What to type in place of a value, by parameter name (the same in every command).
METAVARS = {
    "config": N_("FILE"),
    "file": N_("FILE"),
    "body_file": N_("FILE"),
    "output": N_("FILE"),
    "source": N_("FILE"),
    "directory": N_("FOLDER"),
    "kind": N_("KIND"),
    "title": N_("TITLE"),
    "body": N_("WORDS"),
    "link": N_("ADDRESS"),
    "url": N_("ADDRESS"),
    "published": N_("ADDRESS"),
    "host": N_("ADDRESS"),
    "image": N_("PICTURE"),
    "alt": N_("DESCRIPTION"),
    "tag": N_("TAG"),
    "event_start": N_("WHEN"),
    "event_end": N_("WHEN"),
    "deadline": N_("WHEN"),
    "at": N_("WHEN"),
    "from_": N_("WHEN"),
    "to": N_("WHEN"),
    "location": N_("PLACE"),
    "step_text": N_("STEP=WORDS"),
    "text_for": N_("CHANNEL=WORDS"),
    "channel": N_("CHANNEL"),
    "names": N_("CHANNEL"),
    "repeat": N_("RULE"),
    "item_id": N_("ID"),
    "token_id": N_("ID"),
    "status": N_("STATE"),
    "fmt": N_("FORMAT"),
    "log_format": N_("FORMAT"),
    "delimiter": N_("CHARACTER"),
    "timeout": N_("SECONDS"),
    "name": N_("NAME"),
    "label": N_("NAME"),
    "weeks": N_("WEEKS"),
    "ahead": N_("WEEKS"),
    "timezone": N_("ZONE"),
    "limit": N_("NUMBER"),
    "workers": N_("NUMBER"),
    "port": N_("NUMBER"),
    "reason": N_("REASON"),
    "target": N_("ID-OR-FILE"),
    "scope": N_("USE"),
}

# Typer's own words, translated where they are written.
N_("Usage: ")
N_("Options")
N_("Arguments")
N_("Commands")
N_("[OPTIONS]")
N_("COMMAND [ARGS]...")
N_("Show this message and exit.")
HEADING = N_("{heading}:")
REQUIRED = N_("required")
DEFAULT = N_("default: {default}")
AT_LEAST = N_("at least {low}")
AT_MOST = N_("at most {high}")
FROM_TO = N_("from {low} to {high}")
SEPARATOR = N_("; ")

# French puts a space before : ; ! ? and the wrapping must not leave the sign alone at
# the start of a line: the space is made a no-break one (the terminal shows a space).
_BEFORE_SIGN = re.compile(r" (?=[:;!?»])|(?<=«) ")

# Typer appends "  [default: 4; 1<=x<=260; required]" to a help text, in that order.
_EXTRAS = re.compile(r"^(?P<help>.*?)(?:  )?\[(?P<extras>[^\[\]]*)\]$", re.DOTALL)
_RANGE = re.compile(r"(?:^|; )(?:(?P<low>[\d.-]+)<=)?x(?:<=(?P<high>[\d.-]+)|>=(?P<min>[\d.-]+))?$")
# An argument's Python type after its placeholder ("ID <int>"): the placeholder says it.
_TYPE = re.compile(r" <[^<>]*>(?:\.\.\.)?$")


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


def takes_value(param: Any) -> bool:
    """Whether `param` is followed by a value the officer types (not a flag)."""
    return not (getattr(param, "is_flag", False) or getattr(param, "count", False))


def metavar(param: Any) -> str | None:
    """The English placeholder of `param`'s value (the message id), None for a flag."""
    if not takes_value(param):
        return None
    return METAVARS.get(param.name or "") or param.metavar


def texts(command: Any) -> Iterator[str]:
    """The help texts of one command: its own, its options' and arguments', their placeholders."""
    if command.help:
        yield command.help
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            yield text
        placeholder = metavar(param)
        if placeholder:
            yield placeholder


def translate(root: Any) -> None:
    """Give every command under `root` its help in the language in force."""
    for _path, command in commands(root):
        command.context_class = HelpContext
        if command.help:
            command.help = _(command.help)
        if command.options_metavar:
            command.options_metavar = _(command.options_metavar)
        if getattr(command, "subcommand_metavar", None):
            command.subcommand_metavar = _(command.subcommand_metavar)
        for param in command.params:
            text = getattr(param, "help", None)
            if text:
                param.help = _(text)
            placeholder = metavar(param)
            if placeholder:
                param.metavar = _(placeholder)


def _extras(extras: str) -> str:
    """Typer's "default: 4; 1<=x<=260; required" in words."""
    words: list[str] = []
    if extras == "required" or extras.endswith("; required"):
        words.insert(0, _(REQUIRED))
        extras = extras.removesuffix("required").removesuffix("; ")
    found = _RANGE.search(extras)
    if found:
        low, high = found["low"] or found["min"], found["high"]
        if low and high:
            words.insert(0, _(FROM_TO).format(low=low, high=high))
        elif low:
            words.insert(0, _(AT_LEAST).format(low=low))
        elif high:
            words.insert(0, _(AT_MOST).format(high=high))
        extras = extras[: found.start()]
    if extras.startswith("default: "):
        words.insert(0, _(DEFAULT).format(default=extras.removeprefix("default: ")))
    elif extras:
        words.insert(0, extras)
    return _(SEPARATOR).join(words)


def plain_help(text: str) -> str:
    """One option's help as printed: translated, its bracketed extras in words."""
    found = _EXTRAS.match(text)
    if not found:
        return _(text)
    help_text, extras = _(found["help"]), _extras(found["extras"])
    bracket = f"[{extras}]"
    return f"{help_text}  {bracket}" if help_text else bracket


def keep_signs_attached(text: str) -> str:
    """`text` with the space before : ; ! ? (and inside « ») made a no-break space."""
    return _BEFORE_SIGN.sub("\u00a0", text)


class Formatter(HelpFormatter):
    """click's help layout with Typer's English words translated and types left out."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_(HEADING).format(heading=_(heading))}\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        plain = [
            (_TYPE.sub("", term), keep_signs_attached(plain_help(text))) for term, text in rows
        ]
        super().write_dl(plain, col_max, col_spacing)

    def write_text(self, text: str) -> None:
        super().write_text(keep_signs_attached(text))


class HelpContext(Context):
    """A context whose help is written by `Formatter`."""

    formatter_class = Formatter
