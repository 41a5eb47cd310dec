"""What short-post platforms (X, Bluesky, Mastodon) share: the post's text, hashtags, threads.

Each platform brings its own measure (`fits`: X's weighted characters, Bluesky's
graphemes and bytes, Mastodon's characters with a link counted as the instance's
characters_reserved_per_url), its own hashtag spelling and its own places to cut; the
way a post is composed, tags are added and a long text becomes a numbered thread
is the same, and lives here once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING

from channels.base import ChannelError, RateLimited, RenderContext
from crosspost.domain import Item
from crosspost.text import capitalise, event_when, markdown_to_plain

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    import regex

#: Cuts a text into pieces, each with the separator that follows it.
Splitter = Callable[[str], list[str]]


@cache
def rx(pattern: str) -> regex.Pattern[str]:
    """`pattern` compiled by the `regex` module (graphemes, Unicode words), on first use."""
    import regex

    return regex.compile(pattern)


def graphemes(text: str) -> list[str]:
    """What a reader sees as characters (a ZWJ family emoji, a letter and its accent)."""
    return list(rx(r"\X").findall(text))


# ---------------------------------------------------------------- the post


def compose(item: Item, context: RenderContext) -> tuple[str, str | None, list[str]]:
    """The post before any cut: the text above the link, the link, and warnings.

    An announcement is its title and the announced post's link; an event its title,
    date and place; anything else its title and its body as plain text.
    """
    if context.role == "announce":
        if not context.announced_url:
            return item.title, None, ["the announced post has no link yet"]
        return item.title, context.announced_url, []
    lines = [item.title]
    if item.kind == "event":
        lines.append(when_and_where(item, context.timezone))
    elif item.body.strip():
        lines.append(markdown_to_plain(item.body))
    return "\n\n".join(line for line in lines if line), item.link, []


def when_and_where(event: Item, zone: ZoneInfo) -> str:
    """'Samedi 12 décembre 2026 de 14h00 à 18h00' and the place, one per line."""
    lines = [event.location] if event.location else []
    if event.event_start is not None:
        lines.insert(0, capitalise(event_when(event.event_start, event.event_end, zone)))
    return "\n".join(lines)


#: A French elision at the start of a word ("l'", "d'", "qu'", "jusqu'"...): left out of a
#: hashtag, because the platforms' hashtags stop at the apostrophe and merging gives
#: "#LESS" for "l'ESS".
_ELISION = r"(?i)\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['\u2019](?=\w)"
_APOSTROPHES = ("'", "\u2019")


def tag_word(tag: str) -> str | None:
    """'fête de la musique' -> 'FêteDeLaMusique', "l'ESS" -> 'ESS'; None when no hashtag says
    the tag faithfully (no word, or an apostrophe inside one: "aujourd'hui")."""
    words_only = rx(_ELISION).sub("", tag)
    if any(mark in words_only for mark in _APOSTROPHES):
        return None
    words = rx(r"\w+").findall(words_only)
    if not words:
        return None
    return words[0] if len(words) == 1 else "".join(capitalise(w) for w in words)


def add_hashtags(
    text: str,
    tags: Sequence[str],
    *,
    hashtag: Callable[[str], str | None],
    fits: Callable[[str], bool],
) -> str:
    """`text` with a last line of hashtags, each added only if the post still fits in one:
    tags never lengthen a thread. `hashtag` spells a tag as the platform links it."""
    present = {t.lower() for t in rx(r"#\w+").findall(text)}
    line: list[str] = []
    for tag in tags:
        candidate = hashtag(tag)
        if candidate is None or candidate.lower() in present:
            continue
        if fits(text + "\n\n" + " ".join([*line, candidate])):
            line.append(candidate)
            present.add(candidate.lower())
    return text + "\n\n" + " ".join(line) if line else text


# ---------------------------------------------------------------- threads


def keep_separators(text: str, pattern: str) -> list[str]:
    """Pieces of `text`, each with the separator that followed it, so joining them restores it."""
    pieces = re.split(f"({pattern})", text)
    return ["".join(pieces[i : i + 2]) for i in range(0, len(pieces), 2) if pieces[i : i + 2]]


def _pack(
    text: str, ok: Callable[[str], bool], splitters: Sequence[Splitter], level: int = 0
) -> list[str]:
    """Greedy packing of `text` into chunks that satisfy `ok`, cutting as coarsely as possible."""
    chunks: list[str] = []
    current = ""
    for unit in splitters[level](text):
        if ok((current + unit).strip()):
            current += unit
        elif ok(unit.strip()):
            if current.strip():
                chunks.append(current)
            current = unit
        else:  # a piece too long for any post: fill this post with it, cut more finely
            *done, current = _pack(current + unit, ok, splitters, level + 1)
            chunks.extend(done)
    if current.strip():
        chunks.append(current)
    return chunks


def _with(fits: Callable[[str], bool], suffix: str) -> Callable[[str], bool]:
    """Whether a post still fits once `suffix` (its thread number) is added."""
    return lambda text: fits(text + suffix)


#: How a text is cut for a thread, coarse to fine: between sentences or lines, between
#: words, between graphemes; a link stays with the sentence it ends.
SPLITTERS: tuple[Splitter, ...] = (
    lambda text: keep_separators(text, r"(?<=[.!?…])\s+(?!https?://)|\s*\n\s*"),
    lambda text: keep_separators(text, r"\s+"),
    graphemes,
)


def split_thread(
    text: str, fits: Callable[[str], bool], splitters: Sequence[Splitter] = SPLITTERS
) -> list[str]:
    """Posts of a thread, each within the limit with its ' i/n' number.

    `splitters` cut coarse to fine (sentences or lines, words, graphemes); the last
    must cut anything, so that every piece fits at some level.
    """
    total = 9
    while True:
        chunks = [c.strip() for c in _pack(text, _with(fits, f" {total}/{total}"), splitters)]
        if len(str(len(chunks))) <= len(str(total)):
            break
        total = len(chunks)  # more digits than reserved: pack again with room for them
    count = len(chunks)
    return [f"{chunk} {number}/{count}" for number, chunk in enumerate(chunks, start=1)]


def in_thread(
    error: ChannelError,
    *,
    index: int,
    count: int,
    posted: int,
    first_url: str | None,
    platform: str,
    noun: tuple[str, str] = ("post", "posts"),
) -> ChannelError:
    """`error`, telling the officer where a thread stands when `posted` parts are out.

    `noun` is what the platform calls a post, and its plural (Mastodon's statuses)."""
    if count == 1:
        return error
    one, many = noun
    message = f"thread {one} {index + 1}/{count}: {error.message}"
    if posted:
        out = f"{one} 1 is" if posted == 1 else f"{many} 1 to {posted} are"
        message += f" ({out} on {platform}: {first_url})"
    if isinstance(error, RateLimited):
        return RateLimited(message, error.retry_at)
    return type(error)(message)
