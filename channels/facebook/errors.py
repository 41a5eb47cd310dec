"""Graph API error codes and usage headers as the ChannelError the engine acts on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from channels.base import (
    Ambiguous,
    AuthExpired,
    Duplicate,
    Permanent,
    RateLimited,
)
from channels.errors import Failure, Rule, first_match, json_of, transport_rule
from channels.facebook.settings import DEFAULT_RATE_LIMIT_WAIT, USAGE_HEADERS

if TYPE_CHECKING:
    import requests


#: Graph API `error.code` -> outcome, first match wins; codes not listed are Permanent.
#: Messages are shown before Facebook's own; `{env}` is the token's variable name.
#: https://developers.facebook.com/docs/graph-api/guides/error-handling
ERROR_RULES: tuple[Rule, ...] = (
    Rule(AuthExpired, "the Facebook Page token has expired or was revoked: "
         "renew the Page token in {env}", code=(102, 190)),
    Rule(RateLimited, "Facebook asks to slow down: publication is postponed",
         code=(4, 17, 32, 341, 613, 80001)),
    # Codes 1 and 2 may come after the post was created: on a post, look before resending
    # (on a read, nothing was published and they are simply transient).
    Rule(Ambiguous, "Facebook had a temporary problem: will check, then try again", code=(1, 2)),
    Rule(Duplicate, "Facebook refuses a post identical to a recent one", code=(506,)),
    # 368: blocked "for a while" (spam filter, going too fast); it lifts by itself.
    Rule(RateLimited, "Facebook has blocked this Page from posting for a while (misuse or "
         "going too fast): Crosspost waits, then tries again; the Page's notifications say "
         "why", code=(368,)),
    Rule(Permanent, "the token in {env} lacks a permission: it must be a Page token with "
         "pages_manage_posts and pages_read_engagement", code=(10, *range(200, 300))),
)  # fmt: skip

_UNKNOWN_CODE = Rule(Permanent, "Facebook refused the post")


def rule_for(code: int | None, subcode: int | None = None) -> Rule:
    """The row of ERROR_RULES for a Graph API error code."""
    return first_match(ERROR_RULES, Failure(code=code, subcode=subcode), _UNKNOWN_CODE)


def is_unsent(error: Exception) -> bool:
    """Whether a requests failure happened before any byte of the request left."""
    return transport_rule(error).outcome is not Ambiguous


def _regain_minutes(value: object) -> float:
    """The largest `estimated_time_to_regain_access` anywhere in a usage header's JSON."""
    if isinstance(value, dict):
        own = value.get("estimated_time_to_regain_access")
        found = float(own) if isinstance(own, int | float) else 0.0
        return max([found, *(_regain_minutes(v) for v in value.values())])
    if isinstance(value, list):
        return max([0.0, *(_regain_minutes(v) for v in value)])
    return 0.0


#: How long to wait, by error code, when no usage header says: a 368 block lasts hours.
WAITS: dict[int, timedelta] = {368: timedelta(hours=1)}


def retry_at(
    response: requests.Response | None,
    now: datetime,
    default: timedelta = DEFAULT_RATE_LIMIT_WAIT,
) -> datetime:
    """When Facebook lets us in again, from its usage headers (minutes), else `default`."""
    headers: Mapping[str, str] = response.headers if response is not None else {}
    minutes = 0.0
    for raw in filter(None, (headers.get(name) for name in USAGE_HEADERS)):
        try:
            minutes = max(minutes, _regain_minutes(json.loads(raw)))
        except ValueError:
            continue  # a malformed header only loses the hint
    return now + (timedelta(minutes=minutes) if minutes > 0 else default)


def error_payload(response: requests.Response | None) -> dict[str, Any] | None:
    """The `error` object of a Graph answer, whatever Content-Type it came with."""
    body = json_of(response) if response is not None else None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None
