"""Bluesky: posts through the AT Protocol with the `atproto` SDK, a handle and an app password.

What an officer sees on Bluesky:

- a scoop or any other item: the title, a blank line, the body as plain text, then the link;
- an event: the title, then the date and time and the place, then the link;
- an announcement (role "announce"): the title above a link card of the announced post
  (its title, the start of its text, and the item's image as thumbnail).

Links, #hashtags and @mentions become rich-text facets (byte offsets in UTF-8, found
by the SDK's port of Bluesky's own detection); a mention whose handle does not
resolve stays plain text. The limit is 300 graphemes (what people see as one
character: an emoji with its skin tone is one) and 3,000 bytes; a longer text is a
thread of replies, each post numbered " 1/3". Tags become hashtags on a last line
while the post still fits in one. Posts carry `langs = [language]` ("fr").

Exactly once, by the platform's own means: each post of a delivery has a record key
(a TID) derived from the delivery, and is written with com.atproto.repo.putRecord
and `"swapRecord": null` ("only if nothing is there"), its createdAt the delivery's
due time, so every try sends the same bytes. A repeat answers a no-op or InvalidSwap:
the post is there, and is never doubled. find_existing reads that exact key back.

The session is kept in a mode-600 file (see channels/bluesky_session.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from channels.base import (
    Ambiguous,
    AuthExpired,
    Channel,
    ChannelError,
    ChannelSettings,
    CheckResult,
    Permanent,
    Problem,
    PublishJob,
    RateLimited,
    Receipt,
    RenderContext,
    Rendered,
    Transient,
)
from channels.bluesky_session import LoginRefused, SessionFile, logged_in_client
from crosspost.domain import Item
from crosspost.text import capitalise, event_when, markdown_to_plain

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from atproto import Client

log = logging.getLogger(__name__)

#: Bluesky's limits of app.bsky.feed.post's text.
LIMIT = 300
MAX_BYTES = 3000
UNIT = "graphemes"
#: app.bsky.embed.images takes up to 4 images of up to 1,000,000 bytes each.
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF"}
#: How long a card's description may be before it is cut (the app shows about 3 lines).
CARD_DESCRIPTION = 300
POST = "app.bsky.feed.post"
ELLIPSIS = "…"
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class BlueskySettings(ChannelSettings):
    """`[channels.NAME]` for type "bluesky": the account, where its app password lives, the
    server, the posts' language and where the session is kept."""

    #: The account's handle ("asso.bsky.social"); else read from `handle_env`.
    handle: str | None = None
    handle_env: str = Field(default="BLUESKY_HANDLE", pattern=_ENV_NAME)
    #: An app password (Settings > Privacy and security > App passwords), never the password.
    app_password_env: str = Field(default="BLUESKY_APP_PASSWORD", pattern=_ENV_NAME)
    #: The account's server (its PDS, or bsky.social which sends each account to its own).
    service: str = "https://bsky.social"
    #: The posts' language, as `langs` (BCP 47).
    language: str = Field(default="fr", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
    #: Turn the item's tags into hashtags when they fit.
    hashtags: bool = True
    #: Where the session (access and refresh tokens) is kept, mode 600; "{channel}" is the
    #: channel's name, and a relative path is relative to crosspost.toml.
    session_file: Path = Path("bluesky-{channel}.session")

    @field_validator("service")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"expected the server's URL, like https://bsky.social, not {value!r}")
        return value.rstrip("/")

    @field_validator("handle")
    @classmethod
    def _no_at(cls, value: str | None) -> str | None:
        return (value.strip().lstrip("@") or None) if value else None

    @field_validator("session_file", mode="after")
    @classmethod
    def _beside_config(cls, value: Path, info: ValidationInfo) -> Path:
        context = info.context if isinstance(info.context, dict) else {}
        base = Path(context.get("base_dir") or Path.cwd())
        value = value.expanduser()
        return value if value.is_absolute() else base / value

    # A default is validated too, so the default file is beside crosspost.toml as well.
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


