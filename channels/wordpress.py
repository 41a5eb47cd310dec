"""WordPress adapter: publishes a post through the REST API (wp/v2) with an application password.

The post carries the Markdown body as sanitised HTML, an excerpt, the item's tags
(found by name or created), the configured category, and the item's image as the
featured image. Events get their date and place at the top of the content.

How it stays idempotent: every delivery gets a deterministic slug (the title made
ASCII plus the first 8 characters of the delivery key), so `find_existing` (and
`publish` itself, before creating) can ask WordPress for the post by slug. The
featured image, uploaded first, is remembered through `save_progress` so a retry
does not upload it again.

Limits worth knowing:
- a post moved to the bin is not found again (WordPress's status=any leaves out
  trashed posts), so a retry after the officer binned it posts it anew;
- only the post creation can be Ambiguous: a failure while looking terms up,
  creating tags or uploading the image published nothing (at worst an unused
  image stays in the media library) and is Transient.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import field_validator

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
from channels.text import (
    capitalise,
    event_when,
    markdown_to_html,
    markdown_to_plain,
    slugify,
)
from channels.transport import transport_rule
from crosspost.domain import Item
from crosspost.secrets import MissingSecret, SecretSource

if TYPE_CHECKING:
    import requests

#: The rel of the Link header by which a WordPress site announces its REST API root.
API_REL = "https://api.w.org/"
#: Image types WordPress accepts for upload by default, by file extension.
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
#: Wait used when WordPress (or its host) answers 429 without a usable Retry-After.
DEFAULT_RATE_LIMIT_WAIT = timedelta(minutes=1)
#: Longest excerpt we write; WordPress's own automatic excerpt is 55 words.
EXCERPT_CHARS = 300
#: Longest part of the slug taken from the title (WordPress allows 200 in all).
SLUG_TITLE_CHARS = 60
ROLE_HINT = (
    "the WordPress user needs the Author role or above to publish "
    "(Contributor is enough for drafts; creating a category needs Editor)"
)

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TAG = re.compile(r"<[^>]+>")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


class WordPressSettings(ChannelSettings):
    """`[channels.NAME]` for a WordPress site."""

    #: The site's address, as visitors type it (https://blog.example.org).
    site_url: str
    #: The WordPress user the application password belongs to.
    username: str
    #: Name of the variable (environment or secrets file) holding the application password.
    app_password_env: str = "WP_APP_PASSWORD"
    status: Literal["publish", "draft"] = "publish"
    #: Category every post goes in (created if missing); WordPress's default if unset.
    category: str | None = None
    #: The REST API root, when it cannot be discovered from the site
    #: (https://example.org/wp-json/ or https://example.org/?rest_route=/).
    rest_root: str | None = None

    @field_validator("site_url", "rest_root")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http(s) address like https://example.org, got {value!r}")
        return value.strip()

    @field_validator("site_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("username", "category")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value.strip() if value is not None else None

    @field_validator("app_password_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.fullmatch(value):
            raise ValueError(
                f"app_password_env must be a variable name like WP_APP_PASSWORD, got {value!r}"
            )
        return value


# ---------------------------------------------------------------- pure helpers


def post_slug(title: str, key: str) -> str:
    """The slug of a delivery's post: the title in ASCII, then the key's first 8 characters."""
    suffix = _NOT_SLUG.sub("", key.lower())[:8]
    return f"{slugify(title, SLUG_TITLE_CHARS)}-{suffix}"


def endpoint_url(root: str, route: str) -> str:
    """The URL of `route` ("wp/v2/posts") under a REST root of either form.

    Pretty permalinks give https://example.org/wp-json/; without them (or when the
    rewrite is broken) the API is only at https://example.org/?rest_route=/.
    """
    parts = urlsplit(root)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "rest_route" for name, _ in query):
        query = [
            (name, f"{value.rstrip('/')}/{route}" if name == "rest_route" else value)
            for name, value in query
        ]
        return urlunsplit(parts._replace(query=urlencode(query, safe="/")))
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}/{route}"))


def fallback_root(site_url: str) -> str:
    """The REST root every WordPress answers on, pretty permalinks or not."""
    return f"{site_url}/?rest_route=/"


def excerpt_of(safe_html: str, fallback: str = "") -> str:
    """The first paragraph's text (else `fallback`), cut on a word near EXCERPT_CHARS.

    Taken from the sanitised HTML, so whatever the sanitiser removed stays out too.
    """
    paragraph = _FIRST_PARAGRAPH.search(safe_html)
    text = html.unescape(_TAG.sub("", paragraph.group(1))) if paragraph else fallback
    first = " ".join(text.split())
    if len(first) <= EXCERPT_CHARS:
        return first
    return first[:EXCERPT_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def clean_message(message: object) -> str:
    """WordPress's error message as text (some carry <strong>Error:</strong>)."""
    return html.unescape(_TAG.sub("", str(message))).strip()


