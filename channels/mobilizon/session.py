"""Mobilizon sessions kept between runs: log in once, then refresh.

Mobilizon's access token lives 15 minutes and its refresh token 60 days, usable once
(refreshing hands a new pair and revokes the old). Logging in is rate-limited (5 a
minute per e-mail) and cron starts a process for every pass, so the pair lives in a
file, mode 600, shared by every process of the channel under a lock: the token is
refreshed when it is about to expire or is refused, and the password is used only
when refreshing fails.

The tokens are secrets: they stay in that file and in memory, registered with
crosspost.redact the moment they are read, never in a message or the ledger.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from channels.mobilizon import queries
from channels.mobilizon.api import GraphQL
from channels.mobilizon.errors import RefreshRefused
from channels.sessions import SessionFile
from crosspost import redact
from crosspost.clock import utcnow

log = logging.getLogger(__name__)

#: Refresh this long before the access token expires (a publication takes a few calls).
REFRESH_AHEAD = timedelta(minutes=2)


@dataclass(frozen=True)
class Tokens:
    """What the session file holds (repr hides the tokens)."""

    instance: str
    email: str
    access_token: str
    refresh_token: str

    def __repr__(self) -> str:
        return f"Tokens(instance={self.instance!r}, <tokens hidden>)"


def expires_soon(access_token: str, now: datetime | None = None) -> bool:
    """Whether the JWT's `exp` is within REFRESH_AHEAD (or cannot be read)."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        expiry = datetime.fromtimestamp(float(claims["exp"]), UTC)
    except (IndexError, KeyError, TypeError, ValueError):
        return True
    return expiry - REFRESH_AHEAD <= (now or utcnow())


def session_file(template: Path, channel: str) -> SessionFile[Tokens]:
    """Where `channel` keeps its tokens (the session_file setting)."""
    return SessionFile.of_channel(template, channel, Tokens, platform="Mobilizon")


def access_token(
    store: SessionFile[Tokens],
    api: GraphQL,
    *,
    email: str,
    password: Callable[[], str],
    fresh: bool = False,
) -> str:
    """A working access token: the saved one, refreshed, or from a new login.

    `password` is called only when a login is really needed. `fresh` skips the saved
    access token (Mobilizon just refused it). Raises LoginRefused (an AuthExpired) when
    the e-mail and password are refused, and the api's errors otherwise.
    """
    with store.locked():
        saved = store.load(
            lambda t: t.instance == api.instance_url and t.email.casefold() == email.casefold()
        )
        if saved is not None:
            redact.register(saved.access_token)
            redact.register(saved.refresh_token)
        if saved is not None and not fresh and not expires_soon(saved.access_token):
            return saved.access_token
        if saved is not None:
            saved = _refreshed(api, saved)
            if saved is not None:
                store.save(saved)
        if saved is None:
            saved = _logged_in(api, email, password())
            store.save(saved)
    return saved.access_token


def _refreshed(api: GraphQL, saved: Tokens) -> Tokens | None:
    try:
        data = api.call(
            queries.REFRESH,
            {"refreshToken": saved.refresh_token},
            token=None,
            doing="renewing the session",
        )
    except RefreshRefused as refused:
        log.info("Mobilizon: the saved session cannot be renewed (%s)", refused.message)
        return None
    pair = data.get("refreshToken") or {}
    return _tokens(api, saved.email, pair)


def _logged_in(api: GraphQL, email: str, password: str) -> Tokens:
    data = api.call(
        queries.LOGIN, {"email": email, "password": password}, token=None, doing="logging in"
    )
    return _tokens(api, email, data.get("login") or {})


def _tokens(api: GraphQL, email: str, pair: dict[str, object]) -> Tokens:
    access, refresh = str(pair.get("accessToken") or ""), str(pair.get("refreshToken") or "")
    if not access or not refresh:
        raise RefreshRefused(f"{api.instance_url} gave no session tokens")
    redact.register(access)
    redact.register(refresh)
    return Tokens(api.instance_url, email, access, refresh)
