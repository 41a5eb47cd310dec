"""Facebook Page adapter: posts to the Page's feed (text + link, or a photo with its caption).

An announcement of a published article is a short link post (title, one line, the
link) so Facebook shows the article's card; the article itself carries the rest.

Events cannot be created through the Graph API, so an event becomes a feed post
with its date, time and place written out in French. Requests go through
facebook-sdk 3.1 (`facebook.GraphAPI`) with a current Graph API version.

Limits worth knowing:
- the Graph API takes no idempotency key: after a lost answer, `find_existing`
  looks for the same message among the Page's posts, paging back (Graph gives 25
  a page by default) until posts older than the delivery's first attempt;
- when it cannot read that far back (more than `LOOKUP_PAGE * LOOKUP_PAGES` posts
  since, or a listing that stops short), it says it cannot tell, never "not there";
- it matches on the message text (whitespace-insensitive), so two identical posts
  cannot be told apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from pydantic import field_validator

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
from crosspost.domain import Delivery, Item
from crosspost.text import event_when, lead_of, markdown_to_plain

if TYPE_CHECKING:
    import requests

#: Longest message Facebook accepts on a Page post.
MAX_MESSAGE = 63_206
#: Largest photo the Pages API accepts.
MAX_IMAGE_BYTES = 4 * 1024 * 1024
#: Posts asked per page by find_existing (Graph gives 25 unless asked, at most 100).
LOOKUP_PAGE = 100
#: Pages find_existing reads before it gives up telling (2,000 posts since the attempt).
LOOKUP_PAGES = 20
#: The fields find_existing reads of each listed post.
LOOKUP_FIELDS = "id,message,created_time,permalink_url"
#: Wait used when Facebook rate-limits without saying for how long.
DEFAULT_RATE_LIMIT_WAIT = timedelta(minutes=15)
#: Tolerated clock difference between us and Facebook when matching posts by time.
CLOCK_SLACK = timedelta(minutes=5)
#: Where a post can be opened by its id ("<page id>_<post id>").
POST_URL = "https://www.facebook.com/{post_id}"

_MB = 1024 * 1024
_VERSION = re.compile(r"v\d{1,2}\.\d")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Page-Usage")


class FacebookSettings(ChannelSettings):
    """`[channels.NAME]` for a Facebook Page."""

    #: The numeric id of the Page (Page settings > About > Page ID).
    page_id: str
    graph_version: str = "v25.0"
    api_base: str = "https://graph.facebook.com"
    #: Name of the variable (environment or secrets file) holding the Page access token.
    page_token_env: str = "FB_PAGE_TOKEN"

    @field_validator("page_id", mode="before")
    @classmethod
    def _page_id_digits(cls, value: object) -> object:
        # TOML users often write the id unquoted: accept the integer as its digits.
        text = str(value).strip() if isinstance(value, int | str) else value
        if not (isinstance(text, str) and text.isdigit()):
            raise ValueError(
                f"page_id must be the Page's numeric id (e.g. 1234567890), got {value!r}"
            )
        return text

    @field_validator("graph_version")
    @classmethod
    def _version_form(cls, value: str) -> str:
        if not _VERSION.fullmatch(value):
            raise ValueError(f"graph_version must look like v21.0, got {value!r}")
        return value

    @field_validator("api_base")
    @classmethod
    def _http_base(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"api_base must start with https:// (got {value!r})")
        return value.rstrip("/")

    @field_validator("page_token_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.fullmatch(value):
            raise ValueError(
                f"page_token_env must be a variable name like FB_PAGE_TOKEN, got {value!r}"
            )
        return value


# ---------------------------------------------------------------- error classification


@dataclass(frozen=True)
class ErrorRule:
    """What a Graph API error code means for the delivery, and what to tell the officer."""

    codes: Collection[int]
    outcome: type[ChannelError]
    #: Shown before Facebook's own message; `{env}` is the token's variable name.
    advice: str


#: Graph API `error.code` -> outcome, first match wins; codes not listed are Permanent.
#: https://developers.facebook.com/docs/graph-api/guides/error-handling
ERROR_RULES: tuple[ErrorRule, ...] = (
    ErrorRule((102, 190), AuthExpired, "the Facebook Page token has expired or was revoked: "
              "renew the Page token in {env}"),
    ErrorRule((4, 17, 32, 341, 613, 80001), RateLimited,
              "Facebook asks to slow down: publication is postponed"),
    # Codes 1 and 2 may come after the post was created: on a post, look before resending
    # (on a read, nothing was published and they are simply transient).
    ErrorRule((1, 2), Ambiguous, "Facebook had a temporary problem: will check, then try again"),
    ErrorRule((506,), Duplicate, "Facebook refuses a post identical to a recent one"),
    ErrorRule((368,), Permanent, "Facebook has temporarily blocked this Page from posting "
              "(misuse or going too fast): check the Page's notifications before posting by hand"),
    ErrorRule((10, *range(200, 300)), Permanent, "the token in {env} lacks a permission: "
              "it must be a Page token with pages_manage_posts and pages_read_engagement"),
)  # fmt: skip

_UNKNOWN_CODE = ErrorRule((), Permanent, "Facebook refused the post")


def rule_for(code: int | None) -> ErrorRule:
    """The row of ERROR_RULES for a Graph API error code."""
    return next((rule for rule in ERROR_RULES if code in rule.codes), _UNKNOWN_CODE)


def _is_unsent(error: Exception) -> bool:
    """Whether a requests failure happened before any byte of the request left."""
    return not transport_rule(error).maybe_sent


def _regain_minutes(value: object) -> float:
    """The largest `estimated_time_to_regain_access` anywhere in a usage header's JSON."""
    if isinstance(value, dict):
        own = value.get("estimated_time_to_regain_access")
        found = float(own) if isinstance(own, int | float) else 0.0
        return max([found, *(_regain_minutes(v) for v in value.values())])
    if isinstance(value, list):
        return max([0.0, *(_regain_minutes(v) for v in value)])
    return 0.0


