"""pydantic's refusals in the officer's words and language, with the key they are about.

pydantic says "Input should be a valid list" or "Extra inputs are not permitted": true,
English, and not what an officer reads. Each error type becomes a sentence of the
catalog saying what was expected; our own validators' messages (already translated)
are kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import ValidationError

from crosspost.i18n import N_, _

#: What a value of the wrong type should have been ("expected {what}").
WHAT = {
    "string_type": N_("text"),
    "int_type": N_("a whole number, like 3"),
    "int_parsing": N_("a whole number, like 3"),
    "int_from_float": N_("a whole number, like 3"),
    "float_type": N_("a number, like 2.5"),
    "float_parsing": N_("a number, like 2.5"),
    "bool_type": N_("true or false"),
    "bool_parsing": N_("true or false"),
    "list_type": N_('a list, like ["a", "b"]'),
    "tuple_type": N_('a list, like ["a", "b"]'),
    "set_type": N_('a list, like ["a", "b"]'),
    "dict_type": N_("a table of named values"),
    "model_type": N_("a table of named values"),
    "model_attributes_type": N_("a table of named values"),
    "url_type": N_("a web address, like https://example.org"),
    "url_parsing": N_("a web address, like https://example.org"),
    "url_scheme": N_("a web address, like https://example.org"),
    "url_syntax_violation": N_("a web address, like https://example.org"),
    "time_type": N_("a time, like 14:30"),
    "time_parsing": N_("a time, like 14:30"),
    "date_type": N_("a date, like 2026-12-12"),
    "date_parsing": N_("a date, like 2026-12-12"),
    "date_from_datetime_parsing": N_("a date, like 2026-12-12"),
    "datetime_type": N_("a date and time, like 2026-12-12 14:30"),
    "datetime_parsing": N_("a date and time, like 2026-12-12 14:30"),
    "datetime_from_date_parsing": N_("a date and time, like 2026-12-12 14:30"),
    "timedelta_type": N_('a duration, like "30m", "6h" or "1d"'),
    "timedelta_parsing": N_('a duration, like "30m", "6h" or "1d"'),
}
EXPECTED = N_("expected {what}")
OR = N_(" or ")

#: Refusals that are not about the type; {placeholders} come from pydantic's context.
SENTENCES = {
    "missing": N_("missing; this key is required"),
    "extra_forbidden": N_("unknown key (check its spelling)"),
    "string_too_long": N_("too long: at most {max_length} characters"),
    "string_pattern_mismatch": N_("not written in the expected form"),
    "too_short": N_("expected at least {min_length} entries"),
    "too_long": N_("expected at most {max_length} entries"),
    "greater_than": N_("expected a number above {gt}"),
    "greater_than_equal": N_("expected a number of at least {ge}"),
    "less_than": N_("expected a number below {lt}"),
    "less_than_equal": N_("expected a number of at most {le}"),
    "literal_error": N_("expected one of {expected}"),
    "enum": N_("expected one of {expected}"),
}
EMPTY = N_("must not be empty")
TOO_SHORT_TEXT = N_("too short: at least {min_length} characters")
NOT_ACCEPTED = N_("this value is not accepted here")
GOT = N_("{message} (got {got})")

# The members of a union are named in the key path ("steps", "list[str]"): not keys.
_UNION_MEMBER = re.compile(
    r"\[|^(?:constrained-)?(?:str|int|float|bool|bytes|none|date|time|datetime|timedelta)$"
)


#: Refusals the input adds nothing to (a missing key has none, a long text is long).
_WITHOUT_INPUT = frozenset(
    {
        "missing",
        "extra_forbidden",
        "string_too_long",
        "string_too_short",
        "too_long",
        "too_short",
    }
)
_LONGEST_INPUT = 40


def key_path(loc: Sequence[int | str]) -> tuple[int | str, ...]:
    """The keys of `loc`, without the names pydantic gives the members of a union."""
    return tuple(part for part in loc if not (isinstance(part, str) and _UNION_MEMBER.search(part)))


def _choices(expected: str) -> str:
    # pydantic writes "'fr' or 'en'" / "'a', 'b' or 'c'": only its "or" is English.
    return expected.replace(" or ", _(OR)) if " or " in expected else expected


def _sentence(error: Any, overrides: dict[str, str]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in overrides:
        return overrides[kind]
    if kind in ("value_error", "assertion_error"):
        # Our own validators: their message is already the officer's words.
        return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in WHAT:
        return _(EXPECTED).format(what=_(WHAT[kind]))
    if kind == "string_too_short":
        if ctx.get("min_length", 1) <= 1:
            return _(EMPTY)
        return _(TOO_SHORT_TEXT).format(**ctx)
    if kind in SENTENCES:
        values = {name: str(value) for name, value in ctx.items()}
        if "expected" in values:
            values["expected"] = _choices(values["expected"])
        try:
            return _(SENTENCES[kind]).format(**values)
        except (KeyError, IndexError):
            pass
    return _(NOT_ACCEPTED)


def _with_input(message: str, error: Any) -> str:
    value = error.get("input")
    if (
        error["type"] in _WITHOUT_INPUT
        or value is None
        or isinstance(value, dict | list | tuple)
        or repr(value) in message
        or str(value) in message
    ):
        return message
    shown = repr(value)
    if len(shown) > _LONGEST_INPUT:
        shown = shown[: _LONGEST_INPUT - 1] + "…"
    return _(GOT).format(message=message, got=shown)


def describe(
    exc: ValidationError,
    *,
    prefix: tuple[int | str, ...] = (),
    dotted: Any = None,
    overrides: dict[str, str] | None = None,
) -> Iterator[tuple[str, str]]:
    """(key, message) for each thing wrong, once per key: a value fitting none of the
    members of a union is told what each would have been ("a table or a list")."""
    join = dotted or (lambda loc: ".".join(str(part) for part in loc))
    chosen = overrides or {}
    grouped: dict[tuple[int | str, ...], list[Any]] = {}
    for error in exc.errors():
        grouped.setdefault(prefix + key_path(error["loc"]), []).append(error)
    for loc, errors in grouped.items():
        kinds = [error["type"] for error in errors]
        if len(errors) > 1 and all(kind in WHAT for kind in kinds):
            whats = list(dict.fromkeys(_(WHAT[kind]) for kind in kinds))
            message = _(EXPECTED).format(what=_(OR).join(whats))
            yield join(loc), _with_input(message, errors[0])
            continue
        for error in errors:
            yield join(loc), _with_input(_sentence(error, chosen), error)


def lines(exc: ValidationError, **options: Any) -> list[str]:
    """`describe` as "key: message" lines in the language in force (the key is the file's
    own spelling, written as in the rest of Crosspost's refusals)."""
    return [f"{key}: {message}" for key, message in describe(exc, **options)]
