"""X (Twitter): posts through API v2 with tweepy, OAuth 1.0a user context.

What an officer sees on X:

- a scoop or any other item: the title, a blank line, the body as plain text, then the link;
- an event: the title, then the date and time and the place, then the link;
- an announcement (role "announce"): the title and the link of the post it announces.

Length follows X's own weighting (twitter-text: 280, any URL counts 23, CJK and
emoji count 2). A text that is too long becomes, per the `overflow` setting,
either a thread (split between sentences, then between words, each post
numbered " 1/3") or a single post cut short with "…" that still ends with
the link.

A thread longer than `max_thread` posts (default 10) is refused when the item is
queued, with its count: a text that long belongs on the blog, announced on X.
Cuts fall between graphemes, never inside an emoji.

Tags become hashtags on a last line, one by one and only while the whole post
still fits in a single tweet: they never lengthen a thread or push the link
out of a cut post. A tag is written as X links it: its words joined in
CamelCase, without punctuation, a French elision left out ("l'ESS" -> #ESS);
tags that are only digits, or with another apostrophe, are left out (X would
not link them as written).

A thread is one delivery. After each post its id is saved as progress, so a
failed attempt resumes after the last post that went out, replying to it.

X offers no idempotency key. After an ambiguous attempt, `find_existing` looks
for the post among the account's recent posts, which needs an access level
that can read (see its docstring).
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from channels.base import (
    Ambiguous,
    AuthExpired,
    Channel,
    ChannelError,
    ChannelSettings,
    CheckResult,
    Duplicate,
    Permanent,
    Problem,
    PublishJob,
    RateLimited,
    Receipt,
    RenderContext,
    Rendered,
    Transient,
)
from channels.transport import transport_rule
from crosspost.domain import Item
from crosspost.text import capitalise, event_when, markdown_to_plain

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    import regex
    import requests

log = logging.getLogger(__name__)

#: X's limit, in weighted characters.
LIMIT = 280
UNIT = "weighted characters"
#: The host tweepy writes into every URL; our session swaps it for `api_base`.
TWEEPY_HOST = "https://api.twitter.com"
#: X's own host for API v2 (tweepy still builds its URLs on the old name; they are rebased).
X_HOST = "https://api.x.com"
#: The one-shot upload takes images up to this size (larger ones need the chunked flow).
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: Image types `POST /2/media/upload` accepts with media_category=tweet_image.
IMAGE_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/bmp": "BMP",
    "image/tiff": "TIFF",
}
#: X keeps up to this many characters of alt text.
MAX_ALT_TEXT = 1000
#: How many recent posts find_existing reads (X allows 5 to 100 per page).
LOOKUP_PAGE = 100
#: X serves at most the 3,200 latest posts of a timeline: find_existing reads that far.
LOOKUP_PAGES = 32
ELLIPSIS = "…"


class TwitterSettings(ChannelSettings):
    """`[channels.NAME]` for type "twitter": where the four OAuth 1.0a secrets live, and how
    an overlong text is handled."""

    api_key_env: str = Field(default="X_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    api_secret_env: str = Field(default="X_API_SECRET", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    access_token_env: str = Field(default="X_ACCESS_TOKEN", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    access_secret_env: str = Field(
        default="X_ACCESS_TOKEN_SECRET", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$"
    )
    #: Where POST /2/tweets and the user look-ups go (a local fake server in tests).
    api_base: str = X_HOST
    #: Where media uploads and alt text go.
    upload_base: str = "https://api.x.com"
    #: Too long for one post: a numbered thread, or one post cut short (link kept).
    overflow: Literal["thread", "truncate"] = "thread"
    #: The account's @name, for post links (else X's /i/web/status/ links, which redirect).
    username: str | None = None
    #: Turn the item's tags into hashtags when they fit.
    hashtags: bool = True
    #: The longest thread accepted: a longer text is refused when it is queued (write a
    #: blog post and announce it instead), never sent as hundreds of posts.
    max_thread: int = Field(default=10, ge=1)

    @field_validator("api_base", "upload_base")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("username")
    @classmethod
    def _no_at(cls, value: str | None) -> str | None:
        return (value.lstrip("@") or None) if value else None


# ---------------------------------------------------------------- text


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


def fits(text: str) -> bool:
    """Whether `text` is one post; short texts are known to fit without weighing them."""
    # No code point weighs more than 2 and a link at most 23 more than its characters:
    # under that ceiling the exact (slow) weighing cannot say otherwise.
    ceiling = 2 * len(text) + 23 * sum(text.count(dot) for dot in _DOTS)
    return ceiling <= LIMIT or weighted_length(text) <= LIMIT


@cache
def _rx(pattern: str) -> regex.Pattern[str]:
    """`pattern` compiled by the `regex` module (graphemes, Unicode words), on first use."""
    import regex

    return regex.compile(pattern)


#: A French elision at the start of a word ("l'", "d'", "qu'", "jusqu'"...): left out of a
#: hashtag, because X's hashtag stops at the apostrophe and merging gives "#LESS" for "l'ESS".
_ELISION = r"(?i)\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['\u2019](?=\w)"
_APOSTROPHES = ("'", "\u2019")


def hashtag(tag: str) -> str | None:
    """'fête de la musique' -> '#FêteDeLaMusique', "l'ESS" -> '#ESS'; None when X would not
    link it (only digits) or no hashtag says it faithfully ("aujourd'hui")."""
    words_only = _rx(_ELISION).sub("", tag)
    if any(mark in words_only for mark in _APOSTROPHES):
        return None
    words = _rx(r"\w+").findall(words_only)
    if not words:
        return None
    word = words[0] if len(words) == 1 else "".join(capitalise(w) for w in words)
    return None if word.isdigit() else f"#{word}"


def add_hashtags(text: str, tags: Sequence[str]) -> str:
    """`text` with a last line of hashtags, each added only if the post still fits."""
    present = {t.lower() for t in _rx(r"#\w+").findall(text)}
    line: list[str] = []
    for tag in tags:
        candidate = hashtag(tag)
        if candidate is None or candidate.lower() in present:
            continue
        if fits(text + "\n\n" + " ".join([*line, candidate])):
            line.append(candidate)
            present.add(candidate.lower())
    return text + "\n\n" + " ".join(line) if line else text


def graphemes(text: str) -> list[str]:
    """What a reader sees as characters (a ZWJ family emoji, a letter and its accent)."""
    return list(_rx(r"\X").findall(text))


#: A link (weighed 23 by X whatever its length, so a lower bound leaves it out), or a grapheme.
_LINK_OR_GRAPHEME = r"https?://\S+|\X"


def _weight_bound(text: str, limit: int) -> tuple[int, int]:
    """A lower bound of X's weight (every character outside a link weighs at least 1),
    counted until it passes `limit`: (the bound, where counting stopped)."""
    weight = 0
    for piece in _rx(_LINK_OR_GRAPHEME).finditer(text):
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
    lambda text: _keep_separators(text, rf"(?:{_SENTENCE_END}|\s*\n\s*)(?=\S)(?!https?://)"),
    lambda text: _keep_separators(text, r"\s+"),
    graphemes,
)


def _keep_separators(text: str, pattern: str) -> list[str]:
    """Pieces of `text`, each with the separator that followed it, so joining them restores it."""
    pieces = re.split(f"({pattern})", text)
    return ["".join(pieces[i : i + 2]) for i in range(0, len(pieces), 2) if pieces[i : i + 2]]


def _pack(text: str, ok: Callable[[str], bool], level: int = 0) -> list[str]:
    """Greedy packing of `text` into chunks that satisfy `ok`, cutting as coarsely as possible."""
    chunks: list[str] = []
    current = ""
    for unit in _SPLITTERS[level](text):
        if ok((current + unit).strip()):
            current += unit
        elif ok(unit.strip()):
            if current.strip():
                chunks.append(current)
            current = unit
        else:  # a piece too long for any post: fill this post with it, cut more finely
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
        total = len(chunks)  # more digits than reserved: pack again with room for them
    count = len(chunks)
    return [f"{chunk} {number}/{count}" for number, chunk in enumerate(chunks, start=1)]


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

    cuts = [0, *(m.end() for m in _rx(r"\X").finditer(head, endpos=reach))]
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
    run_end = _rx(r"\s").search(head, cut)
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


# ---------------------------------------------------------------- images


def sniff_image_type(head: bytes) -> str | None:
    """The image's real type from its first bytes (an extension can lie)."""
    signatures = (
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"BM", "image/bmp"),
        (b"II*\x00", "image/tiff"),
        (b"MM\x00*", "image/tiff"),
    )
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in signatures if head.startswith(magic)), None)


