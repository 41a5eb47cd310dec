"""How the fake platforms behave: latency, limits, accounts and accepted credentials."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class Settings:
    """The fake server's knobs; replaced whole when changed, so a request sees one version."""

    #: Added before every platform answer (not the /_fake/ control API).
    latency_ms: float = 0.0
    #: How long a "timeout" fault holds the answer: longer than any client timeout.
    hang_s: float = 60.0
    #: What a "429" fault asks the client to wait, in seconds.
    retry_after_s: float = 60.0
    #: X requests allowed per endpoint and 15-minute window, then a real 429.
    x_rate_limit: int = 100_000
    #: X and Facebook refuse a post whose text repeats an earlier one, as they really do.
    duplicates: bool = True
    #: OAuth tokens X accepts (`oauth_token` or a Bearer token); None accepts any.
    x_tokens: tuple[str, ...] | None = None
    #: Page access tokens the Graph API accepts; None accepts any non-empty token.
    graph_tokens: tuple[str, ...] | None = None
    #: Accepted tokens that are a person's (user) tokens, not the Page's: they read the
    #: Page, but /me is the person and posting answers Graph's #200.
    graph_user_tokens: tuple[str, ...] = ()
    #: What the Page token was granted (GET /debug_token); posting needs the two pages_*.
    graph_scopes: tuple[str, ...] = (
        "pages_show_list",
        "pages_read_engagement",
        "pages_manage_posts",
        "public_profile",
    )
    #: WordPress user name -> application password; None accepts any Basic credentials.
    wp_users: Mapping[str, str] | None = None
    x_user_id: str = "1790000000000000001"
    x_username: str = "asso_crosspost"
    x_name: str = "Association Crosspost"
    page_id: str = "104000000000001"
    page_name: str = "Association Crosspost"
    wp_title: str = "Association Crosspost"
    wp_timezone: str = "UTC"
    #: Mastodon access tokens accepted (Bearer); None accepts any non-empty token.
    mastodon_tokens: tuple[str, ...] | None = None
    mastodon_domain: str = "mastodon.example"
    mastodon_account_id: str = "109000000000000001"
    mastodon_username: str = "asso_crosspost"
    #: The OAuth scopes every accepted token carries ("read", "write:statuses"...).
    mastodon_scopes: tuple[str, ...] = ("read", "write")
    #: The instance's configuration.statuses (GET /api/v2/instance), enforced on statuses.
    mastodon_max_characters: int = 500
    mastodon_url_weight: int = 23
    #: How many GET /api/v1/media/:id answer 206 (still processing) before 200.
    mastodon_media_polls: int = 1
    #: Authenticated API calls per 5 minutes, and statuses per 3 hours, then a real 429.
    mastodon_rate_limit: int = 1500
    mastodon_status_limit: int = 300
    #: A kept-alive connection left idle this long is closed by the server, as real
    #: servers do (nginx 75 s, Apache 5 s); a client must not send on it afterwards.
    idle_timeout_s: float = 300.0
    #: Seconds the fake's clock runs ahead of the machine's (Idempotency-Key expiry, ids).
    clock_offset_s: float = 0.0

    def updated(self, changes: Mapping[str, Any]) -> Settings:
        """A copy with `changes` applied; ValueError names the first bad key or value."""
        clean = {name: _check(name, value) for name, value in changes.items()}
        return dataclasses.replace(self, **clean)


_NUMBERS = ("latency_ms", "hang_s", "retry_after_s", "idle_timeout_s")
_TEXTS = (
    "x_user_id",
    "x_username",
    "x_name",
    "page_id",
    "page_name",
    "wp_title",
    "mastodon_domain",
    "mastodon_account_id",
    "mastodon_username",
)
_TOKEN_LISTS = ("x_tokens", "graph_tokens", "mastodon_tokens")
_STRING_LISTS = ("mastodon_scopes", "graph_user_tokens", "graph_scopes")
#: Integer settings and their smallest value.
_INTEGERS = {
    "x_rate_limit": 1,
    "mastodon_max_characters": 1,
    "mastodon_url_weight": 0,
    "mastodon_media_polls": 0,
    "mastodon_rate_limit": 1,
    "mastodon_status_limit": 1,
}


def _check(name: str, value: Any) -> Any:
    """The value to store for setting `name`, or ValueError saying why it is refused."""
    if name in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"{name} must be a number >= 0")
        return float(value)
    if name in _INTEGERS:
        least = _INTEGERS[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(f"{name} must be an integer >= {least}")
        return value
    if name == "clock_offset_s":
        # The clock may be moved back as well as forward.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("clock_offset_s must be a number of seconds")
        return float(value)
    if name == "duplicates":
        if not isinstance(value, bool):
            raise ValueError("duplicates must be true or false")
        return value
    if name in _TEXTS:
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string")
        return value
    if name in _TOKEN_LISTS:
        return _token_list(name, value)
    if name in _STRING_LISTS:
        if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
            raise ValueError(f"{name} must be a list of strings")
        return tuple(value)
    if name == "wp_users":
        return _user_map(value)
    if name == "wp_timezone":
        return _timezone(value)
    raise ValueError(f"unknown setting {name!r}")


def _token_list(name: str, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
        raise ValueError(f"{name} must be a list of strings or null")
    return tuple(value)


def _user_map(value: Any) -> Mapping[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError("wp_users must map user names to passwords, or be null")
    return dict(value)


def _timezone(value: Any) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"wp_timezone: unknown time zone {value!r}") from error
    return str(value)


def settings_to_json(settings: Settings) -> dict[str, Any]:
    """The settings as the /_fake/config endpoint shows them, credentials masked."""
    data = dataclasses.asdict(settings)
    for name in _TOKEN_LISTS:
        if data[name] is not None:
            data[name] = ["***"] * len(data[name])
    if data["wp_users"] is not None:
        data["wp_users"] = dict.fromkeys(data["wp_users"], "***")
    return data