# ---------------------------------------------------------------- record keys


#: The base32-sortable alphabet of TIDs (atproto spec, "Record Key" / "TID").
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_PATTERN = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
#: Microseconds of spread within the due second, leaving room for a thread's parts.
_SPREAD = 900_000


@dataclass(frozen=True)
class KeyBase:
    """Where a delivery's record keys start: part i is `tid(micros + i, clock)`."""

    micros: int
    clock: int

    def rkey(self, part: int) -> str:
        return tid(self.micros + part, self.clock)


def tid(micros: int, clock: int) -> str:
    """A TID: 53 bits of microseconds since 1970 and 10 bits of clock id, in 13 characters."""
    if not 0 <= micros < 2**53 or not 0 <= clock < 2**10:
        raise ValueError("a TID holds 53 bits of microseconds and 10 bits of clock id")
    value = (micros << 10) | clock
    return "".join(TID_ALPHABET[(value >> (5 * shift)) & 31] for shift in range(12, -1, -1))


def key_base(idempotency_key: str, due_at: datetime) -> KeyBase:
    """The record keys of a delivery, from its key and due time, the same on every try.

    The due second gives the time; the key's hash gives the clock id and a spread of
    microseconds inside that second, so deliveries due at the same minute get distinct
    keys (about 1 in 900 million that two collide).
    """
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    second = int(due_at.timestamp())
    return KeyBase(micros=second * 1_000_000 + (digest >> 10) % _SPREAD, clock=digest & 0x3FF)


def created_at(moment: datetime) -> str:
    """An atproto datetime: UTC, milliseconds, 'Z'."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------- text


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


# ---------------------------------------------------------------- images


def sniff_image_type(head: bytes) -> str | None:
    """The image's real type from its first bytes (an extension can lie)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for magic, kind in (
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
    ):
        if head.startswith(magic):
            return kind
    return None


def image_facts(path: str, alt: str | None) -> dict[str, Any]:
    """What validate() and publish() need to know about one image."""
    facts: dict[str, Any] = {"file": path, "alt": (alt or "").strip()}
    try:
        with open(path, "rb") as handle:
            facts["media_type"] = sniff_image_type(handle.read(16))
        facts["bytes"] = Path(path).stat().st_size
    except OSError as exc:
        facts["unreadable"] = exc.strerror or type(exc).__name__
    return facts


def image_problems(media: dict[str, Any], limit: int = MAX_IMAGE_BYTES) -> list[Problem]:
    """What stops Bluesky from taking the image, or makes it worse for readers."""
    if "unreadable" in media:
        return [Problem("error", f"image {media['file']} cannot be read: {media['unreadable']}")]
    problems: list[Problem] = []
    if media["media_type"] not in IMAGE_TYPES:
        kind = media["media_type"] or mimetypes.guess_type(media["file"])[0] or "not an image"
        accepted = ", ".join(IMAGE_TYPES.values())
        problems.append(Problem("error", f"image is {kind}; Bluesky accepts {accepted} images"))
    if media["bytes"] > limit:
        problems.append(
            Problem(
                "error",
                f"image is {media['bytes']:,} bytes; Bluesky accepts up to {limit:,} bytes "
                "(make it smaller or save it as JPEG)",
            )
        )
    if not media["alt"]:
        problems.append(
            Problem(
                "warning", "the image has no alt text: people using screen readers will miss it"
            )
        )
    return problems


# ---------------------------------------------------------------- errors


#: httpx failures after which nothing can have reached the server.
_NOT_SENT = ("ConnectError", "ConnectTimeout", "PoolTimeout", "UnsupportedProtocol")
_AUTH_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}


def xrpc_error(exc: BaseException) -> tuple[int | None, str | None, str]:
    """(HTTP status, XRPC error name, message) of an SDK error; never headers or tokens."""
    response = getattr(exc, "response", None)
    if response is None:
        return None, None, ""
    content = response.content
    name = getattr(content, "error", None)
    message = getattr(content, "message", None) or ""
    if isinstance(content, dict):
        name, message = content.get("error"), content.get("message") or ""
    return response.status_code, name, str(message)


