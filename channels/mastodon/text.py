"""How Mastodon counts a status, where a thread is cut, and how a status reads back as text.

Mastodon's StatusLengthValidator counts graphemes (what people see as one character:
an emoji with its skin tone is one) of the content warning and the text together;
every link counts `characters_reserved_per_url` (23) whatever its length, and a
remote mention @user@instance counts only @user. The limit and the link weight are
the instance's own (GET /api/v2/instance): 500 and 23 unless it says otherwise.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from channels import microblog
from channels.microblog import graphemes, tag_word

#: A link as Mastodon finds one (a scheme is needed), without its trailing punctuation.
URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'\u2019»]")
_REMOTE_MENTION = re.compile(r"@(\w+)@[\w.-]+\w")


@dataclass(frozen=True)
class Limits:
    """An instance's rules for one status."""

    max_characters: int = 500
    characters_reserved_per_url: int = 23
    #: "instance" once read from GET /api/v2/instance, "settings" when the officer set
    #: them, "default" for Mastodon's own defaults.
    source: str = "default"

    def to_json(self) -> dict[str, int | str]:
        return {
            "max_characters": self.max_characters,
            "characters_reserved_per_url": self.characters_reserved_per_url,
            "source": self.source,
        }


def length(text: str, limits: Limits, warning: str | None = None) -> int:
    """The length Mastodon counts for a status of `text` under content warning `warning`."""
    counted = URL.sub("x" * limits.characters_reserved_per_url, (warning or "") + text)
    counted = _REMOTE_MENTION.sub(lambda m: "@" + m.group(1), counted)
    return len(graphemes(counted))


def fits(text: str, limits: Limits, warning: str | None = None) -> bool:
    return length(text, limits, warning) <= limits.max_characters


def measure(limits: Limits, warning: str | None) -> Callable[[str], bool]:
    """Whether a text is one status, under these limits and content warning."""
    return lambda text: fits(text, limits, warning)


def hashtag(tag: str) -> str | None:
    """'fête de la musique' -> '#FêteDeLaMusique', "l'ESS" -> '#ESS'; None when Mastodon would
    not link it as written (no letter, or an apostrophe inside a word)."""
    word = tag_word(tag)
    return f"#{word}" if word and any(c.isalpha() for c in word) else None


def add_hashtags(text: str, tags: Sequence[str], limits: Limits, warning: str | None) -> str:
    """`text` with a last line of hashtags, each added only if the status still fits."""
    return microblog.add_hashtags(text, tags, hashtag=hashtag, fits=measure(limits, warning))


def split_thread(text: str, limits: Limits, warning: str | None = None) -> list[str]:
    """The statuses of a thread, each within the limit with its ' i/n' number."""
    if fits(text, limits, warning):
        return [text]
    return microblog.split_thread(text, measure(limits, warning))


def statuses_at_least(text: str, limits: Limits) -> int:
    """How many statuses a thread of `text` needs at the very least (cheap, for huge texts)."""
    return -(-length(text, limits) // limits.max_characters)


# ---------------------------------------------------------------- reading statuses back


class _TextOf(HTMLParser):
    """The text a reader sees in a status's HTML: paragraphs and line breaks as newlines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")
        elif tag == "p" and self.out:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def html_to_text(content: str) -> str:
    """A status's `content` as text: every span of a link kept, so the whole URL is there."""
    parser = _TextOf()
    parser.feed(content)
    parser.close()
    return "".join(parser.out)


def comparable(text: str) -> str:
    """A status's text in a form that survives Mastodon's formatting (HTML, spacing, a
    remote mention shown as @user)."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = _REMOTE_MENTION.sub(lambda m: "@" + m.group(1), text)
    return re.sub(r"\s+", "", text)


def same_status(ours: str, content: str) -> bool:
    """Whether the status whose HTML is `content` says our `ours`."""
    return comparable(html_to_text(content)) == comparable(ours)
