"""The item's image as X's one-shot upload takes it, and what stops it."""

from __future__ import annotations

from typing import Any

from channels.base import Problem
from channels.media import NO_ALT_TEXT, refusals, too_large
from channels.media import image_facts as file_facts
from channels.twitter.settings import IMAGE_TYPES, MAX_ALT_TEXT, MAX_IMAGE_BYTES
from crosspost.i18n import _


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


def image_problems(media: dict[str, Any]) -> list[Problem]:
    """What stops X from taking the image, or makes it worse for readers."""
    problems = refusals(media, platform="X", accepted=IMAGE_TYPES, unknown="not a recognised image")
    if "unreadable" in media:
        return problems
    problems += too_large(media["bytes"], MAX_IMAGE_BYTES, platform="X")
    if not media["alt_text"]:
        problems.append(Problem("warning", _(NO_ALT_TEXT)))
    elif media["alt_text_length"] > MAX_ALT_TEXT:
        problems.append(
            Problem(
                "warning",
                _("alt text will be cut to X's {count} characters").format(count=MAX_ALT_TEXT),
            )
        )
    return problems
