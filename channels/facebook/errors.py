"""Graph API error codes and usage headers as the ChannelError the engine acts on."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from channels.base import (
    Ambiguous,
    AuthExpired,
    ChannelError,
    Duplicate,
    Permanent,
    RateLimited,
)
from channels.facebook.settings import _USAGE_HEADERS, DEFAULT_RATE_LIMIT_WAIT
from channels.transport import transport_rule

if TYPE_CHECKING:
    import requests


@dataclass(frozen=True)
class ErrorRule:
    """What a Graph API error code means for the delivery, and what to tell the officer."""

    codes: Collection[int]
    outcome: type[ChannelError]
    #: Shown before Facebook's own message; `{env}` is the token's variable name.
    advice: str


#: Graph API `error.code` -> outcome, first match wins; codes not listed are Permanent.
#: https://developers.facebook.com/docs/graph-api/guides/error-handling
ERROR_RULES: tuple[ErrorRule, ...] = (
    ErrorRule((102, 190), AuthExpired, "the Facebook Page token has expired or was revoked: "
              "renew the Page token in {env}"),
    ErrorRule((4, 17, 32, 341, 613, 80001), RateLimited,
              "Facebook asks to slow down: publication is postponed"),
    # Codes 1 and 2 may come after the post was created: on a post, look before resending
    # (on a read, nothing was published and they are simply transient).
    ErrorRule((1, 2), Ambiguous, "Facebook had a temporary problem: will check, then try again"),
    ErrorRule((506,), Duplicate, "Facebook refuses a post identical to a recent one"),
    ErrorRule((368,), Permanent, "Facebook has temporarily blocked this Page from posting "
              "(misuse or going too fast): check the Page's notifications before posting by hand"),
    ErrorRule((10, *range(200, 300)), Permanent, "the token in {env} lacks a permission: "
              "it must be a Page token with pages_manage_posts and pages_read_engagement"),
)  # fmt: skip

_UNKNOWN_CODE = ErrorRule((), Permanent, "Facebook refused the post")


def rule_for(code: int | None) -> ErrorRule:
    """The row of ERROR_RULES for a Graph API error code."""
    return next((rule for rule in ERROR_RULES if code in rule.codes), _UNKNOWN_CODE)


def is_unsent(error: Exception) -> bool:
    """Whether a requests failure happened before any byte of the request left."""
    return not transport_rule(error).maybe_sent


def _regain_minutes(value: object) -> float:
    """The largest `estimated_time_to_regain_access` anywhere in a usage header's JSON."""
    if isinstance(value, dict):
        own = value.get("estimated_time_to_regain_access")
        found = float(own) if isinstance(own, int | float) else 0.0
        return max([found, *(_regain_minutes(v) for v in value.values())])
    if isinstance(value, list):
        return max([0.0, *(_regain_minutes(v) for v in value)])
    return 0.0


def retry_at(response: requests.Response | None, now: datetime) -> datetime:
    """When Facebook lets us in again, from its usage headers (minutes), else a default wait."""
    headers: Mapping[str, str] = response.headers if response is not None else {}
    minutes = 0.0
    for raw in filter(None, (headers.get(name) for name in _USAGE_HEADERS)):
        try:
            minutes = max(minutes, _regain_minutes(json.loads(raw)))
        except ValueError:
            continue  # a malformed header only loses the hint
    return now + (timedelta(minutes=minutes) if minutes > 0 else DEFAULT_RATE_LIMIT_WAIT)


def error_payload(response: requests.Response | None) -> dict[str, Any] | None:
    """The `error` object of a Graph answer, whatever Content-Type it came with."""
    if response is None:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None
