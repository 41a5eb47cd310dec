"""The fake platform server: one loopback listener speaking X, Graph, Mastodon and WordPress."""

from __future__ import annotations

import contextlib
import ipaddress
import random
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from tests.support.fakeplatform import control
from tests.support.fakeplatform.faults import Fault, FaultPlan
from tests.support.fakeplatform.graph import Graph
from tests.support.fakeplatform.mastodon import Mastodon
from tests.support.fakeplatform.mobilizon import Mobilizon
from tests.support.fakeplatform.platform import Env, Platform
from tests.support.fakeplatform.records import Create, Exchange, Recorder
from tests.support.fakeplatform.settings import Settings
from tests.support.fakeplatform.twitter import Twitter
from tests.support.fakeplatform.wire import Request, Response, json_response, read_body
from tests.support.fakeplatform.wordpress import WordPress

#: Faults after which the create stands although the client never saw the answer.
UNANSWERED_CREATES = ("timeout", "lost_answer")
#: Pending connections the kernel queues: bursts of new clients must not be dropped.
LISTEN_BACKLOG = 1024


class FakePlatformServer:
    """X, the Graph API, Mastodon and a WordPress site on one loopback URL, recording every create.

    Use it as a context manager (``with FakePlatformServer() as fake: ...``) or call
    ``start()`` and ``stop()``. Point every adapter's api_base at ``fake.url``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int | None = None,
        **settings: Any,
    ) -> None:
        _require_loopback(host)
        self._host = host
        self._port = port
        self._settings = Settings().updated(settings)
        self._settings_lock = threading.Lock()
        self.recorder = Recorder()
        self.faults = FaultPlan(random.Random(seed))
        # WordPress last: it answers every path the others leave.
        self.platforms: tuple[Platform, ...] = (
            Twitter(),
            Graph(),
            Mastodon(),
            Mobilizon(),
            WordPress(),
        )
        self._listener: _Listener | None = None
        self._listener_lock = threading.Lock()
        self._stopping = threading.Event()
        self._resume_timer: threading.Timer | None = None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._in_flight = 0
        self._peak_in_flight = 0
        #: TCP connections accepted since the start: fewer than requests when kept alive.
        self.connections_accepted = 0
        self._started_at = time.time()

    # ------------------------------------------------------------ life cycle

    def start(self) -> FakePlatformServer:
        """Listen (on the same port as before, after a stop); returns self."""
        self._stopping.clear()
        self._open_listener()
        return self

    def stop(self) -> None:
        """Close the listener and every open connection; held answers are released."""
        self._stopping.set()
        self._cancel_resume()
        self._close_listener()

    def refuse(self, seconds: float | None = None, *, keep: socket.socket | None = None) -> None:
        """Refuse connections (a platform that is down) for `seconds`, or until resume().

        Open connections are cut too, except `keep` (the one asking, over HTTP).
        """
        self._cancel_resume()
        self._close_listener(keep=keep)
        if seconds is not None:
            self._resume_timer = threading.Timer(seconds, self.resume)
            self._resume_timer.daemon = True
            self._resume_timer.start()

    def resume(self) -> None:
        """Accept connections again after refuse()."""
        if not self._stopping.is_set():
            self._open_listener()

    def __enter__(self) -> FakePlatformServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        """The base URL of every platform (no trailing slash)."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    # ------------------------------------------------------------ what tests look at

    @property
    def creates(self) -> list[Create]:
        """Every create so far, in the order they were made (a copy)."""
        return self.recorder.creates()

    def count(self, platform: str | None = None) -> int:
        """How many creates were made, on one platform or all."""
        return self.recorder.count(platform)

    @property
    def requests(self) -> list[Exchange]:
        """Every platform request answered (or not) so far, most recent last."""
        return self.recorder.exchanges()

    def reset(self) -> None:
        """Forget creates, requests, pending faults and every platform object; keep settings."""
        self.faults.clear()
        self.recorder.reset()
        for platform in self.platforms:
            platform.reset()

    def stats(self) -> dict[str, Any]:
        return {
            **self.recorder.stats(),
            "in_flight": self._in_flight,
            "connections_accepted": self.connections_accepted,
            "peak_in_flight": self._peak_in_flight,
            "pending_faults": len(self.faults.pending()),
            "latency_ms": self._settings.latency_ms,
            "uptime_s": round(time.time() - self._started_at, 3),
            "url": self.url,
        }

    # ------------------------------------------------------------ scripting

    @property
    def settings(self) -> Settings:
        return self._settings

    def configure(self, **changes: Any) -> Settings:
        """Change settings (latency_ms=50, duplicates=False...); returns the new settings."""
        return self.configure_from(changes)

    def configure_from(self, changes: dict[str, Any]) -> Settings:
        with self._settings_lock:
            self._settings = self._settings.updated(changes)
            return self._settings

    def inject(
        self,
        kind: str,
        *,
        platform: str | None = None,
        count: int | None = None,
        probability: float | None = None,
        scope: str = "creates",
        seconds: float | None = None,
    ) -> Fault:
        """Script a fault (see faults.py for the kinds); "refuse" acts at once."""
        fault = Fault(
            kind,
            platform,
            count=count if count is not None or probability is not None else 1,
            probability=probability,
            scope=scope,
            seconds=seconds,
        )
        return self.add_fault(fault)

    def add_fault(self, fault: Fault) -> Fault:
        if fault.kind == "refuse":
            fault.fired += 1
            self.refuse(fault.seconds)
            return fault
        return self.faults.add(fault)

    def clear_faults(self) -> None:
        self.faults.clear()

    # ------------------------------------------------------------ serving one request

    def serve(self, handler: _Handler) -> None:
        """Answer one request: control API, or platform with latency and faults."""
        request = _read_request(handler)
        if request.path == "/_fake" or request.path.startswith("/_fake/"):
            reply = control.answer(self, request)
            if reply.outage is not None:
                # Closed before answering, so that no request sent after the answer gets in;
                # this connection stays open just long enough to carry the answer.
                handler.close_connection = True
                self.refuse(reply.outage, keep=handler.connection)
            self._send(handler, reply.response, head=False)
            return
        platform = next(p for p in self.platforms if p.owns(request))
        fault = self.faults.draw(
            platform.name, is_create=platform.is_create(request), is_write=request.is_write
        )
        with self._busy():
            self._serve_platform(handler, request, platform, fault)

    def _serve_platform(
        self, handler: _Handler, request: Request, platform: Platform, fault: Fault | None
    ) -> None:
        settings = self._settings
        kind = fault.kind if fault else None
        if kind == "drop":
            # Logged first: once reset, the client may already be reading the log.
            self._log(platform, request, None, kind)
            _reset_connection(handler)
            return
        self._pause(settings.latency_ms / 1000)
        env = self._env(platform, request, settings, kind)
        response = self._answer(platform, request, env, fault)
        if kind == "lost_answer":
            handler.close_connection = True
            self._log(platform, request, None, kind)
            return
        self._log(platform, request, response.status, kind)
        if fault is not None and kind == "timeout":
            self._pause(fault.seconds if fault.seconds is not None else settings.hang_s)
        self._send(handler, response, head=request.method == "HEAD")

    def _answer(
        self, platform: Platform, request: Request, env: Env, fault: Fault | None
    ) -> Response:
        if fault is not None and fault.kind == "5xx":
            return platform.unavailable(request, env)
        if fault is not None and fault.kind == "429":
            wait = fault.seconds if fault.seconds is not None else env.settings.retry_after_s
            return platform.rate_limited(request, env, wait)
        try:
            return platform.handle(request, env)
        except Exception as error:
            # A bug in the fake must show in the test output, not pass for a platform answer.
            traceback.print_exc(file=sys.stderr)
            return json_response(500, {"fake_platform_error": repr(error)})

    def _env(
        self, platform: Platform, request: Request, settings: Settings, fault_kind: str | None
    ) -> Env:
        fault = fault_kind if fault_kind in UNANSWERED_CREATES else None

        def record(
            kind: str, create_id: str, body: dict[str, Any], *, post_id: str | None = None
        ) -> None:
            create = Create(
                platform=platform.name,
                kind=kind,
                id=create_id,
                body=body,
                received_at=request.received_at,
                idempotency_key=request.idempotency_key,
                fault=fault,
                post_id=post_id,
            )
            self.recorder.add_create(create)

        return Env(base_url=self.url, settings=settings, record=record)

    def _log(
        self, platform: Platform, request: Request, status: int | None, fault: str | None
    ) -> None:
        exchange = Exchange(
            platform.name, request.method, request.path, request.received_at, status, fault
        )
        self.recorder.add_exchange(exchange)

    def _send(self, handler: _Handler, response: Response, *, head: bool) -> None:
        # One write for head and body: two small writes meet Nagle's algorithm and the
        # client's delayed ACK, which would add ~40 ms to every answer.
        try:
            handler.wfile.write(_encode(handler, response, head=head))
        except OSError:
            # The client gave up (its timeout passed, or it was stopped): nothing to tell it.
            handler.close_connection = True

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    @contextlib.contextmanager
    def _busy(self) -> Iterator[None]:
        with self._connections_lock:
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._connections_lock:
                self._in_flight -= 1

    # ------------------------------------------------------------ the listener

    def track(self, connection: socket.socket, server: _HTTPServer) -> None:
        """Remember an open connection; one accepted by a listener since closed is cut."""
        with self._connections_lock:
            listener = self._listener
            if listener is not None and listener.server is server:
                self._connections.add(connection)
                self.connections_accepted += 1
                return
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def _open_listener(self) -> None:
        with self._listener_lock:
            if self._listener is None:
                # Known as the current listener before it accepts anything (see track()).
                self._listener = _Listener(self, self._host, self._port)
                self._port = self._listener.port
                self._listener.start()

    def _close_listener(self, keep: socket.socket | None = None) -> None:
        with self._listener_lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._connections_lock:
            open_connections = [c for c in self._connections if c is not keep]
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def _cancel_resume(self) -> None:
        timer, self._resume_timer = self._resume_timer, None
        if timer is not None:
            timer.cancel()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], app: FakePlatformServer) -> None:
        self.app = app
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up in DNS; a loopback fake needs no name.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = (
            str(self.server_address[0]),
            int(self.server_address[1]),
        )


