"""Mobilizon's answers and transport failures as the ChannelError the engine acts on.

Mobilizon (Absinthe) answers HTTP 200 even when it refuses: the refusal is in
``errors``, each with a ``message`` (a list for a form's field errors), a ``code``
that is often just "unknown_error", and a ``status_code``. So the rules read the
message's words first. A Bearer token that is expired or not valid is refused before
GraphQL, with HTTP 401 ``{"message": "invalid_token", ...}``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from channels.base import (
    Ambiguous,
    AuthExpired,
    ChannelError,
    Permanent,
    RateLimited,
    Transient,
)
from channels.errors import Failure, Rule, first_match, meant, transport_rule

if TYPE_CHECKING:
    import requests

#: Rajska's rate limits count per minute: after "Too many requests", wait that long.
RATE_LIMIT_WAIT = timedelta(minutes=1)
GROUP_RIGHTS = (
    "the profile must be a moderator or an administrator of the group to create its events"
)


class TokenRefused(AuthExpired):
    """The access token is no longer accepted: refresh it (or log in) and ask again."""


class LoginRefused(AuthExpired):
    """The e-mail and password were refused."""


class RefreshRefused(AuthExpired):
    """The refresh token was refused (used already, expired or revoked)."""


#: Answers other than HTTP 200 with a JSON body, first match wins. `code` is "json"
#: when the body is JSON (Mobilizon's own refusal), empty when it is not.
HTTP_RULES: tuple[Rule, ...] = (
    Rule(TokenRefused, "the session was refused", status=(401,)),
    Rule(RateLimited, "too many requests", status=(429,)),
    Rule(Ambiguous, "a server error", status=range(500, 1000)),
    Rule(Permanent, "not Mobilizon's GraphQL answer: is instance_url right?", code=("json",)),
    Rule(Permanent, "not Mobilizon's GraphQL answer: is instance_url right?", status=(200,)),
    # Neither 200 nor JSON: something in front of Mobilizon answered, perhaps after it acted.
    Rule(Ambiguous, "no GraphQL answer"),
)

_NOT_OWNED = "the identity set for this channel is not a profile of this Mobilizon account"
_LOGIN = "Mobilizon refused the e-mail and password"
_MAY_NOT = "Mobilizon says this account may not do that"
_FAILED = "Mobilizon failed inside"

#: GraphQL `errors` (the first one decides), first match wins: `says` looks in the
#: message as Mobilizon words it (English), lower case; `status` is its status_code.
GRAPHQL_RULES: tuple[Rule, ...] = (
    Rule(Permanent, "Mobilizon refused what was sent", code=("validation",)),
    Rule(RateLimited, "Mobilizon asks to slow down", says="too many requests"),
    Rule(TokenRefused, "Mobilizon no longer knows the session", says="you need to be logged"),
    Rule(TokenRefused, "Mobilizon refused the session", says="unauthenticated"),
    Rule(TokenRefused, "Mobilizon refused the session", says="invalid_token"),
    Rule(RefreshRefused, "Mobilizon refused to renew the session",
         says="cannot refresh the token"),
    Rule(LoginRefused, _LOGIN, says="impossible to authenticate"),
    Rule(LoginRefused, _LOGIN, says="user not found"),
    Rule(LoginRefused, _LOGIN, says="invalid credentials"),
    Rule(LoginRefused, _LOGIN, says="this user has been"),
    Rule(Permanent, _NOT_OWNED, says="organizer profile is not owned"),
    Rule(Permanent, GROUP_RIGHTS,
         says="doesn't have permission to create an event on behalf of this group"),
    Rule(Permanent, "this instance only lets groups create events: set the channel's group",
         says="only groups can create events"),
    Rule(Permanent, "Mobilizon has no group by the channel's group name", says="group not found"),
    Rule(Permanent, "Mobilizon's spam filter refused the event: ask the instance's moderators",
         says="this event was detected as spam"),
    Rule(Permanent, "Mobilizon takes GIF, JPEG, PNG and WebP pictures only",
         says="file doesn't have an allowed mime type"),
    Rule(Permanent, "the picture is larger than the instance accepts", says="file_too_large"),
    Rule(Permanent, _MAY_NOT, says="you don't have permission"),
    Rule(Permanent, _MAY_NOT, says="unauthorized"),
    Rule(Permanent, _MAY_NOT, says="not authorized"),
    Rule(Ambiguous, _FAILED, says="unknown error"),
    Rule(Ambiguous, _FAILED, says="something went wrong"),
    Rule(Permanent, "Mobilizon refused", status=range(400, 500)),
    # A 5xx status_code, or none: Mobilizon may have acted before it failed.
    Rule(Ambiguous, "Mobilizon refused"),
)  # fmt: skip


def _unsure(outcome: type[ChannelError], text: str, *, may_publish: bool) -> ChannelError:
    """`text` as `outcome`, an unsure one being Transient when nothing could be created."""
    meaning = meant(outcome, may_publish=may_publish)
    if meaning is Ambiguous:
        return Ambiguous(f"{text}: the event may have been created")
    if meaning is Transient:
        return Transient(f"{text}; trying again later")
    return meaning(text)


def transport_error(
    error: BaseException, *, where: str, doing: str, may_publish: bool
) -> ChannelError:
    """A failure with no answer from `where`: Transient unless the event may exist."""
    rule = transport_rule(error)
    text = f"{where}: {rule.message} while {doing} ({type(error).__name__})"
    if meant(rule.outcome, may_publish=may_publish) is Ambiguous:
        return Ambiguous(f"{text}: the event may have been created")
    return Transient(text)


def http_error(
    response: requests.Response, body: Any, *, where: str, doing: str, may_publish: bool
) -> ChannelError:
    """An answer that is not HTTP 200 with a JSON body, as HTTP_RULES say."""
    status = response.status_code
    failure = Failure(status=status, code="json" if isinstance(body, dict) else None)
    rule = first_match(HTTP_RULES, failure, HTTP_RULES[-1])
    text = f"{where} answered HTTP {status} while {doing}"
    if rule.outcome is TokenRefused:
        said = body.get("details") if isinstance(body, dict) else None
        return TokenRefused(f"{text} ({rule.message}{f': {said}' if said else ''})")
    if rule.outcome is RateLimited:
        return RateLimited(f"{text}: {rule.message}", _retry_at(response))
    return _unsure(rule.outcome, f"{text}: {rule.message}", may_publish=may_publish)


def graphql_error(
    errors: Any, data: Any, *, where: str, doing: str, may_publish: bool
) -> ChannelError:
    """The ChannelError Mobilizon's `errors` mean (the first one decides)."""
    first = errors[0] if isinstance(errors, list) and errors else {}
    first = first if isinstance(first, dict) else {}
    message = words(first.get("message"))
    field = first.get("field")
    said = f"{field}: {message}" if field else message
    if data is None and "status_code" not in first:
        # Refused before running: the query itself does not fit this instance's schema.
        return Permanent(
            f"{where} did not understand the request while {doing} ({said}): "
            "Crosspost needs Mobilizon 3.1 or later"
        )
    status = first.get("status_code")
    failure = Failure(
        status=status if isinstance(status, int) else None,
        code=str(first.get("code") or ""),
        says=message.lower(),
    )
    rule = first_match(GRAPHQL_RULES, failure, GRAPHQL_RULES[-1])
    text = f"{rule.message} while {doing} ({said})"
    if rule.outcome is RateLimited:
        return RateLimited(text, datetime.now(UTC) + RATE_LIMIT_WAIT)
    return meant(rule.outcome, may_publish=may_publish)(text)


def words(message: Any) -> str:
    """Mobilizon's message as one line (a form error is a list, or a field -> list map)."""
    if isinstance(message, list):
        return "; ".join(words(m) for m in message)
    if isinstance(message, dict):
        return "; ".join(f"{k}: {words(v)}" for k, v in message.items())
    return str(message or "no message").strip()


def _retry_at(response: requests.Response) -> datetime:
    """When a 429 says to come back: Retry-After (seconds or a date), else a minute."""
    now = datetime.now(UTC)
    value = response.headers.get("Retry-After", "")
    if value.strip().isdigit():
        return now + timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return now + RATE_LIMIT_WAIT
    return when if when.tzinfo and when > now else now + RATE_LIMIT_WAIT
