"""The event's picture as uploadMedia takes it: what stops it, and how it is sent."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from channels.base import Problem
from channels.media import (
    EXTENSIONS,
    HEAD_BYTES,
    NO_ALT_TEXT,
    image_facts,
    refusals,
    sniff_image,
    too_large,
)
from crosspost.i18n import _
from crosspost.text import slugify

#: The picture types Mobilizon's upload takes as shipped (it refuses others by their bytes).
PICTURE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WebP"}


def picture_problems(picture: Mapping[str, str], limit: int) -> list[Problem]:
    """What stops Mobilizon from taking the picture (`limit`: its max_picture_bytes), or
    makes it worse for readers."""
    path = Path(picture["path"])
    facts = {"file": str(path), **image_facts(str(path))}
    unknown = _("{name}, not a picture Crosspost knows").format(name=path.name)
    problems = refusals(facts, platform="Mobilizon", accepted=PICTURE_TYPES, unknown=unknown)
    if "unreadable" in facts:
        return problems
    problems += too_large(
        facts["bytes"], limit, platform="Mobilizon", hint=_(" (max_picture_bytes)")
    )
    if not picture.get("alt"):
        problems.append(Problem("warning", _(NO_ALT_TEXT)))
    return problems


def upload_type(data: bytes) -> str:
    """The MIME type the picture is sent as, from its bytes (its extension can lie)."""
    return sniff_image(data[:HEAD_BYTES]) or "application/octet-stream"


def upload_name(path: Path, media_type: str) -> str:
    """The file name it is uploaded under: the slug of its name, the extension of its type."""
    return f"{slugify(path.stem) or 'image'}{EXTENSIONS.get(media_type, path.suffix.lower())}"
