"""A fake Facebook Graph API for one Page, with the Graph's real answers and error objects.

Paths carry a version (``/v19.0/...``), as facebook-sdk and direct callers send them.
The access token is read from the query, the form body or an ``Authorization:
OAuth|Bearer`` header. Errors are HTTP 400 with ``{"error": {...}}`` (code 104: no
token, 190: bad token, 100: bad parameter or object, 506: duplicate post, 324: no
photo); a "429" fault answers with code 4 ("Application request limit reached").
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.support.fakeplatform.platform import Env, Platform
from tests.support.fakeplatform.wire import BadBody, Form, Request, Response, json_response

VERSIONED = re.compile(r"/(v\d+\.\d+)(/.*)?")
CONTENT_TYPE = "application/json; charset=UTF-8"
UNSUPPORTED = (
    "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due"
    " to missing permissions, or does not support this operation. Please read the Graph API"
    " documentation at https://developers.facebook.com/docs/graph-api"
)
#: Fields the Graph knows on each node type; asking for another is a (#100) error.
#: Known fields this fake does not model are simply left out, as the Graph omits empty ones.
# fmt: off
KNOWN_FIELDS = {
    "Page": {"id", "name", "link", "about", "category", "fan_count", "username", "picture"},
    "PagePost": {
        "id", "message", "created_time", "updated_time", "permalink_url", "link",
        "is_published", "scheduled_publish_time", "full_picture", "status_type", "story",
        "attachments", "from", "shares", "picture", "privacy", "is_hidden",
    },
    "Photo": {"id", "name", "created_time", "link", "images", "page_story_id", "from"},
    "User": {"id", "name", "first_name", "last_name", "email", "picture"},
}
# fmt: on
DEFAULT_FIELDS = {
    "Page": ("id", "name"),
    "PagePost": ("id", "message", "created_time"),
    "Photo": ("id", "created_time"),
    "User": ("id", "name"),
}
#: The person a user token speaks for, and the app the tokens were made with.
PERSON = {"id": "10229412345678901", "name": "Camille Martin", "first_name": "Camille"}
APP_ID = "1387654321098765"
#: A scheduled post must be due between 10 minutes and 75 days ahead.
SCHEDULE_MIN_S, SCHEDULE_MAX_S = 10 * 60, 75 * 86_400
PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX = 25, 100


@dataclass
class PagePost:
    id: str
    message: str
    link: str
    created_time: float
    is_published: bool
    scheduled_publish_time: int | None = None
    photo_id: str | None = None


@dataclass
class Photo:
    id: str
    caption: str
    created_time: float
    post_id: str | None


class GraphError(Exception):
    """A Graph error object to answer with."""

    def __init__(self, message: str, code: int, kind: str = "OAuthException", **extra: Any):
        super().__init__(message)
        self.payload: dict[str, Any] = {"message": message, "type": kind, "code": code, **extra}


class Graph(Platform):
    """The Graph API of one Page: feed posts, photos, listings, the page itself."""

    name = "facebook"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._posts: dict[str, PagePost] = {}
        self._photos: dict[str, Photo] = {}
        self._numbers = itertools.count(122_000_000_000_001)

    # ------------------------------------------------------------ the Platform side

    def owns(self, request: Request) -> bool:
        return VERSIONED.fullmatch(request.path) is not None

    def is_create(self, request: Request) -> bool:
        parts = _segments(request)
        return request.method == "POST" and len(parts) == 2 and parts[1] in ("feed", "photos")

    def handle(self, request: Request, env: Env) -> Response:
        try:
            _check_token(request, env)
            status, payload = self._route(request, env)
        except GraphError as error:
            return _error(error, request)
        return json_response(
            status, payload, content_type=CONTENT_TYPE, ascii_only=True, headers=_usage(request, 0)
        )

    def unavailable(self, request: Request, env: Env) -> Response:
        message = "An unexpected error has occurred. Please retry your request later."
        error = GraphError(message, 2, is_transient=True)
        return _error(error, request, status=503)

    def rate_limited(self, request: Request, env: Env, seconds: float) -> Response:
        error = GraphError("(#4) Application request limit reached", 4, is_transient=True)
        minutes = max(1, int(seconds + 59) // 60)
        usage = [{"type": "pages", "call_count": 100, "total_cputime": 10, "total_time": 10}]
        usage[0]["estimated_time_to_regain_access"] = minutes
        buc = json.dumps({env.settings.page_id: usage}, separators=(",", ":"))
        response = _error(error, request, usage_percent=100)
        return response.with_headers(("x-business-use-case-usage", buc))

    def reset(self) -> None:
        with self._lock:
            self._posts.clear()
            self._photos.clear()

    # ------------------------------------------------------------ routing

    def _route(self, request: Request, env: Env) -> tuple[int, Any]:
        parts = _segments(request)
        method = request.method
        if method == "GET" and parts == ["debug_token"]:
            return 200, self._debug_token(request, env)
        if (
            method == "GET"
            and parts == ["me"]
            and _token(request) in env.settings.graph_user_tokens
        ):
            return 200, _pick(dict(PERSON), "User", request.arg("fields"))
        if method == "GET" and len(parts) == 1:
            return 200, self._node(parts[0], request, env)
        if method == "DELETE" and len(parts) == 1:
            return 200, self._delete(parts[0])
        if len(parts) == 2:
            page_id = self._page(parts[0], method, env)
            edge = parts[1]
            if method == "POST" and edge == "feed":
                return 200, self._create_post(request, env, page_id)
            if method == "POST" and edge == "photos":
                return 200, self._create_photo(request, env, page_id)
            if method == "GET" and edge in ("posts", "feed", "published_posts"):
                return 200, self._list(request, env, published=True)
            if method == "GET" and edge == "scheduled_posts":
                return 200, self._list(request, env, published=False)
        raise GraphError(f"Unknown path components: /{'/'.join(parts[1:])}", 2500)

    def _page(self, node_id: str, method: str, env: Env) -> str:
        """The page id `node_id` names (the page itself or "me"), else the Graph's refusal."""
        if node_id in ("me", env.settings.page_id):
            return env.settings.page_id
        message = UNSUPPORTED.format(method=method.lower(), id=node_id)
        raise GraphError(message, 100, "GraphMethodException", error_subcode=33)

    # ------------------------------------------------------------ creates

    def _debug_token(self, request: Request, env: Env) -> dict[str, Any]:
        """GET /debug_token?input_token=...: which kind of token it is, and its grants."""
        token = request.arg("input_token")
        if not token:
            raise GraphError("(#100) The parameter input_token is required", 100)
        person = token in env.settings.graph_user_tokens
        data: dict[str, Any] = {
            "app_id": APP_ID,
            "type": "USER" if person else "PAGE",
            "application": "Crosspost",
            "data_access_expires_at": 1798761600,
            "expires_at": 0,
            "is_valid": True,
            "issued_at": 1764547200,
            "scopes": list(env.settings.graph_scopes),
            "user_id": PERSON["id"],
        }
        if not person:
            data["profile_id"] = env.settings.page_id
        return {"data": data}

    def _may_post(self, request: Request, env: Env) -> None:
        """Graph's #200 for a token that cannot post on the Page (a person's, or too few grants)."""
        granted = set(env.settings.graph_scopes)
        person = _token(request) in env.settings.graph_user_tokens
        if person or not {"pages_manage_posts", "pages_read_engagement"} <= granted:
            raise GraphError(
                "(#200) If posting to a page, requires both pages_read_engagement and "
                "pages_manage_posts as an admin with sufficient administrative permission",
                200,
            )

    def _create_post(self, request: Request, env: Env, page_id: str) -> dict[str, Any]:
        self._may_post(request, env)
        form = _form(request)
        message = form.fields.get("message", "")
        link = form.fields.get("link", "")
        if not message and not link:
            raise GraphError("(#100) Missing message or attachment", 100)
        published, scheduled = _publication(form)
        with self._lock:
            if env.settings.duplicates and message and self._repeats(message, link):
                raise GraphError("(#506) Duplicate status message", 506)
            post_id = f"{page_id}_{next(self._numbers)}"
            post = PagePost(post_id, message, link, time.time(), published, scheduled)
            self._posts[post_id] = post
        env.record("feed", post_id, _recorded_body(form))
        return {"id": post_id}

    def _create_photo(self, request: Request, env: Env, page_id: str) -> dict[str, Any]:
        self._may_post(request, env)
        form = _form(request)
        if "source" not in form.files and not form.fields.get("url"):
            raise GraphError("(#324) Requires upload file", 324)
        caption = form.fields.get("message") or form.fields.get("caption", "")
        published = form.fields.get("published", "true").lower() not in ("false", "0")
        with self._lock:
            photo_id = str(next(self._numbers))
            post_id = f"{page_id}_{next(self._numbers)}" if published else None
            self._photos[photo_id] = Photo(photo_id, caption, time.time(), post_id)
            if post_id is not None:
                post = PagePost(post_id, caption, "", time.time(), True, photo_id=photo_id)
                self._posts[post_id] = post
        env.record("photo", photo_id, _recorded_body(form), post_id=post_id)
        return {"id": photo_id, "post_id": post_id} if post_id else {"id": photo_id}

    def _repeats(self, message: str, link: str) -> bool:
        return any(p.message == message and p.link == link for p in self._posts.values())

    # ------------------------------------------------------------ reads and deletes

    def _node(self, node_id: str, request: Request, env: Env) -> dict[str, Any]:
        fields = request.arg("fields")
        with self._lock:
            post = self._posts.get(node_id)
            photo = self._photos.get(node_id)
        if post is not None:
            return _pick(_post_json(post), "PagePost", fields)
        if photo is not None:
            return _pick(_photo_json(photo), "Photo", fields)
        page_id = self._page(node_id, "GET", env)
        page = {
            "id": page_id,
            "name": env.settings.page_name,
            "link": f"https://www.facebook.com/{page_id}",
        }
        return _pick(page, "Page", fields)

    def _delete(self, node_id: str) -> dict[str, Any]:
        with self._lock:
            post = self._posts.pop(node_id, None)
            photo = self._photos.pop(node_id, None)
        if post is None and photo is None:
            message = UNSUPPORTED.format(method="delete", id=node_id)
            raise GraphError(message, 100, "GraphMethodException", error_subcode=33)
        return {"success": True}

    def _list(self, request: Request, env: Env, *, published: bool) -> dict[str, Any]:
        """A page of posts, newest first, as Graph's cursor paging serves it.

        `limit` (default 25, at most 100) sizes the page; `after` asks for the posts
        older than its cursor, `before` for the newer ones. A cursor points at a post,
        so posts made meanwhile shift nothing; `next` is absent on the last page.
        """
        fields = request.arg("fields")
        _checked_fields("PagePost", fields)
        limit = _limit(request)
        after, before = request.arg("after"), request.arg("before")
        with self._lock:
            posts = [p for p in reversed(self._posts.values()) if p.is_published == published]
        if after:
            anchor = _uncursor(after, "after")
            older = [p for p in posts if _number(p) < anchor]
            chosen, newer_exist = older[:limit], len(older) < len(posts)
        elif before:
            anchor = _uncursor(before, "before")
            newer = [p for p in posts if _number(p) > anchor]
            chosen, newer_exist = newer[-limit:], len(newer) > limit
        else:
            chosen, newer_exist = posts[:limit], False
        if not chosen:
            return {"data": []}
        older_exist = _number(chosen[-1]) > _number(posts[-1])
        data = [_pick(_post_json(p), "PagePost", fields) for p in chosen]
        cursors = {"before": _cursor(chosen[0]), "after": _cursor(chosen[-1])}
        paging: dict[str, Any] = {"cursors": cursors}
        asked = {k: v[-1] for k, v in request.query.items() if k not in ("after", "before")}
        url = f"{env.base_url}{request.path}"
        if newer_exist:
            paging["previous"] = f"{url}?{urlencode(asked | {'before': cursors['before']})}"
        if older_exist:
            paging["next"] = f"{url}?{urlencode(asked | {'after': cursors['after']})}"
        return {"data": data, "paging": paging}