def image_facts(path: str, alt: str | None, upload_url: str) -> dict[str, Any]:
    """What validate() and publish() need to know about the item's image."""
    facts: dict[str, Any] = {
        "endpoint": f"POST {upload_url}",
        "file": path,
        "media_category": "tweet_image",
        "alt_text": (alt or "").strip()[:MAX_ALT_TEXT] or None,
        "alt_text_length": len((alt or "").strip()),
    }
    try:
        with open(path, "rb") as handle:
            facts["media_type"] = sniff_image_type(handle.read(16))
        facts["bytes"] = Path(path).stat().st_size
    except OSError as exc:
        facts["unreadable"] = exc.strerror or type(exc).__name__
    return facts


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def image_problems(media: dict[str, Any]) -> list[Problem]:
    """What stops X from taking the image, or makes it worse for readers."""
    if "unreadable" in media:
        return [Problem("error", f"image {media['file']} cannot be read: {media['unreadable']}")]
    problems: list[Problem] = []
    if media["media_type"] not in IMAGE_TYPES:
        kind = media["media_type"] or "not a recognised image"
        accepted = ", ".join(IMAGE_TYPES.values())
        problems.append(Problem("error", f"image is {kind}; X accepts {accepted} images"))
    if media["bytes"] > MAX_IMAGE_BYTES:
        problems.append(
            Problem(
                "error",
                f"image is {_megabytes(media['bytes'])}; "
                f"X accepts up to {MAX_IMAGE_BYTES // (1024 * 1024)} MB",
            )
        )
    if not media["alt_text"]:
        problems.append(
            Problem(
                "warning", "the image has no alt text: people using screen readers will miss it"
            )
        )
    elif media["alt_text_length"] > MAX_ALT_TEXT:
        problems.append(
            Problem("warning", f"alt text will be cut to X's {MAX_ALT_TEXT} characters")
        )
    return problems


