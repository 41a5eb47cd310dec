"""What an officer sees on Mastodon, and the exact requests that will make it.

- a scoop or any other item: the title, a blank line, the body as plain text, then the link;
- an event: the title, then the date and time and the place, then the link;
- an announcement (role "announce"): the title and the link of the post it announces
  (the instance makes the link card itself).

Tags become hashtags on a last line while the status still fits. A text longer
than the instance's limit becomes a thread, each status numbered " 1/3"; the
channel's content warning (if any) heads every status of it.
"""

from __future__ import annotations

from typing import Any

from channels import microblog
from channels.base import RenderContext, Rendered
from channels.mastodon import text as texts
from channels.mastodon.media import image_facts
from channels.mastodon.settings import MastodonSettings
from channels.mastodon.text import Limits
from crosspost.domain import Item
from crosspost.i18n import _

UNIT = "characters"


def compose(
    name: str, settings: MastodonSettings, item: Item, context: RenderContext, limits: Limits
) -> Rendered:
    """The statuses `item` makes on this channel, and the request of each."""
    text, warnings = _text(item, context)
    warning = settings.content_warning
    if settings.hashtags:
        text = texts.add_hashtags(text, item.tags, limits, warning)
    length = texts.length(text, limits, warning)
    parts = [text]
    too_long: int | None = None
    if length > limits.max_characters:
        # A text far longer than any thread allowed is refused without cutting it all.
        least = texts.statuses_at_least(text, limits)
        if least > settings.max_thread:
            too_long = least
        else:
            parts = texts.split_thread(text, limits, warning)
            if len(parts) > settings.max_thread:
                too_long = len(parts)
            else:
                warnings.append(
                    _(
                        "status is {length}/{limit} characters; it will be sent as a "
                        "{count}-status thread"
                    ).format(length=length, limit=limits.max_characters, count=len(parts))
                )
    request = _request(settings, parts, text, item, limits)
    if too_long is not None:
        request["thread_statuses"] = too_long
    return Rendered(
        channel=name,
        text="\n\n".join(parts),
        parts=tuple(parts),
        request=request,
        length=length,
        limit=limits.max_characters,
        unit=UNIT,
        warnings=tuple(warnings),
    )


def _text(item: Item, context: RenderContext) -> tuple[str, list[str]]:
    """The status before any cut (the link on its own last line), and warnings."""
    head, link, warnings = microblog.compose(item, context)
    return "\n\n".join(part for part in (head, link) if part), warnings


def status_body(settings: MastodonSettings, part: str) -> dict[str, Any]:
    """What every status of the channel says besides its place in a thread and its image."""
    body: dict[str, Any] = {
        "status": part,
        "language": settings.language,
        "visibility": settings.visibility,
    }
    if settings.content_warning:
        body["spoiler_text"] = settings.content_warning
    if settings.sensitive or settings.content_warning:
        body["sensitive"] = True
    return body


def _request(
    settings: MastodonSettings,
    parts: list[str],
    text: str,
    item: Item,
    limits: Limits,
) -> dict[str, Any]:
    """What POST /api/v1/statuses receives; what only publication knows is shown as <...>."""
    statuses: list[dict[str, Any]] = []
    for number, part in enumerate(parts, start=1):
        status = status_body(settings, part)
        if number > 1:
            status["in_reply_to_id"] = f"<id of status {number - 1}>"
        key = "<the delivery's key>" if number == 1 else f"<the delivery's key>.{number}"
        statuses.append({"headers": {"Idempotency-Key": key}, "body": status})
    request: dict[str, Any] = {
        "endpoint": f"POST {settings.instance_url}/api/v1/statuses",
        "text": text,
        "statuses": statuses,
        "limits": limits.to_json(),
    }
    if item.image_path:
        request["media"] = {
            "endpoint": f"POST {settings.instance_url}/api/v2/media",
            **image_facts(item.image_path, item.image_alt),
        }
        statuses[0]["body"]["media_ids"] = ["<id of the uploaded image>"]
    return request