# ---------------------------------------------------------------- helpers


def _segments(request: Request) -> list[str]:
    match = VERSIONED.fullmatch(request.path)
    rest = match.group(2) if match and match.group(2) else ""
    return [s for s in rest.split("/") if s]


def _token(request: Request) -> str | None:
    token = request.arg("access_token")
    if token is None and request.method == "POST":
        try:
            token = request.form.fields.get("access_token")
        except BadBody:
            token = None
    if token is None:
        scheme, _, rest = (request.header("authorization") or "").partition(" ")
        if scheme.lower() in ("oauth", "bearer") and rest.strip():
            token = rest.strip()
    return token


def _check_token(request: Request, env: Env) -> None:
    token = _token(request)
    if not token:
        raise GraphError("An access token is required to request this resource.", 104)
    allowed = env.settings.graph_tokens
    if allowed is not None and token not in allowed:
        # Graph quotes the token it could not parse back in its answer, as the real one
        # does: whatever keeps or shows error messages must mask it (crosspost/redact.py).
        raise GraphError(f"Malformed access token {token}", 190)


def _form(request: Request) -> Form:
    try:
        return request.form
    except BadBody as error:
        raise GraphError(f"(#100) The request body could not be read: {error}", 100) from error


def _publication(form: Form) -> tuple[bool, int | None]:
    """(published, scheduled_publish_time) asked by the form, or the Graph's (#100)."""
    published = form.fields.get("published", "true").lower() not in ("false", "0")
    raw = form.fields.get("scheduled_publish_time")
    if raw is None:
        return published, None
    ahead = (int(raw) if raw.isdigit() else 0) - time.time()
    if published or not SCHEDULE_MIN_S <= ahead <= SCHEDULE_MAX_S:
        raise GraphError("(#100) The specified scheduled publish time is invalid.", 100)
    return False, int(raw)


