"""The REST API's addresses and shapes: routes under either root form, slugs, receipts."""

from __future__ import annotations

import html
import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from channels.base import (
    Ambiguous,
    Permanent,
    Receipt,
)
from channels.wordpress.settings import EXCERPT_CHARS, SLUG_TITLE_CHARS
from crosspost.text import slugify

TAG = re.compile(r"<[^>]+>")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
# ---------------------------------------------------------------- pure helpers


def post_slug(title: str, key: str) -> str:
    """The slug of a delivery's post: the title in ASCII, then the key's first 8 characters."""
    suffix = _NOT_SLUG.sub("", key.lower())[:8]
    return f"{slugify(title, SLUG_TITLE_CHARS)}-{suffix}"


def endpoint_url(root: str, route: str) -> str:
    """The URL of `route` ("wp/v2/posts") under a REST root of either form.

    Pretty permalinks give https://example.org/wp-json/; without them (or when the
    rewrite is broken) the API is only at https://example.org/?rest_route=/.
    """
    parts = urlsplit(root)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "rest_route" for name, _ in query):
        query = [
            (name, f"{value.rstrip('/')}/{route}" if name == "rest_route" else value)
            for name, value in query
        ]
        return urlunsplit(parts._replace(query=urlencode(query, safe="/")))
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}/{route}"))


def fallback_root(site_url: str) -> str:
    """The REST root every WordPress answers on, pretty permalinks or not."""
    return f"{site_url}/?rest_route=/"


def excerpt_of(safe_html: str, fallback: str = "") -> str:
    """The first paragraph's text (else `fallback`), cut on a word near EXCERPT_CHARS.

    Taken from the sanitised HTML, so whatever the sanitiser removed stays out too.
    """
    paragraph = _FIRST_PARAGRAPH.search(safe_html)
    text = html.unescape(TAG.sub("", paragraph.group(1))) if paragraph else fallback
    first = " ".join(text.split())
    if len(first) <= EXCERPT_CHARS:
        return first
    return first[:EXCERPT_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def same_term(name: str, wanted: str) -> bool:
    """Whether a term name WordPress returns is `wanted` (it stores & as &amp;)."""
    return html.unescape(name).strip().casefold() == wanted.strip().casefold()


# ---------------------------------------------------------------- the adapter


@dataclass(frozen=True)
class Call:
    """One REST request and what a failure of it can mean."""

    method: str
    route: str
    #: Whether this request can create the post (its failures may then be Ambiguous).
    may_publish: bool = False
    #: What the request is doing, for messages ("looking up tag 'Lyon'").
    doing: str = ""


# ---------------------------------------------------------------- small helpers


def json_list(answer: Any, call: Call) -> list[Any]:
    """A collection answer, which must be a JSON list."""
    if not isinstance(answer, list):
        raise Permanent(f"WordPress answered {call.route} with {type(answer).__name__}, not a list")
    return answer


def trusted_root(announced: str, site_url: str, final_url: str) -> str:
    """The announced REST root, if it is on the site we were told to trust.

    The application password goes to that address: a Link header pointing at another
    host (or downgrading https to http) must be confirmed by setting rest_root.
    """
    root = urlsplit(announced)
    allowed = {(urlsplit(u).scheme, urlsplit(u).netloc.lower()) for u in (site_url, final_url)}
    if (root.scheme, root.netloc.lower()) not in allowed:
        raise Permanent(
            f"{site_url} announces its REST API at {announced}, another address: "
            "set rest_root to it if you trust it"
        )
    return announced


def receipt_of(post: Any, what: str) -> Receipt:
    """Where a post lives, from WordPress's JSON for it."""
    if not isinstance(post, dict) or "id" not in post:
        raise Ambiguous(f"WordPress's answer for {what} has no post id")
    published = datetime.now(UTC)
    # The receipt time is informative only: a missing or odd date keeps "now".
    with suppress(KeyError, ValueError):
        published = datetime.fromisoformat(str(post["date_gmt"])).replace(tzinfo=UTC)
    return Receipt(
        remote_id=str(post["id"]),
        url=post.get("link"),
        published_at=published,
        detail={"slug": post.get("slug"), "status": post.get("status")},
    )
