"""Mobilizon's GraphQL endpoint over requests, and what each of its answers means.

Mobilizon (Absinthe) answers HTTP 200 even when it refuses: the refusal is in
``errors``, each with a ``message`` (a list for a form's field errors), a ``code``
that is often just "unknown_error", and a ``status_code``. So the rules below read
the message first. A Bearer token that is expired or not valid is refused before
GraphQL, with HTTP 401 ``{"message": "invalid_token", ...}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
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
from channels.errors import meant, transport_rule

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


@dataclass(frozen=True)
class Upload:
    """A file sent with a mutation, as Absinthe reads it: a multipart part named `part`."""

    part: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Rule:
    """One row: a Mobilizon error message -> what it means for the delivery."""

    pattern: re.Pattern[str]
    #: The ChannelError class, or None for "as unsure as the request" (Ambiguous for a create).
    outcome: type[ChannelError] | None
    advice: str


def _rule(pattern: str, outcome: type[ChannelError] | None, advice: str) -> Rule:
    return Rule(re.compile(pattern, re.IGNORECASE), outcome, advice)


#: First match wins; the message is matched as Mobilizon words it (English).
ERROR_RULES: tuple[Rule, ...] = (
    _rule(r"^Too many requests", RateLimited, "Mobilizon asks to slow down"),
    _rule(r"^You need to be logged", TokenRefused, "Mobilizon no longer knows the session"),
    _rule(r"^(unauthenticated|invalid_token)", TokenRefused, "Mobilizon refused the session"),
    _rule(r"^Cannot refresh the token", RefreshRefused, "Mobilizon refused to renew the session"),
    _rule(r"^(Impossible to authenticate|User not found|Invalid credentials|This user has been)",
          LoginRefused, "Mobilizon refused the e-mail and password"),
    _rule(r"^Organizer profile is not owned", Permanent,
          "the identity set for this channel is not a profile of this Mobilizon account"),
    _rule(r"doesn't have permission to create an event on behalf of this group", Permanent,
          GROUP_RIGHTS),
    _rule(r"^Only groups can create events", Permanent,
          "this instance only lets groups create events: set the channel's group"),
    _rule(r"^Group not found", Permanent, "Mobilizon has no group by the channel's group name"),
    _rule(r"^This event was detected as spam", Permanent,
          "Mobilizon's spam filter refused the event: ask the instance's moderators"),
    _rule(r"^File doesn't have an allowed MIME type", Permanent,
          "Mobilizon takes GIF, JPEG, PNG and WebP pictures only"),
    _rule(r"^file_too_large", Permanent, "the picture is larger than the instance accepts"),
    _rule(r"^You don't have permission|^unauthorized|^Not authorized", Permanent,
          "Mobilizon says this account may not do that"),
    _rule(r"^(Unknown error|Something went wrong)", None, "Mobilizon failed inside"),
)  # fmt: skip


class GraphQL:
    """One instance's /api endpoint: sends a document, returns `data` or raises ChannelError."""

    def __init__(self, instance_url: str, timeout: float) -> None:
        self.endpoint = f"{instance_url}/api"
        self.instance_url = instance_url
        self.timeout = timeout
        self._session: requests.Session | None = None

    def call(
        self,
        query: str,
        variables: dict[str, Any],
        *,
        token: str | None,
        doing: str,
        creates: bool = False,
        upload: Upload | None = None,
    ) -> dict[str, Any]:
        """`data` of the answer; a ChannelError saying what went wrong while `doing`."""
        import requests

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            if upload is None:
                body = {"query": query, "variables": variables}
                response = self._http().post(
                    self.endpoint, json=body, headers=headers, timeout=self._timeouts()
                )
            else:
                form = {"query": query, "variables": json.dumps(variables)}
                files = {upload.part: (upload.filename, upload.data, upload.content_type)}
                response = self._http().post(
                    self.endpoint, data=form, files=files, headers=headers, timeout=self._timeouts()
                )
        except requests.RequestException as error:
            rule = transport_rule(error)
            text = f"{self.instance_url}: {rule.message} while {doing} ({type(error).__name__})"
            if meant(rule.outcome, may_publish=creates) is Ambiguous:
                raise Ambiguous(f"{text}: the event may have been created") from error
            raise Transient(text) from error
        return self._read(response, doing=doing, creates=creates)

    def _read(self, response: requests.Response, *, doing: str, creates: bool) -> dict[str, Any]:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        where = f"{self.instance_url} answered HTTP {status} while {doing}"
        if status == 401:
            said = body.get("details") if isinstance(body, dict) else None
            raise TokenRefused(f"{where} (the session was refused{f': {said}' if said else ''})")
        if status == 429:
            raise RateLimited(f"{where}: too many requests", _retry_at(response))
        if status >= 500 or (status != 200 and not isinstance(body, dict)):
            if creates:
                raise Ambiguous(f"{where}: the event may have been created")
            raise Transient(f"{where}; trying again later")
        if not isinstance(body, dict) or status != 200:
            raise Permanent(f"{where}, not Mobilizon's GraphQL answer: is instance_url right?")
        errors = body.get("errors")
        if errors:
            raise self._refusal(errors, body.get("data"), doing=doing, creates=creates)
        data = body.get("data")
        if not isinstance(data, dict):
            raise Permanent(f"{self.instance_url} answered without data while {doing}")
        return data

    def _refusal(self, errors: Any, data: Any, *, doing: str, creates: bool) -> ChannelError:
        """The ChannelError Mobilizon's `errors` mean (the first one decides)."""
        first = errors[0] if isinstance(errors, list) and errors else {}
        first = first if isinstance(first, dict) else {}
        message = _words(first.get("message"))
        field = first.get("field")
        said = f"{field}: {message}" if field else message
        if data is None and "status_code" not in first:
            # Refused before running: the query itself does not fit this instance's schema.
            return Permanent(
                f"{self.instance_url} did not understand the request while {doing} ({said}): "
                "Crosspost needs Mobilizon 3.1 or later"
            )
        if first.get("code") == "validation":
            return Permanent(f"Mobilizon refused the event ({said})")
        rule = next((r for r in ERROR_RULES if r.pattern.search(message)), None)
        text = f"{rule.advice if rule else 'Mobilizon refused'} while {doing} ({said})"
        if rule is None:
            status = first.get("status_code")
            if isinstance(status, int) and 400 <= status < 500:
                return Permanent(text)
            return Ambiguous(text) if creates else Transient(text)
        if rule.outcome is RateLimited:
            return RateLimited(text, datetime.now(UTC) + RATE_LIMIT_WAIT)
        if rule.outcome is None:
            return Ambiguous(text) if creates else Transient(text)
        return rule.outcome(text)

    def _http(self) -> requests.Session:
        if self._session is None:
            import requests

            self._session = requests.Session()
            self._session.headers["User-Agent"] = "Crosspost (Mobilizon channel)"
        return self._session

    def _timeouts(self) -> tuple[float, float]:
        """(connect, read): a dead host is noticed sooner than a slow answer."""
        return (min(10.0, self.timeout), self.timeout)


def _words(message: Any) -> str:
    """Mobilizon's message as one line (a form error is a list, or a field -> list map)."""
    if isinstance(message, list):
        return "; ".join(_words(m) for m in message)
    if isinstance(message, dict):
        return "; ".join(f"{k}: {_words(v)}" for k, v in message.items())
    return str(message or "no message").strip()


def _retry_at(response: requests.Response) -> datetime:
    now = datetime.now(UTC)
    value = response.headers.get("Retry-After", "")
    if value.strip().isdigit():
        return now + timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return now + RATE_LIMIT_WAIT
    return when if when.tzinfo and when > now else now + RATE_LIMIT_WAIT