def _retry_at(exc: BaseException, now: datetime) -> datetime:
    """When a 429 says to come back: ratelimit-reset (epoch seconds), else 5 minutes."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    reset = str(headers.get("ratelimit-reset"))
    try:
        return max(datetime.fromtimestamp(int(reset), UTC), now)
    except (TypeError, ValueError):
        return now + timedelta(minutes=5)


def classify(exc: BaseException, *, publishes: bool, doing: str) -> ChannelError:
    """An SDK or httpx failure as the ChannelError the engine acts on.

    `publishes` says whether the request could have made a post (putRecord): then a
    server error or a lost answer is Ambiguous, otherwise trying again is safe.
    """
    status, name, message = xrpc_error(exc)
    said = f" ({status}{' ' + name if name else ''}{': ' + message if message else ''})"
    if status is None:
        chain = {type(link).__name__ for link in _causes(exc)}
        if chain & set(_NOT_SENT):
            return Transient(f"Bluesky could not be reached while {doing}; it will be tried again")
        if publishes:
            return Ambiguous(
                f"Bluesky did not answer while {doing}: the post may or may not be there "
                f"({', '.join(sorted(chain - {'Exception'})) or type(exc).__name__})"
            )
        return Transient(f"Bluesky did not answer while {doing}; it will be tried again")
    if status == 429:
        retry_at = _retry_at(exc, datetime.now(UTC))
        return RateLimited(
            f"Bluesky's rate limit is reached while {doing}{said}; "
            f"retry after {retry_at:%Y-%m-%d %H:%M} UTC",
            retry_at,
        )
    if status == 401 or name in _AUTH_ERRORS:
        return AuthExpired(f"Bluesky refused the session while {doing}{said}")
    if status >= 500:
        if publishes:
            return Ambiguous(
                f"Bluesky answered with a server error while {doing}{said}: "
                "the post may or may not be there"
            )
        return Transient(f"Bluesky answered with a server error while {doing}{said}")
    if status == 413:
        return Permanent(f"Bluesky refused the file as too large while {doing}{said}")
    return Permanent(f"Bluesky refused the request while {doing}{said}")


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and len(chain) < 10:
        chain.append(link)
        link = link.__cause__ or link.__context__
    return chain


# ---------------------------------------------------------------- the channel


@dataclass(frozen=True)
class Posted:
    """A post of the thread that is on Bluesky: its strong reference."""

    uri: str
    cid: str

    def ref(self) -> dict[str, str]:
        return {"uri": self.uri, "cid": self.cid}


class Connection:
    """A logged-in client and the account's DID, logged in again on demand."""

    def __init__(self, login: Callable[..., tuple[Client, str]]) -> None:
        self._login = login
        self.client, self.did = login()

    def reconnect(self, *, fresh: bool) -> None:
        self.close()
        self.client, self.did = self._login(fresh=fresh)

    def close(self) -> None:
        self.client.request.close()


