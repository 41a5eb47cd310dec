"""A loopback proxy in front of the real PDS, failing as Bluesky's servers do.

The live PDS cannot lose an answer, be overloaded or refuse a connection on demand,
so the channel under test talks to the PDS through this proxy, which can:

- ``lost_answer``: forward the write to the PDS (the post IS made), then close the
  connection without any answer (the client sees "Server disconnected");
- ``5xx``: answer 502 without forwarding, as the reverse proxy in front of a PDS
  (Caddy, nginx) does when the PDS behind it does not answer: nothing is made;
- ``429``: answer as the PDS's rate limiter does (RateLimitExceeded with the
  ``ratelimit-*`` headers, the reset in epoch seconds), without forwarding;
- refuse connections: the listener closes while inside ``refusing()``.

Faults hit putRecord (the write that makes a post) unless told otherwise; everything
else passes through untouched. Use it as a context manager or call start() and stop().
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

import httpx

FaultKind = Literal["lost_answer", "5xx", "429"]
PUT_RECORD = "com.atproto.repo.putRecord"
#: Headers that belong to one hop, or that the proxy sets again for the bytes it sends.
_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "host",
    "accept-encoding",
}
#: What the PDS's limiter says when repo writes are spent (5000 points an hour).
RATE_LIMIT_POLICY = "5000;w=3600"


@dataclass
class _Fault:
    kind: FaultKind
    method: str
    count: int | None
    probability: float | None


class PDSProxy:
    """An HTTP proxy on 127.0.0.1 forwarding to `target`, with scripted faults."""

    def __init__(self, target: str, *, seed: int = 0, latency_ms: int = 0) -> None:
        self.target = target.rstrip("/")
        self.latency_ms = latency_ms
        #: The XRPC method of every request that reached the proxy, in order.
        self.requests: list[str] = []
        #: The record key of every write whose answer was lost (the post was made).
        self.lost: list[str] = []
        self._faults: list[_Fault] = []
        #: Notified when a record write arrives, before it is forwarded.
        self._write_arrived = threading.Condition()
        self._writes = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._upstream = httpx.Client(base_url=self.target, timeout=30)
        self._server: ThreadingHTTPServer | None = None
        self._port = 0

    # ------------------------------------------------------------ life

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> PDSProxy:
        self._listen()
        return self

    def stop(self) -> None:
        self._close()
        self._upstream.close()

    def __enter__(self) -> PDSProxy:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _listen(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", self._port), _handler(self))
        server.daemon_threads = True
        self._port = server.server_port  # the same port again after refusing()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server

    def _close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # ------------------------------------------------------------ faults

    def inject(
        self,
        kind: FaultKind,
        *,
        count: int | None = 1,
        probability: float | None = None,
        method: str = PUT_RECORD,
    ) -> None:
        """The next `count` requests of `method` fail as `kind` (each with `probability`
        when given: then it stays until clear_faults())."""
        with self._lock:
            self._faults.append(_Fault(kind, method, None if probability else count, probability))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @contextmanager
    def refusing(self) -> Iterator[None]:
        """Connections are refused while inside: nothing listens on the port."""
        self._close()
        try:
            yield
        finally:
            self._listen()

    def _fault_for(self, method: str) -> FaultKind | None:
        with self._lock:
            for fault in self._faults:
                if fault.method != method:
                    continue
                if fault.probability is not None:
                    if self._random.random() < fault.probability:
                        return fault.kind
                    continue
                assert fault.count is not None
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
                return fault.kind
        return None

    def wait_for_next_write(self, timeout: float) -> bool:
        """Wait until a new record write reaches the proxy (it is then held for
        `latency_ms` before going on): whether one came within `timeout` seconds."""
        with self._write_arrived:
            seen = self._writes
            return self._write_arrived.wait_for(lambda: self._writes > seen, timeout)

    # ------------------------------------------------------------ one request

    def handle(self, request: BaseHTTPRequestHandler, verb: str) -> None:
        length = int(request.headers.get("content-length") or 0)
        body = request.rfile.read(length) if length else b""
        path = request.path
        method = path.split("?", 1)[0].removeprefix("/xrpc/")
        with self._lock:
            self.requests.append(method)
        if method == PUT_RECORD:
            with self._write_arrived:
                self._writes += 1
                self._write_arrived.notify_all()
        fault = self._fault_for(method)
        if fault == "5xx":
            return _answer(request, 502, {"content-type": "text/plain"}, b"Bad Gateway")
        if fault == "429":
            return _answer(request, 429, _rate_limit_headers(), _RATE_LIMITED)
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        try:
            answer = self._upstream.request(verb, path, content=body, headers=headers)
        except httpx.HTTPError:
            return _answer(request, 502, {"content-type": "text/plain"}, b"Bad Gateway")
        if fault == "lost_answer":
            with self._lock:
                self.lost.append(_rkey(body))
            request.close_connection = True  # the post is made; its answer never leaves
            return None
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
        return _answer(request, answer.status_code, kept, answer.content)


_RATE_LIMITED = json.dumps(
    {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
).encode()


def _rate_limit_headers() -> dict[str, str]:
    reset = int(time.time()) + 15 * 60
    return {
        "content-type": "application/json; charset=utf-8",
        "ratelimit-limit": "5000",
        "ratelimit-remaining": "0",
        "ratelimit-reset": str(reset),
        "ratelimit-policy": RATE_LIMIT_POLICY,
    }


def _rkey(body: bytes) -> str:
    try:
        return str(json.loads(body).get("rkey", ""))
    except ValueError:
        return ""


def _answer(
    request: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes
) -> None:
    request.send_response(status)
    for name, value in headers.items():
        request.send_header(name, value)
    request.send_header("content-length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def _handler(proxy: PDSProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's client expects

        def log_message(self, *_args: Any) -> None:
            pass

        def do_GET(self) -> None:
            proxy.handle(self, "GET")

        def do_POST(self) -> None:
            proxy.handle(self, "POST")

    return Handler