class _Listener:
    """One bound socket and the thread accepting on it."""

    def __init__(self, app: FakePlatformServer, host: str, port: int) -> None:
        self.server = _HTTPServer((host, port), app)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fakeplatform-{self.port}",
            daemon=True,
        )

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    """Reads requests off one connection and hands each to the FakePlatformServer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "crosspost-fakeplatform/1"
    sys_version = ""
    received_at = 0.0

    @property
    def app(self) -> FakePlatformServer:
        return cast(_HTTPServer, self.server).app

    def setup(self) -> None:
        super().setup()
        # The socket timeout of every read: a connection idle this long is closed.
        self.connection.settimeout(self.app.settings.idle_timeout_s)
        self.app.track(self.connection, cast(_HTTPServer, self.server))

    def finish(self) -> None:
        try:
            with contextlib.suppress(OSError):
                super().finish()
        finally:
            self.app.untrack(self.connection)

    def parse_request(self) -> bool:
        # The request line has just been read: this is when the platform "receives" it.
        self.received_at = time.time()
        return super().parse_request()

    def do_GET(self) -> None:
        self.app.serve(self)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and benchmarks read the recorder, not a log."""


def _encode(handler: _Handler, response: Response, *, head: bool) -> bytes:
    """The answer as bytes on the wire: status line, headers, body."""
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = ""
    lines = [
        f"{handler.protocol_version} {response.status} {phrase}",
        f"Server: {handler.version_string()}",
        f"Date: {handler.date_time_string()}",
        *(f"{name}: {value}" for name, value in response.headers),
        f"Content-Length: {len(response.body)}",
    ]
    if handler.close_connection:
        lines.append("Connection: close")
    head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
    return head_bytes if head else head_bytes + response.body


def _read_request(handler: _Handler) -> Request:
    split = urlsplit(handler.path)
    headers = {name.lower(): value for name, value in handler.headers.items()}
    return Request(
        method=handler.command,
        path=split.path or "/",
        query=parse_qs(split.query, keep_blank_values=True),
        headers=headers,
        body=read_body(handler.rfile, headers),
        received_at=handler.received_at,
    )


def _reset_connection(handler: _Handler) -> None:
    """Abort the connection with a TCP reset: the client sees 'connection reset by peer'."""
    handler.close_connection = True
    connection = handler.connection
    with contextlib.suppress(OSError):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # The socket really closes (and resets) only once its read stream lets go of it.
    handler.rfile.close()
    connection.close()


def _require_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the fake platform listens on loopback only, not {host!r}")
