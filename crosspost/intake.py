"""What the officer hands in (flags, a Markdown file, a CSV row) -> a checked NewItem.

Every source goes through the same `ItemIn` model, so the same field gets the
same message whichever way it came: "event_start: expected a date and time
like 2026-12-03 18:30 (got 'tomorrow')".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crosspost.config import Settings
from crosspost.csvrows import from_csv
from crosspost.domain import Item, NewItem
from crosspost.errors import CrosspostError, InputError
from crosspost.front_matter import FrontMatterProblem, read_item
from crosspost.i18n import _, ngettext
from crosspost.item_fields import ALIASES, FIELDS, accepted_values
from crosspost.item_times import checked as _checked
from crosspost.item_times import times_of
from crosspost.language import using
from crosspost.routing import RoutePlan, plan_deliveries
from crosspost.sequences.intake import step_texts_of

if TYPE_CHECKING:
    from crosspost.store import Store

#: A Markdown file -> its fields and body (read by crosspost/front_matter.py).
from_markdown = read_item

#: Image types every channel accepts.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


class ItemIn(BaseModel):
    """An item as the officer describes it; times are still text in the local zone.

    Its fields are the names of crosspost/item_fields.py (checked by a test).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: str
    title: str = Field(min_length=1, max_length=300)
    body: str = ""
    link: str | None = None
    image: str | None = None
    alt: str | None = Field(default=None, max_length=1000)
    tags: list[str] = Field(default_factory=list)
    event_start: str | None = None
    event_end: str | None = None
    location: str | None = Field(default=None, max_length=500)
    #: A job offer's closing date ("2026-12-18": until the end of that day).
    deadline: str | None = None
    #: The wording of some steps of the item's sequence: {"-1d": "Demain : {title}"}, or
    #: "STEP=text" entries (one per --step-text, or separated by | in a CSV cell).
    steps: dict[str, str] | list[str] = Field(default_factory=dict)
    #: The item's own text for some channels: {"twitter": "..."} or "CHANNEL=text" entries
    #: (one per --text-for, or separated by | in a CSV cell).
    variants: dict[str, str] | list[str] = Field(default_factory=dict)
    #: No default: a missing time is refused, `now` is said explicitly.
    at: str | None = None
    channels: list[str] = Field(default_factory=list)

    @field_validator("link")
    @classmethod
    def _http_link(cls, value: str | None) -> str | None:
        if not value:
            return None
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(_("expected a web address starting with http:// or https://"))
        return value

    @field_validator("tags", "channels", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        # `--tag "a, b"` and `tags: a, b` mean two tags, whether one string or a list of them.
        parts = [value] if isinstance(value, str) else value
        if not isinstance(parts, list | tuple):
            return value
        out: list[Any] = []
        for part in parts:
            if isinstance(part, str):
                out += [piece.strip() for piece in part.split(",") if piece.strip()]
            else:
                out.append(part)
        return out

    @field_validator("steps", "variants", mode="before")
    @classmethod
    def _split_steps(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.replace("\n", "|").split("|") if part.strip()]
        return value

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(t.strip().lstrip("#").strip() for t in value if t.strip("# ")))


