"""A loopback web server for members' feeds: real HTTP, as strict as real sites.

It answers If-None-Match and If-Modified-Since with 304 the way WordPress and
Mobilizon do, and can misbehave on purpose: a redirect loop, a slow answer, a
huge body, a server error. Every request is recorded, so tests can tell what
the client sent (its validators) and how often it came.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Page:
    body: bytes
    content_type: str
    #: Send ETag and Last-Modified (and honour them with 304).
    validators: bool = True
    status: int = 200
    #: Seconds to wait before answering (a stalled server).
    delay: float = 0.0
    #: A Location to send with a 3xx status.
    location: str | None = None
    modified: float = field(default_factory=time.time)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'

    @property
    def last_modified(self) -> str:
        return formatdate(self.modified, usegmt=True)


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    status: int


class FeedServer:
    """`with FeedServer() as server:` then `server.serve("/feed", body, type)`."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def serve(self, path: str, body: bytes | str, content_type: str, **options: Any) -> str:
        """Put (or replace) a page; returns its full URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self.pages[path] = Page(data, content_type, **options)
        return self.url + path

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        with self._lock:
            page = self.pages.get(path.split("?")[0]) or self.pages.get(path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        if page is None:
            self._send(handler, path, headers, 404, b"Not Found", "text/plain")
            return
        if page.delay:
            time.sleep(page.delay)
        if page.location is not None:
            handler.send_response(page.status)
            handler.send_header("Location", page.location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            self._record(path, headers, page.status)
            return
        if page.validators and page.status == 200:
            matches = headers.get("if-none-match") == page.etag
            unmodified = headers.get("if-modified-since") == page.last_modified
            if matches or (unmodified and "if-none-match" not in headers):
                handler.send_response(304)
                handler.send_header("ETag", page.etag)
                handler.end_headers()
                self._record(path, headers, 304)
                return
        self._send(handler, path, headers, page.status, page.body, page.content_type, page)

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        path: str,
        headers: dict[str, str],
        status: int,
        body: bytes,
        content_type: str,
        page: Page | None = None,
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        if page is not None and page.validators:
            handler.send_header("ETag", page.etag)
            handler.send_header("Last-Modified", page.last_modified)
        handler.end_headers()
        # The client may give up (the size limit): what a real server sees too.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler.wfile.write(body)
        self._record(path, headers, status)

    def _record(self, path: str, headers: dict[str, str], status: int) -> None:
        with self._lock:
            self.requests.append(Request(path, headers, status))
