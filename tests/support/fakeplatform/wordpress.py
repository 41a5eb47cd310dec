"""A fake WordPress site: the REST API (wp/v2) behind application-password Basic auth.

It answers at the site root: ``GET /`` carries the ``Link: <.../wp-json/>;
rel="https://api.w.org/"`` discovery header, ``/wp-json/...`` (or ``/?rest_route=``)
is the REST API, published posts are served at their pretty permalinks and uploads
under ``/wp-content/uploads/``. Errors have WordPress's ``{"code", "message", "data":
{"status"}}`` shape. A "5xx" fault is the maintenance-mode 503; a "429" fault is what a
host's proxy answers (WordPress itself has no rate limit): HTML with Retry-After.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import itertools
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

from tests.support.fakeplatform.media import sniff_image
from tests.support.fakeplatform.platform import Env, Platform
from tests.support.fakeplatform.wire import (
    BadBody,
    Request,
    Response,
    Upload,
    html_response,
    json_response,
)
from tests.support.fakeplatform.wptext import (
    autop,
    excerpt_from,
    sanitize_file_name,
    sanitize_title,
    texturize,
)

API_REL = "https://api.w.org/"
CONTENT_TYPE = "application/json; charset=UTF-8"
STATUSES = ("publish", "future", "draft", "pending", "private")
#: Statuses whose post has no date of its own until published.
UNDATED = ("draft", "pending")
PUBLIC = ("publish",)
UNCATEGORIZED = 1
MAINTENANCE = "Briefly unavailable for scheduled maintenance. Check back in a minute."
MAINTENANCE_RETRY_S = 600
NAMESPACES = ["oembed/1.0", "wp/v2", "wp-site-health/v1", "wp-block-editor/v1"]
TAXONOMIES = {"tags": "post_tag", "categories": "category"}
NOT_LOGGED_IN = "You are not currently logged in."


class WPError(Exception):
    """A WP_Error to answer with: code, message, HTTP status and extra data."""

    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data

    def response(self) -> Response:
        extra = {k: v for k, v in self.data.items() if k == "additional_errors"}
        data = {k: v for k, v in self.data.items() if k != "additional_errors"}
        payload = {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **data},
            **extra,
        }
        return json_response(self.status, payload, content_type=CONTENT_TYPE, ascii_only=True)


def invalid_param(name: str, reason: str) -> WPError:
    return WPError(
        400, "rest_invalid_param", f"Invalid parameter(s): {name}", params={name: reason}
    )


@dataclass(frozen=True)
class WPUser:
    id: int
    login: str


@dataclass
class WPPost:
    id: int
    title: str
    content: str
    excerpt: str
    status: str
    slug: str
    date_gmt: datetime
    #: A draft not yet given a date: its date_gmt shows as null.
    floating: bool
    modified_gmt: datetime
    author: int
    categories: list[int]
    tags: list[int]
    featured_media: int = 0
    format: str = "standard"
    sticky: bool = False
    comment_status: str = "open"
    ping_status: str = "open"


@dataclass
class WPMedia:
    id: int
    slug: str
    title: str
    path: str
    mime: str
    data: bytes
    date_gmt: datetime
    author: int
    alt_text: str = ""
    caption: str = ""
    width: int = 0
    height: int = 0


@dataclass
class WPTerm:
    id: int
    taxonomy: str
    name: str
    slug: str
    description: str = ""
    parent: int = 0


@dataclass(frozen=True)
class Call:
    """One REST call: the request, the authenticated user (if any) and its parameters."""

    request: Request
    env: Env
    user: WPUser | None
    params: dict[str, Any]
    match: re.Match[str]

    @property
    def base(self) -> str:
        return self.env.base_url

    @property
    def context(self) -> str:
        return str(self.params.get("context") or "view")


Route = Callable[[Call], Response]


@dataclass
class _Store:
    posts: dict[int, WPPost] = field(default_factory=dict)
    media: dict[int, WPMedia] = field(default_factory=dict)
    terms: dict[int, WPTerm] = field(default_factory=dict)
    post_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    term_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(2))

    def __post_init__(self) -> None:
        self.terms[UNCATEGORIZED] = WPTerm(
            UNCATEGORIZED, "category", "Uncategorized", "uncategorized"
        )


class WordPress(Platform):
    """A WordPress site with posts, tags, categories, media and the current user."""

    name = "wordpress"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._store = _Store()
        self._routes: list[tuple[frozenset[str], re.Pattern[str], Route]] = [
            (_GET, re.compile(r"/"), self._index),
            (_GET, re.compile(r"/wp/v2/posts"), self._list_posts),
            (_POST, re.compile(r"/wp/v2/posts"), self._create_post),
            (_GET, re.compile(r"/wp/v2/posts/(\d+)"), self._get_post),
            (_EDIT, re.compile(r"/wp/v2/posts/(\d+)"), self._update_post),
            (_DELETE, re.compile(r"/wp/v2/posts/(\d+)"), self._delete_post),
            (_GET, re.compile(r"/wp/v2/(tags|categories)"), self._list_terms),
            (_POST, re.compile(r"/wp/v2/(tags|categories)"), self._create_term),
            (_GET, re.compile(r"/wp/v2/(tags|categories)/(\d+)"), self._get_term),
            (_POST, re.compile(r"/wp/v2/media"), self._upload),
            (_GET, re.compile(r"/wp/v2/media/(\d+)"), self._get_media),
            (_EDIT, re.compile(r"/wp/v2/media/(\d+)"), self._update_media),
            (_GET, re.compile(r"/wp/v2/users/me"), self._me),
        ]

    # ------------------------------------------------------------ the Platform side

    def owns(self, request: Request) -> bool:
        # The site answers every path the other platforms leave.
        return True

    def is_create(self, request: Request) -> bool:
        return request.method == "POST" and _rest_route(request) == "/wp/v2/posts"

    def handle(self, request: Request, env: Env) -> Response:
        route = _rest_route(request)
        if route is None:
            return self._front(request, env).with_headers(_discovery(env))
        try:
            return self._rest(request, env, route)
        except WPError as error:
            return error.response()

    def unavailable(self, request: Request, env: Env) -> Response:
        retry = ("Retry-After", str(MAINTENANCE_RETRY_S))
        if _rest_route(request) is not None and _wants_json(request):
            error = WPError(503, "wp_die", MAINTENANCE, additional_errors=[])
            return error.response().with_headers(retry)
        page = f"<!DOCTYPE html><html><body><p>{MAINTENANCE}</p></body></html>"
        return html_response(503, page, (retry,))

    def rate_limited(self, request: Request, env: Env, seconds: float) -> Response:
        page = (
            "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n"
            "<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n"
        )
        return html_response(429, page, (("Retry-After", str(math.ceil(seconds))),))

    def reset(self) -> None:
        with self._lock:
            self._store = _Store()

    # ------------------------------------------------------------ REST plumbing

    def _rest(self, request: Request, env: Env, route: str) -> Response:
        user = _authenticate(request, env)
        for methods, pattern, handler in self._routes:
            match = pattern.fullmatch(route)
            if match and request.method in methods:
                call = Call(request, env, user, _params(request), match)
                response = handler(call)
                return response.with_headers(("Allow", _allow(route, self._routes)))
        raise WPError(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )

    def _index(self, call: Call) -> Response:
        settings = call.env.settings
        offset = datetime.now(ZoneInfo(settings.wp_timezone)).utcoffset()
        routes = {
            pattern.pattern: {"namespace": "" if pattern.pattern == "/" else "wp/v2"}
            for _, pattern, _ in self._routes
        }
        index = {
            "name": settings.wp_title,
            "description": "",
            "url": call.base,
            "home": call.base,
            "gmt_offset": (offset.total_seconds() / 3600) if offset else 0,
            "timezone_string": settings.wp_timezone,
            "namespaces": NAMESPACES,
            "authentication": {
                "application-passwords": {
                    "endpoints": {
                        "authorization": f"{call.base}/wp-admin/authorize-application.php"
                    }
                }
            },
            "routes": routes,
            "site_logo": 0,
            "site_icon": 0,
            "site_icon_url": "",
            "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
        }
        return _json(200, index)

    # ------------------------------------------------------------ posts

    def _list_posts(self, call: Call) -> Response:
        statuses = _statuses(call)
        slugs = set(_list_param(call.params.get("slug")))
        include = {int(i) for i in _list_param(call.params.get("include")) if str(i).isdigit()}
        search = str(call.params.get("search") or "").lower()
        with self._lock:
            posts = [
                p
                for p in self._store.posts.values()
                if p.status in statuses
                and (not slugs or p.slug in slugs)
                and (not include or p.id in include)
                and (not search or search in (p.title + " " + p.content).lower())
            ]
            posts.sort(key=lambda p: (p.date_gmt, p.id), reverse=True)
            page, total, pages = _page_of(posts, call.params)
            items = [self._post_json(p, call) for p in page]
        response = _json(200, items, total=total, pages=pages, fields=call.params.get("_fields"))
        return response.with_headers(*_page_links(call, pages))

    def _get_post(self, call: Call) -> Response:
        with self._lock:
            post = self._post(call)
            if post.status not in PUBLIC and call.user is None:
                raise WPError(401, "rest_forbidden", "Sorry, you are not allowed to do that.")
            _require_edit_context(call)
            return _json(200, self._post_json(post, call), fields=call.params.get("_fields"))

    def _create_post(self, call: Call) -> Response:
        if call.user is None:
            message = "Sorry, you are not allowed to create posts as this user."
            raise WPError(401, "rest_cannot_create", message)
        with self._lock:
            changes = self._post_changes(call)
            if not any(changes.get(k) for k in ("title", "content", "excerpt")):
                raise WPError(400, "empty_content", "Content, title, and excerpt are empty.")
            post = self._new_post(call, changes)
            self._store.posts[post.id] = post
            body = self._post_json(post, replace(call, params={**call.params, "context": "edit"}))
        call.env.record("post", str(post.id), _recorded(call))
        location = ("Location", f"{call.base}/wp-json/wp/v2/posts/{post.id}")
        return _json(201, body).with_headers(location)

    def _update_post(self, call: Call) -> Response:
        if call.user is None:
            raise WPError(401, "rest_cannot_edit", "Sorry, you are not allowed to edit this post.")
        with self._lock:
            post = self._post(call)
            changes = self._post_changes(call)
            for name, value in changes.items():
                setattr(post, name, value)
            post.modified_gmt = _now()
            self._settle(post)
            edit_call = replace(call, params={**call.params, "context": "edit"})
            return _json(200, self._post_json(post, edit_call))

    def _delete_post(self, call: Call) -> Response:
        if call.user is None:
            message = "Sorry, you are not allowed to delete this post."
            raise WPError(401, "rest_cannot_delete", message)
        edit_call = replace(call, params={**call.params, "context": "edit"})
        with self._lock:
            post = self._post(call)
            if str(call.params.get("force")).lower() in ("true", "1"):
                del self._store.posts[post.id]
                return _json(200, {"deleted": True, "previous": self._post_json(post, edit_call)})
            post.status = "trash"
            return _json(200, self._post_json(post, edit_call))

    def _post(self, call: Call) -> WPPost:
        post = self._store.posts.get(int(call.match.group(1)))
        if post is None:
            raise WPError(404, "rest_post_invalid_id", "Invalid post ID.")
        return post

    def _new_post(self, call: Call, changes: dict[str, Any]) -> WPPost:
        now = _now()
        assert call.user is not None
        post = WPPost(
            id=next(self._store.post_ids),
            title="",
            content="",
            excerpt="",
            status="draft",
            slug="",
            date_gmt=now,
            floating=True,
            modified_gmt=now,
            author=call.user.id,
            categories=[],
            tags=[],
        )
        for name, value in changes.items():
            setattr(post, name, value)
        if not post.categories:
            post.categories = [UNCATEGORIZED]
        self._settle(post)
        return post

    def _settle(self, post: WPPost) -> None:
        """Apply WordPress's rules: dated once out of draft, future vs publish by date, and
        a unique slug once public."""
        if post.status not in UNDATED and post.floating:
            post.date_gmt, post.floating = _now(), False
        if post.status == "publish" and post.date_gmt > _now():
            post.status = "future"
        elif post.status == "future" and post.date_gmt <= _now():
            post.status = "publish"
        if post.slug or post.status not in UNDATED:
            wanted = post.slug or sanitize_title(post.title) or str(post.id)
            post.slug = self._unique_slug(wanted, post.id)

    def _unique_slug(self, wanted: str, post_id: int) -> str:
        taken = {p.slug for p in self._store.posts.values() if p.id != post_id}
        slug, suffix = wanted, 2
        while slug in taken:
            slug, suffix = f"{wanted}-{suffix}", suffix + 1
        return slug

    def _post_changes(self, call: Call) -> dict[str, Any]:
        """The post fields the parameters set, checked as WordPress checks them."""
        params = call.params
        changes: dict[str, Any] = {}
        for name in ("title", "content", "excerpt"):
            if name in params:
                changes[name] = _raw_text(name, params[name])
        if "status" in params:
            if params["status"] not in STATUSES:
                raise invalid_param("status", f"status is not one of {', '.join(STATUSES)}.")
            changes["status"] = params["status"]
        if "slug" in params:
            changes["slug"] = sanitize_title(str(params["slug"]))
        changes.update(_dates(params, ZoneInfo(call.env.settings.wp_timezone)))
        for name, taxonomy in (("tags", "post_tag"), ("categories", "category")):
            if name in params:
                ids = _int_list(name, params[name])
                terms = self._store.terms
                changes[name] = [i for i in ids if i in terms and terms[i].taxonomy == taxonomy]
        if "featured_media" in params:
            changes["featured_media"] = self._featured(params["featured_media"])
        for name in ("format", "comment_status", "ping_status"):
            if isinstance(params.get(name), str):
                changes[name] = params[name]
        if isinstance(params.get("sticky"), bool):
            changes["sticky"] = params["sticky"]
        return changes

    def _featured(self, value: Any) -> int:
        media_id = _int_value("featured_media", value)
        if media_id and media_id not in self._store.media:
            raise WPError(400, "rest_invalid_featured_media", "Invalid featured media ID.")
        return media_id

    def _post_json(self, post: WPPost, call: Call) -> dict[str, Any]:
        edit = call.context == "edit"
        zone = ZoneInfo(call.env.settings.wp_timezone)
        base = call.base
        title = {"rendered": texturize(post.title)}
        content = {"rendered": autop(post.content), "protected": False}
        excerpt_html = autop(post.excerpt) if post.excerpt else excerpt_from(post.content)
        excerpt = {"rendered": excerpt_html, "protected": False}
        guid = {"rendered": f"{base}/?p={post.id}"}
        if edit:
            title["raw"] = post.title
            content |= {"raw": post.content, "block_version": int("<!-- wp:" in post.content)}
            excerpt["raw"] = post.excerpt
            guid["raw"] = guid["rendered"]
        data: dict[str, Any] = {
            "id": post.id,
            "date": _wp_time(post.date_gmt.astimezone(zone)),
            "date_gmt": None if post.floating else _wp_time(post.date_gmt),
            "guid": guid,
            "modified": _wp_time(post.modified_gmt.astimezone(zone)),
            "modified_gmt": _wp_time(post.modified_gmt),
            "slug": post.slug,
            "status": post.status,
            "type": "post",
            "link": self._permalink(post, base, zone),
            "title": title,
            "content": content,
            "excerpt": excerpt,
            "author": post.author,
            "featured_media": post.featured_media,
            "comment_status": post.comment_status,
            "ping_status": post.ping_status,
            "sticky": post.sticky,
            "template": "",
            "format": post.format,
            "meta": {"footnotes": ""},
            "categories": post.categories,
            "tags": post.tags,
            "_links": _post_links(post, base),
        }
        if edit:
            day = post.date_gmt.astimezone(zone).strftime("%Y/%m/%d")
            data["password"] = ""
            data["permalink_template"] = f"{base}/{day}/%postname%/"
            data["generated_slug"] = post.slug or sanitize_title(post.title)
        return data

    @staticmethod
    def _permalink(post: WPPost, base: str, zone: ZoneInfo) -> str:
        if post.status not in ("publish", "private"):
            return f"{base}/?p={post.id}"
        day = post.date_gmt.astimezone(zone).strftime("%Y/%m/%d")
        return f"{base}/{day}/{post.slug}/"

    # ------------------------------------------------------------ terms

    def _list_terms(self, call: Call) -> Response:
        taxonomy = TAXONOMIES[call.match.group(1)]
        slugs = set(_list_param(call.params.get("slug")))
        search = str(call.params.get("search") or "").lower()
        hide_empty = str(call.params.get("hide_empty")).lower() in ("true", "1")
        with self._lock:
            terms = [
                t
                for t in self._store.terms.values()
                if t.taxonomy == taxonomy
                and (not slugs or t.slug in slugs)
                and (not search or search in t.name.lower() or search in t.slug)
                and (not hide_empty or self._term_count(t) > 0)
            ]
            terms.sort(key=lambda t: t.name.lower())
            page, total, pages = _page_of(terms, call.params)
            items = [self._term_json(t, call.base) for t in page]
        response = _json(200, items, total=total, pages=pages, fields=call.params.get("_fields"))
        return response.with_headers(*_page_links(call, pages))

    def _create_term(self, call: Call) -> Response:
        if call.user is None:
            message = "Sorry, you are not allowed to create terms in this taxonomy."
            raise WPError(401, "rest_cannot_create", message)
        taxonomy = TAXONOMIES[call.match.group(1)]
        name = str(call.params.get("name") or "").strip()
        if not name:
            raise WPError(
                400, "rest_missing_callback_param", "Missing parameter(s): name", params=["name"]
            )
        with self._lock:
            parent = self._term_parent(call, taxonomy)
            slug = sanitize_title(str(call.params.get("slug") or name))
            self._refuse_duplicate(taxonomy, name, slug, parent, bool(call.params.get("slug")))
            description = str(call.params.get("description") or "")
            term = WPTerm(next(self._store.term_ids), taxonomy, name, slug, description, parent)
            self._store.terms[term.id] = term
            body = self._term_json(term, call.base)
        location = ("Location", f"{call.base}/wp-json/wp/v2/{call.match.group(1)}/{term.id}")
        return _json(201, body).with_headers(location)

    def _get_term(self, call: Call) -> Response:
        taxonomy = TAXONOMIES[call.match.group(1)]
        with self._lock:
            term = self._store.terms.get(int(call.match.group(2)))
            if term is None or term.taxonomy != taxonomy:
                raise WPError(404, "rest_term_invalid", "Term does not exist.")
            return _json(200, self._term_json(term, call.base))

    def _term_parent(self, call: Call, taxonomy: str) -> int:
        if taxonomy != "category" or not call.params.get("parent"):
            return 0
        parent = _int_value("parent", call.params["parent"])
        known = self._store.terms.get(parent)
        if known is None or known.taxonomy != "category":
            raise WPError(400, "rest_term_invalid", "Parent term does not exist.")
        return parent

    def _refuse_duplicate(
        self, taxonomy: str, name: str, slug: str, parent: int, slug_given: bool
    ) -> None:
        """Refuse a term WordPress would refuse: same name (per parent) or a taken slug."""
        for term in self._store.terms.values():
            if term.taxonomy != taxonomy:
                continue
            same_name = term.name.lower() == name.lower() or term.slug == sanitize_title(name)
            if same_name and term.parent == parent:
                raise WPError(400, "term_exists", _exists_message(taxonomy), term_id=term.id)
            if slug_given and term.slug == slug:
                message = f"The slug \u201c{slug}\u201d is already in use by another term."
                raise WPError(400, "duplicate_term_slug", message)

    def _term_count(self, term: WPTerm) -> int:
        field_name = "tags" if term.taxonomy == "post_tag" else "categories"
        return sum(
            1
            for p in self._store.posts.values()
            if p.status == "publish" and term.id in getattr(p, field_name)
        )

    def _term_json(self, term: WPTerm, base: str) -> dict[str, Any]:
        kind = "tag" if term.taxonomy == "post_tag" else "category"
        rest = "tags" if term.taxonomy == "post_tag" else "categories"
        data: dict[str, Any] = {
            "id": term.id,
            "count": self._term_count(term),
            "description": term.description,
            "link": f"{base}/{kind}/{term.slug}/",
            # WordPress stores term names with HTML entities escaped.
            "name": term.name.replace("&", "&amp;"),
            "slug": term.slug,
            "taxonomy": term.taxonomy,
            "meta": [],
            "_links": {"self": [{"href": f"{base}/wp-json/wp/v2/{rest}/{term.id}"}]},
        }
        if term.taxonomy == "category":
            data["parent"] = term.parent
        return data

    # ------------------------------------------------------------ media

    def _upload(self, call: Call) -> Response:
        if call.user is None:
            message = "Sorry, you are not allowed to upload media on this site."
            raise WPError(401, "rest_cannot_create", message)
        upload = _uploaded_file(call.request)
        now = _now()
        with self._lock:
            filename = self._unique_file(sanitize_file_name(upload.filename or "file"), now)
            info = sniff_image(upload.data)
            stem = filename.rpartition(".")[0] or filename
            media = WPMedia(
                id=next(self._store.post_ids),
                slug=self._unique_slug(sanitize_title(stem), 0),
                title=str(call.params.get("title") or stem),
                path=f"{now:%Y/%m}/{filename}",
                mime=upload.content_type,
                data=upload.data,
                date_gmt=now,
                author=call.user.id,
                alt_text=str(call.params.get("alt_text") or ""),
                caption=str(call.params.get("caption") or ""),
                width=info.width if info else 0,
                height=info.height if info else 0,
            )
            self._store.media[media.id] = media
        location = ("Location", f"{call.base}/wp-json/wp/v2/media/{media.id}")
        return _json(201, _media_json(media, call, edit=True)).with_headers(location)

    def _unique_file(self, filename: str, now: datetime) -> str:
        taken = {m.path for m in self._store.media.values()}
        stem, dot, extension = filename.rpartition(".")
        if not dot:
            stem, extension = filename, ""
        candidate, number = filename, 1
        while f"{now:%Y/%m}/{candidate}" in taken:
            candidate = f"{stem}-{number}{dot}{extension}"
            number += 1
        return candidate

    def _get_media(self, call: Call) -> Response:
        with self._lock:
            media = self._store.media.get(int(call.match.group(1)))
        if media is None:
            raise WPError(404, "rest_post_invalid_id", "Invalid post ID.")
        return _json(200, _media_json(media, call, edit=call.context == "edit"))

    def _update_media(self, call: Call) -> Response:
        if call.user is None:
            raise WPError(401, "rest_cannot_edit", "Sorry, you are not allowed to edit this post.")
        with self._lock:
            media = self._store.media.get(int(call.match.group(1)))
            if media is None:
                raise WPError(404, "rest_post_invalid_id", "Invalid post ID.")
            for name in ("alt_text", "caption", "title"):
                if name in call.params:
                    setattr(media, name, _raw_text(name, call.params[name]))
            return _json(200, _media_json(media, call, edit=True))

    # ------------------------------------------------------------ users

    def _me(self, call: Call) -> Response:
        user = call.user
        if user is None:
            raise WPError(401, "rest_not_logged_in", NOT_LOGGED_IN)
        _require_edit_context(call)
        base = call.base
        avatar = "https://secure.gravatar.com/avatar/00000000000000000000000000000000?s={}&d=mm&r=g"
        data: dict[str, Any] = {
            "id": user.id,
            "name": user.login,
            "url": "",
            "description": "",
            "link": f"{base}/author/{sanitize_title(user.login)}/",
            "slug": sanitize_title(user.login),
            "avatar_urls": {size: avatar.format(size) for size in ("24", "48", "96")},
            "meta": [],
            "_links": {"self": [{"href": f"{base}/wp-json/wp/v2/users/{user.id}"}]},
        }
        if call.context == "edit":
            data |= {
                "username": user.login,
                "first_name": "",
                "last_name": "",
                "email": f"{sanitize_title(user.login)}@example.org",
                "nickname": user.login,
                "registered_date": "2024-01-01T00:00:00+00:00",
                "roles": ["editor"],
                "capabilities": {"edit_posts": True, "publish_posts": True, "upload_files": True},
                "extra_capabilities": {"editor": True},
                "locale": "fr_FR",
            }
        return _json(200, data, fields=call.params.get("_fields"))

    # ------------------------------------------------------------ the public site

    def _front(self, request: Request, env: Env) -> Response:
        if request.path.startswith("/wp-content/uploads/"):
            return self._uploaded(request.path.removeprefix("/wp-content/uploads/"))
        if request.path == "/" and request.arg("p"):
            return self._shortlink(request.arg("p") or "", env)
        if request.path == "/":
            return html_response(200, _page(env.settings.wp_title, ""))
        match = re.fullmatch(r"/(\d{4})/(\d{2})/(\d{2})/([^/]+)/?", request.path)
        with self._lock:
            post = next(
                (p for p in self._store.posts.values() if match and p.slug == match.group(4)),
                None,
            )
        if post is None or post.status != "publish":
            return html_response(404, _page("Page not found", ""))
        return html_response(200, _page(texturize(post.title), autop(post.content)))

    def _shortlink(self, raw_id: str, env: Env) -> Response:
        with self._lock:
            post = self._store.posts.get(int(raw_id)) if raw_id.isdigit() else None
        if post is None or post.status != "publish":
            return html_response(404, _page("Page not found", ""))
        link = self._permalink(post, env.base_url, ZoneInfo(env.settings.wp_timezone))
        return Response(301, b"", (("Location", link),))

    def _uploaded(self, path: str) -> Response:
        with self._lock:
            media = next((m for m in self._store.media.values() if m.path == path), None)
        if media is None:
            return html_response(404, _page("Page not found", ""))
        return Response(200, media.data, (("Content-Type", media.mime),))


# ---------------------------------------------------------------- requests

_GET = frozenset({"GET", "HEAD"})
_POST = frozenset({"POST"})
_EDIT = frozenset({"POST", "PUT", "PATCH"})
_DELETE = frozenset({"DELETE"})


def _rest_route(request: Request) -> str | None:
    """The REST route a request asks for (via /wp-json/ or ?rest_route=), or None."""
    if request.path == "/wp-json" or request.path.startswith("/wp-json/"):
        return request.path.removeprefix("/wp-json") or "/"
    if request.path in ("/", "/index.php") and request.arg("rest_route") is not None:
        return request.arg("rest_route") or "/"
    return None


def _wants_json(request: Request) -> bool:
    accept = request.header("accept") or ""
    return "json" in accept or request.content_type == "application/json"


def _authenticate(request: Request, env: Env) -> WPUser | None:
    """The user of the Basic credentials, None without any, WPError when they are wrong."""
    scheme, _, encoded = (request.header("authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        login, _, password = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    users = env.settings.wp_users
    if users is None:
        if login and password:
            return WPUser(1, login)
        raise WPError(401, "incorrect_password", _BAD_PASSWORD)
    if login not in users:
        message = "<strong>Error:</strong> Unknown username. Check again or try your email address."
        raise WPError(401, "invalid_username", message)
    # Application passwords are compared without their grouping spaces.
    if _alnum(password) != _alnum(users[login]):
        raise WPError(401, "incorrect_password", _BAD_PASSWORD)
    return WPUser(list(users).index(login) + 1, login)


_BAD_PASSWORD = "The provided password is an invalid application password."


def _alnum(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]", "", text)


def _params(request: Request) -> dict[str, Any]:
    """Query and body parameters merged, the body winning, as WP_REST_Request does."""
    params: dict[str, Any] = _flat(request.query)
    if not request.body or request.method in ("GET", "HEAD"):
        return params
    if request.content_type == "application/json":
        try:
            body = request.json()
        except BadBody as error:
            raise WPError(
                400,
                "rest_invalid_json",
                "Invalid JSON body passed.",
                json_error_code=4,
                json_error_message="Syntax error",
            ) from error
        if isinstance(body, dict):
            params.update(body)
    elif request.content_type == "application/x-www-form-urlencoded":
        params.update(
            _flat(parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        )
    elif request.content_type == "multipart/form-data":
        with contextlib.suppress(BadBody):
            params.update(request.form.fields)
    return params


def _flat(pairs: dict[str, list[str]]) -> dict[str, Any]:
    """Form pairs as WordPress reads them: `name[]` collects a list, else the last value."""
    flat: dict[str, Any] = {}
    for key, values in pairs.items():
        if key.endswith("[]"):
            flat[key[:-2]] = list(values)
        else:
            flat[key] = values[-1]
    return flat


def _list_param(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _int_value(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise invalid_param(name, f"{name} is not of type integer.")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise invalid_param(name, f"{name} is not of type integer.")


def _int_list(name: str, value: Any) -> list[int]:
    items = _list_param(value) if not isinstance(value, list) else value
    ids = []
    for index, item in enumerate(items):
        if isinstance(item, bool) or not (isinstance(item, int) or str(item).strip().isdigit()):
            raise invalid_param(name, f"{name}[{index}] is not of type integer.")
        ids.append(int(item))
    return ids


def _raw_text(name: str, value: Any) -> str:
    """A title, content or excerpt given as a string or as {"raw": ...}."""
    if isinstance(value, dict) and isinstance(value.get("raw"), str):
        return str(value["raw"])
    if isinstance(value, str):
        return value
    raise invalid_param(name, f"{name} is not of type object,string.")


def _dates(params: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """date_gmt (and floating=False) from a `date` (site time) or `date_gmt` parameter."""
    for name, default_zone in (("date_gmt", UTC), ("date", zone)):
        raw = params.get(name)
        if raw is None:
            continue
        try:
            moment = datetime.fromisoformat(str(raw))
        except ValueError as error:
            raise invalid_param(name, "Invalid date.") from error
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=default_zone)
        return {"date_gmt": moment.astimezone(UTC).replace(microsecond=0), "floating": False}
    return {}


def _statuses(call: Call) -> set[str]:
    """The statuses a listing asks for; asking beyond "publish" needs a user."""
    asked = set(_list_param(call.params.get("status"))) or {"publish"}
    if "any" in asked:
        asked = set(STATUSES)
    if asked - set(STATUSES):
        raise invalid_param("status", f"status is not one of {', '.join(STATUSES)}, any.")
    if asked != {"publish"} and call.user is None:
        error = invalid_param("status", "Status is forbidden.")
        error.data["details"] = {
            "status": {
                "code": "rest_forbidden_status",
                "message": "Status is forbidden.",
                "data": {"status": 401},
            }
        }
        raise error
    _require_edit_context(call)
    return asked


def _require_edit_context(call: Call) -> None:
    if call.context == "edit" and call.user is None:
        message = "Sorry, you are not allowed to edit posts in this post type."
        raise WPError(401, "rest_forbidden_context", message)


def _page_of(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], int, int]:
    """(page, total, total pages) for per_page and page, or WordPress's 400."""
    per_page = _int_value("per_page", params.get("per_page", 10))
    if not 1 <= per_page <= 100:
        raise invalid_param(
            "per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)"
        )
    page = _int_value("page", params.get("page", 1))
    if page < 1:
        raise invalid_param("page", "page must be greater than or equal to 1")
    total = len(items)
    pages = math.ceil(total / per_page)
    if total and page > pages:
        message = "The page number requested is larger than the number of pages available."
        raise WPError(400, "rest_post_invalid_page_number", message)
    return items[(page - 1) * per_page : page * per_page], total, pages


