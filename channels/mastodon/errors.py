"""What each Mastodon failure means for the engine, in words an officer can act on.

Mastodon answers errors as ``{"error": "..."}``: 401 for a token it does not know
("The access token is invalid"), 403 for a token without the right scope or an
account that may not post, 422 for a status it refuses ("Validation failed: ..."),
429 with X-RateLimit-Reset (an ISO 8601 time), 5xx from the instance or its proxy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from channels.base import Ambiguous, AuthExpired, ChannelError, Permanent, RateLimited, Transient
from channels.transport import transport_rule

#: A 422 that says only "not yet": the image is still being processed, nothing was posted.
NOT_READY = "have not finished processing"
#: How long to wait when a 429 says nothing usable about when to come back.
DEFAULT_WAIT = timedelta(minutes=5)


@dataclass(frozen=True)
class Request:
    """What was being done, for messages: "publishing the status", "uploading affiche.png"."""

    doing: str
    #: Whether the request could have made a status (POST /api/v1/statuses).
    publishes: bool
    #: The variable holding the token, named in credential errors.
    token_env: str


def mastodon_says(payload: Any) -> str | None:
    """The `error` of Mastodon's answer (and its description, when OAuth adds one)."""
    if not isinstance(payload, Mapping):
        return None
    error = payload.get("error")
    if not isinstance(error, str) or not error.strip():
        return None
    description = payload.get("error_description")
    if isinstance(description, str) and description.strip():
        return f"{error.strip()}: {description.strip()}"
    return error.strip()


def retry_at(headers: Mapping[str, str], now: datetime) -> datetime:
    """When a 429 says to come back: X-RateLimit-Reset (ISO 8601), else Retry-After."""
    reset = headers.get("X-RateLimit-Reset") or headers.get("x-ratelimit-reset")
    if reset:
        try:
            moment = datetime.fromisoformat(reset.strip().replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            return max(moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC), now)
    after = headers.get("Retry-After") or headers.get("retry-after")
    if after and after.strip().isdigit():
        return now + timedelta(seconds=int(after.strip()))
    return now + DEFAULT_WAIT


def http_error(
    status: int, headers: Mapping[str, str], payload: Any, request: Request
) -> ChannelError:
    """The ChannelError for Mastodon's answer `status` to `request`."""
    said = mastodon_says(payload)
    quoted = f" ({status}{': ' + said if said else ''})"
    env = request.token_env
    if status == 401:
        return AuthExpired(
            f"Mastodon refused the access token in {env} while {request.doing}{quoted}: "
            "create a new one (Preferences > Development > New application)"
        )
    if status == 403:
        return AuthExpired(
            f"Mastodon does not let the token in {env} do this while {request.doing}{quoted}: "
            "give the application the scopes write:statuses, write:media, read:accounts and "
            "read:statuses, or check that the account may post"
        )
    if status == 429:
        when = retry_at(headers, datetime.now(UTC))
        return RateLimited(
            f"Mastodon's rate limit is reached while {request.doing}{quoted}; "
            f"retry after {when:%Y-%m-%d %H:%M} UTC",
            when,
        )
    if status == 422 and said and NOT_READY in said:
        return Transient(f"the instance is still processing the image{quoted}; tried again later")
    if status >= 500:
        if request.publishes:
            return Ambiguous(
                f"Mastodon answered with a server error while {request.doing}{quoted}: "
                "the status may or may not be there"
            )
        return Transient(f"Mastodon answered with a server error while {request.doing}{quoted}")
    return Permanent(f"Mastodon refused {request.doing}{quoted}")


def transport_error(error: BaseException, request: Request) -> ChannelError:
    """A failure with no answer: Ambiguous if a status may have been made, else Transient."""
    rule = transport_rule(error)
    if request.publishes and rule.maybe_sent:
        return Ambiguous(
            f"Mastodon did not answer while {request.doing} ({rule.says}): "
            "the status may or may not be there"
        )
    return Transient(f"Mastodon could not be reached while {request.doing} ({rule.says})")
