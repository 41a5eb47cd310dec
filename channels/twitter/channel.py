"""The X channel: render, validate, publish (threads resumed), find_existing, check."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from channels.base import (
    Ambiguous,
    AuthExpired,
    Channel,
    ChannelError,
    Charge,
    CheckResult,
    Permanent,
    Problem,
    PublishJob,
    Receipt,
    RenderContext,
    Rendered,
    Transient,
)
from channels.errors import json_of
from channels.media import read_image
from channels.microblog import compose, in_thread
from channels.twitter.client import Credentials, rebased_session
from channels.twitter.errors import http_error, transport_error, x_says
from channels.twitter.media import image_facts, image_problems
from channels.twitter.settings import LIMIT, LOOKUP_PAGE, LOOKUP_PAGES, UNIT, TwitterSettings
from channels.twitter.text import (
    add_hashtags,
    has_link,
    posts_at_least,
    same_post,
    split_thread,
    truncate_keeping_link,
    weighted_length,
)
from crosspost.domain import Item
from crosspost.i18n import _

if TYPE_CHECKING:
    from channels.base import ChannelSettings
    from crosspost.secrets import SecretSource


# Named after the package: the channel type is what people filter logs by.
log = logging.getLogger("channels.twitter")


class TwitterChannel(Channel):
    """Posts to X: one tweet, or a thread, with an optional image and its alt text."""

    Settings = TwitterSettings
    default_label = "X"
    supports_lookup = True
    paid = True
    #: X's timeline shows a new post within seconds; two minutes leaves room for lag.
    settling_delay = timedelta(minutes=2)

    def __init__(self, name: str, settings: ChannelSettings, secrets: SecretSource) -> None:
        super().__init__(name, settings, secrets)
        self._client_lock = threading.Lock()
        #: (credentials, tweepy client): rebuilt when the credentials change.
        self._kept_client: tuple[Credentials, Any] | None = None

    @property
    def x_settings(self) -> TwitterSettings:
        assert isinstance(self.settings, TwitterSettings)
        return self.settings

    # ------------------------------------------------------------ render

    # ------------------------------------------------------------ what it costs

    @property
    def budget_per_month(self) -> Decimal | None:
        return self.x_settings.budget_per_month

    def cost(self, rendered: Rendered) -> Decimal:
        """X's price of every post of `rendered` (a thread costs each of its posts)."""
        return sum((self._price(part) for part in rendered.parts), Decimal(0))

    def _price(self, text: str) -> Decimal:
        settings = self.x_settings
        return settings.price_per_post_with_link if has_link(text) else settings.price_per_post

    def _post_charge(self, text: str) -> Charge:
        what = "post with a link" if has_link(text) else "post"
        return Charge(what, 1, self._price(text))

    def _charge_reads(self, job: PublishJob, posts: int) -> None:
        if posts:
            job.charge(Charge("read", posts, posts * self.x_settings.price_per_read))

    # ------------------------------------------------------------ render

    def render(self, item: Item, context: RenderContext) -> Rendered:
        head, link, warnings = compose(item, context)
        if link and not self.x_settings.links and context.role != "announce":
            link = None  # links = false: the cheaper post, without the item's link
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
                job.posted(
                    {"thread_ids": list(posted)},
                    self._post_charge(parts[index]),
                    last=index == len(parts) - 1,
                )
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
            error = self._from_response(exc.response, may_publish=True)
            raise self._in_thread(error, index, len(parts), posted) from None
        except requests.RequestException as exc:
            error = transport_error(exc, may_publish=True)
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
        first = self._url(posted[0]) if posted else None
        return in_thread(
            error, index=index, count=count, posted=len(posted), first_url=first, platform="X"
        )

    def _upload(self, media: dict[str, Any], credentials: Credentials) -> str:
        """Upload the image (one-shot POST /2/media/upload) and its alt text; the media id."""
        path = Path(media["file"])
        content = read_image(path)
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
            with self._client(credentials) as client:
                session = client.session
            response = session.request(
                method, url, auth=auth, timeout=self.x_settings.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise transport_error(exc, may_publish=False) from None
        if not response.ok:
            raise self._from_response(response, may_publish=False)
        answer = json_of(response)
        if not isinstance(answer, dict) or "data" not in answer:
            raise Transient(f"X's answer to {url} could not be read ({response.status_code})")
        return answer

    def _from_response(self, response: Any, *, may_publish: bool) -> ChannelError:
        return http_error(
            response.status_code,
            response.headers,
            json_of(response),
            may_publish=may_publish,
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
        """The channel's tweepy v2 client on `api_base`, kept with its connections.

        Built once per set of credentials and shared by the threads (tweepy signs each
        request on its own); its session keeps connections alive in the process's pool,
        which never sends on one the server closed (channels/connections.py).
        """
        with self._client_lock:
            kept = self._kept_client
            if kept is None or kept[0] != credentials:
                kept = self._kept_client = (credentials, self._new_client(credentials))
        yield kept[1]

    def _new_client(self, credentials: Credentials) -> Any:
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
        return client

    def _read(self, call: Callable[[], Any]) -> Any:
        """A read through tweepy, its failures classified (reads publish nothing)."""
        import requests
        import tweepy

        try:
            return call()
        except tweepy.HTTPException as exc:
            raise self._from_response(exc.response, may_publish=False) from None
        except requests.RequestException as exc:
            raise transport_error(exc, may_publish=False) from None

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
        # X bills what it returns: the account (GET /2/users/me) and every post read.
        self._charge_reads(job, 1 + len(timeline or ()))
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
                said = x_says(json_of(exc.response)) or "403 Forbidden"
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
            said = _("authenticated as @{account} (but the settings say @{configured})")
            return CheckResult(True, said.format(account=username, configured=configured))
        return CheckResult(True, _("authenticated as @{account}").format(account=username))


def _replies_to(post: dict[str, Any]) -> str | None:
    """The id `post` replies to, when X included referenced_tweets."""
    for reference in post.get("referenced_tweets") or []:
        if reference.get("type") == "replied_to":
            return str(reference.get("id"))
    return None
