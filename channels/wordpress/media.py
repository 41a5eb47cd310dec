"""The featured image: what stops its upload, and the name it is uploaded under."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from channels.base import Problem
from channels.media import EXTENSIONS, sniff_file
from channels.wordpress.rest import post_slug
from channels.wordpress.settings import IMAGE_TYPES
from crosspost.i18n import _


def image_problems(image: Mapping[str, str]) -> list[Problem]:
    """What stops the featured image from being uploaded, or makes it less accessible."""
    path = Path(image["path"])
    if not path.is_file():
        return [Problem("error", _("the image {path} does not exist").format(path=path))]
    kind = image_type(path)
    if kind not in IMAGE_TYPES:
        kinds = ", ".join(IMAGE_TYPES.values())
        found = _(" (it is {kind})").format(kind=kind) if kind else ""
        said = _("WordPress takes {kinds} images, not {name}{found}")
        return [Problem("error", said.format(kinds=kinds, name=path.name, found=found))]
    if not image.get("alt_text"):
        return [Problem("warning", _("the featured image has no alt text for screen readers"))]
    return []


def image_type(path: Path) -> str | None:
    """The image's type from its bytes (its extension can lie), None if unreadable."""
    try:
        return sniff_file(path)
    except OSError:
        return None


def upload_name(path: Path, media_type: str) -> str:
    """An ASCII file name for Content-Disposition (WordPress reads only filename=), with the
    extension of what the file really is: WordPress checks the two agree."""
    stem = post_slug(path.stem, "").rstrip("-") or "image"
    return f"{stem}{EXTENSIONS.get(media_type, path.suffix.lower())}"
