"""Mastodon's entities as its REST API writes them: Status, Account, MediaAttachment, Instance.

Shapes follow docs.joinmastodon.org/entities (Mastodon 4.3): ids are strings,
times ISO 8601 with milliseconds and a Z, a status's `content` is the HTML
Mastodon's TextFormatter makes of the text (paragraphs, <br />, links split
into invisible and visible spans, hashtags linked to /tags/).
"""

from __future__ import annotations

import html
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.support.fakeplatform.settings import Settings

VERSION = "4.3.2"
#: What a link shows before Mastodon puts the rest in an ellipsis span.
LINK_DISPLAY = 30
URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'\u2019»]")
HASHTAG = re.compile(r"(?<![\w/#])#(\w*[^\W\d_]\w*)")
MIME_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/avif")


class SnowflakeIds:
    """Increasing ids shaped like Mastodon's: milliseconds shifted 16 bits, then a sequence."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self, now: float) -> str:
        with self._lock:
            self._last = max(int(now * 1000) << 16, self._last + 1)
            return str(self._last)


def iso(moment: float) -> str:
    """'2019-12-05T11:34:47.196Z', as Mastodon writes created_at."""
    millis = round(moment * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + f".{millis:03d}Z"


def iso_micro(moment: float) -> str:
    """'2020-09-08T13:25:00.019685Z', as X-RateLimit-Reset is written."""
    micros = round(moment * 1_000_000) % 1_000_000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + f".{micros:06d}Z"


@dataclass
class Media:
    id: str
    mime: str
    size: int
    width: int
    height: int
    description: str | None
    #: GET /api/v1/media/:id answers 206 this many more times before 200.
    polls_left: int
    status_id: str | None = None

    @property
    def processed(self) -> bool:
        return self.polls_left <= 0


@dataclass
class Status:
    id: str
    text: str
    created_at: float
    visibility: str
    language: str | None
    spoiler_text: str
    sensitive: bool
    in_reply_to_id: str | None
    media: list[Media] = field(default_factory=list)
    idempotency_key: str | None = None


def content_html(text: str, base_url: str) -> str:
    """The HTML Mastodon's TextFormatter makes of a plain-text status."""
    paragraphs = [p for p in re.split(r"\n{2,}", text.strip()) if p.strip()]
    return "".join(f"<p>{_linkify(p, base_url)}</p>" for p in paragraphs)


def _linkify(paragraph: str, base_url: str) -> str:
    out: list[str] = []
    position = 0
    for match in URL.finditer(paragraph):
        out.append(_hashtags(paragraph[position : match.start()], base_url))
        out.append(_link(match.group()))
        position = match.end()
    out.append(_hashtags(paragraph[position:], base_url))
    return "".join(out).replace("\n", "<br />")


def _link(url: str) -> str:
    scheme, _, rest = url.partition("://")
    prefix = scheme + "://"
    if rest.startswith("www."):
        prefix, rest = prefix + "www.", rest[4:]
    shown, hidden = rest[:LINK_DISPLAY], rest[LINK_DISPLAY:]
    return (
        f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
        f'<span class="invisible">{html.escape(prefix)}</span>'
        f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
        f'<span class="invisible">{html.escape(hidden)}</span></a>'
    )


def _hashtags(text: str, base_url: str) -> str:
    out: list[str] = []
    position = 0
    for match in HASHTAG.finditer(text):
        out.append(html.escape(text[position : match.start()], quote=False))
        tag = match.group(1)
        out.append(
            f'<a href="{base_url}/tags/{tag.lower()}" class="mention hashtag" rel="tag">'
            f"#<span>{html.escape(tag)}</span></a>"
        )
        position = match.end()
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def tags(text: str, base_url: str) -> list[dict[str, str]]:
    names = dict.fromkeys(m.group(1).lower() for m in HASHTAG.finditer(URL.sub(" ", text)))
    return [{"name": name, "url": f"{base_url}/tags/{name}"} for name in names]


def account_json(
    settings: Settings, base_url: str, statuses: int, created: float
) -> dict[str, Any]:
    username = settings.mastodon_username
    return {
        "id": settings.mastodon_account_id,
        "username": username,
        "acct": username,
        "display_name": "Association Crosspost",
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": iso(created - created % 86_400),
        "note": "<p>Les nouvelles de l'association.</p>",
        "url": f"{base_url}/@{username}",
        "uri": f"{base_url}/users/{username}",
        "avatar": f"{base_url}/avatars/original/missing.png",
        "avatar_static": f"{base_url}/avatars/original/missing.png",
        "header": f"{base_url}/headers/original/missing.png",
        "header_static": f"{base_url}/headers/original/missing.png",
        "followers_count": 312,
        "following_count": 48,
        "statuses_count": statuses,
        "last_status_at": None,
        "emojis": [],
        "fields": [],
    }


