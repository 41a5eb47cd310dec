"""Bluesky's measure of a post, hashtags, threads and rich-text facets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from channels import microblog
from channels.bluesky.settings import LIMIT, MAX_BYTES
from crosspost.text import capitalise


def graphemes(text: str) -> int:
    """How many characters people see (Unicode extended grapheme clusters)."""
    return len(microblog.graphemes(text))


def fits(text: str) -> bool:
    return graphemes(text) <= LIMIT and len(text.encode()) <= MAX_BYTES


def hashtag(tag: str) -> str | None:
    """'fête de la musique' -> '#FêteDeLaMusique'; None when Bluesky would not link it."""
    words = re.findall(r"\w+", tag)
    if not words:
        return None
    word = words[0] if len(words) == 1 else "".join(capitalise(w) for w in words)
    word = word.strip("_")
    return None if not word or word.isdigit() else f"#{word}"


def add_hashtags(text: str, tags: Sequence[str]) -> str:
    """`text` with a last line of hashtags, each added only if the post still fits."""
    return microblog.add_hashtags(text, tags, hashtag=hashtag, fits=fits)


def split_thread(text: str) -> list[str]:
    """Posts of a thread, each within the limit with its ' i/n' number."""
    return microblog.split_thread(text, fits)


def facets(text: str) -> list[dict[str, Any]]:
    """The link and hashtag facets of `text`, as app.bsky.richtext.facet JSON."""
    from atproto_client import models
    from atproto_client.utils import detect_facets

    found: list[dict[str, Any]] = []
    for facet in detect_facets(text):
        for feature in facet.features:
            if isinstance(feature, models.AppBskyRichtextFacet.Link):
                shape = {"$type": "app.bsky.richtext.facet#link", "uri": feature.uri}
            elif isinstance(feature, models.AppBskyRichtextFacet.Tag):
                shape = {"$type": "app.bsky.richtext.facet#tag", "tag": feature.tag}
            else:
                continue
            index = {"byteStart": facet.index.byte_start, "byteEnd": facet.index.byte_end}
            found.append({"index": index, "features": [shape]})
    return found


def mentions(text: str) -> list[tuple[str, int, int]]:
    """(handle, byteStart, byteEnd) of each @mention in `text`, unresolved."""
    from atproto_client.utils import detect_mentions

    return [(m.handle, m.byte_start, m.byte_end) for m in detect_mentions(text)]
