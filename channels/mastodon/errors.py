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
from channels.errors import Failure, Rule, first_match, meant, transport_rule

#: A 422 that says only "not yet": the image is still being processed, nothing was posted.
NOT_READY = "have not finished processing"
#: How long to wait when a 429 says nothing usable about when to come back.
DEFAULT_WAIT = timedelta(minutes=5)

#: Mastodon's answers, first match wins. "{env}" is the token's variable, "{doing}" what
#: was being done, "{said}" the status and Mastodon's own words; `says` looks in those
#: words, lower case. An Ambiguous row is Transient for a request that cannot publish.
HTTP_RULES: tuple[Rule, ...] = (
    Rule(AuthExpired, "Mastodon refused the access token in {env} while {doing}{said}: "
         "create a new one (Preferences > Development > New application)", status=(401,)),
    Rule(AuthExpired, "Mastodon does not let the token in {env} do this while {doing}{said}: "
         "give the application the scopes write:statuses, write:media, read:accounts and "
         "read:statuses, or check that the account may post", status=(403,)),
    Rule(RateLimited, "Mastodon's rate limit is reached while {doing}{said}", status=(429,)),
    Rule(Transient, "the instance is still processing the image{said}; tried again later",
         status=(422,), says=NOT_READY),
    Rule(Ambiguous, "Mastodon answered with a server error while {doing}{said}",
         status=range(500, 1000)),
    Rule(Permanent, "Mastodon refused {doing}{said}"),
)  # fmt: skip

#: A success whose body is not JSON: the request may have done its work.
UNREADABLE = Rule(Ambiguous, "Mastodon's answer while {doing} could not be read{said}")

#: Said after an Ambiguous outcome: the officer's first question.
MAYBE_THERE = ": the status may or may not be there"


@dataclass(frozen=True)
class Request:
    """What was being done, for messages: "publishing the status", "uploading affiche.png"."""

    doing: str
    #: Whether the request could have made a status (POST /api/v1/statuses).
    may_publish: bool
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


def error_for(rule: Rule, request: Request, said: str = "") -> ChannelError:
    """The ChannelError `rule` stands for, for `request` (see `meant`)."""
    message = rule.message.format(env=request.token_env, doing=request.doing, said=said)
    outcome = meant(rule.outcome, may_publish=request.may_publish)
    if outcome is Ambiguous:
        return Ambiguous(message + MAYBE_THERE)
    return outcome(message)


def http_error(
    status: int, headers: Mapping[str, str], payload: Any, request: Request
) -> ChannelError:
    """The ChannelError for Mastodon's answer `status` to `request` (see HTTP_RULES)."""
    words = mastodon_says(payload)
    said = f" ({status}{': ' + words if words else ''})"
    rule = first_match(
        HTTP_RULES, Failure(status=status, says=(words or "").lower()), HTTP_RULES[-1]
    )
    if rule.outcome is RateLimited:
        when = retry_at(headers, datetime.now(UTC))
        message = rule.message.format(doing=request.doing, said=said)
        return RateLimited(f"{message}; retry after {when:%Y-%m-%d %H:%M} UTC", when)
    return error_for(rule, request, said)


def unreadable_error(status: int, request: Request) -> ChannelError:
    """A success answer that is not JSON: Ambiguous for a status, else Transient."""
    return error_for(UNREADABLE, request, f" ({status})")


def transport_error(error: BaseException, request: Request) -> ChannelError:
    """A failure with no answer: Ambiguous if a status may have been made, else Transient."""
    rule = transport_rule(error)
    if meant(rule.outcome, may_publish=request.may_publish) is Ambiguous:
        return Ambiguous(
            f"Mastodon did not answer while {request.doing} ({rule.message})" + MAYBE_THERE
        )
    return Transient(f"Mastodon could not be reached while {request.doing} ({rule.message})")