def _page_links(call: Call, pages: int) -> tuple[tuple[str, str], ...]:
    """The Link header WordPress adds to a listing: its previous and next pages."""
    page = _int_value("page", call.params.get("page", 1))
    asked = {k: v[-1] for k, v in call.request.query.items() if k != "page"}
    url = f"{call.base}{call.request.path}"
    links = [
        f'<{url}?{urlencode(asked | {"page": str(number)})}>; rel="{rel}"'
        for number, rel in ((page - 1, "prev"), (page + 1, "next"))
        if 1 <= number <= pages
    ]
    return (("Link", ", ".join(links)),) if links else ()


def _uploaded_file(request: Request) -> Upload:
    """The file of a media upload: a multipart `file` part or a raw body with its headers."""
    if request.content_type == "multipart/form-data":
        try:
            upload = request.form.files.get("file")
        except BadBody:
            upload = None
        if upload is None or not upload.data:
            raise WPError(400, "rest_upload_no_data", "No data supplied.")
        return upload
    if not request.body:
        raise WPError(400, "rest_upload_no_data", "No data supplied.")
    if not request.header("content-type"):
        raise WPError(400, "rest_upload_no_content_type", "No Content-Type supplied.")
    disposition = request.header("content-disposition")
    if not disposition:
        raise WPError(400, "rest_upload_no_content_disposition", "No Content-Disposition supplied.")
    message = Message()
    message["content-disposition"] = disposition
    filename = message.get_filename()
    if not filename:
        raise WPError(
            400,
            "rest_upload_invalid_disposition",
            "Invalid Content-Disposition supplied. Content-Disposition needs to be formatted as"
            ' `attachment; filename="image.png"` or similar.',
        )
    return Upload(filename, request.content_type, request.body)


