"""The Mastodon channel: render, validate, publish exactly once, find again, check.

Exactly once, by the platform's own means first: every status request carries an
Idempotency-Key derived from the delivery (the first status the delivery's key, the
n-th of a thread "<key>.n"), and Mastodon answers a repeat within an hour with the
status it already made. For anything older, `find_existing` pages back through the
account's statuses to the attempt's start; when it cannot reach that far it says it
cannot tell (never "not there", which would send the status again).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from channels.base import (
    AuthExpired,
    Channel,
    ChannelError,
    CheckResult,
    Permanent,
    Problem,
    PublishJob,
    Receipt,
    RenderContext,
    Rendered,
)
from channels.mastodon import media as images
from channels.mastodon import text as texts
from channels.mastodon.api import Api, opened
from channels.mastodon.render import compose, status_body
from channels.mastodon.settings import MastodonSettings
from channels.mastodon.text import Limits
from channels.microblog import in_thread
from crosspost.domain import Item
from crosspost.i18n import _

log = logging.getLogger(__name__)

UNIT = "characters"
#: How long the instance's limits are trusted before being read again.
LIMITS_TTL = timedelta(hours=6)
#: How far find_existing pages back at most (40 statuses a page).
LOOKUP_PAGES = 50
#: Clocks differ: statuses made up to this long before the attempt began are looked at too.
CLOCK_SKEW = timedelta(minutes=5)
#: Scopes a token needs: publish (statuses, media), check (accounts), look (statuses).
SCOPES = ("write:statuses", "write:media", "read:accounts", "read:statuses")


class MastodonChannel(Channel):
    """Statuses on any Mastodon instance: one or a thread, an image with its alt text."""

    Settings = MastodonSettings
    default_label = "Mastodon"
    #: The lookup pages back to the attempt, or says it cannot tell.
    supports_lookup = True
    #: A status is in the account's list as soon as it is made.
    settling_delay = timedelta(seconds=30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.RLock()
        self._limits: tuple[Limits, datetime] | None = None
        self._account_id: str | None = None

    @property
    def masto(self) -> MastodonSettings:
        assert isinstance(self.settings, MastodonSettings)
        return self.settings

    # ------------------------------------------------------------ limits

    def known_limits(self) -> Limits:
        """The limits to render with: the settings', the instance's once read, else 500/23."""
        s = self.masto
        with self._lock:
            base = self._limits[0] if self._limits else Limits()
        if s.max_characters is None and s.characters_reserved_per_url is None:
            return base
        return Limits(
            base.max_characters if s.max_characters is None else s.max_characters,
            base.characters_reserved_per_url
            if s.characters_reserved_per_url is None
            else s.characters_reserved_per_url,
            "settings",
        )

    def instance_limits(self, api: Api) -> Limits:
        """The instance's limits (GET /api/v2/instance), read at most every LIMITS_TTL."""
        now = datetime.now(UTC)
        with self._lock:
            if self._limits and now - self._limits[1] < LIMITS_TTL:
                return self.known_limits()
        instance = api.instance()
        statuses = (instance.get("configuration") or {}).get("statuses") or {}
        defaults = Limits()
        limits = Limits(
            _positive(statuses.get("max_characters"), defaults.max_characters),
            _positive(
                statuses.get("characters_reserved_per_url"), defaults.characters_reserved_per_url
            ),
            "instance",
        )
        with self._lock:
            self._limits = (limits, now)
        return self.known_limits()

    # ------------------------------------------------------------ render and validate

    def render(self, item: Item, context: RenderContext) -> Rendered:
        return compose(self.name, self.masto, item, context, self.known_limits())

    def validate(self, rendered: Rendered) -> list[Problem]:
        problems = super().validate(rendered)
        if not any(part.strip() for part in rendered.parts):
            problems.append(Problem("error", _("there is nothing to post")))
        statuses = rendered.request.get("thread_statuses")
        if statuses is not None:
            problems.append(
                Problem(
                    "error",
                    _(
                        "the text would make a thread of {count} statuses on Mastodon; this "
                        "channel takes at most {most} (max_thread): shorten it, or publish it "
                        "on the blog and announce it here"
                    ).format(count=statuses, most=self.masto.max_thread),
                )
            )
        media = rendered.request.get("media")
        if media:
            problems += images.image_problems(media)
        return problems

    # ------------------------------------------------------------ publish

    def publish(self, job: PublishJob) -> Receipt:
        posted = _posted(job)
        with self._api() as api:
            parts = self._parts(job, api)
            if len(posted) >= len(parts):
                return self._receipt(posted)
            media = job.rendered.request.get("media")
            media_ids = (
                [images.upload(api, media, wait=self.masto.media_wait)]
                if media and not posted
                else []
            )
            for index in range(len(posted), len(parts)):
                params = self._params(job, parts[index], posted, media_ids if index == 0 else [])
                try:
                    status = api.post_status(params, status_key(job.idempotency_key, index))
                except ChannelError as error:
                    raise _in_thread(error, index, len(parts), posted) from None
                posted.append({"id": str(status["id"]), "url": status.get("url")})
                job.save_progress({"statuses": list(posted)})
        return self._receipt(posted)

    def _parts(self, job: PublishJob, api: Api) -> tuple[str, ...]:
        """The statuses to send: as rendered, or cut again if the instance's limits differ
        from those the rendering assumed (a status it would refuse is never sent)."""
        rendered = job.rendered
        limits = self.instance_limits(api)
        assumed = rendered.request.get("limits") or {}
        if (assumed.get("max_characters"), assumed.get("characters_reserved_per_url")) == (
            limits.max_characters,
            limits.characters_reserved_per_url,
        ):
            return rendered.parts
        full = str(rendered.request.get("text") or "\n\n".join(rendered.parts))
        return tuple(texts.split_thread(full, limits, self.masto.content_warning))

    def _params(
        self,
        job: PublishJob,
        part: str,
        posted: Sequence[dict[str, Any]],
        media_ids: list[str],
    ) -> dict[str, Any]:
        """The body of POST /api/v1/statuses: the same on every try of the delivery."""
        params = status_body(self.masto, part)
        if posted:
            params["in_reply_to_id"] = posted[-1]["id"]
        if media_ids:
            params["media_ids"] = media_ids
        return params

    def _receipt(self, posted: Sequence[dict[str, Any]]) -> Receipt:
        first = posted[0]
        return Receipt(
            remote_id=str(first["id"]),
            url=first.get("url") or f"{self.masto.instance_url}/statuses/{first['id']}",
            published_at=datetime.now(UTC),
            detail={"status_ids": [str(p["id"]) for p in posted]},
        )

    # ------------------------------------------------------------ token

    def _token(self) -> str:
        env = self.masto.token_env
        if not self.secrets.has(env):
            raise AuthExpired(
                f"the Mastodon access token is missing: set {env} (on the instance: "
                "Preferences > Development > New application, with the scopes "
                f"{', '.join(SCOPES)})"
            )
        return self.secrets.get(env)

    def _api(self) -> Any:
        s = self.masto
        return opened(s.instance_url, self._token(), timeout=s.timeout, token_env=s.token_env)

    def _account(self, api: Api) -> str:
        if self._account_id is None:
            self._account_id = str(api.verify_credentials()["id"])
        return self._account_id

    # ------------------------------------------------------------ lookup and check

    def find_existing(self, job: PublishJob) -> Receipt | None:
        """The statuses an unclear attempt made, found by paging back through the account's.

        Statuses already known (saved progress) are kept; the others are looked for
        among the account's statuses made since the attempt began (less CLOCK_SKEW),
        matching each part's text and, in a thread, the status it replies to.
        Paging stops once it reaches statuses older than that; if it cannot get so far
        (more than LOOKUP_PAGES pages since), it raises Permanent: the officer decides.
        """
        posted = _posted(job)
        with self._api() as api:
            parts = self._parts(job, api)
            if len(posted) >= len(parts):
                return self._receipt(posted)
            since = _attempt_start(job) - CLOCK_SKEW
            recent = self._statuses_since(api, since)
        found = _match_thread(parts, posted, recent)
        if len(found) > len(posted):
            job.save_progress({"statuses": found})
        return self._receipt(found) if len(found) >= len(parts) else None

    def _statuses_since(self, api: Api, since: datetime) -> list[dict[str, Any]]:
        """The account's statuses made at or after `since`, oldest first."""
        account = self._account(api)
        kept: list[dict[str, Any]] = []
        for number, page in enumerate(api.statuses(account), start=1):
            for status in page:
                made = _created(status)
                if made is None or made >= since:
                    kept.append(status)
                else:
                    return list(reversed(kept))  # older than the attempt: far enough
            if number >= LOOKUP_PAGES:
                raise Permanent(
                    f"more than {LOOKUP_PAGES * 40:,} statuses on Mastodon since this one was "
                    "sent, more than Crosspost reads back, so it cannot tell whether it went "
                    "out: look on the account"
                )
        return list(reversed(kept))  # the account's very first status is reached

    def check(self) -> CheckResult:
        """The token works (verify_credentials), has the scopes, and the instance's limits."""
        with self._api() as api:
            account = api.verify_credentials()
            limits = self.instance_limits(api)
            scopes = _scopes(api)
        self._account_id = str(account.get("id"))
        domain = self.masto.instance_url.split("://", 1)[-1]
        who = f"@{account.get('acct') or account.get('username')} on {domain}"
        rules = (
            f"statuses of up to {limits.max_characters} characters, "
            f"a link counting {limits.characters_reserved_per_url}"
        )
        missing = [s for s in SCOPES if scopes is not None and not _granted(s, scopes)]
        if missing:
            return CheckResult(
                False,
                _(
                    "authenticated as {account}, but the token lacks the scopes {scopes}: "
                    "create a token with them"
                ).format(account=who, scopes=", ".join(missing)),
            )
        said = _("authenticated as {account} ({rules})")
        return CheckResult(True, said.format(account=who, rules=rules))


