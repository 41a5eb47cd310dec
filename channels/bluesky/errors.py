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

#: httpx failures after which nothing can have reached the server.
_NOT_SENT = ("ConnectError", "ConnectTimeout", "PoolTimeout", "UnsupportedProtocol")
_AUTH_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}


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


def classify(exc: BaseException, *, publishes: bool, doing: str) -> ChannelError:
    """An SDK or httpx failure as the ChannelError the engine acts on.

    `publishes` says whether the request could have made a post (putRecord): then a
    server error or a lost answer is Ambiguous, otherwise trying again is safe.
    """
    status, name, message = xrpc_error(exc)
    said = f" ({status}{' ' + name if name else ''}{': ' + message if message else ''})"
    if status is None:
        chain = {type(link).__name__ for link in _causes(exc)}
        if chain & set(_NOT_SENT):
            return Transient(f"Bluesky could not be reached while {doing}; it will be tried again")
        if publishes:
            return Ambiguous(
                f"Bluesky did not answer while {doing}: the post may or may not be there "
                f"({', '.join(sorted(chain - {'Exception'})) or type(exc).__name__})"
            )
        return Transient(f"Bluesky did not answer while {doing}; it will be tried again")
    if status == 429:
        retry_at = _retry_at(exc, datetime.now(UTC))
        return RateLimited(
            f"Bluesky's rate limit is reached while {doing}{said}; "
            f"retry after {retry_at:%Y-%m-%d %H:%M} UTC",
            retry_at,
        )
    if status == 401 or name in _AUTH_ERRORS:
        return AuthExpired(f"Bluesky refused the session while {doing}{said}")
    if status >= 500:
        if publishes:
            return Ambiguous(
                f"Bluesky answered with a server error while {doing}{said}: "
                "the post may or may not be there"
            )
        return Transient(f"Bluesky answered with a server error while {doing}{said}")
    if status == 413:
        return Permanent(f"Bluesky refused the file as too large while {doing}{said}")
    return Permanent(f"Bluesky refused the request while {doing}{said}")


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and len(chain) < 10:
        chain.append(link)
        link = link.__cause__ or link.__context__
    return chain
