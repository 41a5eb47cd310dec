"""WordPress's error answers as the ChannelError the engine acts on."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal

from channels.base import (
    AuthExpired,
    ChannelError,
    Permanent,
    RateLimited,
)
from channels.wordpress.rest import TAG
from channels.wordpress.settings import DEFAULT_RATE_LIMIT_WAIT, ROLE_HINT

if TYPE_CHECKING:
    import requests


def clean_message(message: object) -> str:
    """WordPress's error message as text (some carry <strong>Error:</strong>)."""
    return html.unescape(TAG.sub("", str(message))).strip()


def retry_at(response: requests.Response, now: datetime) -> datetime:
    """When to try again after a 429, from Retry-After (seconds or an HTTP date)."""
    raw = (response.headers.get("Retry-After") or "").strip()
    if raw.isdigit():
        return now + timedelta(seconds=int(raw))
    try:
        when = parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError):
        when = None
    if when is not None and when.tzinfo is not None:
        return max(when.astimezone(UTC), now)
    return now + DEFAULT_RATE_LIMIT_WAIT


# ---------------------------------------------------------------- error classification

#: "Unsure" outcomes become Ambiguous for the post creation (the post may exist) and
#: Transient for every other request (nothing was published).
Unsure = Literal["unsure"]
Outcome = type[ChannelError] | Unsure


@dataclass(frozen=True)
class ErrorRule:
    """What a WordPress error answer means for the delivery, and what to tell the officer."""

    #: WordPress's error `code` ("rest_cannot_create"), or None to match on status only.
    code: str | None
    #: HTTP statuses the row applies to (empty: any).
    statuses: tuple[int, ...]
    outcome: Outcome
    #: Said before WordPress's own message; `{env}` is the password's variable name.
    advice: str


_RENEW = (
    "WordPress refused the application password: create a new one "
    "(Users > Profile > Application Passwords) and put it in {env}"
)

#: First match wins. A row with a code needs that code; statuses narrow it further.
#: Codes not listed fall to the status rows at the end.
#: https://developer.wordpress.org/rest-api/using-the-rest-api/authentication/
ERROR_RULES: tuple[ErrorRule, ...] = (
    ErrorRule(None, (429,), RateLimited, "WordPress (or its host) asks to slow down"),
    ErrorRule("incorrect_password", (), AuthExpired, _RENEW),
    ErrorRule("invalid_username", (), AuthExpired,
              "WordPress does not know this username: check `username` and {env}"),
    ErrorRule("invalid_email", (), AuthExpired,
              "WordPress does not know this e-mail address: check `username` and {env}"),
    ErrorRule("rest_not_logged_in", (), AuthExpired, _RENEW),
    ErrorRule("application_passwords_disabled", (), AuthExpired,
              "application passwords are turned off on this site (they need HTTPS, "
              "and some security plugins disable them)"),
    ErrorRule("application_passwords_disabled_for_user", (), AuthExpired,
              "application passwords are turned off for this user"),
    # A wrong password on a create is answered rest_cannot_create with 401, not 403.
    ErrorRule(None, (401,), AuthExpired, _RENEW),
    ErrorRule("rest_cannot_create", (), Permanent, ROLE_HINT),
    ErrorRule("rest_cannot_publish", (), Permanent, ROLE_HINT),
    ErrorRule("rest_cannot_assign_term", (), Permanent, ROLE_HINT),
    ErrorRule("rest_forbidden_status", (), Permanent, ROLE_HINT),
    ErrorRule("rest_no_route", (), Permanent,
              "this REST route does not exist: check site_url (or rest_root) points at "
              "WordPress and that no plugin disables the REST API"),
    ErrorRule("rest_upload_sideload_error", (), Permanent, "WordPress refused the image"),
    ErrorRule(None, (408,), "unsure", "WordPress took too long to answer"),
    ErrorRule(None, tuple(range(500, 600)), "unsure", "WordPress had a server error"),
    ErrorRule(None, tuple(range(400, 500)), Permanent, "WordPress refused the post"),
)  # fmt: skip

_UNEXPECTED = ErrorRule(None, (), "unsure", "WordPress gave an unexpected answer")


def rule_for(status: int, code: str | None) -> ErrorRule:
    """The row of ERROR_RULES for an HTTP status and WordPress error code."""
    for rule in ERROR_RULES:
        if rule.code is not None and rule.code != code:
            continue
        if rule.statuses and status not in rule.statuses:
            continue
        return rule
    return _UNEXPECTED


def error_fields(body: object) -> tuple[str | None, str, int | None]:
    """(code, message, status) of a WordPress error body, looking inside rest_invalid_param.

    Without a valid login, `status=any` is refused as an invalid parameter whose
    details say rest_forbidden_status with the real status (401): that is a login
    problem, not a bad request.
    """
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return None, "", None
    code, message = str(body["code"]), clean_message(body.get("message", ""))
    data = _mapping(body.get("data"))
    for value in _mapping(data.get("details")).values():
        detail = _mapping(value)
        if detail.get("code") == "rest_forbidden_status":
            inner_status = _int(_mapping(detail.get("data")).get("status"))
            return "rest_forbidden_status", message, inner_status
    return code, message, _int(data.get("status"))


def _mapping(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else empty: WordPress bodies vary by plugin."""
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int | None:
    """`value` if it is a JSON integer, else None."""
    return value if isinstance(value, int) else None


class TermExists(Permanent):
    """WordPress refused to create a term because it has one by that name (term_exists)."""

    def __init__(self, message: str, term_id: int) -> None:
        super().__init__(message)
        self.term_id = term_id


def existing_term_id(body: Any) -> int | None:
    """The id term_exists carries in data.term_id (WordPress 4.7 and later)."""
    return _int(_mapping(_mapping(body).get("data")).get("term_id"))