# ---------------------------------------------------------------- errors


@dataclass(frozen=True)
class HttpRule:
    """One row of the answer table: an HTTP status (and words in X's answer) -> an outcome."""

    statuses: range
    #: Lower-case words looked for in X's answer (detail, title, type, reason, messages).
    says: str | None
    outcome: type[ChannelError]
    hint: str


def _status(code: int) -> range:
    return range(code, code + 1)


#: X's answers, first match wins. "{credentials}" is replaced by the variable names.
HTTP_RULES: tuple[HttpRule, ...] = (
    HttpRule(_status(429), None, RateLimited, "X's rate limit is reached"),
    HttpRule(
        _status(401),
        None,
        AuthExpired,
        "X refused the credentials: renew {credentials} "
        "(developer portal, the app's Keys and tokens)",
    ),
    HttpRule(
        _status(403),
        "duplicate content",
        Duplicate,
        "X already has a post with exactly this text (perhaps an earlier attempt's); "
        "it is not sent again",
    ),
    HttpRule(
        _status(403),
        "oauth1-permissions",
        Permanent,
        "the X app may only read: give it Read and Write permission in the developer portal "
        "(User authentication settings), then regenerate the access token and secret",
    ),
    HttpRule(
        _status(403),
        "not permitted to perform this action",
        Permanent,
        "X does not let this account post through the app: check that the app has Read and "
        "Write permission (then regenerate the access token and secret) and that the account "
        "is not locked",
    ),
    HttpRule(
        _status(403),
        "client-not-enrolled",
        Permanent,
        "the app's access level does not include this endpoint: the app must belong to a "
        "Project with a plan that allows it",
    ),
    HttpRule(_status(403), None, Permanent, "X refused the request"),
    HttpRule(_status(400), None, Permanent, "X rejected the request"),
    HttpRule(_status(404), None, Permanent, "X does not know this endpoint (check api_base)"),
    HttpRule(range(500, 600), None, Ambiguous, "X answered with a server error"),
    HttpRule(range(400, 500), None, Permanent, "X refused the request"),
    HttpRule(range(0, 1000), None, Permanent, "X gave an unexpected answer"),
)


