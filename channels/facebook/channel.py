"""The Facebook Page channel: render, validate, publish, find_existing, check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from channels.base import (
    AuthExpired,
    Channel,
    CheckResult,
    Permanent,
    Problem,
    PublishJob,
    Receipt,
    RenderContext,
    Rendered,
    Transient,
)
from channels.facebook.graph import Graph
from channels.facebook.media import image_part, image_problems
from channels.facebook.settings import (
    CLOCK_SLACK,
    LOOKUP_FIELDS,
    LOOKUP_PAGE,
    LOOKUP_PAGES,
    MAX_MESSAGE,
    POST_URL,
    FacebookSettings,
)
from crosspost.domain import Delivery, Item
from crosspost.i18n import _
from crosspost.text import event_when, lead_of, markdown_to_plain
from crosspost.wording import number


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


#: What a Page token needs to post on its Page (Graph's #200 names both).
PUBLISH_SCOPES = ("pages_manage_posts", "pages_read_engagement")


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
                    _(
                        "the image has no alt text: describe it in image_alt so people using "
                        "screen readers know what it shows"
                    )
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
                _(
                    "this announcement has no link yet: it is added once the announced post "
                    "is published"
                )
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
                warnings.append(
                    _("this event has no date: set its start time so the post says when")
                )
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
                    _(
                        "the post is {count} characters; Facebook accepts up to {most}: "
                        "shorten the body"
                    ).format(count=number(rendered.length), most=number(MAX_MESSAGE)),
                )
            )
        source = rendered.request.get("files", {}).get("source")
        if source:
            problems.extend(image_problems(Path(source)))
        return problems

    # ------------------------------------------------------------ publish / lookup / check

    def publish(self, job: PublishJob) -> Receipt:
        request = job.rendered.request
        data = dict(request["data"])
        source = request.get("files", {}).get("source")
        graph = Graph(self.fb, self._token())
        if source:
            with image_part(Path(source)) as image:
                result = graph.call(
                    lambda api: api.put_photo(image, album_path=request["path"], **data),
                    may_publish=True,
                )
        else:
            page, edge = request["path"].split("/", 1)
            result = graph.call(lambda api: api.put_object(page, edge, **data), may_publish=True)
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
        for _page in range(LOOKUP_PAGES):
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
        graph = Graph(self.fb, self._token())
        return graph.call(
            lambda api: api.get_connections(
                self.fb.page_id, "posts", fields=LOOKUP_FIELDS, limit=LOOKUP_PAGE, **paging
            ),
            may_publish=False,
        )

    def check(self) -> CheckResult:
        """Prove the token is this Page's own token and may publish, before a post finds out.

        A user token, or another Page's, reads the Page's name as well as the right one
        but is refused at publication (#200): GET /me says whom the token speaks for,
        GET /debug_token which kind of token it is and what it was granted.
        """
        token = self._token()
        graph = Graph(self.fb, token)
        page = graph.call(
            lambda api: api.get_object(self.fb.page_id, fields="id,name"), may_publish=False
        )
        name, env = page.get("name"), self.fb.page_token_env
        me = graph.call(lambda api: api.get_object("me", fields="id,name"), may_publish=False)
        if str(me.get("id")) != self.fb.page_id:
            return CheckResult(
                False,
                f"the token in {env} speaks for {me.get('name')} ({me.get('id')}), not for the "
                f"Page {name} ({self.fb.page_id}): it is a user token or another Page's, which "
                "cannot publish here. Put the Page's own token in it (Graph API Explorer: "
                "Get Page Access Token, or GET /me/accounts with your user token)",
            )
        debug = graph.call(
            lambda api: api.request(f"{api.version}/debug_token", {"input_token": token}),
            may_publish=False,
        )
        data = debug.get("data")
        facts: dict[str, Any] = data if isinstance(data, dict) else {}
        kind = facts.get("type")
        if kind is not None and kind != "PAGE":
            return CheckResult(
                False, f"the token in {env} is a {str(kind).lower()} token, not a Page token"
            )
        granted = set(facts.get("scopes") or ())
        missing = [scope for scope in PUBLISH_SCOPES if scope not in granted]
        if missing:
            return CheckResult(
                False,
                f"the Page token in {env} lacks the permission {' and '.join(missing)}: "
                "Facebook will refuse every post. Create it again granting "
                f"{' and '.join(PUBLISH_SCOPES)}",
            )
        return CheckResult(
            True,
            f"page {name} ({self.fb.page_id}): the token is this Page's and may publish "
            f"({', '.join(PUBLISH_SCOPES)})",
        )

    def _token(self) -> str:
        env = self.fb.page_token_env
        if not self.secrets.has(env):
            raise AuthExpired(
                f"no Facebook Page token: set {env} to the Page access token "
                "(in the environment or the secrets file)"
            )
        return self.secrets.get(env)
