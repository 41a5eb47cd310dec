"""WordPress's error answers as the ChannelError the engine acts on."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from channels.base import (
    Ambiguous,
    AuthExpired,
    Permanent,
    RateLimited,
)
from channels.errors import Failure, Rule, first_match
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

_RENEW = (
    "WordPress refused the application password: create a new one "
    "(Users > Profile > Application Passwords) and put it in {env}"
)

#: First match wins. A row with a code needs that code; statuses narrow it further.
#: Codes not listed fall to the status rows at the end. Messages are said before
#: WordPress's own; `{env}` is the password's variable name. An unsure outcome
#: (Ambiguous) is Transient for every request but the post's creation.
#: https://developer.wordpress.org/rest-api/using-the-rest-api/authentication/
ERROR_RULES: tuple[Rule, ...] = (
    Rule(RateLimited, "WordPress (or its host) asks to slow down", status=(429,)),
    Rule(AuthExpired, _RENEW, code=("incorrect_password",)),
    Rule(AuthExpired, "WordPress does not know this username: check `username` and {env}",
         code=("invalid_username",)),
    Rule(AuthExpired, "WordPress does not know this e-mail address: check `username` and {env}",
         code=("invalid_email",)),
    Rule(AuthExpired, _RENEW, code=("rest_not_logged_in",)),
    Rule(AuthExpired, "application passwords are turned off on this site (they need HTTPS, "
         "and some security plugins disable them)", code=("application_passwords_disabled",)),
    Rule(AuthExpired, "application passwords are turned off for this user",
         code=("application_passwords_disabled_for_user",)),
    # A wrong password on a create is answered rest_cannot_create with 401, not 403.
    Rule(AuthExpired, _RENEW, status=(401,)),
    Rule(Permanent, ROLE_HINT, code=("rest_cannot_create",)),
    Rule(Permanent, ROLE_HINT, code=("rest_cannot_publish",)),
    Rule(Permanent, ROLE_HINT, code=("rest_cannot_assign_term",)),
    Rule(Permanent, ROLE_HINT, code=("rest_forbidden_status",)),
    Rule(Permanent, "this REST route does not exist: check site_url (or rest_root) points at "
         "WordPress and that no plugin disables the REST API", code=("rest_no_route",)),
    Rule(Permanent, "WordPress refused the image", code=("rest_upload_sideload_error",)),
    Rule(Ambiguous, "WordPress took too long to answer", status=(408,)),
    Rule(Ambiguous, "WordPress had a server error", status=range(500, 600)),
    Rule(Permanent, "WordPress refused the post", status=range(400, 500)),
)  # fmt: skip

_UNEXPECTED = Rule(Ambiguous, "WordPress gave an unexpected answer")


def rule_for(status: int, code: str | None) -> Rule:
    """The row of ERROR_RULES for an HTTP status and WordPress error code."""
    return first_match(ERROR_RULES, Failure(status=status, code=code), _UNEXPECTED)


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