class ItemProblems(InputError):
    """Everything wrong with one item, one line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            super().__init__(self.problems[0])
        else:
            count = len(self.problems)
            heading = ngettext(
                "{count} problem, nothing written:", "{count} problems, nothing written:", count
            ).format(count=count)
            super().__init__(heading + "\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class Accepted:
    """An item that passed every check, with the deliveries routing planned for it."""

    item: NewItem
    plan: RoutePlan
    source: str
    #: Duplicate window: requested times (from, to or None for "any later") at which
    #: an identical item already queued is this one again.
    window: tuple[datetime, datetime | None] | None = None


def accept(
    raw: dict[str, Any],
    settings: Settings,
    *,
    now: datetime,
    base_dir: Path,
    stored: Item | None = None,
    route: bool = True,
) -> Accepted:
    """Check one item fully (fields, times, image, routing), listing every problem.

    `stored` is the item an edit starts from: the times the officer does not give
    again stay as they were accepted when it was queued. `route=False` checks all but
    the routing (a draft is routed when approved). Nothing is written.
    """
    with using(settings.language):
        return _accept(raw, settings, now=now, base_dir=base_dir, stored=stored, route=route)


def _accept(
    raw: dict[str, Any],
    settings: Settings,
    *,
    now: datetime,
    base_dir: Path,
    stored: Item | None,
    route: bool,
) -> Accepted:
    values = _normalise_keys(raw)
    problems: list[str] = []
    fields: ItemIn | None = None
    try:
        fields = ItemIn.model_validate(values)
        view = fields.model_dump()
    except ValidationError as exc:
        # Keep checking the fields that are right, so every problem is listed at once.
        problems += _describe(exc)
        failed = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        view = {k: _strip(v) for k, v in values.items() if k not in failed}
    kind = view.get("kind")
    if kind is not None and kind not in settings.kinds:
        problems.append(
            _(
                "kind: expected one of {kinds} (got {got!r}); "
                "declare more in `kinds = [...]` in crosspost.toml"
            ).format(kinds=", ".join(settings.kinds), got=kind)
        )
        kind = None
    times = times_of(view, settings, now=now, stored=stored, problems=problems)
    step_texts = _checked("steps", problems, lambda: step_texts_of(view, stored))
    variants = _checked("variants", problems, lambda: _variants(view, settings, stored))
    image_path = _checked("image", problems, lambda: _image(view.get("image"), base_dir))
    if view.get("alt") and not view.get("image"):
        problems.append(_("alt: alt text describes an image, but no image was given"))
    plan = None if route else RoutePlan(deliveries=(), matched=())
    if kind is not None and route:
        plan = _checked(
            "",
            problems,
            lambda: plan_deliveries(
                settings,
                kind=kind,
                tags=tuple(view.get("tags") or ()),
                publish_at=times.publish_at or now,
                channels=tuple(view.get("channels") or ()) or None,
            ),
        )
    if problems or fields is None or plan is None or times.publish_at is None:
        raise ItemProblems(problems)
    item = NewItem(
        **accepted_values(fields),
        image_path=image_path,
        event_start=times.event_start,
        event_end=times.event_end,
        requested_at=times.publish_at,
        deadline=times.deadline,
        step_texts=step_texts or {},
        variants=variants or {},
    )
    from crosspost.sequences.plan import plan_sequence

    steps = plan_sequence(
        settings, item, plan.deliveries, now=now, timed_by_sequence=times.by_sequence
    )
    plan = replace(plan, deliveries=steps.deliveries, notes=plan.notes + steps.notes)
    return Accepted(item=item, plan=plan, source="", window=times.window)


def _variants(view: dict[str, Any], settings: Settings, stored: Item | None) -> dict[str, str]:
    from crosspost.variants import parse_variants

    given = view.get("variants")
    if not given:
        return dict(stored.variants) if stored is not None else {}
    return parse_variants(given, set(settings.channels))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _image(value: str | None, base_dir: Path) -> str | None:
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    if not path.is_file():
        raise InputError(_("no file at {path}").format(path=path))
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise InputError(
            _("expected a picture ({suffixes}), got {name!r}").format(
                suffixes=", ".join(IMAGE_SUFFIXES), name=path.name
            )
        )
    return str(path.resolve())


def _normalise_keys(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key).strip().lower().replace("-", "_").replace(" ", "_")
        name = ALIASES.get(name, name)
        if value is None or value == "" or value == []:
            continue
        out[name] = _stringify_time(value)
    return out


def _stringify_time(value: Any) -> Any:
    """YAML turns 2026-12-03 into a date: give it back as the text the officer wrote."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _describe(exc: ValidationError) -> list[str]:
    from crosspost.validation_messages import lines

    unknown = _("unknown field; expected one of {fields}").format(fields=", ".join(FIELDS))
    overrides = {"extra_forbidden": unknown, "missing": _("missing; this field is required")}
    return lines(exc, overrides=overrides, dotted=_dotted_field)


def _dotted_field(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc) or _("item")


