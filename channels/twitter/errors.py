"""X's answers and transport failures as the ChannelError the engine acts on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from channels.base import (
    Ambiguous,
    AuthExpired,
    ChannelError,
    Duplicate,
    Permanent,
    RateLimited,
    Transient,
)
from channels.errors import Failure, Rule, first_match, meant, transport_rule

#: X's answers, first match wins. "{credentials}" is replaced by the variable names;
#: `says` looks in X's detail, title, type, reason and messages, lower case.
HTTP_RULES: tuple[Rule, ...] = (
    Rule(RateLimited, "X's rate limit is reached", status=(429,)),
    Rule(
        AuthExpired,
        "X refused the credentials: renew {credentials} "
        "(developer portal, the app's Keys and tokens)",
        status=(401,),
    ),
    Rule(
        Duplicate,
        "X already has a post with exactly this text (perhaps an earlier attempt's); "
        "it is not sent again",
        status=(403,),
        says="duplicate content",
    ),
    Rule(
        Permanent,
        "the X app may only read: give it Read and Write permission in the developer portal "
        "(User authentication settings), then regenerate the access token and secret",
        status=(403,),
        says="oauth1-permissions",
    ),
    Rule(
        Permanent,
        "X does not let this account post through the app: check that the app has Read and "
        "Write permission (then regenerate the access token and secret) and that the account "
        "is not locked",
        status=(403,),
        says="not permitted to perform this action",
    ),
    Rule(
        Permanent,
        "the app's access level does not include this endpoint: the app must belong to a "
        "Project with a plan that allows it",
        status=(403,),
        says="client-not-enrolled",
    ),
    Rule(Permanent, "X refused the request", status=(403,)),
    Rule(Permanent, "X rejected the request", status=(400,)),
    Rule(Permanent, "X does not know this endpoint (check api_base)", status=(404,)),
    Rule(Ambiguous, "X answered with a server error", status=range(500, 600)),
    Rule(Permanent, "X refused the request", status=range(400, 500)),
    Rule(Permanent, "X gave an unexpected answer"),
)


_NOT_SENT = "the post was not sent and will be tried again"
_RETRIED = "it will be tried again"


def transport_error(exc: BaseException, *, may_publish: bool) -> ChannelError:
    """A failure below HTTP as Transient (nothing sent, or nothing to publish) or Ambiguous."""
    rule = transport_rule(exc)
    if meant(rule.outcome, may_publish=may_publish) is Ambiguous:
        return Ambiguous(
            f"X: {rule.message}: the post may or may not be on X ({type(exc).__name__})"
        )
    return Transient(f"X: {rule.message}; {_NOT_SENT if may_publish else _RETRIED}")


def x_says(payload: Any) -> str:
    """X's own words from an error body (v2 problem details or an errors list)."""
    if not isinstance(payload, dict):
        return ""
    messages = [
        str(e.get("message") or e.get("detail"))
        for e in payload.get("errors") or []
        if isinstance(e, dict) and (e.get("message") or e.get("detail"))
    ]
    if messages:
        return "; ".join(messages)
    return str(payload.get("detail") or payload.get("title") or "")


def _match_text(payload: Any) -> str:
    if not isinstance(payload, dict):
        return ""
    fields = [payload.get(k) for k in ("detail", "title", "type", "reason")]
    return " ".join(str(f) for f in [*fields, x_says(payload)] if f).lower()


#: Headers of X's limits, most specific first: (prefix, what it limits).
RATE_WINDOWS = (
    ("x-user-limit-24hour", "the account's 24-hour posting limit"),
    ("x-app-limit-24hour", "the app's 24-hour limit"),
    ("x-rate-limit", "the 15-minute limit"),
)


def _header_int(headers: Any, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def retry_time(headers: Any, now: datetime) -> tuple[datetime, str]:
    """When to try again after a 429, and which limit says so.

    X sends a window's reset (epoch seconds) with its remaining count; the latest
    reset among exhausted windows wins (a 24-hour limit outlasts the 15-minute one).
    """
    exhausted = [
        (reset, label)
        for prefix, label in RATE_WINDOWS
        if _header_int(headers, f"{prefix}-remaining") == 0
        and (reset := _header_int(headers, f"{prefix}-reset")) is not None
    ]
    if exhausted:
        reset, label = max(exhausted)
    elif (reset := _header_int(headers, "x-rate-limit-reset")) is not None:
        label = "the 15-minute limit"
    else:
        return now + timedelta(minutes=15), "a limit X did not name"
    return max(datetime.fromtimestamp(reset, UTC), now), label


def http_error(
    status: int,
    headers: Any,
    payload: Any,
    *,
    may_publish: bool,
    credentials: str,
    now: datetime | None = None,
) -> ChannelError:
    """X's error answer as the ChannelError the engine acts on (see HTTP_RULES)."""
    failure = Failure(status=status, says=_match_text(payload))
    rule = first_match(HTTP_RULES, failure, HTTP_RULES[-1])
    hint = rule.message.format(credentials=credentials)
    detail = x_says(payload)
    message = f"{hint} ({status}{': ' + detail if detail else ''})"
    if rule.outcome is RateLimited:
        retry_at, window = retry_time(headers, now or datetime.now(UTC))
        return RateLimited(
            f"{message}: {window}; retry after {retry_at:%Y-%m-%d %H:%M} UTC", retry_at
        )
    outcome = meant(rule.outcome, may_publish=may_publish)
    if outcome is Transient:
        return Transient(f"{message}; {_RETRIED}")
    if outcome is Ambiguous:
        return Ambiguous(f"{message}; the post may or may not be on X")
    return outcome(message)