class BlueskyChannel(Channel):
    """Posts to Bluesky: one post or a thread, with images and alt text, or a link card."""

    Settings = BlueskySettings
    default_label = "Bluesky"
    #: The lookup reads the exact record key back: "not there" is the truth.
    supports_lookup = True
    #: A record is readable as soon as putRecord has committed it.
    settling_delay = timedelta(seconds=30)

    @property
    def bsky(self) -> BlueskySettings:
        assert isinstance(self.settings, BlueskySettings)
        return self.settings

    # ------------------------------------------------------------ render

    def render(self, item: Item, context: RenderContext) -> Rendered:
        text, warnings = self._compose(item, context)
        if self.bsky.hashtags:
            text = add_hashtags(text, item.tags)
        length = graphemes(text)
        parts = [text]
        if not fits(text):
            parts = split_thread(text)
            warnings.append(
                f"post is {length}/{LIMIT} {UNIT}; it will be sent as a {len(parts)}-post thread"
            )
        return Rendered(
            channel=self.name,
            text="\n\n".join(parts),
            parts=tuple(parts),
            request=self._request(parts, item, context),
            length=length,
            limit=LIMIT,
            unit=UNIT,
            warnings=tuple(warnings),
        )

    def _compose(self, item: Item, context: RenderContext) -> tuple[str, list[str]]:
        """The post before any cut, and warnings."""
        if context.role == "announce":
            if not context.announced_url:
                return item.title, ["the announced post has no link yet"]
            return item.title, []
        lines = [item.title]
        if item.kind == "event":
            lines.append(_when_and_where(item, context.timezone))
        elif item.body.strip():
            lines.append(markdown_to_plain(item.body))
        if item.link:
            lines.append(item.link)
        return "\n\n".join(line for line in lines if line), []

    def _request(self, parts: Sequence[str], item: Item, context: RenderContext) -> dict[str, Any]:
        """What putRecord receives; what only publication knows is shown as <...>."""
        posts: list[dict[str, Any]] = []
        for number, text in enumerate(parts, start=1):
            record: dict[str, Any] = {
                "$type": POST,
                "text": text,
                "createdAt": "<the delivery's due time>",
                "langs": [self.bsky.language],
            }
            found = facets(text)
            found += [
                {
                    "index": {"byteStart": start, "byteEnd": end},
                    "features": [
                        {"$type": "app.bsky.richtext.facet#mention", "did": f"<DID of @{handle}>"}
                    ],
                }
                for handle, start, end in mentions(text)
            ]
            if found:
                record["facets"] = sorted(found, key=lambda f: f["index"]["byteStart"])
            if number > 1:
                record["reply"] = {"root": "<post 1>", "parent": f"<post {number - 1}>"}
            posts.append({"rkey": f"<record key {number} of the delivery>", "record": record})
        request: dict[str, Any] = {
            "endpoint": f"POST {self.bsky.service}/xrpc/com.atproto.repo.putRecord",
            "collection": POST,
            "swapRecord": None,
            "posts": posts,
        }
        images = [image_facts(item.image_path, item.image_alt)] if item.image_path else []
        if context.role == "announce" and context.announced_url:
            card: dict[str, Any] = {
                "uri": context.announced_url,
                "title": item.title,
                "description": _card_description(item),
            }
            if images:
                card["thumb"] = images[0]
            request["card"] = card
            posts[0]["record"]["embed"] = {
                "$type": "app.bsky.embed.external",
                "external": {**card, **({"thumb": "<uploaded image>"} if images else {})},
            }
        elif images:
            request["images"] = images
            posts[0]["record"]["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [{"alt": m["alt"], "image": "<uploaded image>"} for m in images],
            }
        return request

    def validate(self, rendered: Rendered) -> list[Problem]:
        problems = super().validate(rendered)
        if not any(part.strip() for part in rendered.parts):
            problems.append(Problem("error", "there is nothing to post"))
        images = rendered.request.get("images") or []
        if len(images) > MAX_IMAGES:
            problems.append(
                Problem("error", f"{len(images)} images; Bluesky takes up to {MAX_IMAGES}")
            )
        for media in images:
            problems += image_problems(media)
        thumb = (rendered.request.get("card") or {}).get("thumb")
        if thumb:
            problems += [p for p in image_problems(thumb) if p.level == "error"]
        return problems

    # ------------------------------------------------------------ publish

    def publish(self, job: PublishJob) -> Receipt:
        parts = job.rendered.parts
        progress = self._progress(job)
        posted = [Posted(**p) for p in progress.get("posts") or []]
        if len(posted) >= len(parts):
            return self._receipt(posted)
        base = KeyBase(int(progress["tid_base"]), int(progress["tid_clock"]))
        with self._connected() as connection:
            embed = None if posted else self._embed(connection.client, job.rendered.request)
            resolved: dict[str, str | None] = {}
            for index in range(len(posted), len(parts)):
                record = self._record(
                    connection.client, parts[index], str(progress["created_at"]), posted, resolved
                )
                if index == 0 and embed is not None:
                    record["embed"] = embed
                try:
                    posted.append(self._put_once_more(connection, base.rkey(index), record))
                except ChannelError as error:
                    raise self._in_thread(error, index, len(parts), posted) from None
                job.save_progress({**progress, "posts": [p.__dict__ for p in posted]})
        return self._receipt(posted)

    def _put_once_more(self, connection: Connection, rkey: str, record: dict[str, Any]) -> Posted:
        """putRecord; if the access token is refused (expired early, or revoked), refresh it
        or log in again, and send the same record once more."""
        try:
            return self._put(connection.client, connection.did, rkey, record)
        except AuthExpired:
            connection.reconnect(fresh=True)
            return self._put(connection.client, connection.did, rkey, record)

    def _progress(self, job: PublishJob) -> dict[str, Any]:
        """The delivery's record keys and createdAt, chosen once and saved before any write,
        so a rescheduled delivery still uses the keys of its first try."""
        progress = dict(job.delivery.progress or {})
        if "tid_base" not in progress:
            base = key_base(job.idempotency_key, job.delivery.due_at)
            progress.update(
                tid_base=base.micros,
                tid_clock=base.clock,
                created_at=created_at(job.delivery.due_at),
                posts=[],
            )
            job.save_progress(progress)
        return progress

    def _record(
        self,
        client: Client,
        text: str,
        when: str,
        posted: Sequence[Posted],
        resolved: dict[str, str | None],
    ) -> dict[str, Any]:
        """The exact record of one post: the same on every try of the delivery."""
        record: dict[str, Any] = {
            "$type": POST,
            "text": text,
            "createdAt": when,
            "langs": [self.bsky.language],
        }
        found = facets(text)
        for handle, start, end in mentions(text):
            if handle not in resolved:
                resolved[handle] = self._resolve(client, handle)
            did = resolved[handle]
            if did:
                found.append(
                    {
                        "index": {"byteStart": start, "byteEnd": end},
                        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                    }
                )
        if found:
            record["facets"] = sorted(found, key=lambda f: f["index"]["byteStart"])
        if posted:
            record["reply"] = {"root": posted[0].ref(), "parent": posted[-1].ref()}
        return record

    def _resolve(self, client: Client, handle: str) -> str | None:
        """The DID of `handle`, or None when it does not resolve (the mention stays text)."""
        from atproto_client import models
        from atproto_client.exceptions import AtProtocolError, BadRequestError

        try:
            answer = client.com.atproto.identity.resolve_handle(
                models.ComAtprotoIdentityResolveHandle.Params(handle=handle)
            )
        except BadRequestError:
            log.info("%s: @%s does not resolve; it stays plain text", self.name, handle)
            return None
        except AtProtocolError as exc:
            raise classify(exc, publishes=False, doing=f"resolving @{handle}") from None
        return str(answer.did)

    def _put(self, client: Client, did: str, rkey: str, record: dict[str, Any]) -> Posted:
        """putRecord with swapRecord null: written once; a repeat finds it there."""
        from atproto_client.exceptions import AtProtocolError

        body = {
            "repo": did,
            "collection": POST,
            "rkey": rkey,
            "record": record,
            "swapRecord": None,  # the SDK's models would drop a None: the raw JSON keeps it
        }
        try:
            answer = client.invoke_procedure(
                "com.atproto.repo.putRecord",
                content=json.dumps(body, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json"},
            )
        except AtProtocolError as exc:
            status, name, _ = xrpc_error(exc)
            if status == 400 and name == "InvalidSwap":
                # Something is already at our key: an earlier try of this delivery made it.
                existing = self._get(client, did, rkey)
                if existing is None:
                    raise Ambiguous(
                        f"Bluesky says a post exists at {rkey} but does not show it"
                    ) from None
                log.info("%s: post %s was already on Bluesky; not sent again", self.name, rkey)
                return existing
            raise classify(exc, publishes=True, doing="publishing the post") from None
        content = answer.content if isinstance(answer.content, dict) else {}
        if not content.get("uri") or not content.get("cid"):
            raise Ambiguous("Bluesky accepted the post but its answer holds no uri")
        if "commit" not in content:
            log.info("%s: post %s was already on Bluesky, unchanged", self.name, rkey)
        return Posted(uri=str(content["uri"]), cid=str(content["cid"]))

    def _get(self, client: Client, did: str, rkey: str) -> Posted | None:
        """The record at `rkey` (getRecord), or None when Bluesky says it is not there."""
        from atproto_client import models
        from atproto_client.exceptions import AtProtocolError

        try:
            answer = client.com.atproto.repo.get_record(
                models.ComAtprotoRepoGetRecord.Params(repo=did, collection=POST, rkey=rkey)
            )
        except AtProtocolError as exc:
            status, name, _ = xrpc_error(exc)
            if status == 400 and name == "RecordNotFound":
                return None
            raise classify(exc, publishes=False, doing="looking for the post") from None
        if not answer.cid:
            return None
        return Posted(uri=str(answer.uri), cid=str(answer.cid))

    def _embed(self, client: Client, request: dict[str, Any]) -> dict[str, Any] | None:
        """The images or the link card of the first post, images uploaded as blobs."""
        card = request.get("card")
        if card:
            external = {k: card[k] for k in ("uri", "title", "description")}
            if card.get("thumb"):
                external["thumb"] = self._upload(client, card["thumb"])
            return {"$type": "app.bsky.embed.external", "external": external}
        images = request.get("images") or []
        if not images:
            return None
        return {
            "$type": "app.bsky.embed.images",
            "images": [{"alt": m["alt"], "image": self._upload(client, m)} for m in images],
        }

    def _upload(self, client: Client, media: dict[str, Any]) -> dict[str, Any]:
        """uploadBlob: the blob reference a record points to (the same bytes, the same blob)."""
        from atproto_client.exceptions import AtProtocolError

        path = Path(media["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise Permanent(f"image {path} cannot be read: {exc.strerror}") from None
        try:
            answer = client.invoke_procedure(
                "com.atproto.repo.uploadBlob",
                content=content,
                headers={"Content-Type": media.get("media_type") or "application/octet-stream"},
            )
        except AtProtocolError as exc:
            error = classify(exc, publishes=False, doing=f"uploading the image {path.name}")
            raise error from None
        blob = answer.content.get("blob") if isinstance(answer.content, dict) else None
        if not isinstance(blob, dict):
            raise Transient(f"Bluesky's answer to the upload of {path.name} could not be read")
        return blob

    def _in_thread(
        self, error: ChannelError, index: int, count: int, posted: Sequence[Posted]
    ) -> ChannelError:
        """`error`, telling the officer where a thread stands when part of it is out."""
        if count == 1:
            return error
        message = f"thread post {index + 1}/{count}: {error.message}"
        if posted:
            out = "post 1 is" if len(posted) == 1 else f"posts 1 to {len(posted)} are"
            message += f" ({out} on Bluesky: {self._url(posted[0].uri)})"
        if isinstance(error, RateLimited):
            return RateLimited(message, error.retry_at)
        return type(error)(message)

    def _receipt(self, posted: Sequence[Posted]) -> Receipt:
        return Receipt(
            remote_id=posted[0].uri,
            url=self._url(posted[0].uri),
            published_at=datetime.now(UTC),
            detail={"uris": [p.uri for p in posted]},
        )

    def _url(self, uri: str) -> str:
        """at://did/app.bsky.feed.post/rkey -> its page on bsky.app."""
        did, _, rkey = uri.removeprefix("at://").partition(f"/{POST}/")
        return f"https://bsky.app/profile/{self._handle() or did}/post/{rkey}"

    # ------------------------------------------------------------ session

    def _handle(self) -> str | None:
        s = self.bsky
        if s.handle:
            return s.handle
        return (
            self.secrets.get(s.handle_env).lstrip("@") if self.secrets.has(s.handle_env) else None
        )

    def _session_file(self) -> SessionFile:
        return SessionFile(Path(str(self.bsky.session_file).replace("{channel}", self.name)))

    @contextmanager
    def _connected(self) -> Iterator[Connection]:
        """A logged-in connection to the account's server, closed after use."""
        connection = Connection(self._session)
        try:
            yield connection
        finally:
            connection.close()

    def _session(self, *, fresh: bool = False) -> tuple[Client, str]:
        """A logged-in client and the account's DID (the saved session when it still works)."""
        from atproto_client.exceptions import AtProtocolError

        s = self.bsky
        handle = self._handle()
        if not handle:
            raise AuthExpired(
                f"the Bluesky handle is missing: set `handle` in the channel's settings "
                f"or {s.handle_env}"
            )
        if not self.secrets.has(s.app_password_env):
            raise AuthExpired(
                f"the Bluesky app password is missing: set {s.app_password_env} "
                "(Bluesky: Settings > Privacy and security > App passwords)"
            )
        try:
            client = logged_in_client(
                self._session_file(),
                service=s.service,
                handle=handle,
                app_password=lambda: self.secrets.get(s.app_password_env),
                timeout=s.timeout,
                fresh=fresh,
            )
        except LoginRefused as exc:
            raise AuthExpired(
                f"Bluesky refused the handle {handle} with the app password in "
                f"{s.app_password_env} ({exc}): create a new app password"
            ) from None
        except AtProtocolError as exc:
            raise classify(exc, publishes=False, doing="logging in") from None
        session = _session_did(client)
        return client, session

    # ------------------------------------------------------------ lookup and check

    def find_existing(self, job: PublishJob) -> Receipt | None:
        """The posts this delivery's record keys hold: exact, so None means "not there".

        Posts found are saved as progress, so a retry only sends what is really missing.
        """
        progress = dict(job.delivery.progress or {})
        if "tid_base" not in progress:
            return None  # no try ever chose keys: nothing can have been written
        base = KeyBase(int(progress["tid_base"]), int(progress["tid_clock"]))
        posted = [Posted(**p) for p in progress.get("posts") or []]
        with self._connected() as connection:
            for index in range(len(posted), len(job.rendered.parts)):
                existing = self._get(connection.client, connection.did, base.rkey(index))
                if existing is None:
                    break
                posted.append(existing)
        if len(posted) > len(progress.get("posts") or []):
            job.save_progress({**progress, "posts": [p.__dict__ for p in posted]})
        return self._receipt(posted) if len(posted) >= len(job.rendered.parts) else None

    def check(self) -> CheckResult:
        """Log in (or resume the saved session) and resolve the handle to the same account."""
        with self._connected() as connection:
            did = connection.did
            handle = self._handle() or ""
            resolved = self._resolve(connection.client, handle)
        if resolved is None:
            return CheckResult(False, f"logged in, but the handle @{handle} does not resolve")
        if resolved != did:
            return CheckResult(
                False, f"logged in as {did}, but @{handle} resolves to another account ({resolved})"
            )
        return CheckResult(True, f"authenticated as @{handle} ({did})")


def _session_did(client: Client) -> str:
    from atproto_client.client.session import Session

    return str(Session.decode(client.export_session_string()).did)


def _card_description(item: Item) -> str:
    """The start of the item's text, for the link card."""
    text = re.sub(r"\s+", " ", markdown_to_plain(item.body)).strip()
    if graphemes(text) <= CARD_DESCRIPTION:
        return text
    import regex

    cut = "".join(regex.findall(r"\X", text)[:CARD_DESCRIPTION])
    return cut.rsplit(" ", 1)[0].rstrip(" ,;:") + ELLIPSIS


def _when_and_where(event: Item, zone: ZoneInfo) -> str:
    """'Samedi 12 décembre 2026 de 14h00 à 18h00' and the place, one per line."""
    lines = [event.location] if event.location else []
    if event.event_start is not None:
        lines.insert(0, capitalise(event_when(event.event_start, event.event_end, zone)))
    return "\n".join(lines)