# ---------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    """One item as read from a file, before any check of its fields."""

    where: str
    fields: dict[str, Any]
    base_dir: Path
    #: What is wrong with the row itself (field count, quotes), found while reading it.
    problems: tuple[str, ...] = ()
    #: `where` in the officer's language, for the problems listed ("ligne 3").
    shown: str = ""


def read_sources(path: Path) -> Iterator[Source]:
    """The items of a CSV file, a Markdown file or a folder of Markdown files."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".md", ".markdown"))
        if not files:
            raise InputError(_("{path}: no Markdown (.md) files in this folder").format(path=path))
        for file in files:
            # Every file is read, so the import lists the problems of all of them at once.
            try:
                yield Source(file.name, from_markdown(file), file.parent)
            except FrontMatterProblem as exc:
                yield Source(file.name, {}, file.parent, (exc.detail,))
        return
    if not path.is_file():
        raise InputError(_("{path}: no such file or folder").format(path=path))
    if path.suffix.lower() == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(
                _("{name}: not UTF-8 text; save it from your spreadsheet as 'CSV UTF-8'").format(
                    name=path.name
                )
            ) from None
        for row in from_csv(text):
            where = f"row {row.number}"  # stable: --json gives it as the item's source
            shown = _("row {number}").format(number=row.number)
            yield Source(where, row.fields, path.parent, row.problems, shown)
        return
    if path.suffix.lower() in (".md", ".markdown"):
        yield Source(path.name, from_markdown(path), path.parent)
        return
    raise InputError(
        _("{name}: expected a .csv file, a .md file or a folder of .md files").format(
            name=path.name
        )
    )


def accept_all(sources: Iterable[Source], settings: Settings, *, now: datetime) -> list[Accepted]:
    """Check every item first; any problem rejects them all, listing every one of each."""
    accepted: list[Accepted] = []
    problems: list[str] = []
    wrong = 0
    for source in sources:
        found = list(source.problems)
        if source.fields or not found:
            try:
                result = accept(source.fields, settings, now=now, base_dir=source.base_dir)
            except ItemProblems as exc:
                found += exc.problems
            except CrosspostError as exc:
                found.append(str(exc))
            else:
                if not found:
                    accepted.append(replace(result, source=source.where))
        if found:
            wrong += 1
            where = source.shown or source.where
            problems += [_("{where}: {problem}").format(where=where, problem=one) for one in found]
    if problems:
        raise InputError(
            ngettext(
                "nothing was imported: {wrong} item to fix first:",
                "nothing was imported: {wrong} items to fix first:",
                wrong,
            ).format(wrong=wrong)
            + "\n  "
            + "\n  ".join(problems)
        )
    return accepted


@dataclass(frozen=True)
class Duplicate:
    """An accepted item that is already queued (or twice in the same import)."""

    accepted: Accepted
    #: "item 12" for one in the ledger, "row 3" for an earlier one of the same import.
    same_as: str
    item_id: int | None


def find_duplicates(batch: Sequence[Accepted], store: Store) -> list[Duplicate]:
    """The items of `batch` identical (kind, title, body, time) to one queued or before them."""
    windows = [a.window for a in batch]
    existing = store.find_duplicates(
        [(a.item, window) for a, window in zip(batch, windows, strict=True) if window]
    )
    in_ledger = iter(existing)
    out: list[Duplicate] = []
    seen: dict[tuple[str, str, str], list[Accepted]] = {}
    for accepted, window in zip(batch, windows, strict=True):
        if window is None:
            continue
        item_id = next(in_ledger)
        content = (accepted.item.kind, accepted.item.title, accepted.item.body)
        if item_id is not None:
            out.append(Duplicate(accepted, f"item {item_id}", item_id))
            continue
        low, high = window
        earlier = [
            other
            for other in seen.get(content, ())
            if other.item.requested_at >= low and (high is None or other.item.requested_at <= high)
        ]
        if earlier:
            out.append(Duplicate(accepted, earlier[0].source or "an earlier item", None))
        else:
            seen.setdefault(content, []).append(accepted)
    return out
