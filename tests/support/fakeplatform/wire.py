"""HTTP plumbing shared by the fake platforms: the request as received, the answer to send."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from functools import cached_property
from typing import Any, Protocol
from urllib.parse import parse_qs


class BadBody(ValueError):
    """The request body cannot be read as the content type it claims."""


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart body (or as a raw body)."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Form:
    """Fields and files of a form body, whatever its encoding."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """One HTTP request as the fake server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    #: Header names lower-cased; a repeated header keeps its last value.
    headers: Mapping[str, str]
    body: bytes
    #: time.time() when the request line arrived, before any latency.
    received_at: float

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def arg(self, name: str) -> str | None:
        """The first query-string value of `name`."""
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def content_type(self) -> str:
        """The media type of the body, lower-cased, without parameters."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def idempotency_key(self) -> str | None:
        return self.header("idempotency-key") or self.header("x-idempotency-key")

    @property
    def is_write(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")

    def json(self) -> Any:
        """The body parsed as JSON; BadBody if it is not."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BadBody(str(error)) from error

    @cached_property
    def form(self) -> Form:
        """The body as form fields and files (urlencoded, multipart or a flat JSON object)."""
        if self.content_type == "multipart/form-data":
            return parse_multipart(self.header("content-type") or "", self.body)
        if self.content_type == "application/json":
            data = self.json()
            if not isinstance(data, dict):
                raise BadBody("a JSON object was expected")
            return Form(fields={str(k): _form_value(v) for k, v in data.items()})
        text = self.body.decode("utf-8", errors="replace")
        pairs = parse_qs(text, keep_blank_values=True)
        return Form(fields={k: v[-1] for k, v in pairs.items()})


def _form_value(value: Any) -> str:
    # Graph reads JSON values the way it reads form values: as text.
    if isinstance(value, str):
        return value
    return json.dumps(value)


def parse_multipart(content_type: str, body: bytes) -> Form:
    """Fields and files of a multipart/form-data body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise BadBody("not a multipart body")
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        declared = part.get("content-type")
        if filename is None and (declared is None or part.get_content_maintype() == "text"):
            fields[name] = data.decode(part.get_content_charset() or "utf-8", errors="replace")
        else:
            files[name] = Upload(filename, part.get_content_type(), data)
    return Form(fields=fields, files=files)


class Readable(Protocol):
    """A buffered byte stream, as a request handler's rfile is."""

    def read(self, size: int = ..., /) -> bytes: ...

    def readline(self, size: int = ..., /) -> bytes: ...


def read_body(rfile: Readable, headers: Mapping[str, str]) -> bytes:
    """The request body, sized by Content-Length or sent in chunks."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return _read_chunked(rfile)
    length = int(headers.get("content-length") or 0)
    return rfile.read(length) if length > 0 else b""


def _read_chunked(rfile: Readable) -> bytes:
    chunks: list[bytes] = []
    while True:
        size_line = rfile.readline(1024)
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            # Trailers, if any, end with an empty line.
            while rfile.readline(1024).strip():
                pass
            return b"".join(chunks)
        chunks.append(rfile.read(size))
        rfile.readline(8)


@dataclass(frozen=True)
class Response:
    """What the fake server answers: a status, headers and a body."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    def with_headers(self, *pairs: tuple[str, str]) -> Response:
        return Response(self.status, self.body, self.headers + pairs)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def json_response(
    status: int,
    payload: Any,
    *,
    content_type: str = "application/json; charset=utf-8",
    ascii_only: bool = False,
    headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    """A JSON answer; `ascii_only` escapes non-ASCII text as PHP's json_encode does."""
    body = json.dumps(payload, ensure_ascii=ascii_only, separators=(",", ":")).encode("utf-8")
    return Response(status, body, (("Content-Type", content_type), *headers))


def html_response(status: int, html: str, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    body = html.encode("utf-8")
    return Response(status, body, (("Content-Type", "text/html; charset=UTF-8"), *headers))
