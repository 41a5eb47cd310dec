"""A fake X API v2 (and v1.1 media upload) speaking X's real request and answer shapes."""

from __future__ import annotations

import base64
import binascii
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from tests.support.fakeplatform.media import sniff_image
from tests.support.fakeplatform.platform import Env, Platform, reset_epoch
from tests.support.fakeplatform.settings import Settings
from tests.support.fakeplatform.wire import BadBody, Request, Response, Upload, json_response

PROBLEM_JSON = "application/problem+json"
INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
REPLY_NOT_VISIBLE = "You attempted to reply to a Tweet that is deleted or not visible to you."
#: X's rate-limit window, per endpoint.
WINDOW_S = 15 * 60
#: How long an uploaded media id stays usable.
MEDIA_EXPIRES_S = 86_400
MEDIA_CATEGORIES = frozenset(
    {"tweet_image", "tweet_gif", "tweet_video", "amplify_video", "dm_image", "dm_gif"}
    | {"dm_video", "subtitles"}
)
#: X's snowflake epoch (2010-11-04), in milliseconds.
SNOWFLAKE_EPOCH_MS = 1_288_834_974_657


class Snowflake:
    """Increasing ids shaped like X's: milliseconds since X's epoch, shifted, then a sequence."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            stamp = (int(time.time() * 1000) - SNOWFLAKE_EPOCH_MS) << 22
            self._last = max(stamp, self._last + 1)
            return str(self._last)


@dataclass
class Tweet:
    id: str
    text: str
    author_id: str
    created_at: float
    conversation_id: str
    reply_to: str | None = None
    reply_to_user: str | None = None
    media_keys: list[str] = field(default_factory=list)


@dataclass
class Media:
    id: str
    size: int
    mime: str
    width: int
    height: int
    metadata: dict[str, Any] = field(default_factory=dict)


class RateWindows:
    """Requests used per endpoint in X's 15-minute windows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def take(self, key: str, limit: int) -> tuple[int, int]:
        """Use one request of `key`: (remaining, reset epoch); remaining < 0 means refused."""
        now = time.time()
        with self._lock:
            started, used = self._windows.get(key, (now, 0))
            if now - started >= WINDOW_S:
                started, used = now, 0
            used += 1
            self._windows[key] = (started, used)
        return limit - used, int(started + WINDOW_S)

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


Handler = Callable[[Request, Env, re.Match[str]], Response]


