"""The WordPress channel: render, validate, publish (found by slug first), check."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from channels.errors import Rule, json_of, meant, transport_rule
from channels.media import HEAD_BYTES, read_image, sniff_image
from channels.wordpress.errors import (
    TermExists,
    error_fields,
    existing_term_id,
    retry_at,
    rule_for,
)
from channels.wordpress.media import image_problems, upload_name
from channels.wordpress.rest import (
    Call,
    endpoint_url,
    excerpt_of,
    fallback_root,
    json_list,
    post_slug,
    receipt_of,
    same_term,
    trusted_root,
)
from channels.wordpress.settings import API_REL, IMAGE_TYPES, ROLE_HINT, WordPressSettings
from crosspost.domain import Item
from crosspost.i18n import _
from crosspost.secrets import MissingSecret, SecretSource
from crosspost.text import (
    capitalise,
    event_when,
    markdown_to_html,
    markdown_to_plain,
    unique_names,
)

if TYPE_CHECKING:
    import requests


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
            "tags": unique_names(item.tags),
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
            problems.append(Problem("error", _("a WordPress post needs a title")))
        if "announces" in request and not request["announces"]:
            problems.append(Problem("error", _("the announced post has no URL yet")))
        if not request["post"]["content"]:
            problems.append(Problem("warning", _("the post has no content, only a title")))
        image = request.get("featured_image")
        if image:
            problems.extend(image_problems(image))
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
        post = self._call(Call("POST", "wp/v2/posts", may_publish=True), json=body)
        return receipt_of(post, what="the created post")

    def update(self, job: PublishJob) -> Receipt:
        """Change the title and content of the post another delivery published (its id),
        keeping its slug, date, status, tags and image: the same request twice is harmless."""
        post_id = job.delivery.announced_remote_id
        if not post_id or not str(post_id).isdigit():
            raise Permanent("no WordPress post to update (the post's id is unknown)")
        post = job.rendered.request["post"]
        body = {"title": post["title"], "content": post["content"], "excerpt": post["excerpt"]}
        call = Call("POST", f"wp/v2/posts/{post_id}", doing=f"updating post {post_id}")
        return receipt_of(self._call(call, json=body), what="the updated post")

    def _slug(self, job: PublishJob) -> str:
        """The slug this delivery's post has (or will have)."""
        saved = (job.delivery.progress or {}).get("slug")
        return str(saved) if saved else post_slug(job.delivery.item.title, job.idempotency_key)

    def find_existing(self, job: PublishJob) -> Receipt | None:
        params = {"slug": self._slug(job), "status": "any", "context": "edit"}
        lookup = Call("GET", "wp/v2/posts", doing="looking for the post by its slug")
        found = json_list(self._call(lookup, params=params), lookup)
        return receipt_of(found[0], what="the post found by slug") if found else None

    def _term_id(self, taxonomy: str, name: str) -> int:
        """The id of the tag or category called `name`, created if WordPress has none."""
        search = Call("GET", f"wp/v2/{taxonomy}", doing=f"looking up {taxonomy} {name!r}")
        params = {"search": name, "per_page": 100}
        for term in json_list(self._call(search, params=params), search):
            if isinstance(term, dict) and same_term(str(term.get("name", "")), name):
                return int(term["id"])
        create = Call("POST", f"wp/v2/{taxonomy}", doing=f"creating {taxonomy} {name!r}")
        try:
            return int(self._call(create, json={"name": name})["id"])
        except TermExists as exists:
            # WordPress compares names after its own escaping and collation, which our
            # search cannot reproduce: it tells us the term it matched.
            return exists.term_id

    def _featured_media(self, job: PublishJob, progress: dict[str, Any]) -> int:
        """The media id of the post's image: uploaded once per delivery, alt text set."""
        image: Mapping[str, str] = job.rendered.request["featured_image"]
        if progress.get("featured_media") and progress.get("image") == image["path"]:
            return int(progress["featured_media"])
        path = Path(image["path"])
        data = read_image(path)
        media_type = sniff_image(data[:HEAD_BYTES])
        if media_type not in IMAGE_TYPES:
            kinds = ", ".join(IMAGE_TYPES.values())
            raise Permanent(f"WordPress takes {kinds} images, not {path.name}")
        headers = {
            "Content-Type": media_type,
            "Content-Disposition": f'attachment; filename="{upload_name(path, media_type)}"',
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
        body = json_of(response)
        code, message, inner_status = error_fields(body)
        status = response.status_code
        if code is None and status < 500 and status not in (401, 408, 429):
            return self._not_json(call, response)
        if code == "rest_forbidden_status" and inner_status == 401:
            status = 401
        term_id = existing_term_id(body) if code == "term_exists" else None
        if term_id is not None:
            return TermExists(message, term_id)
        return self._as_error(rule_for(status, code), call, response, code, message)

    def _as_error(
        self,
        rule: Rule,
        call: Call,
        response: requests.Response,
        code: str | None,
        message: str,
    ) -> ChannelError:
        """The error `rule` says, with its advice, what we were doing, and WordPress's words."""
        said = f" ({code}: {message})" if code else f" (HTTP {response.status_code})"
        doing = f" while {call.doing}" if call.doing else ""
        text = rule.message.format(env=self.wp.app_password_env) + doing + said
        outcome = meant(rule.outcome, may_publish=call.may_publish)
        if outcome is RateLimited:
            return RateLimited(text, retry_at(response, datetime.now(UTC)))
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
        return Ambiguous(text) if call.may_publish else Permanent(text)

    def _network_error(self, call: Call, error: Exception) -> ChannelError:
        """The ChannelError a failure to get any answer means, from channels.errors."""
        rule = transport_rule(error)
        doing = f" while {call.doing}" if call.doing else ""
        text = f"{self.wp.site_url}: {rule.message}{doing} ({type(error).__name__})"
        if meant(rule.outcome, may_publish=call.may_publish) is Ambiguous:
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
                says = transport_rule(error).message
                raise Transient(f"{site}: {says} ({type(error).__name__})") from error
            announced = response.links.get(API_REL, {}).get("url")
            if announced:
                return trusted_root(announced, site, response.url)
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
