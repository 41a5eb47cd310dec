"""Kept-alive HTTP connections for the channels' requests sessions, never a stale one.

A new TCP (and TLS) connection for every post cost the daemon more CPU than the
post's own request (bench/RESULTS.md), so the X adapter keeps its session and every
X channel of the process draws on one pool of connections per host (requests'
HTTPAdapter over urllib3). Each channel keeps its own session (cookies, headers):
only the sockets are shared, and OAuth signs every request on its own.

A kept connection is the one way a pool could turn a harmless failure into an
ambiguous one: a POST written on a socket the server already closed gets no answer,
and "no answer" may mean "posted". Two guards keep a request off such a socket:
- urllib3 polls a pooled socket (a zero-timeout read) when it takes it from the
  pool: a server that closed it, or said anything unasked (a 408), made it
  readable, and the request goes on a new connection instead;
- a connection idle longer than KEEP_IDLE is closed here rather than reused:
  servers close idle ones after a few seconds at the least (Apache 5 s, nginx
  75 s), so a socket reused sooner was not closed by such a timeout in the
  microseconds between the poll and the send.
Neither retries a request that was sent (requests' adapters never do: Retry(0,
read=False)); what fails after the first byte left is Ambiguous, as before.
tests/channels/test_kept_connections.py proves it against a server that closes them.
"""

from __future__ import annotations

import threading
import time
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests
    from requests.adapters import HTTPAdapter

#: Seconds a pooled connection may sit idle and still be reused.
KEEP_IDLE = 4.0
#: Connections kept per host: as many as a daemon's threads may hold at once.
POOL_SIZE = 64

_lock = threading.Lock()


def kept_session(session: requests.Session) -> requests.Session:
    """`session`, sending http and https through the process's shared pool."""
    adapter = shared_adapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def shared_adapter() -> HTTPAdapter:
    """The one adapter (pool of kept connections) of this process."""
    with _lock:
        return _adapter()


@cache
def _adapter() -> HTTPAdapter:
    from requests.adapters import HTTPAdapter

    class KeptAdapter(HTTPAdapter):
        """Pools whose connections idle longer than KEEP_IDLE are not reused."""

        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = _pool_classes()

        def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
            manager = super().proxy_manager_for(proxy, **proxy_kwargs)
            manager.pool_classes_by_scheme = _pool_classes()
            return manager

        def close(self) -> None:
            # Shared: a channel's session closing must not cut the others' connections.
            pass

    return KeptAdapter(pool_connections=16, pool_maxsize=POOL_SIZE)


@cache
def _pool_classes() -> dict[str, Any]:
    from urllib3 import HTTPConnectionPool, HTTPSConnectionPool

    def fresh(base: Any) -> Any:
        class FreshPool(base):  # type: ignore[misc]
            def _get_conn(self, timeout: float | None = None) -> Any:
                # urllib3's own poll (a closed socket is replaced) runs in here first.
                conn = super()._get_conn(timeout)
                idle_since = getattr(conn, "crosspost_idle_since", None)
                if idle_since is not None and time.monotonic() - idle_since > KEEP_IDLE:
                    conn.close()  # reconnects on its next request
                return conn

            def _put_conn(self, conn: Any) -> None:
                if conn is not None:
                    conn.crosspost_idle_since = time.monotonic()
                super()._put_conn(conn)

        FreshPool.__name__ = f"Fresh{base.__name__}"
        return FreshPool

    return {"http": fresh(HTTPConnectionPool), "https": fresh(HTTPSConnectionPool)}