def credential_account_json(
    settings: Settings, base_url: str, statuses: int, created: float
) -> dict[str, Any]:
    account = account_json(settings, base_url, statuses, created)
    account["source"] = {
        "privacy": "public",
        "sensitive": False,
        "language": "fr",
        "note": "Les nouvelles de l'association.",
        "fields": [],
        "follow_requests_count": 0,
    }
    account["role"] = {
        "id": "-99",
        "name": "",
        "permissions": "0",
        "color": "",
        "highlighted": False,
    }
    return account


def media_json(media: Media, base_url: str) -> dict[str, Any]:
    path = f"{base_url}/system/media_attachments/files/{media.id}"
    kind = "gifv" if media.mime == "image/gif" else "image"
    original = {
        "width": media.width,
        "height": media.height,
        "size": f"{media.width}x{media.height}",
        "aspect": media.width / media.height if media.height else 1.0,
    }
    return {
        "id": media.id,
        "type": kind,
        "url": f"{path}/original/image.png" if media.processed else None,
        "preview_url": f"{path}/small/image.png",
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {"original": original, "small": original},
        "description": media.description,
        "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
    }


def status_json(
    status: Status, settings: Settings, base_url: str, account: dict[str, Any]
) -> dict[str, Any]:
    username = settings.mastodon_username
    return {
        "id": status.id,
        "created_at": iso(status.created_at),
        "in_reply_to_id": status.in_reply_to_id,
        "in_reply_to_account_id": settings.mastodon_account_id if status.in_reply_to_id else None,
        "sensitive": status.sensitive,
        "spoiler_text": status.spoiler_text,
        "visibility": status.visibility,
        "language": status.language,
        "uri": f"{base_url}/users/{username}/statuses/{status.id}",
        "url": f"{base_url}/@{username}/{status.id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "pinned": False,
        "content": content_html(status.text, base_url),
        "filtered": [],
        "reblog": None,
        "application": {"name": "Crosspost", "website": None},
        "account": account,
        "media_attachments": [media_json(m, base_url) for m in status.media],
        "mentions": [],
        "tags": tags(status.text, base_url),
        "emojis": [],
        "card": None,
        "poll": None,
    }


def instance_json(settings: Settings, base_url: str) -> dict[str, Any]:
    """GET /api/v2/instance, with the limits a client must honour in `configuration`."""
    domain = settings.mastodon_domain
    return {
        "domain": domain,
        "title": "Mastodon des associations",
        "version": VERSION,
        "source_url": "https://github.com/mastodon/mastodon",
        "description": "Une instance pour les associations.",
        "usage": {"users": {"active_month": 1234}},
        "thumbnail": {"url": f"{base_url}/packs/media/images/preview.png"},
        "languages": ["fr", "en"],
        "configuration": {
            "urls": {"streaming": base_url.replace("http", "ws", 1), "status": None},
            "vapid": {"public_key": ""},
            "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
            "statuses": {
                "max_characters": settings.mastodon_max_characters,
                "max_media_attachments": 4,
                "characters_reserved_per_url": settings.mastodon_url_weight,
            },
            "media_attachments": {
                "supported_mime_types": list(MIME_TYPES),
                "description_limit": 1500,
                "image_size_limit": 16_777_216,
                "image_matrix_limit": 33_177_600,
                "video_size_limit": 103_809_024,
                "video_frame_rate_limit": 120,
                "video_matrix_limit": 8_294_400,
            },
            "polls": {
                "max_options": 4,
                "max_characters_per_option": 50,
                "min_expiration": 300,
                "max_expiration": 2_629_746,
            },
            "translation": {"enabled": False},
        },
        "registrations": {"enabled": False, "approval_required": True, "message": None},
        "api_versions": {"mastodon": 2},
        "contact": {"email": f"admin@{domain}", "account": None},
        "rules": [],
    }


def instance_v1_json(settings: Settings, base_url: str) -> dict[str, Any]:
    """GET /api/v1/instance (deprecated, still answered): the same facts in the old shape."""
    v2 = instance_json(settings, base_url)
    return {
        "uri": v2["domain"],
        "title": v2["title"],
        "short_description": v2["description"],
        "description": v2["description"],
        "email": v2["contact"]["email"],
        "version": VERSION,
        "urls": {"streaming_api": v2["configuration"]["urls"]["streaming"]},
        "stats": {"user_count": 1234, "status_count": 0, "domain_count": 1},
        "thumbnail": v2["thumbnail"]["url"],
        "languages": v2["languages"],
        "registrations": False,
        "approval_required": True,
        "invites_enabled": False,
        "configuration": {
            key: v2["configuration"][key] for key in ("statuses", "media_attachments", "polls")
        },
        "contact_account": None,
        "rules": [],
    }
