"""An item's image on Mastodon: what the instance accepts, its upload, and the wait for it.

POST /api/v2/media answers 200 when the instance processed the file at once, or
202 with `url: null` while it processes it in the background; GET /api/v1/media/:id
then answers 206 until it is ready. A status with an unprocessed image is refused,
so publication waits, but only so long (`media_wait`): then the attempt is
Transient (no status was made) and the engine tries again later.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from channels.base import Problem, Transient
from channels.mastodon.api import Api
from channels.media import NO_ALT_TEXT, read_image, refusals, too_large
from channels.media import image_facts as file_facts
from crosspost.i18n import _
from crosspost.wording import number

#: Mastodon 4.3's defaults (configuration.media_attachments of GET /api/v2/instance).
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
DESCRIPTION_LIMIT = 1_500
IMAGE_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "image/avif": "AVIF",
}
#: Pauses between looks at an image being processed: quick at first, then every 2 s.
POLL_PAUSES = (0.2, 0.5, 1.0, 2.0)


def image_facts(path: str, alt: str | None) -> dict[str, Any]:
    """What validate() and publish() need to know about the image (plain JSON)."""
    return {"file": path, "description": (alt or "").strip() or None, **file_facts(path)}


def image_problems(
    media: dict[str, Any], size_limit: int = IMAGE_SIZE_LIMIT, alt_limit: int = DESCRIPTION_LIMIT
) -> list[Problem]:
    """What stops the instance from taking the image, or makes it worse for readers."""
    unknown = mimetypes.guess_type(media["file"])[0] or "not an image"
    problems = refusals(media, platform="Mastodon", accepted=IMAGE_TYPES, unknown=unknown)
    if "unreadable" in media:
        return problems
    problems += too_large(
        media["bytes"],
        size_limit,
        platform="the instance",
        hint=" (make it smaller or save it as JPEG)",
    )
    description = media.get("description")
    if not description:
        problems.append(Problem("warning", _(NO_ALT_TEXT)))
    elif len(description) > alt_limit:
        problems.append(
            Problem(
                "error",
                _(
                    "the image's alt text is {count} characters; the instance keeps up to {most}"
                ).format(count=number(len(description)), most=number(alt_limit)),
            )
        )
    return problems


def upload(
    api: Api,
    media: dict[str, Any],
    *,
    wait: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Upload the image with its description; its id once the instance has processed it."""
    path = Path(media["file"])
    content = read_image(path)
    mime = media.get("media_type") or "application/octet-stream"
    status, attachment = api.upload(path.name, content, mime, media.get("description"))
    media_id = str(attachment.get("id") or "")
    if not media_id:
        raise Transient(f"Mastodon's answer to the upload of {path.name} holds no id")
    deadline = clock() + wait
    pauses = iter(POLL_PAUSES)
    while status == 206 or attachment.get("url") is None:
        pause = next(pauses, POLL_PAUSES[-1])
        if clock() + pause > deadline:
            raise Transient(
                f"the instance was still processing the image {path.name} after {wait:g} s; "
                "no status was published, it will be tried again"
            )
        sleep(pause)
        status, attachment = api.media(media_id)
    return media_id
