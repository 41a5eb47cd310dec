"""Click's usage errors ("No such option", "Missing option") in the officer's language.

Typer's copy of click builds these sentences with f-strings (no gettext), so the English
sentence is read back here by its known forms and said again through the catalog; a
form not known here is shown as click wrote it.
"""

from __future__ import annotations

import re
from typing import Any

import typer

from crosspost.i18n import N_, _

#: click's sentence -> ours; the named groups are the placeholders.
_FORMS = (
    (
        re.compile(r"^No such option: (?P<name>\S+) \(Possible options: (?P<options>.*)\)$"),
        N_("No such option: {name} (Possible options: {options})"),
    ),
    (re.compile(r"^No such option: (?P<name>\S+)$"), N_("No such option: {name}")),
    (re.compile(r"^Missing option (?P<hint>.+)\.$"), N_("Missing option {hint}.")),
    (re.compile(r"^Missing argument (?P<hint>.+)\.$"), N_("Missing argument {hint}.")),
    (
        re.compile(r"^Invalid value for (?P<hint>.+?): (?P<message>.*)$", re.DOTALL),
        N_("Invalid value for {hint}: {message}"),
    ),
    (
        re.compile(r"^Option (?P<name>\S+) requires an argument\.$"),
        N_("Option {name} requires an argument."),
    ),
    (re.compile(r"^No such command (?P<name>.+)\.$"), N_("No such command {name}.")),
    (
        re.compile(r"^Got unexpected extra arguments? \((?P<extra>.*)\)$"),
        N_("Got unexpected extra arguments ({extra})"),
    ),
)
HINT = N_("Try '{command} {option}' for help.")

#: What Typer's conversion (pydantic's words) says of a refused value -> plain words.
_VALUES = {
    "Input should be a valid integer, unable to parse string as an integer": N_(
        "a whole number was expected, like 3"
    ),
    "Input should be a valid integer": N_("a whole number was expected, like 3"),
    "Input should be a valid number, unable to parse string as a number": N_(
        "a number was expected, like 2.5"
    ),
    "Input should be a valid boolean, unable to interpret input": N_(
        "yes or no was expected (true or false)"
    ),
}


def translated(message: str) -> str:
    """click's `message` in the language in force."""
    for form, ours in _FORMS:
        found = form.match(message)
        if found:
            parts = found.groupdict()
            if "message" in parts and parts["message"].strip() in _VALUES:
                parts["message"] = _(_VALUES[parts["message"].strip()])
            return _(ours).format(**parts)
    return message


def show(exc: Any) -> None:
    """What click's UsageError.show writes (usage, hint, error), in the language in force."""
    from crosspost.cli.output import print_error

    ctx = exc.ctx
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            command, option = ctx.command_path, ctx.help_option_names[0]
            hint = _(HINT).format(command=command, option=option) + "\n"
        typer.echo(f"{ctx.get_usage()}\n{hint}", err=True, color=ctx.color)
    print_error(translated(exc.format_message()), exc.exit_code)
