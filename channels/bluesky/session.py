"""Bluesky sessions kept between runs: a logged-in atproto client without a new login each time.

Bluesky allows createSession 30 times in 5 minutes and 300 times a day per account,
and cron mode starts a process for every pass. So the session (its access and
refresh tokens) lives in a file, mode 600, that every process of the channel shares:
it is refreshed with refreshSession when the access token is about to expire, and a
new session is created with the app password only when refreshing fails.

The tokens are secrets: they stay in that file and in memory, never in a message,
a log line or the ledger (the SDK's Session prints them from str(), so it is never
formatted into anything).
"""

from __future__ import annotations

import logging
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from channels.sessions import SessionFile

if TYPE_CHECKING:
    from atproto import Client

log = logging.getLogger(__name__)

#: Refresh this long before the access token expires (the SDK refreshes 15 minutes ahead).
REFRESH_AHEAD = timedelta(minutes=20)


class LoginRefused(Exception):
    """createSession refused the handle and app password (the SDK error is the cause)."""


@dataclass(frozen=True)
class SavedSession:
    """What the session file holds (repr hides the tokens)."""

    service: str
    handle: str
    did: str
    access_jwt: str
    refresh_jwt: str
    pds_endpoint: str

    def __repr__(self) -> str:
        return f"SavedSession(handle={self.handle!r}, did={self.did!r}, <tokens hidden>)"


def session_file(template: Path, channel: str) -> SessionFile[SavedSession]:
    """Where `channel` keeps its session (the session_file setting)."""
    return SessionFile.of_channel(template, channel, SavedSession, platform="Bluesky")


def _expires_soon(access_jwt: str) -> bool:
    from atproto_client.client.session import Session
    from atproto_core.exceptions import AtProtocolError

    try:
        payload = Session("", "", access_jwt, "").access_jwt_payload
    except AtProtocolError:  # not a JWT we can read: refresh it
        return True
    if not payload.exp:
        return True
    return datetime.fromtimestamp(payload.exp, UTC) - REFRESH_AHEAD <= datetime.now(UTC)


def _as_saved(service: str, handle: str, session: Any) -> SavedSession:
    return SavedSession(
        service=service,
        handle=handle,
        did=session.did,
        access_jwt=session.access_jwt,
        refresh_jwt=session.refresh_jwt,
        pds_endpoint=session.pds_endpoint or service,
    )


def logged_in_client(
    store: SessionFile[SavedSession],
    *,
    service: str,
    handle: str,
    app_password: Any,
    timeout: float,
    fresh: bool = False,
) -> Client:
    """An atproto Client with a working session: the saved one, refreshed, or a new one.

    `app_password` is a callable returning the app password, so it is read only when a
    login is really needed. `fresh` skips the saved access token (after the server
    refused it): refresh first, and log in only if that fails too. Raises the SDK's
    errors for the caller to classify, and LoginRefused when the password is refused.
    """
    from atproto import Client
    from atproto_client.request import Request

    def new_client() -> Client:
        return Client(base_url=service, request=Request(timeout=timeout))

    with store.locked():
        saved = store.load(lambda s: s.service == service and s.handle.lower() == handle.lower())
        if saved is not None and (fresh or _expires_soon(saved.access_jwt)):
            client = new_client()
            with closing(client.request):
                saved = _refreshed(client, saved)
            if saved is not None:
                store.save(saved)
        if saved is None:
            client = new_client()
            with closing(client.request):
                saved = _created(client, service, handle, app_password())
            store.save(saved)

    def keep(_event: Any, session: Any) -> None:
        # A refresh the SDK makes by itself later (a long publication) is kept too.
        with store.locked():
            store.save(_as_saved(service, handle, session))

    client = new_client()
    client.login(session_string=_session_string(saved), fetch_bsky_profile=False)
    client.on_session_change(keep)
    return client


def _refreshed(client: Client, saved: SavedSession) -> SavedSession | None:
    """refreshSession with the saved refresh token; None when the server refuses it."""
    from atproto_client.client.session import get_session_pds_endpoint
    from atproto_client.exceptions import BadRequestError, UnauthorizedError

    try:
        refreshed = client.com.atproto.server.refresh_session(
            headers={"Authorization": f"Bearer {saved.refresh_jwt}"},
            ignore_session_check=True,
        )
    except (BadRequestError, UnauthorizedError) as exc:
        log.info("Bluesky: the saved session cannot be refreshed (%s)", _error_name(exc))
        return None
    return SavedSession(
        service=saved.service,
        handle=saved.handle,
        did=refreshed.did,
        access_jwt=refreshed.access_jwt,
        refresh_jwt=refreshed.refresh_jwt,
        pds_endpoint=get_session_pds_endpoint(refreshed) or saved.pds_endpoint,
    )


def _created(client: Client, service: str, handle: str, app_password: str) -> SavedSession:
    """createSession with the app password (rate-limited: only when nothing else works)."""
    from atproto_client.client.session import Session
    from atproto_client.exceptions import UnauthorizedError

    try:
        client.login(handle, app_password, fetch_bsky_profile=False)
    except UnauthorizedError as exc:
        raise LoginRefused(_error_name(exc)) from exc
    return _as_saved(service, handle, Session.decode(client.export_session_string()))


def _session_string(saved: SavedSession) -> str:
    from atproto_client.client.session import Session

    session = Session(
        saved.handle, saved.did, saved.access_jwt, saved.refresh_jwt, saved.pds_endpoint
    )
    return str(session.encode())


def _error_name(exc: BaseException) -> str:
    """The XRPC error name and message of an SDK error (never its headers or tokens)."""
    response = getattr(exc, "response", None)
    content = getattr(response, "content", None)
    name = getattr(content, "error", None)
    message = getattr(content, "message", None)
    status = getattr(response, "status_code", None)
    words = ": ".join(str(w) for w in (name, message) if w)
    return f"{status} {words}".strip() if status else (words or type(exc).__name__)