class Twitter(Platform):
    """X: tweets, the authenticated user, timelines, media upload."""

    name = "twitter"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tweets: dict[str, Tweet] = {}
        self._texts: Counter[str] = Counter()
        self._media: dict[str, Media] = {}
        self._ids = Snowflake()
        self._windows = RateWindows()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("POST", re.compile(r"/2/tweets"), self._create_tweet),
            ("GET", re.compile(r"/2/tweets"), self._lookup_many),
            ("GET", re.compile(r"/2/tweets/(\d+)"), self._lookup_one),
            ("DELETE", re.compile(r"/2/tweets/(\d+)"), self._delete),
            ("GET", re.compile(r"/2/users/me"), self._me),
            ("GET", re.compile(r"/2/users/(\d+)/tweets"), self._timeline),
            ("POST", re.compile(r"/2/media/upload"), self._upload_v2),
            ("POST", re.compile(r"/2/media/metadata"), self._media_metadata),
            ("POST", re.compile(r"/1\.1/media/upload\.json"), self._upload_v1),
        ]

    # ------------------------------------------------------------ the Platform side

    def owns(self, request: Request) -> bool:
        return request.path.startswith(("/2/", "/1.1/"))

    def is_create(self, request: Request) -> bool:
        return request.method == "POST" and request.path == "/2/tweets"

    def handle(self, request: Request, env: Env) -> Response:
        route = self._route(request)
        if route is None:
            return _v1_error(404, 34, "Sorry, that page does not exist").with_headers(
                *self._untouched_limits(env)
            )
        handler, match = route
        if not _authorized(request, env.settings):
            return self._unauthorized(request).with_headers(*self._untouched_limits(env))
        key = f"{request.method} {match.re.pattern}"
        remaining, reset = self._windows.take(key, env.settings.x_rate_limit)
        limits = _limit_headers(env.settings.x_rate_limit, max(remaining, 0), reset)
        if remaining < 0:
            return _too_many_requests().with_headers(*limits)
        return handler(request, env, match).with_headers(*limits)

    def unavailable(self, request: Request, env: Env) -> Response:
        problem = _problem(503, "Service Unavailable", "Service Unavailable")
        return problem.with_headers(*self._untouched_limits(env))

    def rate_limited(self, request: Request, env: Env, seconds: float) -> Response:
        limit = env.settings.x_rate_limit
        return _too_many_requests().with_headers(*_limit_headers(limit, 0, reset_epoch(seconds)))

    def reset(self) -> None:
        with self._lock:
            self._tweets.clear()
            self._texts.clear()
            self._media.clear()
        self._windows.clear()

    def _route(self, request: Request) -> tuple[Handler, re.Match[str]] | None:
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                return handler, match
        return None

    def _unauthorized(self, request: Request) -> Response:
        if request.path.startswith("/1.1/"):
            return _v1_error(401, 32, "Could not authenticate you.")
        return _problem(401, "Unauthorized", "Unauthorized")

    def _untouched_limits(self, env: Env) -> tuple[tuple[str, str], ...]:
        limit = env.settings.x_rate_limit
        return _limit_headers(limit, limit, int(time.time()) + WINDOW_S)

    # ------------------------------------------------------------ tweets

    def _create_tweet(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        try:
            body = request.json()
        except BadBody:
            return _invalid_request("The request body is not valid JSON.")
        parsed = _parse_create(body)
        if isinstance(parsed, Response):
            return parsed
        text, media_ids, reply_to = parsed
        with self._lock:
            refusal = self._refusal(text, media_ids, reply_to, env.settings)
            if refusal is not None:
                return refusal
            tweet = self._store(text, media_ids, reply_to, env.settings)
        env.record("tweet", tweet.id, body)
        return json_response(201, {"data": _tweet_json(tweet, ())})

    def _refusal(
        self, text: str, media_ids: list[str], reply_to: str | None, settings: Settings
    ) -> Response | None:
        """Why X would refuse this tweet, as X says it; None if it would accept it."""
        unknown = [m for m in media_ids if m not in self._media]
        if unknown:
            return _invalid_request("Your media IDs are invalid.", {"media.media_ids": unknown})
        if reply_to is not None and reply_to not in self._tweets:
            return _problem(403, "Forbidden", REPLY_NOT_VISIBLE)
        if settings.duplicates and text and self._texts[text] > 0:
            return _problem(403, "Forbidden", DUPLICATE_DETAIL)
        return None

    def _store(
        self, text: str, media_ids: list[str], reply_to: str | None, settings: Settings
    ) -> Tweet:
        tweet_id = self._ids.next()
        parent = self._tweets.get(reply_to) if reply_to else None
        tweet = Tweet(
            id=tweet_id,
            text=text,
            author_id=settings.x_user_id,
            created_at=time.time(),
            conversation_id=parent.conversation_id if parent else tweet_id,
            reply_to=reply_to,
            reply_to_user=parent.author_id if parent else None,
            media_keys=[f"3_{m}" for m in media_ids],
        )
        self._tweets[tweet_id] = tweet
        self._texts[text] += 1
        return tweet

    def _lookup_one(self, request: Request, env: Env, match: re.Match[str]) -> Response:
        tweet_id = match.group(1)
        with self._lock:
            tweet = self._tweets.get(tweet_id)
        if tweet is None:
            return json_response(200, {"errors": [_not_found("tweet", tweet_id)]})
        return json_response(200, {"data": _tweet_json(tweet, _fields(request))})

    def _lookup_many(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        ids = [i for i in (request.arg("ids") or "").split(",") if i]
        if not ids:
            return _invalid_request("The `ids` query parameter can not be empty")
        with self._lock:
            found = [self._tweets[i] for i in ids if i in self._tweets]
        payload: dict[str, Any] = {}
        if found:
            payload["data"] = [_tweet_json(t, _fields(request)) for t in found]
        missing = [i for i in ids if i not in {t.id for t in found}]
        if missing:
            payload["errors"] = [_not_found("tweet", i) for i in missing]
        return json_response(200, payload)

    def _delete(self, request: Request, env: Env, match: re.Match[str]) -> Response:
        with self._lock:
            tweet = self._tweets.pop(match.group(1), None)
            if tweet is not None:
                self._texts[tweet.text] -= 1
        return json_response(200, {"data": {"deleted": tweet is not None}})

    # ------------------------------------------------------------ users

    def _me(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        settings = env.settings
        user = {"id": settings.x_user_id, "name": settings.x_name, "username": settings.x_username}
        return json_response(200, {"data": user})

    def _timeline(self, request: Request, env: Env, match: re.Match[str]) -> Response:
        """GET /2/users/:id/tweets: newest first, `max_results` (5-100, default 10) a page.

        A pagination_token points at a tweet, as X's do, so tweets posted between two
        pages shift nothing; `next_token` is absent on the last page.
        """
        user_id = match.group(1)
        if user_id != env.settings.x_user_id:
            return json_response(200, {"errors": [_not_found("user", user_id)]})
        page = _timeline_page(request)
        if isinstance(page, Response):
            return page
        size, token = page
        window = _time_window(request)
        if isinstance(window, Response):
            return window
        start, end = window
        with self._lock:
            tweets = [t for t in reversed(self._tweets.values()) if t.author_id == user_id]
        tweets = _id_window(tweets, request.arg("since_id"), request.arg("until_id"))
        tweets = [t for t in tweets if start <= t.created_at < end]
        if token is None:
            chosen = tweets[:size]
        elif token[0] == "next":
            chosen = [t for t in tweets if int(t.id) < token[1]][:size]
        else:
            chosen = [t for t in tweets if int(t.id) > token[1]][-size:]
        meta: dict[str, Any] = {"result_count": len(chosen)}
        if not chosen:
            return json_response(200, {"meta": meta})
        meta.update(newest_id=chosen[0].id, oldest_id=chosen[-1].id)
        if int(chosen[-1].id) > int(tweets[-1].id):
            meta["next_token"] = _page_token("next", chosen[-1].id)
        if int(chosen[0].id) < int(tweets[0].id):
            meta["previous_token"] = _page_token("previous", chosen[0].id)
        data = [_tweet_json(t, _fields(request)) for t in chosen]
        return json_response(200, {"data": data, "meta": meta})

    # ------------------------------------------------------------ media

    def _upload_v2(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        upload = _v2_upload(request)
        if isinstance(upload, Response):
            return upload
        data, category = upload
        if category is not None and category not in MEDIA_CATEGORIES:
            return _invalid_request(f"Invalid media_category: {category}")
        media = self._keep_media(data)
        answer: dict[str, Any] = {
            "id": media.id,
            "media_key": f"3_{media.id}",
            "size": media.size,
            "expires_after_secs": MEDIA_EXPIRES_S,
            "image": {"image_type": media.mime, "w": media.width, "h": media.height},
        }
        return json_response(200, {"data": answer})

    def _upload_v1(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        try:
            form = request.form
        except BadBody:
            return _v1_error(400, 38, "media parameter is missing.")
        data = _v1_media_bytes(form.files.get("media"), form.fields.get("media_data"))
        if not data:
            return _v1_error(400, 38, "media parameter is missing.")
        media = self._keep_media(data)
        answer = {
            "media_id": int(media.id),
            "media_id_string": media.id,
            "size": media.size,
            "expires_after_secs": MEDIA_EXPIRES_S,
            "image": {"image_type": media.mime, "w": media.width, "h": media.height},
        }
        return json_response(200, answer)

    def _media_metadata(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        try:
            body = request.json()
        except BadBody:
            return _invalid_request("The request body is not valid JSON.")
        media_id = body.get("id") if isinstance(body, dict) else None
        metadata = body.get("metadata") if isinstance(body, dict) else None
        if not isinstance(media_id, str) or not isinstance(metadata, dict):
            return _invalid_request("$.id and $.metadata are required.")
        with self._lock:
            media = self._media.get(media_id)
            if media is None:
                return _invalid_request("Your media IDs are invalid.", {"id": [media_id]})
            media.metadata.update(metadata)
        return json_response(200, {"data": {"id": media_id, "associated_metadata": metadata}})

    def _keep_media(self, data: bytes) -> Media:
        info = sniff_image(data)
        mime, width, height = (info.mime, info.width, info.height) if info else ("", 0, 0)
        media = Media(self._ids.next(), len(data), mime, width, height)
        with self._lock:
            self._media[media.id] = media
        return media


# ---------------------------------------------------------------- request reading


def _parse_create(body: Any) -> tuple[str, list[str], str | None] | Response:
    """(text, media ids, replied-to id) of a POST /2/tweets body, or X's 400."""
    if not isinstance(body, dict):
        return _invalid_request("The request body must be a JSON object.")
    text = body.get("text", "")
    media = body.get("media") or {}
    reply = body.get("reply") or {}
    if not isinstance(text, str):
        return _invalid_request("$.text: is not a string")
    if not isinstance(media, dict) or not isinstance(reply, dict):
        return _invalid_request("$.media and $.reply must be objects")
    media_ids = media.get("media_ids", [])
    if not isinstance(media_ids, list) or not all(isinstance(m, str) for m in media_ids):
        return _invalid_request("$.media.media_ids: must be an array of strings")
    reply_to = reply.get("in_reply_to_tweet_id")
    if reply_to is not None and not isinstance(reply_to, str):
        return _invalid_request("$.reply.in_reply_to_tweet_id: is not a string")
    if not text and not media_ids:
        return _invalid_request("Post text or media is required.")
    return text, media_ids, reply_to


def _v2_upload(request: Request) -> tuple[bytes, str | None] | Response:
    """(bytes, media_category) of a POST /2/media/upload, multipart or JSON."""
    try:
        if request.content_type == "application/json":
            body = request.json()
            encoded = body.get("media") if isinstance(body, dict) else None
            data = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else b""
            category = body.get("media_category") if isinstance(body, dict) else None
        else:
            form = request.form
            upload = form.files.get("media")
            data = upload.data if upload else form.fields.get("media", "").encode("latin-1")
            category = form.fields.get("media_category")
    except (BadBody, binascii.Error, UnicodeEncodeError):
        return _invalid_request("The media field could not be read.")
    if not data:
        return _invalid_request("The media field is required.", {"media": []})
    return data, category if isinstance(category, str) else None


def _v1_media_bytes(upload: Upload | None, encoded: str | None) -> bytes:
    if upload is not None:
        return upload.data
    if encoded:
        try:
            return base64.b64decode(encoded)
        except binascii.Error:
            return b""
    return b""


def _authorized(request: Request, settings: Settings) -> bool:
    """Whether the request carries X user credentials this fake accepts."""
    scheme, _, rest = (request.header("authorization") or "").partition(" ")
    if scheme.lower() == "oauth":
        params = {k: unquote(v) for k, v in re.findall(r'([\w.-]+)="([^"]*)"', rest)}
        if not {"oauth_consumer_key", "oauth_signature", "oauth_token"} <= params.keys():
            return False
        token = params["oauth_token"]
    elif scheme.lower() == "bearer" and rest.strip():
        token = rest.strip()
    else:
        return False
    return settings.x_tokens is None or token in settings.x_tokens


def _fields(request: Request) -> tuple[str, ...]:
    return tuple(f for f in (request.arg("tweet.fields") or "").split(",") if f)


#: What this fake's pagination tokens look like: a direction and a tweet id, in base 36.
PAGE_TOKEN = re.compile(r"7140d([np])([0-9a-z]{1,20})")


def _page_token(direction: str, tweet_id: str) -> str:
    return f"7140d{direction[0]}{_base36(int(tweet_id))}"


def _base36(number: int) -> str:
    """`number` written in base 36 (digits, then lower-case letters)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _timeline_page(request: Request) -> tuple[int, tuple[str, int] | None] | Response:
    """(page size, (direction, tweet id) of the pagination_token), or X's 400."""
    raw_size = request.arg("max_results") or "10"
    if not raw_size.isdigit() or not 5 <= int(raw_size) <= 100:
        return _invalid_request(
            f"The `max_results` query parameter value [{raw_size}] is not between 5 and 100",
            {"max_results": [raw_size]},
        )
    token = request.arg("pagination_token")
    if token is None:
        return int(raw_size), None
    found = PAGE_TOKEN.fullmatch(token)
    if found is None:
        return _invalid_request(
            f"The `pagination_token` query parameter value [{token}] is not valid",
            {"pagination_token": [token]},
        )
    direction = "next" if found.group(1) == "n" else "previous"
    return int(raw_size), (direction, int(found.group(2), 36))


def _id_window(tweets: list[Tweet], since_id: str | None, until_id: str | None) -> list[Tweet]:
    if since_id and since_id.isdigit():
        tweets = [t for t in tweets if int(t.id) > int(since_id)]
    if until_id and until_id.isdigit():
        tweets = [t for t in tweets if int(t.id) < int(until_id)]
    return tweets


def _time_window(request: Request) -> tuple[float, float] | Response:
    """The (start_time, end_time) a timeline asks for, as Unix times, or X's 400."""
    bounds = []
    for name, default in (("start_time", 0.0), ("end_time", float("inf"))):
        raw = request.arg(name)
        if raw is None:
            bounds.append(default)
            continue
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return _invalid_request(f"Invalid {name}: {raw} (expected ISO 8601, e.g. ...Z)")
        bounds.append(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp())
    return bounds[0], bounds[1]


# ---------------------------------------------------------------- answers


def _tweet_json(tweet: Tweet, fields: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": tweet.id,
        "text": tweet.text,
        "edit_history_tweet_ids": [tweet.id],
    }
    extra: dict[str, Any] = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(tweet.created_at)),
        "author_id": tweet.author_id,
        "conversation_id": tweet.conversation_id,
    }
    if tweet.reply_to:
        extra["in_reply_to_user_id"] = tweet.reply_to_user
        extra["referenced_tweets"] = [{"type": "replied_to", "id": tweet.reply_to}]
    if tweet.media_keys:
        extra["attachments"] = {"media_keys": tweet.media_keys}
    data.update({name: extra[name] for name in fields if name in extra})
    return data


def _problem(status: int, title: str, detail: str) -> Response:
    payload = {"detail": detail, "type": "about:blank", "title": title, "status": status}
    return json_response(status, payload, content_type=PROBLEM_JSON)


def _too_many_requests() -> Response:
    return _problem(429, "Too Many Requests", "Too Many Requests")


def _invalid_request(message: str, parameters: dict[str, Any] | None = None) -> Response:
    error: dict[str, Any] = {"message": message}
    if parameters is not None:
        error = {"parameters": parameters, "message": message}
    payload = {
        "errors": [error],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": INVALID_REQUEST,
    }
    return json_response(400, payload, content_type=PROBLEM_JSON)


def _not_found(resource: str, value: str) -> dict[str, Any]:
    return {
        "value": value,
        "detail": f"Could not find {resource} with id: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource,
        "parameter": "id",
        "resource_id": value,
        "type": NOT_FOUND,
    }


def _v1_error(status: int, code: int, message: str) -> Response:
    return json_response(status, {"errors": [{"code": code, "message": message}]})


def _limit_headers(limit: int, remaining: int, reset: int) -> tuple[tuple[str, str], ...]:
    return (
        ("x-rate-limit-limit", str(limit)),
        ("x-rate-limit-remaining", str(remaining)),
        ("x-rate-limit-reset", str(reset)),
    )
