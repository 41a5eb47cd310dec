"""Every field of an item, declared once; the conversions between its forms derive from it.

An item's field lives in five forms: the officer's text (flags, front matter, CSV), the
checked `NewItem`, the `items` row, the stored `Item`, and its `--json` shape. The
conversions between them (the store's insert values and row -> Item, the JSON of an
item, the names and aliases files may use, what `edit` rewrites and what `edit` and
`approve` hand back to intake) are computed here from `ITEM_FIELDS`.

What stays explicit, because mypy and Alembic must see it, is checked against this
declaration by tests/test_item_fields.py, so a forgotten place fails a test instead of
dropping the field silently. Adding a plain text field `contact` the officer gives with
`--contact` and may edit takes:

1. here: ``ItemField("contact", TEXT, given="contact", shape="contact", option="contact",
   edited=True)``;
2. crosspost/domain.py: ``contact: str | None = None`` on `Item` and on `NewItem`;
3. crosspost/models.py: the column on `ItemRow`, and its Alembic migration (with
   `HEAD_REVISION` in crosspost/schema_version.py);
4. crosspost/intake.py: the `ItemIn` field with its limits (e.g. ``max_length``);
5. crosspost/cli/items.py: its option with its help, listed in `ITEM_OPTIONS` (add and
   edit both take it from there);
6. docs/json.md: the key.

That is 8 edits and a migration, against 17 and a migration before this module (the
store twice, the JSON shape, the file names, intake's `NewItem`, the option map, add's
and edit's parameters, edit's list of changes, and the two lists of fields edit and
approve hand back to intake were written by hand, and a forgotten one lost the field
without any test failing).

A field intake computes with its own check (a time, a path, a mapping) also needs that
check in crosspost/intake.py, as it always did.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from operator import attrgetter
from typing import Any


class Form(Enum):
    """How a field's value looks, which decides how it is stored and shown."""

    #: Text (or None): the same in every form.
    TEXT = "text"
    #: A number (or None): an id the ledger gives.
    NUMBER = "number"
    #: Words: a tuple on the item, a list in the row, the JSON and the officer's input.
    WORDS = "words"
    #: An aware UTC datetime (or None); ISO 8601 with 'Z' in JSON.
    TIME = "time"
    #: A {name: text} mapping: {} on the item, NULL in the row when empty.
    TEXTS = "texts"


TEXT, NUMBER, WORDS, TIME, TEXTS = Form.TEXT, Form.NUMBER, Form.WORDS, Form.TIME, Form.TEXTS


@dataclass(frozen=True)
class ItemField:
    """One field of an item: its name on `Item`, `NewItem` and `ItemRow`, and its other names."""

    name: str
    form: Form
    #: May be None (a nullable column, `X | None` on the item).
    optional: bool = True
    #: The name the officer writes (flag, front matter key, CSV column); None: not given.
    given: str | None = None
    #: Other names accepted for it in files and CSV headers (hyphens and case never matter).
    aliases: tuple[str, ...] = ()
    #: Its key in the `--json` shape of an item (docs/json.md); None: not shown.
    shape: str | None = None
    #: Also shown on the configured wall clock, under `<shape>_local`.
    shape_local: bool = False
    #: The option of `add` and `edit` that gives it (a Typer parameter name).
    option: str | None = None
    #: Rewritten by `edit` from what intake accepted.
    edited: bool = False
    #: Intake computes its value with a check of its own (times, image path, mappings);
    #: otherwise the value `ItemIn` checked is the item's.
    checked: bool = False
    #: On `NewItem` and written when the item is added; False: set later (review) or by
    #: the ledger itself (the creation time).
    new: bool = True
    #: An item column; False for what the officer gives without it being stored.
    stored: bool = True

    def to_row(self, value: Any) -> Any:
        """The item's (or `NewItem`'s) value as the row holds it."""
        if self.form is WORDS:
            return list(value)
        if self.form is TEXTS:
            return dict(value) or None
        return value

    def from_row(self, value: Any) -> Any:
        """The row's value as the item holds it."""
        if self.form is WORDS:
            return tuple(value or ())
        if self.form is TEXTS:
            return dict(value or {})
        return value

    def accepted(self, value: Any) -> Any:
        """The value `ItemIn` checked, as the `NewItem` holds it (fields not `checked`)."""
        if self.form is WORDS:
            return tuple(value)
        if self.optional:
            return value or None
        return value

    def given_back(self, value: Any) -> Any:
        """The item's value as the officer would give it again (`edit`, `approve`)."""
        return list(value) if self.form is WORDS else value