def _recorded_body(form: Form) -> dict[str, Any]:
    """The form as recorded: fields without the token, files by name, type and size."""
    body: dict[str, Any] = {k: v for k, v in form.fields.items() if k != "access_token"}
    for name, upload in form.files.items():
        body[name] = {
            "filename": upload.filename,
            "content_type": upload.content_type,
            "size": len(upload.data),
        }
    return body


def _graph_time(stamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(stamp))


def _post_json(post: PagePost) -> dict[str, Any]:
    page_id, number = post.id.split("_", 1)
    data: dict[str, Any] = {
        "id": post.id,
        "created_time": _graph_time(post.created_time),
        "updated_time": _graph_time(post.created_time),
        "is_published": post.is_published,
        "permalink_url": f"https://www.facebook.com/{page_id}/posts/{number}",
        "status_type": "added_photos" if post.photo_id else "mobile_status_update",
    }
    if post.photo_id:
        data["permalink_url"] = f"https://www.facebook.com/photo.php?fbid={post.photo_id}"
    if post.message:
        data["message"] = post.message
    if post.link:
        data["link"] = post.link
    if post.scheduled_publish_time is not None:
        data["scheduled_publish_time"] = post.scheduled_publish_time
    return data


def _photo_json(photo: Photo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": photo.id,
        "created_time": _graph_time(photo.created_time),
        "link": f"https://www.facebook.com/photo.php?fbid={photo.id}",
    }
    if photo.caption:
        data["name"] = photo.caption
    if photo.post_id:
        data["page_story_id"] = photo.post_id
    return data


