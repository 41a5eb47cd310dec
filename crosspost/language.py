"""Which language Crosspost speaks to the officer: French or English.

`language = "fr"` or `"en"` in crosspost.toml decides; without it the locale
variables do, in gettext's order (LANGUAGE, LC_ALL, LC_MESSAGES, LANG): French
when the first one set names French, English otherwise.

The language in force is a context variable: the CLI sets it once the config is
read, and code that checks an officer's input for a given config (intake, the
config's own validation) sets it around that check, so a refusal comes in the
officer's language without every function taking a `language` argument.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_current: ContextVar[Language | None] = ContextVar("crosspost_language", default=None)
#: The language `use` chose, for the threads the command starts (the publisher's pool):
#: a new thread does not inherit the context variable.
_chosen: Language | None = None


def from_environment(environ: Mapping[str, str] | None = None) -> Language:
    """The language the locale variables ask for (the first one set wins, as in gettext)."""
    env = os.environ if environ is None else environ
    for name in _LOCALE_VARIABLES:
        value = env.get(name, "").strip()
        if not value:
            continue
        # LANGUAGE is a list ("fr:en"); the others one locale ("fr_FR.UTF-8").
        first = value.split(":", 1)[0].strip().lower()
        return "fr" if first.startswith("fr") else "en"
    return "en"


def current() -> Language:
    """The language in force: the one set by `use`/`using`, else the environment's."""
    return _current.get() or _chosen or from_environment()


def use(language: Language | None) -> None:
    """Speak `language` from now on (the CLI, once crosspost.toml is read; None: the
    environment's)."""
    global _chosen
    _current.set(language)
    _chosen = language


def forget() -> None:
    """Back to the environment's language (tests: one test's config does not leak)."""
    global _chosen
    _chosen = None


@contextmanager
def using(language: Language | None) -> Iterator[None]:
    """Speak `language` inside the block only (None: the environment's)."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def pick(english: str, french: str) -> str:
    """The sentence in the language in force (new sentences: crosspost.i18n._ and the catalog)."""
    return french if current() == "fr" else english