def retry_at(response: requests.Response | None, now: datetime) -> datetime:
    """When Facebook lets us in again, from its usage headers (minutes), else a default wait."""
    headers: Mapping[str, str] = response.headers if response is not None else {}
    minutes = 0.0
    for raw in filter(None, (headers.get(name) for name in _USAGE_HEADERS)):
        try:
            minutes = max(minutes, _regain_minutes(json.loads(raw)))
        except ValueError:
            continue  # a malformed header only loses the hint
    return now + (timedelta(minutes=minutes) if minutes > 0 else DEFAULT_RATE_LIMIT_WAIT)


def _error_payload(response: requests.Response | None) -> dict[str, Any] | None:
    """The `error` object of a Graph answer, whatever Content-Type it came with."""
    if response is None:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


# ---------------------------------------------------------------- HTTP plumbing


@cache
def _session_class() -> Callable[[str], requests.Session]:
    """A requests.Session that sends the SDK's requests to a channel's api_base.

    facebook-sdk builds every URL as the module constant FACEBOOK_GRAPH_URL + path.
    Changing that constant would redirect every channel in the process, so each
    channel's calls go through a session that swaps the prefix for its api_base.
    """
    import requests
    from facebook import FACEBOOK_GRAPH_URL

    class RebasedSession(requests.Session):
        def __init__(self, api_base: str) -> None:
            super().__init__()
            self.api_base = api_base

        def request(
            self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
        ) -> requests.Response:
            if isinstance(url, str) and url.startswith(FACEBOOK_GRAPH_URL):
                url = f"{self.api_base}/{url[len(FACEBOOK_GRAPH_URL) :]}"
            return super().request(method, url, *args, **kwargs)

    return RebasedSession


