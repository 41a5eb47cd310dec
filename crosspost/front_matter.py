"""The front matter of a Markdown file, read the way an officer writes it.

A file starts with a `---` line, then `field: value` lines, then `---`, then
the text. The lines are YAML, read so that what is typed is what is meant:

- a value is text as typed: `title: Oui : non`, `alt: Affiche : repair café`,
  `tags: #zérodéchet` and `at: 14:30` keep every character (plain YAML refuses the
  first two, drops the third as a comment and reads the last as 870 minutes);
- `Oui`, `non`, `on` stay words, never true or false; `2026-12-03` stays as typed;
- lists (`tags: [a, b]` or `- a` lines), quotes and `|` blocks are YAML's own;
- a problem names the file and the line: a front matter never closed, a line
  that is not `field: value`, a list left open.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crosspost.errors import InputError
from crosspost.i18n import N_, _

if TYPE_CHECKING:
    # PyYAML is imported when a file has front matter, not by every `add` (a tenth of
    # the import time of a command that reads no file).
    import yaml

_FENCE = "---"
#: `key: value` at the start of a line; the key stops at the first ": ".
_FIELD = re.compile(
    r"^(?P<key>[^\s#'\"\[\]{}|>&*!%@`,-][^:]*?)[ \t]*:[ \t]+(?P<value>\S.*?)[ \t]*$"
)
_ITEM = re.compile(r"^(?P<dash>[ \t]*-[ \t]+)(?P<value>\S.*?)[ \t]*$")
#: Values YAML reads its own way: quoted, flow lists and maps, blocks, anchors, tags.
_YAML_VALUE = tuple("\"'[{|>&*!")


class FrontMatterProblem(InputError):
    """What is wrong with one file's front matter; `detail` without the file's name."""

    def __init__(self, name: str, detail: str) -> None:
        self.name = name
        self.detail = detail
        super().__init__(f"{name}: {detail}")


@cache
def _text_loader() -> type[yaml.SafeLoader]:
    import yaml

    class TextLoader(yaml.SafeLoader):
        """YAML whose plain values are all text (only an empty value or ~ is nothing)."""

    TextLoader.yaml_implicit_resolvers = {}
    TextLoader.add_implicit_resolver(
        "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
    )
    return TextLoader


def split(text: str, name: str) -> tuple[dict[str, Any], str]:
    """(fields, body) of a Markdown file's text; no front matter gives ({}, text)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != _FENCE:
        return {}, text
    close = next((i for i in range(1, len(lines)) if lines[i].strip() in (_FENCE, "...")), None)
    if close is None:
        raise FrontMatterProblem(name, _never_closed(lines))
    fields = _load(lines[1:close], name)
    return fields, "\n".join(lines[close + 1 :])


def _never_closed(lines: list[str]) -> str:
    """Where the front matter opened, and the line it most likely should end before."""
    text_line = next(
        (
            number
            for number, line in enumerate(lines[1:], start=2)
            if line.strip()
            and not _FIELD.match(line)
            and not line[:1].isspace()
            and not _ITEM.match(line)
            and not line.rstrip().endswith(":")
        ),
        None,
    )
    where = (
        _("; line {line} looks like the text: put a line --- above it").format(line=text_line)
        if text_line
        else _("; add a line --- after the last field")
    )
    return _("line 1: the front matter opened by --- is never closed{where}").format(where=where)


def _as_typed(lines: list[str]) -> str:
    """The lines with each one-line plain value quoted, so YAML keeps it as typed."""
    out = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        # A value continued on the next, indented line is left to YAML as it is; a list
        # item is text too ("- Affiche : ok"): no field holds a list of tables.
        continued = following[:1].isspace() and not _ITEM.match(following) and following.strip()
        field = _FIELD.match(line)
        item = _ITEM.match(line)
        if field and not continued and not field["value"].startswith(_YAML_VALUE):
            line = f"{field['key']}: {_quoted(field['value'])}"
        elif item and not item["value"].startswith(_YAML_VALUE):
            line = f"{item['dash']}{_quoted(item['value'])}"
        out.append(line)
    return "\n".join(out)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: YAML's words for the mistakes people make, and what they mean on the page.
_EXPLAINED = (
    (
        "mapping values are not allowed",
        N_("this line is indented as if it went on from the line above; start it at the margin"),
    ),
    ("expected ',' or ']'", N_("a list opened with [ is never closed with ]")),
    ("expected ',' or '}'", N_("a { is never closed with }")),
    ("expected <block end>", N_("a quote or a bracket opened above is never closed")),
    ("quoted scalar", N_("a quote is never closed")),
)


def _explained(exc: yaml.MarkedYAMLError) -> str:
    said = f"{exc.context or ''} {exc.problem or ''}"
    for words, english in _EXPLAINED:
        if words in said:
            return _(english)
    return exc.problem or exc.context or "unreadable"


def _load(lines: list[str], name: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.load(_as_typed(lines), Loader=_text_loader())
    except yaml.MarkedYAMLError as exc:
        # A list or a quote never closed is named where it opens, the rest where it is seen.
        opened = exc.context or ""
        mark: yaml.Mark | None
        if exc.context_mark and ("flow" in opened or "quoted" in opened):
            mark = exc.context_mark
        else:
            mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + 2  # the block starts on the file's line 2
        raise FrontMatterProblem(
            name,
            _(
                "line {line}: the front matter is not valid YAML ({problem}); "
                "write one `field: value` per line"
            ).format(line=line, problem=_explained(exc)),
        ) from None
    except yaml.YAMLError as exc:
        raise FrontMatterProblem(
            name,
            _("the front matter is not valid YAML ({problem})").format(problem=exc),
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterProblem(
            name,
            _("line 2: the front matter must be `field: value` lines (e.g. kind: event)"),
        )
    return data


def read_item(path: Path) -> dict[str, Any]:
    """A Markdown file whose front matter carries the fields and whose text is the body."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(
            _("{path}: cannot read this file ({reason})").format(path=path, reason=exc.strerror)
        ) from None
    except UnicodeDecodeError:
        raise FrontMatterProblem(path.name, _("the file is not UTF-8 text")) from None
    fields, body = split(text, path.name)
    body = body.strip()
    if "title" not in fields and body.startswith("# "):
        first, _newline, rest = body.partition("\n")
        fields["title"] = first[2:].strip()
        body = rest.strip()
    if "body" in fields and body:
        raise FrontMatterProblem(path.name, _("body: given both in the front matter and as text"))
    if body:
        fields["body"] = body
    return fields
