"""X's measure of a post and how a long text is cut: weight, hashtags, threads, cuts."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

from channels import microblog
from channels.microblog import graphemes, keep_separators, rx, tag_word
from channels.twitter.settings import ELLIPSIS, LIMIT

#: What twitter-text may weigh other than 1: a code point past U+10FF (CJK, emoji, "…"),
#: the two emoji below it, and a dot inside a word (a link, "asso.fr", weighs 23).
_NOT_PLAIN = re.compile(r"[^\u0000-\u10ff]|[\u00a9\u00ae]|\.(?=\w)")


@lru_cache(maxsize=512)
def weighted_length(text: str) -> int:
    """The length X counts: URLs 23, CJK and emoji 2, most other characters 1.

    twitter-text takes about a millisecond a call (its emoji scan), which an import
    of thousands of rows feels: a text it would weigh 1 per character (after NFC, a
    CR LF counting one) is counted directly, and a render's repeated weighings cached.
    """
    normal = unicodedata.normalize("NFC", text)
    if not _NOT_PLAIN.search(normal):
        return len(normal) - normal.count("\r\n")
    from twitter_text import parse_tweet

    return int(parse_tweet(text).weightedLength)


#: What may end a domain name, so each may start a link that X weighs 23.
_DOTS = (".", "\u3002", "\uff0e", "\uff61")


def has_link(text: str) -> bool:
    """Whether X sees a link in `text` (an address, or a bare domain like asso.fr): X
    charges such a post more."""
    if not any(dot in text for dot in _DOTS):
        return False
    from twitter_text import extract_urls_with_indices

    return bool(extract_urls_with_indices(text))


def fits(text: str) -> bool:
    """Whether `text` is one post; short texts are known to fit without weighing them."""
    # No code point weighs more than 2 and a link at most 23 more than its characters:
    # under that ceiling the exact (slow) weighing cannot say otherwise.
    ceiling = 2 * len(text) + 23 * sum(text.count(dot) for dot in _DOTS)
    return ceiling <= LIMIT or weighted_length(text) <= LIMIT


def hashtag(tag: str) -> str | None:
    """'fête de la musique' -> '#FêteDeLaMusique', "l'ESS" -> '#ESS'; None when X would not
    link it (only digits) or no hashtag says it faithfully ("aujourd'hui")."""
    word = tag_word(tag)
    return None if word is None or word.isdigit() else f"#{word}"


def add_hashtags(text: str, tags: Sequence[str]) -> str:
    """`text` with a last line of hashtags, each added only if the post still fits."""
    return microblog.add_hashtags(text, tags, hashtag=hashtag, fits=fits)


#: A link (weighed 23 by X whatever its length, so a lower bound leaves it out), or a grapheme.
_LINK_OR_GRAPHEME = r"https?://\S+|\X"


def _weight_bound(text: str, limit: int) -> tuple[int, int]:
    """A lower bound of X's weight (every character outside a link weighs at least 1),
    counted until it passes `limit`: (the bound, where counting stopped)."""
    weight = 0
    for piece in rx(_LINK_OR_GRAPHEME).finditer(text):
        if not piece.group().startswith(("http://", "https://")):
            weight += 1
            if weight > limit:
                return weight, piece.start()
    return weight, len(text)


def posts_at_least(text: str) -> int:
    """How many posts a thread of `text` needs at the very least (cheap, for huge texts)."""
    weight, _ = _weight_bound(text, len(text))
    return -(-weight // LIMIT)


#: Where a sentence ends: Latin marks before a space, CJK full stops and marks with or without.
_SENTENCE_END = r"(?<=[.!?…])\s+|(?<=[\u3002\uff01\uff1f])\s*"
#: How a text is cut for a thread, coarse to fine: between sentences or lines, between words,
#: between characters (graphemes: an emoji is never cut in two). A link stays with the
#: sentence before it rather than going alone.
_SPLITTERS: tuple[Callable[[str], list[str]], ...] = (
    lambda text: keep_separators(text, rf"(?:{_SENTENCE_END}|\s*\n\s*)(?=\S)(?!https?://)"),
    lambda text: keep_separators(text, r"\s+"),
    graphemes,
)


def split_thread(text: str) -> list[str]:
    """Posts of a thread, each within the limit with its ' i/n' number."""
    return microblog.split_thread(text, fits, _SPLITTERS)


#: A run without spaces longer than this is not one word to keep whole (Japanese or
#: Chinese text has no spaces): a cut may fall inside it, between two characters.
LONGEST_WORD = 30


def truncate_keeping_link(head: str, link: str | None) -> str:
    """One post: `head` cut (with '…') so that the link still fits after it; cut between
    words, or between characters inside a long run without spaces (never inside a link)."""
    tail = f"\n\n{link}" if link else ""
    # No cut past the point where the head alone is already too long can fit: weigh
    # only prefixes up to there (a 360 kB body would otherwise be weighed again and again).
    floor, reach = _weight_bound(head, LIMIT)
    if floor <= LIMIT and fits(head + tail):
        return head + tail

    def post(cut: int) -> str:
        return head[:cut].rstrip() + ELLIPSIS + tail

    cuts = [0, *(m.end() for m in rx(r"\X").finditer(head, endpos=reach))]
    low, high, best = 0, len(cuts) - 1, 0
    while low <= high:  # the longest cut that fits; weight grows with the cut
        middle = (low + high) // 2
        if fits(post(cuts[middle])):
            best, low = cuts[middle], middle + 1
        else:
            high = middle - 1
    return post(_word_cut(head, best))


def _word_cut(head: str, cut: int) -> int:
    """`cut` moved back to the space before its word, unless that word is a long run."""
    if cut >= len(head) or head[cut].isspace() or head[cut - 1 : cut].isspace():
        return cut
    space = max(head.rfind(" ", 0, cut), head.rfind("\n", 0, cut))
    run_end = rx(r"\s").search(head, cut)
    run = head[space + 1 : run_end.start() if run_end else len(head)]
    long_run = len(graphemes(run)) > LONGEST_WORD and not run.startswith(("http", "www."))
    return cut if long_run or space < 0 else space


def comparable(text: str) -> str:
    """A post's text in a form that survives X's rewriting (t.co links, &amp;, spacing)."""
    text = html.unescape(text)
    text = re.sub(r"https?://\S+", "<url>", text)
    return re.sub(r"\s+", " ", text).strip()


def same_post(ours: str, theirs: str) -> bool:
    """Whether X's `theirs` is our `ours` (X may append the image's t.co link)."""
    mine, seen = comparable(ours), comparable(theirs)
    return seen == mine or (
        seen.startswith(mine) and re.fullmatch(r"( <url>)+", seen[len(mine) :]) is not None
    )
