"""The featured image: what stops its upload, and the name it is uploaded under."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from channels.base import Problem
from channels.wordpress.rest import post_slug
from channels.wordpress.settings import IMAGE_TYPES


def image_problems(image: Mapping[str, str]) -> list[Problem]:
    """What stops the featured image from being uploaded, or makes it less accessible."""
    path = Path(image["path"])
    if path.suffix.lower() not in IMAGE_TYPES:
        kinds = ", ".join(sorted(IMAGE_TYPES))
        return [Problem("error", f"WordPress takes {kinds} images, not {path.name}")]
    if not path.is_file():
        return [Problem("error", f"the image {path} does not exist")]
    if not image.get("alt_text"):
        return [Problem("warning", "the featured image has no alt text for screen readers")]
    return []


def upload_name(path: Path) -> str:
    """An ASCII file name for Content-Disposition (WordPress reads only filename=)."""
    stem = post_slug(path.stem, "").rstrip("-") or "image"
    return f"{stem}{path.suffix.lower()}"
