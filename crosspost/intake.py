"""What the officer hands in (flags, a Markdown file, a CSV row) -> a checked NewItem.

Every source goes through the same `ItemIn` model, so the same field gets the
same message whichever way it came: "event_start: expected a date and time
like 2026-12-03 18:30 (got 'tomorrow')".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crosspost.config import Settings
from crosspost.domain import NewItem
from crosspost.errors import CrosspostError, InputError
from crosspost.routing import RoutePlan, plan_deliveries
from crosspost.when import parse_moment, parse_publish_time

#: Image types every channel accepts.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")

#: Field names as written in files and CSV headers (hyphens and case do not matter).
FIELDS = (
    "kind",
    "title",
    "body",
    "link",
    "image",
    "alt",
    "tags",
    "event_start",
    "event_end",
    "location",
    "at",
    "channels",
)
_ALIASES = {"channel": "channels", "tag": "tags", "start": "event_start", "end": "event_end"}


class ItemIn(BaseModel):
    """An item as the officer describes it; times are still text in the local zone."""

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
    at: str = "now"
    channels: list[str] = Field(default_factory=list)

    @field_validator("link")
    @classmethod
    def _http_link(cls, value: str | None) -> str | None:
        if not value:
            return None
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("expected a web address starting with http:// or https://")
        return value

    @field_validator("tags", "channels", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(t.lstrip("#").strip() for t in value if t.strip("# ")))


@dataclass(frozen=True)
class Accepted:
    """An item that passed every check, with the deliveries routing planned for it."""

    item: NewItem
    plan: RoutePlan
    source: str


def accept(raw: dict[str, Any], settings: Settings, *, now: datetime, base_dir: Path) -> Accepted:
    """Check one item fully (fields, times, image, routing) without writing anything."""
    try:
        fields = ItemIn.model_validate(_normalise_keys(raw))
    except ValidationError as exc:
        raise InputError(_describe(exc)) from None
    item = _to_new_item(fields, settings, now=now, base_dir=base_dir)
    plan = plan_deliveries(
        settings,
        kind=item.kind,
        tags=item.tags,
        publish_at=item.requested_at,
        channels=tuple(fields.channels) or None,
    )
    return Accepted(item=item, plan=plan, source="")


def _to_new_item(fields: ItemIn, settings: Settings, *, now: datetime, base_dir: Path) -> NewItem:
    if fields.kind not in settings.kinds:
        raise InputError(
            f"kind: expected one of {', '.join(settings.kinds)} (got {fields.kind!r}); "
            "declare more in `kinds = [...]` in crosspost.toml"
        )
    zone = settings.zone
    publish_at = _field("at", lambda: parse_publish_time(fields.at, zone, now=now, **_dt(settings)))
    event_start = _when("event_start", fields.event_start, settings, now)
    event_end = _when("event_end", fields.event_end, settings, now)
    if fields.kind == "event" and event_start is None:
        raise InputError(
            "event_start: an event needs its date and time, e.g. --event-start '2026-12-12 14:00'"
        )
    if event_end is not None and event_start is None:
        raise InputError("event_end: given without event_start")
    if event_start is not None and event_end is not None and event_end < event_start:
        raise InputError("event_end: the event ends before it starts")
    image_path = _image(fields.image, base_dir)
    if fields.alt and not image_path:
        raise InputError("alt: alt text describes an image, but no image was given")
    return NewItem(
        kind=fields.kind,
        title=fields.title,
        body=fields.body,
        link=fields.link,
        image_path=image_path,
        image_alt=fields.alt or None,
        tags=tuple(fields.tags),
        event_start=event_start,
        event_end=event_end,
        location=fields.location or None,
        requested_at=publish_at,
    )


def _dt(settings: Settings) -> dict[str, Any]:
    return {"default_time": settings.default_time}


def _field(name: str, compute: Any) -> Any:
    try:
        return compute()
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None


def _when(name: str, text: str | None, settings: Settings, now: datetime) -> datetime | None:
    if not text:
        return None
    return _field(  # type: ignore[no-any-return]
        name, lambda: parse_moment(text, settings.zone, now=now, **_dt(settings))
    )


def _image(value: str | None, base_dir: Path) -> str | None:
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    if not path.is_file():
        raise InputError(f"image: no file at {path}")
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise InputError(
            f"image: expected a picture ({', '.join(IMAGE_SUFFIXES)}), got {path.name!r}"
        )
    return str(path.resolve())


def _normalise_keys(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key).strip().lower().replace("-", "_").replace(" ", "_")
        name = _ALIASES.get(name, name)
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


def _describe(exc: ValidationError) -> str:
    messages = []
    for error in exc.errors():
        key = ".".join(str(p) for p in error["loc"]) or "item"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown field; expected one of {', '.join(FIELDS)}"
        elif error["type"] == "missing":
            message = "missing; this field is required"
        elif error["type"] == "string_too_short":
            message = "must not be empty"
        messages.append(f"{key}: {message}")
    return "; ".join(messages)


# ---------------------------------------------------------------- sources


def from_markdown(path: Path) -> dict[str, Any]:
    """A Markdown file whose YAML front matter carries the fields and whose text is the body."""
    import frontmatter

    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: the file is not UTF-8 text") from None
    except Exception as exc:  # YAML errors come in several classes
        raise InputError(f"{path.name}: the front matter is not valid YAML ({exc})") from None
    fields: dict[str, Any] = dict(post.metadata)
    body = post.content.strip()
    if "title" not in fields and body.startswith("# "):
        first, _, rest = body.partition("\n")
        fields["title"] = first[2:].strip()
        body = rest.strip()
    if "body" in fields and body:
        raise InputError(f"{path.name}: body: given both in the front matter and as text")
    if body:
        fields["body"] = body
    return fields


def from_csv(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number as a spreadsheet shows it, fields) for each data row; ';' or ',' separated."""
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames:
        raise InputError("the CSV file is empty; its first line must name the fields")
    unknown = [
        name
        for name in reader.fieldnames
        if _ALIASES.get(_key(name), _key(name)) not in FIELDS and name.strip()
    ]
    if unknown:
        raise InputError(
            f"CSV header: unknown column {', '.join(map(repr, unknown))}; "
            f"expected some of {', '.join(FIELDS)}"
        )
    for number, row in enumerate(reader, start=2):
        if any((v or "").strip() for k, v in row.items() if k is not None):
            yield number, {k: v for k, v in row.items() if k is not None}


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def read_sources(path: Path) -> Iterator[tuple[str, dict[str, Any], Path]]:
    """(where, fields, base directory) for a CSV file, a Markdown file or a folder of them."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".md", ".markdown"))
        if not files:
            raise InputError(f"{path}: no Markdown (.md) files in this folder")
        for file in files:
            yield file.name, from_markdown(file), file.parent
        return
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder")
    if path.suffix.lower() == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(
                f"{path.name}: not UTF-8 text; save it from your spreadsheet as 'CSV UTF-8'"
            ) from None
        for number, fields in from_csv(text):
            yield f"row {number}", fields, path.parent
        return
    if path.suffix.lower() in (".md", ".markdown"):
        yield path.name, from_markdown(path), path.parent
        return
    raise InputError(f"{path.name}: expected a .csv file, a .md file or a folder of .md files")


def accept_all(
    sources: Iterable[tuple[str, dict[str, Any], Path]], settings: Settings, *, now: datetime
) -> list[Accepted]:
    """Check every item first; any problem rejects them all, listing every one."""
    accepted: list[Accepted] = []
    problems: list[str] = []
    for where, fields, base_dir in sources:
        try:
            result = accept(fields, settings, now=now, base_dir=base_dir)
        except CrosspostError as exc:
            problems.append(f"{where}: {exc}")
            continue
        accepted.append(Accepted(result.item, result.plan, where))
    if problems:
        count = len(problems)
        raise InputError(
            f"nothing was imported: {count} item{'s' if count > 1 else ''} "
            f"to fix first:\n  " + "\n  ".join(problems)
        )
    return accepted