def _pick(node: dict[str, Any], node_type: str, fields: str | None) -> dict[str, Any]:
    """The requested fields of a node, as the Graph answers `?fields=`."""
    names = _checked_fields(node_type, fields)
    return {name: node[name] for name in names if name in node}


def _checked_fields(node_type: str, fields: str | None) -> tuple[str, ...]:
    """The field names asked for (or the defaults); the Graph's (#100) for an unknown one."""
    names = DEFAULT_FIELDS[node_type] if not fields else _field_names(fields)
    for name in names:
        if name not in KNOWN_FIELDS[node_type]:
            message = f"(#100) Tried accessing nonexisting field ({name}) on node type "
            raise GraphError(f"{message}({node_type})", 100)
    return names


def _field_names(fields: str) -> tuple[str, ...]:
    # Nested selections (attachments{media}) and modifiers (picture.type(large)) name the field
    # before the brace or dot.
    flat = re.sub(r"\{[^{}]*\}", "", fields)
    return tuple(re.split(r"[.{(]", f.strip())[0] for f in flat.split(",") if f.strip())


def _limit(request: Request) -> int:
    """The page size asked: 25 by default, and never more than Graph's 100."""
    raw = request.arg("limit") or str(PAGE_LIMIT_DEFAULT)
    limit = min(int(raw), PAGE_LIMIT_MAX) if raw.isdigit() else PAGE_LIMIT_DEFAULT
    return max(limit, 1)


def _number(post: PagePost) -> int:
    """The post's place in the Page's history: ids grow with time ("<page>_<n>")."""
    return int(post.id.rsplit("_", 1)[1])


def _cursor(post: PagePost) -> str:
    return base64.urlsafe_b64encode(f"fake:{_number(post)}".encode()).decode().rstrip("=")


def _uncursor(cursor: str, name: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(text.removeprefix("fake:"))
    except ValueError as error:
        raise GraphError(f"(#100) The {name} cursor is invalid", 100) from error


def _usage(request: Request, percent: int) -> tuple[tuple[str, str], ...]:
    match = VERSIONED.fullmatch(request.path)
    usage = {"call_count": percent, "total_cputime": min(percent, 10), "total_time": percent}
    return (
        ("x-app-usage", json.dumps(usage, separators=(",", ":"))),
        ("facebook-api-version", match.group(1) if match else "v19.0"),
        ("x-fb-trace-id", _trace_id()),
    )


def _trace_id() -> str:
    return base64.b64encode(secrets.token_bytes(8)).decode()[:11]


def _error(
    error: GraphError, request: Request, *, status: int = 400, usage_percent: int = 0
) -> Response:
    payload = {"error": {**error.payload, "fbtrace_id": _trace_id()}}
    headers = (*_usage(request, usage_percent), ("www-authenticate", _www_authenticate(error)))
    return json_response(
        status, payload, content_type=CONTENT_TYPE, ascii_only=True, headers=headers
    )


def _www_authenticate(error: GraphError) -> str:
    message = str(error.payload["message"]).replace('"', "'")
    return f'OAuth "Facebook Platform" "invalid_request" "{message}"'
