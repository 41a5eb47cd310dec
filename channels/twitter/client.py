"""The OAuth 1.0a credentials and the requests session tweepy is given."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from channels.twitter.settings import TWEEPY_HOST

if TYPE_CHECKING:
    import requests


@dataclass(frozen=True)
class Credentials:
    """The four OAuth 1.0a values (never printed: repr hides them)."""

    api_key: str
    api_secret: str
    access_token: str
    access_secret: str

    def __repr__(self) -> str:
        return "Credentials(<hidden>)"


def rebased_session(base: str, timeout: float) -> requests.Session:
    """A requests session that sends tweepy's requests to `base`, with a timeout.

    tweepy.Client hard-codes https://api.twitter.com inside request() and sets no
    timeout; its documented `session` attribute is the one clean seam. The URL is
    rewritten before requests prepares the call, so the OAuth signature covers the
    URL really used.
    """
    session: requests.Session = _rebased_session_class()()
    session.base = base  # type: ignore[attr-defined]
    session.timeout = timeout  # type: ignore[attr-defined]
    return session


@cache
def _rebased_session_class() -> Any:
    """Defined once, on first use: requests is imported only when X is really called."""
    import requests

    class RebasedSession(requests.Session):
        base = TWEEPY_HOST
        timeout = 30.0

        def request(
            self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
        ) -> requests.Response:
            if isinstance(url, str) and url.startswith(TWEEPY_HOST):
                url = self.base + url[len(TWEEPY_HOST) :]
            kwargs.setdefault("timeout", self.timeout)
            return super().request(method, url, *args, **kwargs)

    return RebasedSession
