"""Bluesky's measure of a post, hashtags, threads and rich-text facets."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from channels.bluesky.settings import LIMIT, MAX_BYTES
from crosspost.text import capitalise


def graphemes(text: str) -> int:
    """How many characters people see (Unicode extended grapheme clusters)."""
    import regex

    return len(regex.findall(r"\X", text))


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
    present = {t.lower() for t in re.findall(r"#\w+", text)}
    line: list[str] = []
    for tag in tags:
        candidate = hashtag(tag)
        if candidate is None or candidate.lower() in present:
            continue
        if fits(text + "\n\n" + " ".join([*line, candidate])):
            line.append(candidate)
            present.add(candidate.lower())
    return text + "\n\n" + " ".join(line) if line else text


def _pieces(text: str, level: int) -> list[str]:
    """`text` cut between sentences or lines (0), words (1) or graphemes (2), separators kept
    with the piece before them (a link stays with the sentence it ends)."""
    if level == 2:
        import regex

        return list(regex.findall(r"\X", text))
    pattern = r"(?<=[.!?…])\s+(?!https?://)|\s*\n\s*" if level == 0 else r"\s+"
    pieces = re.split(f"({pattern})", text)
    return ["".join(pieces[i : i + 2]) for i in range(0, len(pieces), 2) if pieces[i : i + 2]]


def _pack(text: str, ok: Callable[[str], bool], level: int = 0) -> list[str]:
    """Greedy packing of `text` into chunks that satisfy `ok`, cutting as coarsely as possible."""
    chunks: list[str] = []
    current = ""
    for unit in _pieces(text, level):
        if ok((current + unit).strip()):
            current += unit
        elif ok(unit.strip()):
            if current.strip():
                chunks.append(current)
            current = unit
        else:  # a piece too long for any post: cut it more finely
            *done, current = _pack(current + unit, ok, level + 1)
            chunks.extend(done)
    if current.strip():
        chunks.append(current)
    return chunks


def _fits_with(suffix: str) -> Callable[[str], bool]:
    """Whether a post still fits once `suffix` (its thread number) is added."""
    return lambda text: fits(text + suffix)


def split_thread(text: str) -> list[str]:
    """Posts of a thread, each within the limit with its ' i/n' number."""
    total = 9
    while True:
        chunks = [c.strip() for c in _pack(text, _fits_with(f" {total}/{total}"))]
        if len(str(len(chunks))) <= len(str(total)):
            break
        total = len(chunks)
    return [f"{chunk} {n}/{len(chunks)}" for n, chunk in enumerate(chunks, start=1)]


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