_NOT_SENT = "the post was not sent and will be tried again"
_RETRIED = "it will be tried again"


def transport_error(exc: BaseException, *, publishes: bool) -> ChannelError:
    """A failure below HTTP as Transient (nothing sent, or nothing to publish) or Ambiguous."""
    rule = transport_rule(exc)
    if rule.maybe_sent and publishes:
        return Ambiguous(f"X: {rule.says}: the post may or may not be on X ({type(exc).__name__})")
    return Transient(f"X: {rule.says}; {_NOT_SENT if publishes else _RETRIED}")


def x_says(payload: Any) -> str:
    """X's own words from an error body (v2 problem details or an errors list)."""
    if not isinstance(payload, dict):
        return ""
    messages = [
        str(e.get("message") or e.get("detail"))
        for e in payload.get("errors") or []
        if isinstance(e, dict) and (e.get("message") or e.get("detail"))
    ]
    if messages:
        return "; ".join(messages)
    return str(payload.get("detail") or payload.get("title") or "")


def _match_text(payload: Any) -> str:
    if not isinstance(payload, dict):
        return ""
    fields = [payload.get(k) for k in ("detail", "title", "type", "reason")]
    return " ".join(str(f) for f in [*fields, x_says(payload)] if f).lower()


#: Headers of X's limits, most specific first: (prefix, what it limits).
RATE_WINDOWS = (
    ("x-user-limit-24hour", "the account's 24-hour posting limit"),
    ("x-app-limit-24hour", "the app's 24-hour limit"),
    ("x-rate-limit", "the 15-minute limit"),
)


