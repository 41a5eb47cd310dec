"""The item fields are declared once (crosspost/item_fields.py): what must stay explicit
agrees with the declaration, and what is derived follows it when a field is added."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import typer.main

from crosspost.cli import app
from crosspost.domain import Item, NewItem
from crosspost.intake import ItemIn
from crosspost.item_fields import DECLARED, ITEM_FIELDS, TEXT, TEXTS, ItemField, ItemFields
from crosspost.models import ItemRow
from crosspost.shapes import item_json
from crosspost.store import Store

DOCS = Path(__file__).parents[1] / "docs" / "json.md"
PARIS = ZoneInfo("Europe/Paris")
AT = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)


def _options(command: str) -> set[str]:
    group = typer.main.get_command(app)
    return {param.name for param in group.commands[command].params if param.name}  # type: ignore[attr-defined]


def mismatches(declared: ItemFields) -> list[str]:
    """The places written by hand that disagree with `declared`: each is one edit to make."""
    stored = {f.name for f in declared.stored}
    out = []
    if {f.name for f in dataclasses.fields(Item)} != {"id"} | stored:
        out.append("crosspost/domain.py: Item")
    new_fields = {f.name: f for f in dataclasses.fields(NewItem)}
    if set(new_fields) != {f.name for f in declared.new} or any(
        ("None" in str(new_fields[f.name].type)) != f.optional
        for f in declared.new
        if f.name in new_fields
    ):
        out.append("crosspost/domain.py: NewItem")
    columns = {c.name: c for c in ItemRow.__table__.columns}
    if set(columns) != {"id"} | stored or any(
        columns[f.name].nullable != (f.optional or f.form is TEXTS)
        for f in declared.stored
        if f.name in columns
    ):
        out.append("crosspost/models.py: ItemRow (and its migration)")
    if set(ItemIn.model_fields) != set(declared.names):
        out.append("crosspost/intake.py: ItemIn")
    options = {f.option for f in declared.given if f.option}
    if not options <= _options("add") or not options <= _options("edit"):
        out.append("crosspost/cli/items.py: ITEM_OPTIONS")
    documented = DOCS.read_text(encoding="utf-8")
    keys = [f.shape for f in declared.shown] + [
        f"{f.shape}_local" for f in declared.shown if f.shape_local
    ]
    if any(f"`{key}`" not in documented for key in keys):
        out.append("docs/json.md")
    return out


def test_every_place_written_by_hand_agrees_with_the_declaration() -> None:
    assert mismatches(DECLARED) == []


CONTACT = ItemField(
    "contact", TEXT, given="contact", aliases=("contact_email",), shape="contact",
    option="contact", edited=True,
)  # fmt: skip


def test_a_field_declared_alone_fails_exactly_the_places_still_to_write() -> None:
    """The walkthrough of crosspost/item_fields.py: beside the declaration, these are
    the edits a new field takes (with the migration); a forgotten one fails here."""
    extended = ItemFields((*ITEM_FIELDS, CONTACT))
    assert mismatches(extended) == [
        "crosspost/domain.py: Item",
        "crosspost/domain.py: NewItem",
        "crosspost/models.py: ItemRow (and its migration)",
        "crosspost/intake.py: ItemIn",
        "crosspost/cli/items.py: ITEM_OPTIONS",
        "docs/json.md",
    ]


@dataclass(frozen=True)
class _NewWithContact(NewItem):
    contact: str | None = None


@dataclass(frozen=True)
class _ItemWithContact(Item):
    contact: str | None = None


def test_a_declared_field_reaches_every_derived_form() -> None:
    """Stored, read back, shown in --json, named in files, edited and given back: no
    edit beyond the declaration (and the explicit places above)."""
    extended = ItemFields((*ITEM_FIELDS, CONTACT))
    new = _NewWithContact(
        kind="event", title="Assemblée générale : venez !", requested_at=AT,
        tags=("agora",), contact="bureau@asso-fontaine.fr",
    )  # fmt: skip
    values = extended.row_values(new)
    assert values["contact"] == "bureau@asso-fontaine.fr"
    assert values["tags"] == ["agora"]
    row = SimpleNamespace(
        **values, created_at=AT, updated_at=AT, reviewed_at=None, review_note=None
    )
    item = _ItemWithContact(id=7, **extended.item_values(row))
    assert item.contact == "bureau@asso-fontaine.fr"
    assert item.tags == ("agora",)
    shown = item_json(item, PARIS, extended)
    assert shown["contact"] == "bureau@asso-fontaine.fr"
    assert list(shown)[-1] == "contact"
    assert shown["publish_at_local"] == "2026-12-05T14:00:00+01:00"
    assert "contact" in extended.names
    assert extended.aliases["contact_email"] == "contact"
    assert "contact" in extended.edited
    assert extended.options["contact"] == "contact"
    assert extended.given_back(item)["contact"] == "bureau@asso-fontaine.fr"
    checked = SimpleNamespace(
        kind="event", title="AG", body="", link=None, alt="", tags=["agora"], location="",
        contact="bureau@asso-fontaine.fr",
    )  # fmt: skip
    assert extended.accepted_values(checked) == {
        "kind": "event", "title": "AG", "body": "", "link": None, "image_alt": None,
        "tags": ("agora",), "location": None, "contact": "bureau@asso-fontaine.fr",
    }  # fmt: skip


def test_every_declared_field_survives_the_ledger(db_url: str) -> None:
    """Written by the derived insert values and read back by the derived conversion."""
    new = NewItem(
        kind="event",
        title="Repair café : on répare ensemble 🔧",
        requested_at=AT,
        body="Apportez vos objets **cassés**.",
        link="https://exemple.fr/repair?utm_source=crosspost&utm_medium=social_post",
        image_path="/tmp/affiche.png",
        image_alt="Affiche : un fer à souder",
        tags=("zérodéchet", "réparation"),
        event_start=datetime(2026, 12, 12, 13, 0, tzinfo=UTC),
        event_end=datetime(2026, 12, 12, 17, 0, tzinfo=UTC),
        location="Salle des fêtes, 2 rue de l'Église",
        deadline=datetime(2026, 12, 11, 22, 59, tzinfo=UTC),
        step_texts={"-1d": "Demain : {title}"},
        variants={"mastodon": "Repair café samedi 14 h !"},
        occurrence="2026-12-12",
        status="draft",
        source="Repair Café de Fontaine",
    )
    store = Store.open(db_url)
    try:
        [item_id] = store.add_items([(new, [])])
        item = store.get_item(item_id).item
    finally:
        store.close()
    for field in DECLARED.new:
        assert getattr(item, field.name) == getattr(new, field.name), field.name
    assert item.created_at is not None
    assert item.created_at == item.updated_at
    assert item.reviewed_at is None
    assert item.review_note is None