def _recorded(call: Call) -> dict[str, Any]:
    """The create's body as recorded: the JSON or form parameters sent, not the query."""
    if call.request.content_type == "application/json":
        try:
            body = call.request.json()
        except BadBody:
            body = None
        if isinstance(body, dict):
            return body
    return {k: v for k, v in call.params.items() if k not in call.request.query}


# ---------------------------------------------------------------- answers


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _wp_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _json(
    status: int,
    payload: Any,
    *,
    total: int | None = None,
    pages: int | None = None,
    fields: Any = None,
) -> Response:
    if fields:
        payload = _only(payload, _list_param(fields))
    headers: tuple[tuple[str, str], ...] = (("X-Content-Type-Options", "nosniff"),)
    if total is not None and pages is not None:
        headers += (("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages)))
    return json_response(
        status, payload, content_type=CONTENT_TYPE, ascii_only=True, headers=headers
    )


def _only(payload: Any, fields: list[str]) -> Any:
    """The `_fields` the client asked for (top-level names; "a.b" keeps "a")."""
    wanted = {f.split(".")[0] for f in fields}
    if isinstance(payload, list):
        return [_only(item, fields) for item in payload]
    if isinstance(payload, dict):
        return {k: v for k, v in payload.items() if k in wanted}
    return payload


def _allow(route: str, routes: list[tuple[frozenset[str], re.Pattern[str], Route]]) -> str:
    methods = sorted({m for ms, p, _ in routes if p.fullmatch(route) for m in ms} - {"HEAD"})
    return ", ".join(methods)


def _discovery(env: Env) -> tuple[str, str]:
    return ("Link", f'<{env.base_url}/wp-json/>; rel="{API_REL}"')


def _exists_message(taxonomy: str) -> str:
    if taxonomy == "category":
        return "A term with the name provided already exists with this parent."
    return "A term with the name provided already exists in this taxonomy."


def _post_links(post: WPPost, base: str) -> dict[str, Any]:
    links: dict[str, Any] = {
        "self": [{"href": f"{base}/wp-json/wp/v2/posts/{post.id}"}],
        "collection": [{"href": f"{base}/wp-json/wp/v2/posts"}],
        "author": [{"embeddable": True, "href": f"{base}/wp-json/wp/v2/users/{post.author}"}],
    }
    if post.featured_media:
        href = f"{base}/wp-json/wp/v2/media/{post.featured_media}"
        links["wp:featuredmedia"] = [{"embeddable": True, "href": href}]
    return links


def _media_json(media: WPMedia, call: Call, *, edit: bool) -> dict[str, Any]:
    zone = ZoneInfo(call.env.settings.wp_timezone)
    base = call.base
    title: dict[str, Any] = {"rendered": texturize(media.title)}
    caption: dict[str, Any] = {"rendered": autop(media.caption)}
    description: dict[str, Any] = {"rendered": ""}
    if edit:
        title["raw"], caption["raw"], description["raw"] = media.title, media.caption, ""
    data: dict[str, Any] = {
        "id": media.id,
        "date": _wp_time(media.date_gmt.astimezone(zone)),
        "date_gmt": _wp_time(media.date_gmt),
        "guid": {"rendered": f"{base}/wp-content/uploads/{media.path}"},
        "modified": _wp_time(media.date_gmt.astimezone(zone)),
        "modified_gmt": _wp_time(media.date_gmt),
        "slug": media.slug,
        "status": "inherit",
        "type": "attachment",
        "link": f"{base}/?attachment_id={media.id}",
        "title": title,
        "author": media.author,
        "comment_status": "open",
        "ping_status": "closed",
        "template": "",
        "meta": [],
        "description": description,
        "caption": caption,
        "alt_text": media.alt_text,
        "media_type": "image" if media.mime.startswith("image/") else "file",
        "mime_type": media.mime,
        "media_details": {
            "width": media.width,
            "height": media.height,
            "file": media.path,
            "filesize": len(media.data),
            "sizes": {},
            "image_meta": {},
        },
        "post": None,
        "source_url": f"{base}/wp-content/uploads/{media.path}",
        "_links": {"self": [{"href": f"{base}/wp-json/wp/v2/media/{media.id}"}]},
    }
    return data


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="fr-FR">\n<head><meta charset="UTF-8">'
        f"<title>{title}</title></head>\n<body><h1>{title}</h1>\n{body}</body>\n</html>\n"
    )