def _header_int(headers: Any, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def retry_time(headers: Any, now: datetime) -> tuple[datetime, str]:
    """When to try again after a 429, and which limit says so.

    X sends a window's reset (epoch seconds) with its remaining count; the latest
    reset among exhausted windows wins (a 24-hour limit outlasts the 15-minute one).
    """
    exhausted = [
        (reset, label)
        for prefix, label in RATE_WINDOWS
        if _header_int(headers, f"{prefix}-remaining") == 0
        and (reset := _header_int(headers, f"{prefix}-reset")) is not None
    ]
    if exhausted:
        reset, label = max(exhausted)
    elif (reset := _header_int(headers, "x-rate-limit-reset")) is not None:
        label = "the 15-minute limit"
    else:
        return now + timedelta(minutes=15), "a limit X did not name"
    return max(datetime.fromtimestamp(reset, UTC), now), label


def http_error(
    status: int,
    headers: Any,
    payload: Any,
    *,
    publishes: bool,
    credentials: str,
    now: datetime | None = None,
) -> ChannelError:
    """X's error answer as the ChannelError the engine acts on (see HTTP_RULES)."""
    said = _match_text(payload)
    rule = next(
        r for r in HTTP_RULES if status in r.statuses and (r.says is None or r.says in said)
    )
    hint = rule.hint.format(credentials=credentials)
    detail = x_says(payload)
    message = f"{hint} ({status}{': ' + detail if detail else ''})"
    if rule.outcome is RateLimited:
        retry_at, window = retry_time(headers, now or datetime.now(UTC))
        return RateLimited(
            f"{message}: {window}; retry after {retry_at:%Y-%m-%d %H:%M} UTC", retry_at
        )
    if rule.outcome is Ambiguous:
        if not publishes:
            return Transient(f"{message}; {_RETRIED}")
        return Ambiguous(f"{message}; the post may or may not be on X")
    return rule.outcome(message)


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


# ---------------------------------------------------------------- HTTP plumbing


@dataclass(frozen=True)
class Credentials:
    """The four OAuth 1.0a values (never printed: repr hides them)."""

    api_key: str
    api_secret: str
    access_token: str
    access_secret: str

    def __repr__(self) -> str:
        return "Credentials(<hidden>)"


def rebased_session(base: str, timeout: float) -> requests.Session:
    """A requests session that sends tweepy's requests to `base`, with a timeout.

    tweepy.Client hard-codes https://api.twitter.com inside request() and sets no
    timeout; its documented `session` attribute is the one clean seam. The URL is
    rewritten before requests prepares the call, so the OAuth signature covers the
    URL really used.
    """
    session: requests.Session = _rebased_session_class()()
    session.base = base  # type: ignore[attr-defined]
    session.timeout = timeout  # type: ignore[attr-defined]
    return session


@cache
def _rebased_session_class() -> Any:
    """Defined once, on first use: requests is imported only when X is really called."""
    import requests

    class RebasedSession(requests.Session):
        base = TWEEPY_HOST
        timeout = 30.0

        def request(
            self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
        ) -> requests.Response:
            if isinstance(url, str) and url.startswith(TWEEPY_HOST):
                url = self.base + url[len(TWEEPY_HOST) :]
            kwargs.setdefault("timeout", self.timeout)
            return super().request(method, url, *args, **kwargs)

    return RebasedSession


# ---------------------------------------------------------------- the channel


class TwitterChannel(Channel):
    """Posts to X: one tweet, or a thread, with an optional image and its alt text."""

    Settings = TwitterSettings
    default_label = "X"
    supports_lookup = True
    #: X's timeline shows a new post within seconds; two minutes leaves room for lag.
    settling_delay = timedelta(minutes=2)

    @property
    def x_settings(self) -> TwitterSettings:
        assert isinstance(self.settings, TwitterSettings)
        return self.settings

    # ------------------------------------------------------------ render

    def render(self, item: Item, context: RenderContext) -> Rendered:
        head, link, warnings = self._compose(item, context)
        text = f"{head}\n\n{link}" if link else head
        if self.x_settings.hashtags:
            text = add_hashtags(text, item.tags)
        most = self.x_settings.max_thread
        parts, length, too_long = [text], None, None
        if self.x_settings.overflow == "thread" and (needed := posts_at_least(text)) > 3 * most:
            # Refused by validate() with this count, without weighing and packing it all
            # (that takes minutes for a 360 kB body); a nearer miss is packed and counted.
            too_long = f"at least {needed:,}"
        elif (length := weighted_length(text)) <= LIMIT:
            pass
        elif self.x_settings.overflow == "thread":
            parts = split_thread(text)
            if len(parts) > most:
                too_long = str(len(parts))
            else:
                warnings.append(
                    f"tweet is {length}/{LIMIT} {UNIT}; "
                    f"it will be sent as a {len(parts)}-post thread"
                )
        else:
            parts = [truncate_keeping_link(head, link)]
            warnings.append(
                f"tweet is {length}/{LIMIT} {UNIT}; it will be cut to fit "
                f"({'the link is kept' if link else 'it has no link'})"
            )
        request = self._request(parts, item)
        if too_long:
            request["thread_posts"] = too_long
        return Rendered(
            channel=self.name,
            text="\n\n".join(parts),
            parts=tuple(parts),
            request=request,
            length=length,
            limit=LIMIT,
            unit=UNIT,
            warnings=tuple(warnings),
        )

    def _compose(self, item: Item, context: RenderContext) -> tuple[str, str | None, list[str]]:
        """The post before any cut: the text above the link, the link, and warnings."""
        if context.role == "announce":
            if not context.announced_url:
                return item.title, None, ["the announced post has no link yet"]
            return item.title, context.announced_url, []
        lines = [item.title]
        if item.kind == "event":
            lines.append(_when_and_where(item, context.timezone))
        elif item.body.strip():
            lines.append(markdown_to_plain(item.body))
        return "\n\n".join(line for line in lines if line), item.link, []

    def _request(self, parts: Sequence[str], item: Item) -> dict[str, Any]:
        """The exact bodies of POST /2/tweets; ids X has yet to assign are shown as <...>."""
        tweets: list[dict[str, Any]] = []
        for number, text in enumerate(parts, start=1):
            body: dict[str, Any] = {"text": text}
            if number > 1:
                body["reply"] = {"in_reply_to_tweet_id": f"<id of post {number - 1}>"}
            tweets.append(body)
        request: dict[str, Any] = {
            "endpoint": f"POST {self.x_settings.api_base}/2/tweets",
            "tweets": tweets,
        }
        if item.image_path:
            upload_url = f"{self.x_settings.upload_base}/2/media/upload"
            request["media"] = image_facts(item.image_path, item.image_alt, upload_url)
            tweets[0]["media"] = {"media_ids": ["<id of the uploaded image>"]}
        return request

    def validate(self, rendered: Rendered) -> list[Problem]:
        problems = super().validate(rendered)
        if not any(part.strip() for part in rendered.parts):
            problems.append(Problem("error", "there is nothing to post"))
        posts = rendered.request.get("thread_posts")
        if posts is not None:
            most = self.x_settings.max_thread
            problems.append(
                Problem(
                    "error",
                    f"the text would make a thread of {posts} posts on X; this channel takes "
                    f"at most {most} (max_thread): shorten it, or publish it on the blog "
                    "and announce it here",
                )
            )
        media = rendered.request.get("media")
        if media:
            problems += image_problems(media)
        return problems

    # ------------------------------------------------------------ publish

    def publish(self, job: PublishJob) -> Receipt:
        parts = job.rendered.parts
        posted = self._already_posted(job)
        if len(posted) >= len(parts):
            return self._receipt(posted)
        credentials = self._credentials()
        media = job.rendered.request.get("media")
        media_ids = [self._upload(media, credentials)] if media and not posted else None
        with self._client(credentials) as client:
            for index in range(len(posted), len(parts)):
                posted.append(self._post(client, parts, index, posted, media_ids))
                job.save_progress({"thread_ids": list(posted)})
        return self._receipt(posted)

    def _already_posted(self, job: PublishJob) -> list[str]:
        """Thread posts an earlier attempt published (its saved progress)."""
        ids = (job.delivery.progress or {}).get("thread_ids") or []
        return [str(i) for i in ids]

    def _post(
        self,
        client: Any,
        parts: Sequence[str],
        index: int,
        posted: Sequence[str],
        media_ids: list[str] | None,
    ) -> str:
        """Publish part `index` (replying to the previous one); its id."""
        import requests
        import tweepy

        try:
            answer = client.create_tweet(
                text=parts[index],
                media_ids=media_ids if index == 0 else None,
                in_reply_to_tweet_id=posted[-1] if posted else None,
                user_auth=True,
            )
        except tweepy.HTTPException as exc:
            error = self._from_response(exc.response, publishes=True)
            raise self._in_thread(error, index, len(parts), posted) from None
        except requests.RequestException as exc:
            error = transport_error(exc, publishes=True)
            raise self._in_thread(error, index, len(parts), posted) from None
        tweet = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(tweet, dict) or not tweet.get("id"):
            error = Ambiguous("X accepted the post but its answer holds no id")
            raise self._in_thread(error, index, len(parts), posted)
        return str(tweet["id"])

    def _in_thread(
        self, error: ChannelError, index: int, count: int, posted: Sequence[str]
    ) -> ChannelError:
        """`error`, telling the officer where a thread stands when part of it is out."""
        if count == 1:
            return error
        message = f"thread post {index + 1}/{count}: {error.message}"
        if posted:
            out = "post 1 is" if len(posted) == 1 else f"posts 1 to {len(posted)} are"
            message += f" ({out} on X: {self._url(posted[0])})"
        if isinstance(error, RateLimited):
            return RateLimited(message, error.retry_at)
        return type(error)(message)

    def _upload(self, media: dict[str, Any], credentials: Credentials) -> str:
        """Upload the image (one-shot POST /2/media/upload) and its alt text; the media id."""
        path = Path(media["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise Permanent(f"image {path} cannot be read: {exc.strerror}") from None
        base = self.x_settings.upload_base
        answer = self._send(
            "POST",
            f"{base}/2/media/upload",
            credentials,
            files={"media": (path.name, content, media["media_type"])},
            data={"media_category": media["media_category"]},
        )
        media_id = str(answer["data"]["id"])
        if media.get("alt_text"):
            alt = {"alt_text": {"text": media["alt_text"]}}
            self._send(
                "POST",
                f"{base}/2/media/metadata",
                credentials,
                json={"id": media_id, "metadata": alt},
            )
        return media_id

    def _send(self, method: str, url: str, credentials: Credentials, **kwargs: Any) -> Any:
        """An OAuth 1.0a request that publishes nothing (media); its JSON answer."""
        import requests
        from requests_oauthlib import OAuth1

        auth = OAuth1(
            client_key=credentials.api_key,
            client_secret=credentials.api_secret,
            resource_owner_key=credentials.access_token,
            resource_owner_secret=credentials.access_secret,
        )
        try:
            response = requests.request(
                method, url, auth=auth, timeout=self.x_settings.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise transport_error(exc, publishes=False) from None
        if not response.ok:
            raise self._from_response(response, publishes=False)
        answer = _json(response)
        if not isinstance(answer, dict) or "data" not in answer:
            raise Transient(f"X's answer to {url} could not be read ({response.status_code})")
        return answer

    def _from_response(self, response: Any, *, publishes: bool) -> ChannelError:
        return http_error(
            response.status_code,
            response.headers,
            _json(response),
            publishes=publishes,
            credentials=self._credential_names(),
        )

    def _receipt(self, posted: Sequence[str]) -> Receipt:
        return Receipt(
            remote_id=posted[0],
            url=self._url(posted[0]),
            published_at=datetime.now(UTC),
            detail={"thread_ids": list(posted)},
        )

    def _url(self, tweet_id: str) -> str:
        username = self.x_settings.username
        return f"https://x.com/{username or 'i/web'}/status/{tweet_id}"

    # ------------------------------------------------------------ credentials and client

    def _env_names(self) -> tuple[str, str, str, str]:
        s = self.x_settings
        return (s.api_key_env, s.api_secret_env, s.access_token_env, s.access_secret_env)

    def _credential_names(self) -> str:
        *first, last = self._env_names()
        return f"{', '.join(first)} and {last}"

    def _credentials(self) -> Credentials:
        """The four secrets, or AuthExpired naming every one that is missing."""
        missing = [name for name in self._env_names() if not self.secrets.has(name)]
        if missing:
            raise AuthExpired(
                f"X credentials are missing: set {', '.join(missing)} (the app's consumer key "
                "and secret, and the account's access token and secret, from the X developer "
                "portal)"
            )
        return Credentials(*(self.secrets.get(name) for name in self._env_names()))

    @contextmanager
    def _client(self, credentials: Credentials) -> Iterator[Any]:
        """A tweepy v2 client on `api_base`, its connections closed after use."""
        import tweepy

        client = tweepy.Client(
            consumer_key=credentials.api_key,
            consumer_secret=credentials.api_secret,
            access_token=credentials.access_token,
            access_token_secret=credentials.access_secret,
            return_type=dict,
            wait_on_rate_limit=False,  # the engine waits; a worker must not sleep for hours
        )
        client.session = rebased_session(self.x_settings.api_base, self.x_settings.timeout)
        with client.session:
            yield client

    def _read(self, call: Callable[[], Any]) -> Any:
        """A read through tweepy, its failures classified (reads publish nothing)."""
        import requests
        import tweepy

        try:
            return call()
        except tweepy.HTTPException as exc:
            raise self._from_response(exc.response, publishes=False) from None
        except requests.RequestException as exc:
            raise transport_error(exc, publishes=False) from None

    # ------------------------------------------------------------ lookup and check

    def find_existing(self, job: PublishJob) -> Receipt | None:
        """The thread an ambiguous attempt published, found among the account's recent posts.

        Reads GET /2/users/me, then GET /2/users/:id/tweets since the delivery was
        due, and matches each part's text in a form that survives X's rewriting
        (links become t.co, an image adds its own link). Posts it finds are saved
        as progress, so a retry only sends what is really missing; the receipt
        comes back only when every part is there.

        Reading a timeline needs a paid X access level that can read (Basic or
        above, or pay-per-use): on the Free level X answers 403, and this returns
        Permanent (no secret in it): "I cannot look" must never read as "not there",
        or the engine would send it again; the officer decides instead.
        """
        parts = job.rendered.parts
        posted = self._already_posted(job)
        if len(posted) >= len(parts):
            return self._receipt(posted)
        with self._client(self._credentials()) as client:
            timeline = self._recent_posts(client, job)
        if timeline is None:
            raise Permanent(
                "X does not let this app read its own posts (its access level cannot read), "
                "so Crosspost cannot tell whether the post went out: look on X"
            )
        found = self._match_thread(parts, posted, timeline)
        if len(found) > len(posted):
            job.save_progress({"thread_ids": found})
        return self._receipt(found) if len(found) == len(parts) else None

    def _recent_posts(self, client: Any, job: PublishJob) -> list[dict[str, Any]] | None:
        """The account's posts since shortly before the delivery was due, oldest first;
        None when X refuses to show them (403: the access level cannot read)."""
        import tweepy

        attempts = [a.started_at for a in job.delivery.attempt_history]
        since = min([job.delivery.due_at, *attempts]) - timedelta(minutes=5)

        def fetch() -> Any:
            try:
                me = client.get_me(user_auth=True)
                posts: list[dict[str, Any]] = []
                token: str | None = None
                # Every page back to `since`: in a busy hour more than one page of posts
                # may have gone out after ours, and a post not seen reads as "not there".
                for _ in range(LOOKUP_PAGES):
                    page = client.get_users_tweets(
                        me["data"]["id"],
                        max_results=LOOKUP_PAGE,
                        start_time=since,
                        pagination_token=token,
                        tweet_fields=["created_at", "referenced_tweets"],
                        user_auth=True,
                    )
                    posts.extend(page.get("data") or [])
                    token = (page.get("meta") or {}).get("next_token")
                    if not token:
                        break
                # X stops a timeline at its 3,200 latest posts without saying so: that
                # many since `since` may hide ours. Waiting only adds posts: the officer
                # decides (Permanent), as when X will not show the posts at all.
                if token or len(posts) >= LOOKUP_PAGE * LOOKUP_PAGES:
                    raise Permanent(
                        f"{LOOKUP_PAGE * LOOKUP_PAGES:,} posts or more on X since this one "
                        "was due, more than X lets anyone read back, so Crosspost cannot "
                        "tell whether it went out: look on X"
                    )
                return posts
            except tweepy.Forbidden as exc:
                said = x_says(_json(exc.response)) or "403 Forbidden"
                log.info("%s: X does not let this app read its posts: %s", self.name, said)
                return None

        answer = self._read(fetch)
        return None if answer is None else list(reversed(answer))

    def _match_thread(
        self, parts: Sequence[str], posted: Sequence[str], timeline: list[dict[str, Any]]
    ) -> list[str]:
        """Ids of the parts found in order: each the next part's text, replying to the last."""
        found = list(posted)
        for part in parts[len(found) :]:
            match = next(
                (
                    post
                    for post in timeline
                    if post["id"] not in found
                    and same_post(part, post.get("text", ""))
                    and (not found or _replies_to(post) in (found[-1], None))
                ),
                None,
            )
            if match is None:
                break
            found.append(str(match["id"]))
        return found

    def check(self) -> CheckResult:
        """GET /2/users/me with the configured credentials: who X says we are."""
        with self._client(self._credentials()) as client:
            me = self._read(lambda: client.get_me(user_auth=True))
        username = me["data"]["username"]
        configured = self.x_settings.username
        if configured and configured.lower() != str(username).lower():
            return CheckResult(
                True, f"authenticated as @{username} (but the settings say @{configured})"
            )
        return CheckResult(True, f"authenticated as @{username}")


def _when_and_where(event: Item, zone: ZoneInfo) -> str:
    """'Samedi 12 décembre 2026 de 14h00 à 18h00' and the place, one per line."""
    lines = [event.location] if event.location else []
    if event.event_start is not None:
        lines.insert(0, capitalise(event_when(event.event_start, event.event_end, zone)))
    return "\n".join(lines)


def _replies_to(post: dict[str, Any]) -> str | None:
    """The id `post` replies to, when X included referenced_tweets."""
    for reference in post.get("referenced_tweets") or []:
        if reference.get("type") == "replied_to":
            return str(reference.get("id"))
    return None
