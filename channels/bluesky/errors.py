"""SDK and httpx failures as the ChannelError the engine acts on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from channels.base import (
    Ambiguous,
    AuthExpired,
    ChannelError,
    Permanent,
    RateLimited,
    Transient,
)
from channels.errors import HTTPX_RULES, Failure, Rule, causes, first_match, meant, transport_rule

_AUTH_ERRORS = ("ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing")

#: Bluesky's answers (HTTP status, XRPC error name), first match wins; each message goes
#: on with what was being done and Bluesky's own words.
XRPC_RULES: tuple[Rule, ...] = (
    Rule(RateLimited, "Bluesky's rate limit is reached", status=(429,)),
    Rule(AuthExpired, "Bluesky refused the session", status=(401,)),
    Rule(AuthExpired, "Bluesky refused the session", code=_AUTH_ERRORS),
    Rule(Ambiguous, "Bluesky answered with a server error", status=range(500, 1000)),
    Rule(Permanent, "Bluesky refused the file as too large", status=(413,)),
    Rule(Permanent, "Bluesky refused the request"),
)


def sdk_failures() -> tuple[type[BaseException], ...]:
    """What an SDK call raises when it fails: the SDK's errors, and httpx's that it lets
    through unwrapped (a connection closed without an answer is httpx.RemoteProtocolError)."""
    import httpx
    from atproto_client.exceptions import AtProtocolError

    return (AtProtocolError, httpx.HTTPError)


def xrpc_error(exc: BaseException) -> tuple[int | None, str | None, str]:
    """(HTTP status, XRPC error name, message) of an SDK error; never headers or tokens."""
    response = getattr(exc, "response", None)
    if response is None:
        return None, None, ""
    content = response.content
    name = getattr(content, "error", None)
    message = getattr(content, "message", None) or ""
    if isinstance(content, dict):
        name, message = content.get("error"), content.get("message") or ""
    return response.status_code, name, str(message)


def _retry_at(exc: BaseException, now: datetime) -> datetime:
    """When a 429 says to come back: ratelimit-reset (epoch seconds), else 5 minutes."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    reset = str(headers.get("ratelimit-reset"))
    try:
        return max(datetime.fromtimestamp(int(reset), UTC), now)
    except (TypeError, ValueError):
        return now + timedelta(minutes=5)


def classify(exc: BaseException, *, may_publish: bool, doing: str) -> ChannelError:
    """An SDK or httpx failure as the ChannelError the engine acts on.

    `may_publish` says whether the request could have made a post (putRecord): then a
    server error or a lost answer is Ambiguous, otherwise trying again is safe.
    """
    status, name, message = xrpc_error(exc)
    if status is None:
        return _unanswered(exc, may_publish=may_publish, doing=doing)
    said = f" ({status}{' ' + name if name else ''}{': ' + message if message else ''})"
    rule = first_match(XRPC_RULES, Failure(status=status, code=name), XRPC_RULES[-1])
    text = f"{rule.message} while {doing}{said}"
    if rule.outcome is RateLimited:
        retry_at = _retry_at(exc, datetime.now(UTC))
        return RateLimited(f"{text}; retry after {retry_at:%Y-%m-%d %H:%M} UTC", retry_at)
    outcome = meant(rule.outcome, may_publish=may_publish)
    if outcome is Ambiguous:
        return Ambiguous(f"{text}: the post may or may not be there")
    return outcome(text)


def _unanswered(exc: BaseException, *, may_publish: bool, doing: str) -> ChannelError:
    """A failure with no answer: Transient unless the request may have left and posted."""
    if transport_rule(exc, HTTPX_RULES).outcome is Transient:
        return Transient(f"Bluesky could not be reached while {doing}; it will be tried again")
    if may_publish:
        chain = {type(link).__name__ for link in causes(exc)} - {"Exception"}
        return Ambiguous(
            f"Bluesky did not answer while {doing}: the post may or may not be there "
            f"({', '.join(sorted(chain)) or type(exc).__name__})"
        )
    return Transient(f"Bluesky did not answer while {doing}; it will be tried again")
