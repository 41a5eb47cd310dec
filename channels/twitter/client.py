"""The OAuth 1.0a credentials and the requests session tweepy is given."""

from __future__ import annotations

import os
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
    from channels.connections import kept_session

    session: requests.Session = _rebased_session_class()()
    session.base = base  # type: ignore[attr-defined]
    session.timeout = timeout  # type: ignore[attr-defined]
    # Kept alive between posts, in the pool every X channel shares (channels/connections.py).
    return kept_session(session)


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

        def merge_environment_settings(
            self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
        ) -> Any:
            # requests works out the proxy and CA settings from the environment on
            # every request (0.3 ms a post here, more than the rest of preparing it).
            # The answer only changes with the host, the arguments and those variables,
            # so it is kept under exactly them: a changed HTTPS_PROXY is still obeyed.
            key = (
                _origin(url), _frozen(proxies), stream, _frozen(verify), _frozen(cert),
                _network_environment(),
            )  # fmt: skip
            return _copied(_environment_settings(key, self, url, proxies, stream, verify, cert))

    return RebasedSession


_ENVIRONMENT: dict[Any, dict[str, Any]] = {}


def _environment_settings(
    key: Any, session: Any, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
) -> dict[str, Any]:
    settings = _ENVIRONMENT.get(key)
    if settings is None:
        import requests

        fresh = requests.Session.merge_environment_settings(
            session, url, proxies, stream, verify, cert
        )
        settings = _ENVIRONMENT[key] = _copied(dict(fresh))
    return settings


#: The variables requests reads besides the *_proxy ones (any case).
_CA_VARIABLES = frozenset({"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"})


def _network_environment() -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, value)
        for name, value in os.environ.items()
        if name in _CA_VARIABLES or name.lower().endswith("_proxy")
    )


def _origin(url: Any) -> Any:
    if not isinstance(url, str):
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return value


def _copied(settings: dict[str, Any]) -> dict[str, Any]:
    copy = dict(settings)
    if isinstance(copy.get("proxies"), dict):
        copy["proxies"] = dict(copy["proxies"])
    return copy