# ---------------------------------------------------------------- helpers


def status_key(key: str, index: int) -> str:
    """The Idempotency-Key of status `index` of a delivery: its own key, then "<key>.n"."""
    return key if index == 0 else f"{key}.{index + 1}"


def _posted(job: PublishJob) -> list[dict[str, Any]]:
    """Statuses an earlier attempt published (its saved progress)."""
    saved = (job.delivery.progress or {}).get("statuses") or []
    return [{"id": str(s["id"]), "url": s.get("url")} for s in saved if s.get("id")]


def _attempt_start(job: PublishJob) -> datetime:
    attempts = [a.started_at for a in job.delivery.attempt_history]
    return min([job.delivery.due_at, *attempts])


def _created(status: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(status.get("created_at")).replace("Z", "+00:00"))
    except ValueError:
        return None


def _match_thread(
    parts: Sequence[str], posted: Sequence[dict[str, Any]], recent: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The parts found in order: each the next part's text, replying to the last one found."""
    found = [dict(p) for p in posted]
    for part in parts[len(found) :]:
        match = next(
            (
                status
                for status in recent
                if str(status.get("id")) not in {f["id"] for f in found}
                and texts.same_status(part, str(status.get("content") or ""))
                and (not found or str(status.get("in_reply_to_id")) == found[-1]["id"])
            ),
            None,
        )
        if match is None:
            break
        found.append({"id": str(match["id"]), "url": match.get("url")})
    return found


def _scopes(api: Api) -> list[str] | None:
    """The token's scopes, where the instance tells them (Mastodon 4.3+); None otherwise."""
    try:
        scopes = api.app().get("scopes")
    except (Permanent, AuthExpired):
        return None
    return [str(s) for s in scopes] if isinstance(scopes, list) else None


def _granted(needed: str, scopes: list[str]) -> bool:
    return needed in scopes or needed.split(":")[0] in scopes


def _positive(value: Any, default: int) -> int:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
    )


def _in_thread(
    error: ChannelError, index: int, count: int, posted: Sequence[dict[str, Any]]
) -> ChannelError:
    """`error`, telling the officer where a thread stands when part of it is out."""
    first = (posted[0].get("url") or posted[0]["id"]) if posted else None
    return in_thread(
        error,
        index=index,
        count=count,
        posted=len(posted),
        first_url=first,
        platform="Mastodon",
        noun=("status", "statuses"),
    )