#: Every field of an item, in the order of its `--json` shape and of the names files use.
ITEM_FIELDS: tuple[ItemField, ...] = (
    ItemField("kind", TEXT, optional=False, given="kind", shape="kind", option="kind", edited=True),
    ItemField(
        "title", TEXT, optional=False, given="title", shape="title", option="title", edited=True
    ),
    ItemField("body", TEXT, optional=False, given="body", shape="body", option="body", edited=True),
    ItemField("link", TEXT, given="link", shape="link", option="link", edited=True),
    ItemField(
        "image_path",
        TEXT,
        given="image",
        shape="image",
        option="image",
        edited=True,
        checked=True,
    ),
    ItemField("image_alt", TEXT, given="alt", shape="alt", option="alt", edited=True),
    ItemField(
        "tags",
        WORDS,
        optional=False,
        given="tags",
        aliases=("tag",),
        shape="tags",
        option="tag",
        edited=True,
    ),
    ItemField(
        "event_start",
        TIME,
        given="event_start",
        aliases=("start",),
        shape="event_start",
        option="event_start",
        edited=True,
        checked=True,
    ),
    ItemField(
        "event_end",
        TIME,
        given="event_end",
        aliases=("end",),
        shape="event_end",
        option="event_end",
        edited=True,
        checked=True,
    ),
    ItemField("location", TEXT, given="location", shape="location", option="location", edited=True),
    #: A job offer's closing date.
    ItemField(
        "deadline",
        TIME,
        given="deadline",
        shape="deadline",
        option="deadline",
        edited=True,
        checked=True,
    ),
    ItemField(
        "step_texts",
        TEXTS,
        optional=False,
        given="steps",
        aliases=("step", "step_text", "step_texts"),
        shape="steps",
        option="step_text",
        edited=True,
        checked=True,
    ),
    ItemField(
        "variants",
        TEXTS,
        optional=False,
        given="variants",
        aliases=("text_for", "variant"),
        shape="variants",
        option="text_for",
        edited=True,
        checked=True,
    ),
    #: The publication time: `edit` writes it only when the item is routed again.
    ItemField(
        "requested_at",
        TIME,
        optional=False,
        given="at",
        shape="publish_at",
        shape_local=True,
        option="at",
        checked=True,
    ),
    #: What routes the item: deliveries are its record, the item has no column for it.
    ItemField(
        "channels",
        WORDS,
        given="channels",
        aliases=("channel",),
        option="channel",
        stored=False,
        new=False,
        checked=True,
    ),
    ItemField("series_id", NUMBER),
    ItemField("occurrence", TEXT),
    ItemField("status", TEXT, optional=False, shape="status"),
    ItemField("created_at", TIME, optional=False, shape="created_at", new=False),
    ItemField("updated_at", TIME, optional=False, shape="updated_at", new=False),
    ItemField("source", TEXT, shape="source"),
    ItemField("reviewed_at", TIME, shape="reviewed_at", new=False),
    ItemField("review_note", TEXT, shape="review_note", new=False),
)


class ItemFields:
    """What a declaration of fields gives the rest of the code (`DECLARED` for the real one)."""

    def __init__(self, fields: tuple[ItemField, ...]) -> None:
        self.all = fields
        self.by_name = {f.name: f for f in fields}
        #: The item's columns (besides `id`), and the attributes of `Item` (besides `id`).
        self.stored = tuple(f for f in fields if f.stored)
        #: What `NewItem` carries and an insert writes.
        self.new = tuple(f for f in self.stored if f.new)
        #: What the officer may give, under the names files and flags use.
        self.given = tuple(f for f in fields if f.given is not None)
        #: The names accepted in front matter and CSV headers, and their aliases.
        self.names = tuple(str(f.given) for f in self.given)
        self.aliases = {alias: str(f.given) for f in self.given for alias in f.aliases}
        #: What `edit` rewrites on the item, from what intake accepted.
        self.edited = tuple(f.name for f in self.stored if f.edited)
        #: `add`/`edit` option -> the name intake takes it under.
        self.options = {f.option: str(f.given) for f in self.given if f.option}
        #: The fields of an item's `--json` shape, in their order.
        self.shown = tuple(f for f in self.stored if f.shape is not None)
        self._as_is = tuple(f.name for f in self.stored if f.form not in (WORDS, TEXTS))
        self._read_as_is = attrgetter(*self._as_is)
        self._converted = tuple(f for f in self.stored if f.form in (WORDS, TEXTS))

    def row_values(self, new: Any) -> dict[str, Any]:
        """A `NewItem`'s values as the insert of its row takes them (times set by the caller)."""
        return {f.name: f.to_row(getattr(new, f.name)) for f in self.new}

    def item_values(self, row: Any) -> dict[str, Any]:
        """An `ItemRow`'s values as `Item` takes them (`id` aside)."""
        # Every item a list or an export shows comes through here: the values kept as
        # they are are read in one call, only the others are converted one by one.
        values = dict(zip(self._as_is, self._read_as_is(row), strict=True))
        for f in self._converted:
            values[f.name] = f.from_row(getattr(row, f.name))
        return values

    def accepted_values(self, checked: Any) -> dict[str, Any]:
        """The fields `ItemIn` checked that go to the `NewItem` as they are."""
        return {
            f.name: f.accepted(getattr(checked, str(f.given)))
            for f in self.new
            if f.given is not None and not f.checked
        }

    def given_back(self, item: Any) -> dict[str, Any]:
        """A stored item's text fields as `add` takes them.

        Its times, steps and variants are not among them: intake keeps them as stored
        (text would have to be parsed again, and a time accepted then may not parse or
        may have passed now).
        """
        return {
            str(f.given): f.given_back(getattr(item, f.name))
            for f in self.stored
            if f.given is not None and f.form in (TEXT, WORDS)
        }


DECLARED = ItemFields(ITEM_FIELDS)
BY_NAME = DECLARED.by_name
FIELDS = DECLARED.names
ALIASES = DECLARED.aliases
EDITED = DECLARED.edited
OPTIONS = DECLARED.options
row_values = DECLARED.row_values
item_values = DECLARED.item_values
accepted_values = DECLARED.accepted_values
given_back = DECLARED.given_back


__all__ = [
    "ALIASES",
    "BY_NAME",
    "DECLARED",
    "EDITED",
    "FIELDS",
    "ITEM_FIELDS",
    "OPTIONS",
    "Form",
    "ItemField",
    "ItemFields",
    "accepted_values",
    "given_back",
    "item_values",
    "row_values",
]
