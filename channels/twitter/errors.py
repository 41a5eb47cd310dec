"""X's answers and transport failures as the ChannelError the engine acts on."""

from __future__ import annotations

from dataclasses import dataclass
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
from channels.transport import transport_rule


@dataclass(frozen=True)
class HttpRule:
    """One row of the answer table: an HTTP status (and words in X's answer) -> an outcome."""

    statuses: range
    #: Lower-case words looked for in X's answer (detail, title, type, reason, messages).
    says: str | None
    outcome: type[ChannelError]
    hint: str


def _status(code: int) -> range:
    return range(code, code + 1)


#: X's answers, first match wins. "{credentials}" is replaced by the variable names.
HTTP_RULES: tuple[HttpRule, ...] = (
    HttpRule(_status(429), None, RateLimited, "X's rate limit is reached"),
    HttpRule(
        _status(401),
        None,
        AuthExpired,
        "X refused the credentials: renew {credentials} "
        "(developer portal, the app's Keys and tokens)",
    ),
    HttpRule(
        _status(403),
        "duplicate content",
        Duplicate,
        "X already has a post with exactly this text (perhaps an earlier attempt's); "
        "it is not sent again",
    ),
    HttpRule(
        _status(403),
        "oauth1-permissions",
        Permanent,
        "the X app may only read: give it Read and Write permission in the developer portal "
        "(User authentication settings), then regenerate the access token and secret",
    ),
    HttpRule(
        _status(403),
        "not permitted to perform this action",
        Permanent,
        "X does not let this account post through the app: check that the app has Read and "
        "Write permission (then regenerate the access token and secret) and that the account "
        "is not locked",
    ),
    HttpRule(
        _status(403),
        "client-not-enrolled",
        Permanent,
        "the app's access level does not include this endpoint: the app must belong to a "
        "Project with a plan that allows it",
    ),
    HttpRule(_status(403), None, Permanent, "X refused the request"),
    HttpRule(_status(400), None, Permanent, "X rejected the request"),
    HttpRule(_status(404), None, Permanent, "X does not know this endpoint (check api_base)"),
    HttpRule(range(500, 600), None, Ambiguous, "X answered with a server error"),
    HttpRule(range(400, 500), None, Permanent, "X refused the request"),
    HttpRule(range(0, 1000), None, Permanent, "X gave an unexpected answer"),
)


_NOT_SENT = "the post was not sent and will be tried again"
_RETRIED = "it will be tried again"


def transport_error(exc: BaseException, *, publishes: bool) -> ChannelError:
    """A failure below HTTP as Transient (nothing sent, or nothing to publish) or Ambiguous."""
    rule = transport_rule(exc)
    if rule.maybe_sent and publishes:
        return Ambiguous(f"X: {rule.says}: the post may or may not be on X ({type(exc).__name__})")
    return Transient(f"X: {rule.says}; {_NOT_SENT if publishes else _RETRIED}")


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
    publishes: bool,
    credentials: str,
    now: datetime | None = None,
) -> ChannelError:
    """X's error answer as the ChannelError the engine acts on (see HTTP_RULES)."""
    said = _match_text(payload)
    rule = next(
        r for r in HTTP_RULES if status in r.statuses and (r.says is None or r.says in said)
    )
    hint = rule.hint.format(credentials=credentials)
    detail = x_says(payload)
    message = f"{hint} ({status}{': ' + detail if detail else ''})"
    if rule.outcome is RateLimited:
        retry_at, window = retry_time(headers, now or datetime.now(UTC))
        return RateLimited(
            f"{message}: {window}; retry after {retry_at:%Y-%m-%d %H:%M} UTC", retry_at
        )
    if rule.outcome is Ambiguous:
        if not publishes:
            return Transient(f"{message}; {_RETRIED}")
        return Ambiguous(f"{message}; the post may or may not be on X")
    return rule.outcome(message)


def json_of(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
