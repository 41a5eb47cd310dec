"""The item's image as X's one-shot upload takes it, and what stops it."""

from __future__ import annotations

from typing import Any

from channels.base import Problem
from channels.media import NO_ALT_TEXT, refusals
from channels.media import image_facts as file_facts
from channels.twitter.settings import IMAGE_TYPES, MAX_ALT_TEXT, MAX_IMAGE_BYTES


def image_facts(path: str, alt: str | None, upload_url: str) -> dict[str, Any]:
    """What validate() and publish() need to know about the item's image."""
    facts: dict[str, Any] = {
        "endpoint": f"POST {upload_url}",
        "file": path,
        "media_category": "tweet_image",
        "alt_text": (alt or "").strip()[:MAX_ALT_TEXT] or None,
        "alt_text_length": len((alt or "").strip()),
    }
    facts.update(file_facts(path))
    return facts


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def image_problems(media: dict[str, Any]) -> list[Problem]:
    """What stops X from taking the image, or makes it worse for readers."""
    problems = refusals(media, platform="X", accepted=IMAGE_TYPES, unknown="not a recognised image")
    if "unreadable" in media:
        return problems
    if media["bytes"] > MAX_IMAGE_BYTES:
        problems.append(
            Problem(
                "error",
                f"image is {_megabytes(media['bytes'])}; "
                f"X accepts up to {MAX_IMAGE_BYTES // (1024 * 1024)} MB",
            )
        )
    if not media["alt_text"]:
        problems.append(Problem("warning", NO_ALT_TEXT))
    elif media["alt_text_length"] > MAX_ALT_TEXT:
        problems.append(
            Problem("warning", f"alt text will be cut to X's {MAX_ALT_TEXT} characters")
        )
    return problems
