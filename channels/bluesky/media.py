"""Images as app.bsky.embed.images takes them, and what stops them."""

from __future__ import annotations

import mimetypes
from typing import Any

from channels.base import Problem
from channels.bluesky.settings import IMAGE_TYPES, MAX_IMAGE_BYTES
from channels.media import NO_ALT_TEXT, refusals, too_large
from channels.media import image_facts as file_facts
from crosspost.i18n import _


def image_facts(path: str, alt: str | None) -> dict[str, Any]:
    """What validate() and publish() need to know about one image."""
    return {"file": path, "alt": (alt or "").strip(), **file_facts(path)}


def image_problems(media: dict[str, Any], limit: int = MAX_IMAGE_BYTES) -> list[Problem]:
    """What stops Bluesky from taking the image, or makes it worse for readers."""
    unknown = mimetypes.guess_type(media["file"])[0] or "not an image"
    problems = refusals(media, platform="Bluesky", accepted=IMAGE_TYPES, unknown=unknown)
    if "unreadable" in media:
        return problems
    problems += too_large(
        media["bytes"], limit, platform="Bluesky", hint=_(" (make it smaller or save it as JPEG)")
    )
    if not media["alt"]:
        problems.append(Problem("warning", _(NO_ALT_TEXT)))
    return problems