def same_term(name: str, wanted: str) -> bool:
    """Whether a term name WordPress returns is `wanted` (it stores & as &amp;)."""
    return html.unescape(name).strip().casefold() == wanted.strip().casefold()


def retry_at(response: requests.Response, now: datetime) -> datetime:
    """When to try again after a 429, from Retry-After (seconds or an HTTP date)."""
    raw = (response.headers.get("Retry-After") or "").strip()
    if raw.isdigit():
        return now + timedelta(seconds=int(raw))
    try:
        when = parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError):
        when = None
    if when is not None and when.tzinfo is not None:
        return max(when.astimezone(UTC), now)
    return now + DEFAULT_RATE_LIMIT_WAIT


# ---------------------------------------------------------------- error classification

#: "Unsure" outcomes become Ambiguous for the post creation (the post may exist) and
#: Transient for every other request (nothing was published).
Unsure = Literal["unsure"]
Outcome = type[ChannelError] | Unsure


@dataclass(frozen=True)
class ErrorRule:
    """What a WordPress error answer means for the delivery, and what to tell the officer."""

    #: WordPress's error `code` ("rest_cannot_create"), or None to match on status only.
    code: str | None
    #: HTTP statuses the row applies to (empty: any).
    statuses: tuple[int, ...]
    outcome: Outcome
    #: Said before WordPress's own message; `{env}` is the password's variable name.
    advice: str


_RENEW = (
    "WordPress refused the application password: create a new one "
    "(Users > Profile > Application Passwords) and put it in {env}"
)

#: First match wins. A row with a code needs that code; statuses narrow it further.
#: Codes not listed fall to the status rows at the end.
#: https://developer.wordpress.org/rest-api/using-the-rest-api/authentication/
ERROR_RULES: tuple[ErrorRule, ...] = (
    ErrorRule(None, (429,), RateLimited, "WordPress (or its host) asks to slow down"),
    ErrorRule("incorrect_password", (), AuthExpired, _RENEW),
    ErrorRule("invalid_username", (), AuthExpired,
              "WordPress does not know this username: check `username` and {env}"),
    ErrorRule("invalid_email", (), AuthExpired,
              "WordPress does not know this e-mail address: check `username` and {env}"),
    ErrorRule("rest_not_logged_in", (), AuthExpired, _RENEW),
    ErrorRule("application_passwords_disabled", (), AuthExpired,
              "application passwords are turned off on this site (they need HTTPS, "
              "and some security plugins disable them)"),
    ErrorRule("application_passwords_disabled_for_user", (), AuthExpired,
              "application passwords are turned off for this user"),
    # A wrong password on a create is answered rest_cannot_create with 401, not 403.
    ErrorRule(None, (401,), AuthExpired, _RENEW),
    ErrorRule("rest_cannot_create", (), Permanent, ROLE_HINT),
    ErrorRule("rest_cannot_publish", (), Permanent, ROLE_HINT),
    ErrorRule("rest_cannot_assign_term", (), Permanent, ROLE_HINT),
    ErrorRule("rest_forbidden_status", (), Permanent, ROLE_HINT),
    ErrorRule("rest_no_route", (), Permanent,
              "this REST route does not exist: check site_url (or rest_root) points at "
              "WordPress and that no plugin disables the REST API"),
    ErrorRule("rest_upload_sideload_error", (), Permanent, "WordPress refused the image"),
    ErrorRule(None, (408,), "unsure", "WordPress took too long to answer"),
    ErrorRule(None, tuple(range(500, 600)), "unsure", "WordPress had a server error"),
    ErrorRule(None, tuple(range(400, 500)), Permanent, "WordPress refused the post"),
)  # fmt: skip

_UNEXPECTED = ErrorRule(None, (), "unsure", "WordPress gave an unexpected answer")


def rule_for(status: int, code: str | None) -> ErrorRule:
    """The row of ERROR_RULES for an HTTP status and WordPress error code."""
    for rule in ERROR_RULES:
        if rule.code is not None and rule.code != code:
            continue
        if rule.statuses and status not in rule.statuses:
            continue
        return rule
    return _UNEXPECTED