class _Graph:
    """One Graph API exchange (used once): the SDK client, its answer, the error translation."""

    def __init__(self, settings: FacebookSettings, token: str) -> None:
        from facebook import GraphAPI

        self.settings = settings
        #: The raw answer: GraphAPIError drops it, and its status and usage headers matter.
        self.response: requests.Response | None = None
        self.session = _session_class()(settings.api_base)
        self.session.hooks["response"].append(self._keep)
        self.api = GraphAPI(access_token=token, timeout=settings.timeout, session=self.session)
        # The SDK's constructor only accepts versions 2.8 to 3.1, all long retired by
        # Facebook; its methods read this attribute, so set the current one afterwards.
        self.api.version = settings.graph_version

    def _keep(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        self.response = response

    def call(self, action: Callable[[Any], Any], *, write: bool) -> dict[str, Any]:
        """Run `action(GraphAPI)`, raising only ChannelErrors; `write` if it may publish."""
        import requests
        from facebook import GraphAPIError

        try:
            result = action(self.api)
        except GraphAPIError as error:
            raise self._from_graph_error(error, write=write) from None
        except (requests.RequestException, KeyError, ValueError) as error:
            # KeyError/ValueError: the SDK choked on an answer (no Content-Type, bad JSON).
            if self.response is None and not isinstance(error, requests.RequestException):
                raise
            # `from None`: requests' messages carry the URL, and a GET's URL the token.
            raise self._from_failure(error, write=write) from None
        finally:
            self.session.close()
        status = self.response.status_code if self.response is not None else 200
        if not isinstance(result, dict) or status >= 500 or (write and not result.get("id")):
            raise self._unreadable(write=write)
        return result

    def _from_graph_error(self, error: Exception, *, write: bool) -> ChannelError:
        result = getattr(error, "result", None)
        payload = result.get("error") if isinstance(result, dict) else None
        if not isinstance(payload, dict):
            # The SDK raises with a bare string when the Content-Type is not JSON (an HTML
            # 502 page, or a JSON error sent as text/javascript): read the body ourselves.
            payload = _error_payload(self.response)
        if payload is None:
            return self._unreadable(write=write)
        return self._classified(payload, write=write)

    def _classified(self, payload: dict[str, Any], *, write: bool) -> ChannelError:
        code = payload.get("code")
        rule = rule_for(code if isinstance(code, int) else None)
        said = str(payload.get("message") or "no message")
        subcode = payload.get("error_subcode")
        detail = f"code {code}" + (f", subcode {subcode}" if subcode else "")
        advice = rule.advice.format(env=self.settings.page_token_env)
        message = f"{advice} (Facebook said: {said} [{detail}])"
        if rule.outcome is RateLimited:
            return RateLimited(message, retry_at(self.response, datetime.now(UTC)))
        if rule.outcome is Ambiguous and not write:
            return Transient(message)
        return rule.outcome(message)

    def _from_failure(self, error: Exception, *, write: bool) -> ChannelError:
        if self.response is not None:  # an answer came but the SDK could not read it
            return self._unreadable(write=write)
        failure = type(error).__name__
        if not write or _is_unsent(error):
            return Transient(
                f"could not reach Facebook at {self.settings.api_base} ({failure}); "
                "nothing was published"
            )
        return Ambiguous(
            f"the connection to Facebook broke after the post was sent ({failure}): it may "
            "have been published; the Page will be checked before any new attempt"
        )

    def _unreadable(self, *, write: bool) -> ChannelError:
        response = self.response
        what = "no answer"
        if response is not None:
            kind = response.headers.get("Content-Type") or "no Content-Type"
            what = f"HTTP {response.status_code}, {kind}"
        if not write:
            return Transient(f"Facebook gave an unreadable answer ({what})")
        return Ambiguous(
            f"Facebook gave an unreadable answer to the post ({what}): it may have been "
            "published; the Page will be checked before any new attempt"
        )


# ---------------------------------------------------------------- images


#: Leading bytes of the image types Facebook Page photos accept, and their MIME type.
IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def image_type(head: bytes) -> str | None:
    """The MIME type of an accepted image from its first bytes, or None."""
    return next((mime for magic, mime in IMAGE_SIGNATURES if head.startswith(magic)), None)


def _unsupported_name(path: Path, head: bytes) -> str:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp":
        return "HEIC/AVIF"
    return path.suffix.lstrip(".").upper() or "not an image Facebook knows"


def _image_problems(path: Path) -> list[Problem]:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as error:
        return [Problem("error", f"cannot read the image {path}: {error.strerror or error}")]
    problems = []
    if size > MAX_IMAGE_BYTES:
        problems.append(
            Problem(
                "error",
                f"image is {size / _MB:.1f} MB; Facebook accepts up to {MAX_IMAGE_BYTES // _MB} MB"
                ": resize or compress it",
            )
        )
    if image_type(head) is None:
        problems.append(
            Problem(
                "error",
                f"image {path.name} is {_unsupported_name(path, head)}; Facebook accepts "
                "JPEG, PNG, GIF, BMP or TIFF: export it as JPEG",
            )
        )
    return problems


@contextmanager
def _image_part(path: Path) -> Iterator[tuple[str, BinaryIO, str]]:
    """The photo as a multipart part (file name, open file, MIME type)."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise Permanent(f"cannot read the image {path}: {error.strerror or error}") from None
    with handle:
        mime = image_type(handle.read(16))
        if mime is None:
            raise Permanent(f"image {path.name} is not a JPEG, PNG, GIF, BMP or TIFF")
        handle.seek(0)
        yield (path.name, handle, mime)


# ---------------------------------------------------------------- the adapter


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _created(post: dict[str, Any]) -> datetime | None:
    """A listed post's creation time ("2026-12-05T09:00:03+0000"), in UTC."""
    try:
        return datetime.fromisoformat(str(post["created_time"])).astimezone(UTC)
    except (KeyError, ValueError):
        return None


def _mapping(value: object) -> dict[str, Any]:
    """`value` if Graph sent an object there, else an empty one (a listing's `paging`)."""
    return value if isinstance(value, dict) else {}


def _since(delivery: Delivery) -> datetime:
    """The earliest a post by this delivery can have been created (minus clock slack)."""
    starts = [attempt.started_at for attempt in delivery.attempt_history]
    return min([delivery.due_at, *starts]) - CLOCK_SLACK


class FacebookChannel(Channel):
    """A Facebook Page: feed posts with a link, or photo posts with a caption."""

    Settings = FacebookSettings
    default_label = "Facebook"
    supports_lookup = True
    settling_delay = timedelta(minutes=1)

    @property
    def fb(self) -> FacebookSettings:
        assert isinstance(self.settings, FacebookSettings)
        return self.settings

    # ------------------------------------------------------------ render / validate

    def render(self, item: Item, context: RenderContext) -> Rendered:
        warnings: list[str] = []
        link = self._link(item, context, warnings)
        message = self._message(item, context, warnings)
        page = self.fb.page_id
        # An announcement is a link post, whatever the item's image: Facebook then shows
        # the link's card (the article's own image and title), and a click opens it.
        if item.image_path and context.role != "announce":
            if not item.image_alt:
                warnings.append(
                    "the image has no alt text: describe it in image_alt so people using "
                    "screen readers know what it shows"
                )
            caption = f"{message}\n\n{link}" if link else message
            data = {
                "caption": caption,
                **({"alt_text_custom": item.image_alt} if item.image_alt else {}),
            }
            request = self._request(f"{page}/photos", data, files={"source": item.image_path})
            text = caption
        else:
            data = {"message": message, **({"link": link} if link else {})}
            request = self._request(f"{page}/feed", data)
            text = f"{message}\n\n{link}" if link else message
        length = len(data.get("caption") or data["message"])
        return Rendered(
            channel=self.name,
            text=text,
            parts=(text,),
            request=request,
            length=length,
            limit=MAX_MESSAGE,
            warnings=tuple(warnings),
        )

    def _request(
        self, path: str, data: dict[str, str], files: dict[str, str] | None = None
    ) -> dict[str, Any]:
        url = f"{self.fb.api_base}/{self.fb.graph_version}/{path}"
        request: dict[str, Any] = {"method": "POST", "url": url, "path": path, "data": data}
        if files:
            request["files"] = files
        return request

    @staticmethod
    def _link(item: Item, context: RenderContext, warnings: list[str]) -> str | None:
        if context.role != "announce":
            return item.link
        if context.announced_url is None:
            warnings.append(
                "this announcement has no link yet: it is added once the announced post "
                "is published"
            )
        return context.announced_url

    @staticmethod
    def _message(item: Item, context: RenderContext, warnings: list[str]) -> str:
        """The title, an event's date and place, then the body: all of it in a post, one
        line of it in an announcement (the link's card and the article say the rest)."""
        blocks = [item.title.strip()]
        if item.kind == "event":
            facts = []
            if item.event_start is not None:
                facts.append(f"📅 {event_when(item.event_start, item.event_end, context.timezone)}")
            else:
                warnings.append("this event has no date: set its start time so the post says when")
            if item.location:
                facts.append(f"📍 {item.location}")
            if facts:
                blocks.append("\n".join(facts))
        if context.role == "announce":
            if item.kind != "event" and (line := lead_of(item.body)):
                blocks.append(line)
        elif item.body and (body := markdown_to_plain(item.body)):
            blocks.append(body)
        return "\n\n".join(blocks)

    def validate(self, rendered: Rendered) -> list[Problem]:
        problems = [Problem("warning", warning) for warning in rendered.warnings]
        if rendered.length is not None and rendered.length > MAX_MESSAGE:
            problems.append(
                Problem(
                    "error",
                    f"the post is {rendered.length:,} characters; Facebook accepts up to "
                    f"{MAX_MESSAGE:,}: shorten the body",
                )
            )
        source = rendered.request.get("files", {}).get("source")
        if source:
            problems.extend(_image_problems(Path(source)))
        return problems

    # ------------------------------------------------------------ publish / lookup / check

    def publish(self, job: PublishJob) -> Receipt:
        request = job.rendered.request
        data = dict(request["data"])
        source = request.get("files", {}).get("source")
        graph = _Graph(self.fb, self._token())
        if source:
            with _image_part(Path(source)) as image:
                result = graph.call(
                    lambda api: api.put_photo(image, album_path=request["path"], **data),
                    write=True,
                )
        else:
            page, edge = request["path"].split("/", 1)
            result = graph.call(lambda api: api.put_object(page, edge, **data), write=True)
        post_id = str(result.get("post_id") or result["id"])
        return Receipt(
            remote_id=post_id,
            url=POST_URL.format(post_id=post_id),
            published_at=datetime.now(UTC),
            detail={"photo_id": str(result["id"])} if source else None,
        )

    def find_existing(self, job: PublishJob) -> Receipt | None:
        """The post a lost answer may hide, among the Page's posts since the first attempt."""
        data = job.rendered.request["data"]
        wanted = _normalised(data.get("caption") or data.get("message") or "")
        since = _since(job.delivery)
        for post in self._posts_since(since):
            created = _created(post)
            if created is None or created < since:
                continue
            if _normalised(post.get("message", "")) == wanted:
                return Receipt(
                    remote_id=str(post["id"]),
                    url=post.get("permalink_url") or POST_URL.format(post_id=post["id"]),
                    published_at=created,
                )
        return None

    def _posts_since(self, since: datetime) -> Iterator[dict[str, Any]]:
        """The Page's posts, newest first, page after page until one older than `since`.

        A post not seen would read as "not there" and be sent again, so a listing
        that cannot reach `since` raises instead of ending quietly.
        """
        after: str | None = None
        for _ in range(LOOKUP_PAGES):
            page = self._posts_page(after)
            listed = page.get("data")
            if not isinstance(listed, list):
                raise Transient("Facebook listed the Page's posts without a readable 'data'")
            yield from listed
            times = [t for t in map(_created, listed) if t is not None]
            # The whole page is read before stopping: a pinned post may come first.
            if times and min(times) < since:
                return
            paging = _mapping(page.get("paging"))
            if not paging.get("next"):
                return  # Graph's last page: every post of the Page has been seen
            after = _mapping(paging.get("cursors")).get("after")
            if not isinstance(after, str) or not after:
                raise Permanent(
                    "Facebook's list of the Page's posts stops before this post was due "
                    "(a next page without a cursor), so Crosspost cannot tell whether the "
                    "post went out: look on the Page"
                )
        raise Permanent(
            f"more than {LOOKUP_PAGE * LOOKUP_PAGES:,} posts on the Page since this one was "
            "due, so Crosspost cannot tell whether it went out: look on the Page"
        )

    def _posts_page(self, after: str | None) -> dict[str, Any]:
        """One page of GET /{page-id}/posts, from the cursor `after` (None: the newest)."""
        paging = {"after": after} if after else {}
        graph = _Graph(self.fb, self._token())
        return graph.call(
            lambda api: api.get_connections(
                self.fb.page_id, "posts", fields=LOOKUP_FIELDS, limit=LOOKUP_PAGE, **paging
            ),
            write=False,
        )

    def check(self) -> CheckResult:
        graph = _Graph(self.fb, self._token())
        page = graph.call(
            lambda api: api.get_object(self.fb.page_id, fields="id,name"), write=False
        )
        return CheckResult(True, f"page {page.get('name')} ({page.get('id')}) reachable")

    def _token(self) -> str:
        env = self.fb.page_token_env
        if not self.secrets.has(env):
            raise AuthExpired(
                f"no Facebook Page token: set {env} to the Page access token "
                "(in the environment or the secrets file)"
            )
        return self.secrets.get(env)
