"""A fake Mastodon instance (one account), speaking Mastodon 4.3's REST API as it really answers.

What it holds to, because an adapter must cope with it:

- ``POST /api/v1/statuses`` honours ``Idempotency-Key``: the same key within an hour
  (of the fake's clock) answers the status it made, creating nothing; after an hour
  the key is forgotten, as Mastodon's Redis entry expires.
- ``POST /api/v2/media`` answers 202 with ``url: null``; ``GET /api/v1/media/:id``
  answers 206 until processed (``mastodon_media_polls`` reads), then 200. A status
  with unprocessed media is refused (422).
- Limits of ``GET /api/v2/instance`` are enforced: graphemes of spoiler and text,
  every link weighing ``characters_reserved_per_url``.
- ``GET /api/v1/accounts/:id/statuses``: newest first, ``limit`` 20 by default and
  at most 40, ``max_id``/``since_id``/``min_id``, and a ``Link`` header.
- Errors are ``{"error": "..."}``: 401 "The access token is invalid", 403 for a scope
  the token lacks, 404 "Record not found", 422 validation, 429 "Too many requests"
  with ``X-RateLimit-Limit/Remaining/Reset`` (an ISO 8601 time, not epoch seconds).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from tests.support.fakeplatform import mastodon_entities as entities
from tests.support.fakeplatform.mastodon_entities import Media, SnowflakeIds, Status
from tests.support.fakeplatform.media import sniff_image
from tests.support.fakeplatform.platform import Env, Platform
from tests.support.fakeplatform.wire import BadBody, Request, Response, json_response

#: Mastodon keeps an Idempotency-Key this long (PostStatusService: redis.setex 3_600).
IDEMPOTENCY_TTL_S = 3_600
DEFAULT_LIMIT, MAX_LIMIT = 20, 40
MAX_MEDIA = 4
DESCRIPTION_LIMIT = 1_500
VISIBILITIES = ("public", "unlisted", "private", "direct")
INVALID_TOKEN = "The access token is invalid"
OUT_OF_SCOPE = "This action is outside the authorized scopes"
NOT_FOUND = "Record not found"
NOT_READY = "Cannot attach files that have not finished processing. Try again in a moment!"
REPLY_NOT_FOUND = "The post you are trying to reply to does not appear to exist."
FILE_INVALID = "Validation failed: File content type is invalid, File is invalid"
UNAVAILABLE = "There was a temporary problem serving your request, please try again"
#: rack-attack's authenticated API window, and the statuses family of Mastodon's RateLimiter.
API_WINDOW_S = 5 * 60
STATUS_WINDOW_S = 3 * 3600
_MENTION = re.compile(r"@(\w+)@[\w.-]+\w")

Handler = Callable[[Request, Env, re.Match[str]], Response]


class MastodonError(Exception):
    """An answer Mastodon gives as {"error": message}."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Windows:
    """Fixed rate-limit windows per family, on the fake's clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def take(self, family: str, period: float, now: float) -> tuple[int, float]:
        """Count one request: (used so far in the window, the window's end)."""
        with self._lock:
            started, used = self._windows.get(family, (now - now % period, 0))
            if now >= started + period:
                started, used = now - now % period, 0
            self._windows[family] = (started, used + 1)
        return used + 1, started + period

    def peek(self, family: str, period: float, now: float) -> tuple[int, float]:
        with self._lock:
            started, used = self._windows.get(family, (now - now % period, 0))
        if now >= started + period:
            return 0, now - now % period + period
        return used, started + period

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


class Mastodon(Platform):
    """One Mastodon account on one instance: statuses, media, the instance and the account."""

    name = "mastodon"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._statuses: dict[str, Status] = {}
        self._media: dict[str, Media] = {}
        #: Idempotency-Key -> (status id, when it was stored on the fake's clock).
        self._keys: dict[str, tuple[str, float]] = {}
        self._ids = SnowflakeIds()
        self._windows = Windows()
        self._created = time.time()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"/api/v2/instance"), self._instance),
            ("GET", re.compile(r"/api/v1/instance"), self._instance_v1),
            ("GET", re.compile(r"/api/v1/accounts/verify_credentials"), self._verify),
            ("GET", re.compile(r"/api/v1/apps/verify_credentials"), self._verify_app),
            ("GET", re.compile(r"/api/v1/accounts/(\d+)/statuses"), self._account_statuses),
            ("POST", re.compile(r"/api/v1/statuses"), self._create_status),
            ("GET", re.compile(r"/api/v1/statuses/(\d+)"), self._get_status),
            ("GET", re.compile(r"/api/v1/statuses/(\d+)/source"), self._status_source),
            ("DELETE", re.compile(r"/api/v1/statuses/(\d+)"), self._delete_status),
            ("POST", re.compile(r"/api/v2/media"), self._upload),
            ("GET", re.compile(r"/api/v1/media/(\d+)"), self._get_media),
            ("PUT", re.compile(r"/api/v1/media/(\d+)"), self._update_media),
        ]

    # ------------------------------------------------------------ the Platform side

    def owns(self, request: Request) -> bool:
        return request.path.startswith(("/api/v1/", "/api/v2/"))

    def is_create(self, request: Request) -> bool:
        return request.method == "POST" and request.path == "/api/v1/statuses"

    def handle(self, request: Request, env: Env) -> Response:
        route = self._route(request)
        if route is None:
            return _error(404, NOT_FOUND)
        handler, match = route
        try:
            return handler(request, env, match)
        except _Throttled as throttled:
            return throttled.response()
        except MastodonError as error:
            response = _error(error.status, error.message)
            if error.status == 401:
                challenge = (
                    'Bearer realm="Doorkeeper", error="invalid_token", '
                    f'error_description="{INVALID_TOKEN}"'
                )
                response = response.with_headers(("WWW-Authenticate", challenge))
            return response

    def unavailable(self, request: Request, env: Env) -> Response:
        return _error(503, UNAVAILABLE)

    def rate_limited(self, request: Request, env: Env, seconds: float) -> Response:
        limit = env.settings.mastodon_rate_limit
        return _error(429, "Too many requests").with_headers(
            *_limit_headers(limit, 0, _now(env) + seconds)
        )

    def reset(self) -> None:
        with self._lock:
            self._statuses.clear()
            self._media.clear()
            self._keys.clear()
        self._windows.clear()

    def _route(self, request: Request) -> tuple[Handler, re.Match[str]] | None:
        # Rails routes ignore a trailing slash (Mastodon.py asks for /api/v1/instance/).
        path = request.path.rstrip("/") or "/"
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and method == request.method:
                return handler, match
        return None

    # ------------------------------------------------------------ authentication and limits

    def _authenticate(
        self, request: Request, env: Env, scope: str, *, optional: bool = False
    ) -> tuple[tuple[str, str], ...] | None:
        """Check the Bearer token and its scope, count the request in the API window.

        Returns the rate-limit headers to send, or None for an anonymous request
        where one is allowed. Raises MastodonError (401, 403, 429) as Mastodon does.
        """
        token = _bearer(request)
        if token is None and optional:
            return None
        accepted = env.settings.mastodon_tokens
        if not token or (accepted is not None and token not in accepted):
            raise MastodonError(401, INVALID_TOKEN)
        if scope and not _in_scope(scope, env.settings.mastodon_scopes):
            raise MastodonError(403, OUT_OF_SCOPE)
        limit = env.settings.mastodon_rate_limit
        used, reset = self._windows.take("api", API_WINDOW_S, _now(env))
        headers = _limit_headers(limit, max(limit - used, 0), reset)
        if used > limit:
            raise _Throttled(headers)
        return headers

    def _status_window(self, env: Env, *, take: bool) -> tuple[tuple[str, str], ...]:
        limit = env.settings.mastodon_status_limit
        count = self._windows.take if take else self._windows.peek
        used, reset = count("statuses", STATUS_WINDOW_S, _now(env))
        if take and used > limit:
            raise _Throttled(_limit_headers(limit, 0, reset))
        return _limit_headers(limit, max(limit - used, 0), reset)

    # ------------------------------------------------------------ instance and account

    def _instance(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        return json_response(200, entities.instance_json(env.settings, env.base_url))

    def _instance_v1(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        # Deprecated since 4.0 but still served: clients (Mastodon.py) read its version.
        return json_response(200, entities.instance_v1_json(env.settings, env.base_url))

    def _verify(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        headers = self._authenticate(request, env, "read:accounts") or ()
        with self._lock:
            count = len(self._statuses)
        account = entities.credential_account_json(env.settings, env.base_url, count, self._created)
        return json_response(200, account, headers=headers)

    def _verify_app(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        """The token's application; `scopes` since Mastodon 4.3 (no scope is needed to ask)."""
        headers = self._authenticate(request, env, "") or ()
        app = {
            "id": "5123",
            "name": "Crosspost",
            "website": None,
            "scopes": list(env.settings.mastodon_scopes),
            "redirect_uris": ["urn:ietf:wg:oauth:2.0:oob"],
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        }
        return json_response(200, app, headers=headers)

    def _account(self, env: Env) -> dict[str, Any]:
        return entities.account_json(env.settings, env.base_url, len(self._statuses), self._created)

    # ------------------------------------------------------------ statuses

    def _create_status(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        try:
            headers = self._authenticate(request, env, "write:statuses") or ()
        except _Throttled as throttled:
            return throttled.response()
        params = _params(request)
        key = request.idempotency_key
        now = _now(env)
        with self._lock:
            if key:
                earlier = self._remembered(key, now)
                if earlier is not None:
                    # The status made the first time, whatever this request says.
                    status = self._statuses.get(earlier)
                    if status is None:
                        return _error(404, NOT_FOUND)
                    return self._status_answer(status, env, headers)
            status_headers = self._status_window(env, take=False)
            try:
                status = self._build(params, env, now, key)
                status_headers = self._status_window(env, take=True)
            except _Throttled as throttled:
                return throttled.response()
            except MastodonError as error:
                return _error(error.status, error.message).with_headers(*status_headers)
            self._statuses[status.id] = status
            for media in status.media:
                media.status_id = status.id
            if key:
                self._keys[key] = (status.id, now)
        env.record("status", status.id, _recorded(params))
        return self._status_answer(status, env, status_headers)

    def _remembered(self, key: str, now: float) -> str | None:
        """The status id stored for `key` less than an hour ago; forgets older keys."""
        for old in [k for k, (_, at) in self._keys.items() if now - at >= IDEMPOTENCY_TTL_S]:
            del self._keys[old]
        stored = self._keys.get(key)
        return stored[0] if stored else None

    def _build(self, params: dict[str, Any], env: Env, now: float, key: str | None) -> Status:
        """The status `params` ask for, or MastodonError saying why Mastodon refuses it."""
        text = _text(params, "status")
        spoiler = _text(params, "spoiler_text")
        visibility = _text(params, "visibility") or "public"
        if visibility not in VISIBILITIES:
            raise MastodonError(422, f"'{visibility}' is not a valid visibility")
        ids = _list(params, "media_ids")
        if len(ids) > MAX_MEDIA:
            raise MastodonError(422, f"Cannot attach more than {MAX_MEDIA} files")
        # Mastodon takes only this account's media not yet attached; others are ignored.
        media = [self._media[i] for i in ids if i in self._media and not self._media[i].status_id]
        if any(not m.processed for m in media):
            raise MastodonError(422, NOT_READY)
        if not text.strip() and not media:
            raise MastodonError(422, "Validation failed: Text can't be blank")
        limit = env.settings.mastodon_max_characters
        if countable_length(spoiler + text, env.settings.mastodon_url_weight) > limit:
            raise MastodonError(422, f"Validation failed: Text character limit of {limit} exceeded")
        reply_to = _text(params, "in_reply_to_id") or None
        if reply_to is not None and reply_to not in self._statuses:
            raise MastodonError(404, REPLY_NOT_FOUND)
        return Status(
            id=self._ids.next(now),
            text=text,
            created_at=now,
            visibility=visibility,
            language=_text(params, "language") or None,
            spoiler_text=spoiler,
            sensitive=_flag(params, "sensitive") or bool(spoiler),
            in_reply_to_id=reply_to,
            media=media,
            idempotency_key=key,
        )

    def _status_answer(
        self, status: Status, env: Env, headers: tuple[tuple[str, str], ...]
    ) -> Response:
        payload = entities.status_json(status, env.settings, env.base_url, self._account(env))
        return json_response(200, payload, headers=headers)

    def _find(self, status_id: str) -> Status:
        with self._lock:
            status = self._statuses.get(status_id)
        if status is None:
            raise MastodonError(404, NOT_FOUND)
        return status

    def _get_status(self, request: Request, env: Env, match: re.Match[str]) -> Response:
        headers = self._authenticate(request, env, "read:statuses", optional=True) or ()
        status = self._find(match.group(1))
        if headers == () and status.visibility in ("private", "direct"):
            raise MastodonError(404, NOT_FOUND)
        with self._lock:
            return self._status_answer(status, env, headers)

    def _status_source(self, request: Request, env: Env, match: re.Match[str]) -> Response:
        headers = self._authenticate(request, env, "read:statuses") or ()
        status = self._find(match.group(1))
        source = {"id": status.id, "text": status.text, "spoiler_text": status.spoiler_text}
        return json_response(200, source, headers=headers)

    def _delete_status(self, request: Request, env: Env, match: re.Match[str]) -> Response:
        headers = self._authenticate(request, env, "write:statuses") or ()
        status = self._find(match.group(1))
        with self._lock:
            self._statuses.pop(status.id, None)
            payload = entities.status_json(status, env.settings, env.base_url, self._account(env))
        payload["text"] = status.text
        return json_response(200, payload, headers=headers)

    def _account_statuses(self, request: Request, env: Env, match: re.Match[str]) -> Response:
        """Newest first; `limit` (20, at most 40); max_id, since_id, min_id; a Link header."""
        headers = self._authenticate(request, env, "read:statuses", optional=True)
        account_id = match.group(1)
        if account_id != env.settings.mastodon_account_id:
            raise MastodonError(404, NOT_FOUND)
        limit = _limit(request.arg("limit"))
        with self._lock:
            statuses = sorted(self._statuses.values(), key=lambda s: int(s.id), reverse=True)
            if headers is None:
                statuses = [s for s in statuses if s.visibility in ("public", "unlisted")]
            if request.arg("exclude_replies") in ("true", "1"):
                statuses = [s for s in statuses if s.in_reply_to_id is None]
            page = _page(statuses, request, limit)
            payload = [
                entities.status_json(s, env.settings, env.base_url, self._account(env))
                for s in page
            ]
        links = _links(f"{env.base_url}{request.path}", request.arg("limit"), page, limit)
        extra = (("Link", links),) if links else ()
        return json_response(200, payload, headers=(headers or ()) + extra)

    # ------------------------------------------------------------ media

    def _upload(self, request: Request, env: Env, _match: re.Match[str]) -> Response:
        headers = self._authenticate(request, env, "write:media") or ()
        try:
            form = request.form
        except BadBody:
            raise MastodonError(422, FILE_INVALID) from None
        upload = form.files.get("file")
        if upload is None:
            raise MastodonError(400, "param is missing or the value is empty: file")
        info = sniff_image(upload.data)
        if info is None:
            raise MastodonError(422, FILE_INVALID)
        description = form.fields.get("description") or None
        _check_description(description)
        polls = env.settings.mastodon_media_polls
        with self._lock:
            media = Media(
                id=self._ids.next(_now(env)),
                mime=info.mime,
                size=len(upload.data),
                width=info.width,
                height=info.height,
                description=description,
                polls_left=polls,
            )
            self._media[media.id] = media
        status = 200 if media.processed else 202
        return json_response(status, entities.media_json(media, env.base_url), headers=headers)

    def _unattached(self, media_id: str) -> Media:
        with self._lock:
            media = self._media.get(media_id)
        if media is None or media.status_id is not None:
            raise MastodonError(404, NOT_FOUND)
        return media

    def _get_media(self, request: Request, env: Env, match: re.Match[str]) -> Response:
        headers = self._authenticate(request, env, "write:media") or ()
        media = self._unattached(match.group(1))
        with self._lock:
            status = 200 if media.processed else 206
            media.polls_left -= 1
            payload = entities.media_json(media, env.base_url)
        if status == 206:
            payload["url"] = None
        return json_response(status, payload, headers=headers)

    def _update_media(self, request: Request, env: Env, match: re.Match[str]) -> Response:
        headers = self._authenticate(request, env, "write:media") or ()
        media = self._unattached(match.group(1))
        params = _params(request)
        if "description" in params:
            description = _text(params, "description") or None
            _check_description(description)
            with self._lock:
                media.description = description
        status = 200 if media.processed else 206
        return json_response(status, entities.media_json(media, env.base_url), headers=headers)


class _Throttled(MastodonError):
    """A 429 with the window's headers."""

    def __init__(self, headers: tuple[tuple[str, str], ...]) -> None:
        super().__init__(429, "Too many requests")
        self.headers = headers

    def response(self) -> Response:
        return _error(429, self.message).with_headers(*self.headers)


# ---------------------------------------------------------------- reading requests


def _now(env: Env) -> float:
    """The fake's clock: the machine's, moved by the clock_offset_s setting."""
    return time.time() + env.settings.clock_offset_s


def _bearer(request: Request) -> str | None:
    scheme, _, token = (request.header("authorization") or "").partition(" ")
    if scheme.lower() != "bearer":
        return request.arg("access_token")
    return token.strip()


def _in_scope(needed: str, scopes: tuple[str, ...]) -> bool:
    """Whether a token with `scopes` may do what `needed` ("write:statuses") names."""
    family = needed.split(":")[0]
    return needed in scopes or family in scopes


def _params(request: Request) -> dict[str, Any]:
    """Form, multipart or JSON parameters; `name[]` keys gathered into lists, as Rails does."""
    if request.content_type == "application/json":
        try:
            data = request.json()
        except BadBody:
            raise MastodonError(400, "Error occurred while parsing request parameters") from None
        return data if isinstance(data, dict) else {}
    if request.content_type == "multipart/form-data":
        return dict(request.form.fields)
    text = request.body.decode("utf-8", errors="replace")
    params: dict[str, Any] = {}
    for key, values in parse_qs(text, keep_blank_values=True).items():
        if key.endswith("[]"):
            params[key[:-2]] = values
        else:
            params[key] = values[-1]
    return params


def _text(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value)


def _list(params: dict[str, Any], name: str) -> list[str]:
    value = params.get(name, params.get(f"{name}[]"))
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _flag(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    return value is True or str(value).lower() in ("1", "true", "on", "t")


def _limit(raw: str | None) -> int:
    """Rails' `limit_param`: the default, else |to_i| capped at twice the default."""
    if raw is None:
        return DEFAULT_LIMIT
    digits = re.match(r"\s*-?(\d*)", raw)
    number = int(digits.group(1)) if digits and digits.group(1) else 0
    return min(number, MAX_LIMIT)


def _page(statuses: list[Status], request: Request, limit: int) -> list[Status]:
    max_id, since_id, min_id = (request.arg(n) for n in ("max_id", "since_id", "min_id"))
    if max_id and max_id.isdigit():
        statuses = [s for s in statuses if int(s.id) < int(max_id)]
    if since_id and since_id.isdigit():
        statuses = [s for s in statuses if int(s.id) > int(since_id)]
    if min_id and min_id.isdigit():
        # The statuses just after min_id: the oldest of them, still shown newest first.
        newer = [s for s in statuses if int(s.id) > int(min_id)]
        return newer[-limit:] if limit else []
    return statuses[:limit]


def _links(url: str, raw_limit: str | None, page: list[Status], limit: int) -> str | None:
    """Mastodon's Link header: next while a full page came back, prev unless it is empty."""
    if not page:
        return None
    prefix = f"limit={raw_limit}&" if raw_limit is not None else ""
    links = []
    if len(page) == limit:
        links.append(f'<{url}?{prefix}max_id={page[-1].id}>; rel="next"')
    links.append(f'<{url}?{prefix}min_id={page[0].id}>; rel="prev"')
    return ", ".join(links)


def _check_description(description: str | None) -> None:
    if description is not None and len(description) > DESCRIPTION_LIMIT:
        raise MastodonError(
            422,
            f"Validation failed: Description is too long (maximum is {DESCRIPTION_LIMIT} "
            "characters)",
        )


def countable_length(text: str, url_weight: int) -> int:
    """Mastodon's StatusLengthValidator: graphemes, a link weighs `url_weight`, a remote
    mention counts only its @user part."""
    import regex

    text = entities.URL.sub("x" * url_weight, text)
    text = _MENTION.sub(lambda m: "@" + m.group(1), text)
    return len(regex.findall(r"\X", text))


def _recorded(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k != "access_token"}


# ---------------------------------------------------------------- answers


def _error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def _limit_headers(limit: int, remaining: int, reset: float) -> tuple[tuple[str, str], ...]:
    return (
        ("X-RateLimit-Limit", str(limit)),
        ("X-RateLimit-Remaining", str(remaining)),
        ("X-RateLimit-Reset", entities.iso_micro(reset)),
    )