def error_fields(body: object) -> tuple[str | None, str, int | None]:
    """(code, message, status) of a WordPress error body, looking inside rest_invalid_param.

    Without a valid login, `status=any` is refused as an invalid parameter whose
    details say rest_forbidden_status with the real status (401): that is a login
    problem, not a bad request.
    """
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return None, "", None
    code, message = str(body["code"]), clean_message(body.get("message", ""))
    data = _mapping(body.get("data"))
    for value in _mapping(data.get("details")).values():
        detail = _mapping(value)
        if detail.get("code") == "rest_forbidden_status":
            inner_status = _int(_mapping(detail.get("data")).get("status"))
            return "rest_forbidden_status", message, inner_status
    return code, message, _int(data.get("status"))


def _mapping(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else empty: WordPress bodies vary by plugin."""
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int | None:
    """`value` if it is a JSON integer, else None."""
    return value if isinstance(value, int) else None


# ---------------------------------------------------------------- the adapter


@dataclass(frozen=True)
class Call:
    """One REST request and what a failure of it can mean."""

    method: str
    route: str
    #: Whether this request can create the post (its failures may then be Ambiguous).
    creates_post: bool = False
    #: What the request is doing, for messages ("looking up tag 'Lyon'").
    doing: str = ""


class WordPressChannel(Channel):
    """Publishes items as WordPress posts through the REST API."""

    Settings = WordPressSettings
    default_label = "Blog"
    supports_lookup = True
    supports_update = True
    #: PHP stops a request after 30 s by default: a post still being created when our
    #: answer was lost shows up well within this.
    settling_delay = timedelta(minutes=1)

    def __init__(self, name: str, settings: ChannelSettings, secrets: SecretSource) -> None:
        super().__init__(name, settings, secrets)
        self._rest_root: str | None = None
        self._session: requests.Session | None = None

    @property
    def wp(self) -> WordPressSettings:
        """The settings, typed as this adapter's."""
        assert isinstance(self.settings, WordPressSettings)
        return self.settings

    # ------------------------------------------------------------ render & validate

    def render(self, item: Item, context: RenderContext) -> Rendered:
        """The post as WordPress will get it.

        `request["post"]` is the JSON body sent as is; publish adds what only the
        delivery and the site know: the slug, and the ids of `request["tags"]`,
        `request["categories"]` and of the uploaded `request["featured_image"]`.
        """
        header_html, header_text = self._event_header(item, context)
        link = context.announced_url or item.link
        body_html = markdown_to_html(item.body) if item.body.strip() else ""
        link_html = ""
        if link and link not in item.body:
            safe = html.escape(link, quote=True)
            link_html = f'<p><a href="{safe}">{html.escape(link)}</a></p>'
        content = "\n".join(part for part in (header_html, body_html, link_html) if part)
        plain_body = markdown_to_plain(item.body)
        post: dict[str, Any] = {
            # The title is HTML to WordPress: an officer's "&" must stay a character.
            "title": html.escape(item.title.strip(), quote=False),
            "content": content,
            "excerpt": html.escape(excerpt_of(body_html, header_text), quote=False),
            "status": self.wp.status,
        }
        request: dict[str, Any] = {
            "post": post,
            "tags": _unique(item.tags),
            "categories": [self.wp.category] if self.wp.category else [],
        }
        if item.image_path:
            request["featured_image"] = {"path": item.image_path, "alt_text": item.image_alt or ""}
        if context.role == "announce":
            request["announces"] = context.announced_url
        text = "\n\n".join(p for p in (item.title, header_text, plain_body, link or "") if p)
        return Rendered(channel=self.name, text=text, parts=(text,), request=request)

    def _event_header(self, item: Item, context: RenderContext) -> tuple[str, str]:
        """The event's date and place, as HTML and as text, for the top of the post."""
        if item.kind != "event" or item.event_start is None:
            return "", ""
        when = capitalise(event_when(item.event_start, item.event_end, context.timezone))
        lines = [when, item.location] if item.location else [when]
        markup = f"<strong>{html.escape(when)}</strong>"
        if item.location:
            markup += f"<br>{html.escape(item.location)}"
        return f"<p>{markup}</p>", "\n".join(lines)

    def validate(self, rendered: Rendered) -> list[Problem]:
        request = rendered.request
        problems = super().validate(rendered)
        if not request["post"]["title"].strip():
            problems.append(Problem("error", "a WordPress post needs a title"))
        if "announces" in request and not request["announces"]:
            problems.append(Problem("error", "the announced post has no URL yet"))
        if not request["post"]["content"]:
            problems.append(Problem("warning", "the post has no content, only a title"))
        image = request.get("featured_image")
        if image:
            problems.extend(_image_problems(image))
        return problems

    # ------------------------------------------------------------ publish & look up

    def publish(self, job: PublishJob) -> Receipt:
        # An earlier attempt may have created the post with its answer lost.
        existing = self.find_existing(job)
        if existing is not None:
            return existing
        request = job.rendered.request
        progress = dict(job.delivery.progress or {})
        body = {**request["post"], "slug": self._slug(job)}
        if request["tags"]:
            body["tags"] = [self._term_id("tags", name) for name in request["tags"]]
        if request["categories"]:
            body["categories"] = [self._term_id("categories", n) for n in request["categories"]]
        if request.get("featured_image"):
            body["featured_media"] = self._featured_media(job, progress)
        # Remembered before sending, so the post is found by slug even if the title changes.
        progress["slug"] = body["slug"]
        job.save_progress(progress)
        post = self._call(Call("POST", "wp/v2/posts", creates_post=True), json=body)
        return _receipt(post, what="the created post")

    def update(self, job: PublishJob) -> Receipt:
        """Change the title and content of the post another delivery published (its id),
        keeping its slug, date, status, tags and image: the same request twice is harmless."""
        post_id = job.delivery.announced_remote_id
        if not post_id or not str(post_id).isdigit():
            raise Permanent("no WordPress post to update (the post's id is unknown)")
        post = job.rendered.request["post"]
        body = {"title": post["title"], "content": post["content"], "excerpt": post["excerpt"]}
        call = Call("POST", f"wp/v2/posts/{post_id}", doing=f"updating post {post_id}")
        return _receipt(self._call(call, json=body), what="the updated post")

    def _slug(self, job: PublishJob) -> str:
        """The slug this delivery's post has (or will have)."""
        saved = (job.delivery.progress or {}).get("slug")
        return str(saved) if saved else post_slug(job.delivery.item.title, job.idempotency_key)

    def find_existing(self, job: PublishJob) -> Receipt | None:
        params = {"slug": self._slug(job), "status": "any", "context": "edit"}
        lookup = Call("GET", "wp/v2/posts", doing="looking for the post by its slug")
        found = _json_list(self._call(lookup, params=params), lookup)
        return _receipt(found[0], what="the post found by slug") if found else None

    def _term_id(self, taxonomy: str, name: str) -> int:
        """The id of the tag or category called `name`, created if WordPress has none."""
        search = Call("GET", f"wp/v2/{taxonomy}", doing=f"looking up {taxonomy} {name!r}")
        params = {"search": name, "per_page": 100}
        for term in _json_list(self._call(search, params=params), search):
            if isinstance(term, dict) and same_term(str(term.get("name", "")), name):
                return int(term["id"])
        create = Call("POST", f"wp/v2/{taxonomy}", doing=f"creating {taxonomy} {name!r}")
        try:
            return int(self._call(create, json={"name": name})["id"])
        except _TermExists as exists:
            # WordPress compares names after its own escaping and collation, which our
            # search cannot reproduce: it tells us the term it matched.
            return exists.term_id

    def _featured_media(self, job: PublishJob, progress: dict[str, Any]) -> int:
        """The media id of the post's image: uploaded once per delivery, alt text set."""
        image: Mapping[str, str] = job.rendered.request["featured_image"]
        if progress.get("featured_media") and progress.get("image") == image["path"]:
            return int(progress["featured_media"])
        path = Path(image["path"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise Permanent(f"cannot read the image {path}: {error.strerror}") from error
        headers = {
            "Content-Type": IMAGE_TYPES.get(path.suffix.lower(), "application/octet-stream"),
            "Content-Disposition": f'attachment; filename="{_upload_name(path)}"',
        }
        upload = Call("POST", "wp/v2/media", doing=f"uploading the image {path.name}")
        media_id = int(self._call(upload, data=data, headers=headers)["id"])
        progress.update(featured_media=media_id, image=image["path"])
        job.save_progress(progress)
        if image.get("alt_text"):
            alt = Call("POST", f"wp/v2/media/{media_id}", doing="setting the image's alt text")
            self._call(alt, json={"alt_text": image["alt_text"]})
        return media_id

    # ------------------------------------------------------------ check

    def check(self) -> CheckResult:
        whoami = Call("GET", "wp/v2/users/me", doing="checking the login")
        me = self._call(whoami, params={"context": "edit"})
        if not isinstance(me, dict):
            raise Permanent("WordPress answered the login check with something else than a user")
        roles = ", ".join(str(r) for r in me.get("roles") or []) or "no role"
        who = f"logged in to {self.wp.site_url} as {me.get('name') or self.wp.username} ({roles})"
        needed = "publish_posts" if self.wp.status == "publish" else "edit_posts"
        if not (me.get("capabilities") or {}).get(needed):
            return CheckResult(False, f"{who}, who cannot {needed.replace('_', ' ')}: {ROLE_HINT}")
        return CheckResult(True, who)

    # ------------------------------------------------------------ HTTP plumbing

    def _call(self, call: Call, **kwargs: Any) -> Any:
        """Send one authenticated REST request; its JSON answer, or a classified error."""
        import requests

        url = endpoint_url(self.rest_root(), call.route)
        try:
            response = self._http().request(
                call.method,
                url,
                auth=(self.wp.username, self._password()),
                timeout=self._timeout(),
                # A redirected POST would silently become a GET: better to say so.
                allow_redirects=False,
                **kwargs,
            )
        except requests.RequestException as error:
            raise self._network_error(call, error) from error
        if 300 <= response.status_code < 400:
            where = response.headers.get("Location", "elsewhere")
            raise Permanent(
                f"WordPress redirects {call.route} to {where}: set site_url (or rest_root) "
                "to the site's final address"
            )
        if response.status_code >= 300:
            raise self._http_error(call, response)
        try:
            return response.json()
        except ValueError:
            raise self._not_json(call, response) from None

    def _http_error(self, call: Call, response: requests.Response) -> ChannelError:
        """The ChannelError an error answer means, from ERROR_RULES."""
        try:
            body = response.json()
        except ValueError:
            body = None
        code, message, inner_status = error_fields(body)
        status = response.status_code
        if code is None and status < 500 and status not in (401, 408, 429):
            return self._not_json(call, response)
        if code == "rest_forbidden_status" and inner_status == 401:
            status = 401
        term_id = _existing_term_id(body) if code == "term_exists" else None
        if term_id is not None:
            return _TermExists(message, term_id)
        return self._as_error(rule_for(status, code), call, response, code, message)

    def _as_error(
        self,
        rule: ErrorRule,
        call: Call,
        response: requests.Response,
        code: str | None,
        message: str,
    ) -> ChannelError:
        """The error `rule` says, with its advice, what we were doing, and WordPress's words."""
        said = f" ({code}: {message})" if code else f" (HTTP {response.status_code})"
        doing = f" while {call.doing}" if call.doing else ""
        text = rule.advice.format(env=self.wp.app_password_env) + doing + said
        outcome = rule.outcome
        if outcome == "unsure":
            outcome = Ambiguous if call.creates_post else Transient
        if outcome is RateLimited:
            return RateLimited(text, retry_at(response, datetime.now(UTC)))
        assert isinstance(outcome, type)
        return outcome(text)

    def _not_json(self, call: Call, response: requests.Response) -> ChannelError:
        """An answer that is not WordPress's JSON (a firewall's page, another site...)."""
        kind = response.headers.get("Content-Type", "no Content-Type").split(";")[0]
        text = (
            f"{self.wp.site_url} answered {call.route} with HTTP {response.status_code} "
            f"and {kind}, not WordPress JSON: a security plugin or firewall may block the "
            "REST API, or site_url (rest_root) is not the WordPress address"
        )
        # The post may have been created behind that page; find_existing will tell.
        return Ambiguous(text) if call.creates_post else Permanent(text)

    def _network_error(self, call: Call, error: Exception) -> ChannelError:
        """The ChannelError a failure to get any answer means, from channels.transport."""
        rule = transport_rule(error)
        doing = f" while {call.doing}" if call.doing else ""
        text = f"{self.wp.site_url}: {rule.says}{doing} ({type(error).__name__})"
        if rule.maybe_sent and call.creates_post:
            return Ambiguous(f"{text}: the post may have been published")
        return Transient(text)

    def rest_root(self) -> str:
        """The site's REST API root: configured, announced by the site, or ?rest_route=."""
        if self._rest_root is None:
            self._rest_root = self.wp.rest_root or self._discover_root()
        return self._rest_root

    def _discover_root(self) -> str:
        """The root the site announces in its Link header (HEAD, then GET), else ?rest_route=."""
        import requests

        site = self.wp.site_url
        for method in ("HEAD", "GET"):
            try:
                response = self._http().request(
                    method, f"{site}/", timeout=self._timeout(), allow_redirects=True
                )
            except requests.RequestException as error:
                # Nothing is published by reading the home page, whatever happened.
                says = transport_rule(error).says
                raise Transient(f"{site}: {says} ({type(error).__name__})") from error
            announced = response.links.get(API_REL, {}).get("url")
            if announced:
                return _trusted_root(announced, site, response.url)
        return fallback_root(site)

    def _http(self) -> requests.Session:
        """One session per adapter, so connections to the site are reused."""
        if self._session is None:
            import requests

            self._session = requests.Session()
            # Some security plugins block the default python-requests agent outright.
            self._session.headers["User-Agent"] = "Crosspost (WordPress channel)"
        return self._session

    def _password(self) -> str:
        """The application password; a missing one pauses the channel like a revoked one."""
        try:
            return str(self.secrets.get(self.wp.app_password_env))
        except MissingSecret as missing:
            raise AuthExpired(str(missing)) from missing

    def _timeout(self) -> tuple[float, float]:
        """(connect, read) seconds: a dead host is noticed sooner than a slow answer."""
        return (min(10.0, self.settings.timeout), self.settings.timeout)


class _TermExists(Permanent):
    """WordPress refused to create a term because it has one by that name (term_exists)."""

    def __init__(self, message: str, term_id: int) -> None:
        super().__init__(message)
        self.term_id = term_id


# ---------------------------------------------------------------- small helpers


def _unique(names: tuple[str, ...]) -> list[str]:
    """Names without blanks or case-insensitive repeats, in order."""
    seen: set[str] = set()
    kept = []
    for name in (n.strip() for n in names):
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return kept


def _json_list(answer: Any, call: Call) -> list[Any]:
    """A collection answer, which must be a JSON list."""
    if not isinstance(answer, list):
        raise Permanent(f"WordPress answered {call.route} with {type(answer).__name__}, not a list")
    return answer


def _existing_term_id(body: Any) -> int | None:
    """The id term_exists carries in data.term_id (WordPress 4.7 and later)."""
    return _int(_mapping(_mapping(body).get("data")).get("term_id"))


def _image_problems(image: Mapping[str, str]) -> list[Problem]:
    """What stops the featured image from being uploaded, or makes it less accessible."""
    path = Path(image["path"])
    if path.suffix.lower() not in IMAGE_TYPES:
        kinds = ", ".join(sorted(IMAGE_TYPES))
        return [Problem("error", f"WordPress takes {kinds} images, not {path.name}")]
    if not path.is_file():
        return [Problem("error", f"the image {path} does not exist")]
    if not image.get("alt_text"):
        return [Problem("warning", "the featured image has no alt text for screen readers")]
    return []


def _upload_name(path: Path) -> str:
    """An ASCII file name for Content-Disposition (WordPress reads only filename=)."""
    stem = post_slug(path.stem, "").rstrip("-") or "image"
    return f"{stem}{path.suffix.lower()}"


def _trusted_root(announced: str, site_url: str, final_url: str) -> str:
    """The announced REST root, if it is on the site we were told to trust.

    The application password goes to that address: a Link header pointing at another
    host (or downgrading https to http) must be confirmed by setting rest_root.
    """
    root = urlsplit(announced)
    allowed = {(urlsplit(u).scheme, urlsplit(u).netloc.lower()) for u in (site_url, final_url)}
    if (root.scheme, root.netloc.lower()) not in allowed:
        raise Permanent(
            f"{site_url} announces its REST API at {announced}, another address: "
            "set rest_root to it if you trust it"
        )
    return announced


def _receipt(post: Any, what: str) -> Receipt:
    """Where a post lives, from WordPress's JSON for it."""
    if not isinstance(post, dict) or "id" not in post:
        raise Ambiguous(f"WordPress's answer for {what} has no post id")
    published = datetime.now(UTC)
    # The receipt time is informative only: a missing or odd date keeps "now".
    with suppress(KeyError, ValueError):
        published = datetime.fromisoformat(str(post["date_gmt"])).replace(tzinfo=UTC)
    return Receipt(
        remote_id=str(post["id"]),
        url=post.get("link"),
        published_at=published,
        detail={"slug": post.get("slug"), "status": post.get("status")},
    )
