"""The proposal form: a member organisation proposes an event or a job offer, which
lands as a draft for review under the member's name.

Every refusal (wrong token, no or stale CSRF token, too many proposals, too big,
a picture that is not one, a field the officer's `add` would refuse) writes
nothing. The form's text is stored as plain text: any HTML typed in is removed.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
import tempfile
import threading
import time
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from crosspost.clock import utcnow
from crosspost.errors import CrosspostError

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.store import Store

#: A whole submission (text and picture) above this is refused before it is read.
MAX_BODY = 6 * 1024 * 1024
MAX_PICTURE = 5 * 1024 * 1024
#: Proposals per token per hour: a member proposes a few things a week, not a flood.
RATE = 10
RATE_WINDOW = 3600.0
KINDS = ("event", "job")
#: The picture types the form takes (the ones every channel we publish to accepts).
PICTURE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
CSRF_COOKIE = "crosspost_csrf"


class Proposals:
    """The form's handlers, with the per-process secret and rate counts they share."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        # Signs the CSRF tokens; a form opened before a restart must be reloaded.
        self._secret = secrets.token_bytes(32)
        self._sent: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ handlers

    def form(self, request: Request) -> Response:
        token = self._token(request)
        if token is None:
            return _not_found()
        sent = request.query_params.get("sent")
        if sent and sent.isdigit():
            return _page(
                f"<p class=ok>Thank you: your proposal (no. {int(sent)}) was received. "
                "It will be published once the network's team has checked it.</p>"
                f'<p><a href="propose">Propose something else</a></p>'
            )
        return self._form_page(request, token.id, {}, [])

    async def submit(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        # The ledger is synchronous: its calls go to the thread pool, off the event loop.
        token = await run_in_threadpool(self._token, request)
        if token is None:
            return _not_found()
        length = request.headers.get("content-length", "")
        if not length.isdigit():
            return PlainTextResponse("Length Required", status_code=411)
        if int(length) > MAX_BODY:
            return PlainTextResponse(
                f"Too large: at most {MAX_BODY // 1024 // 1024} MB in all", status_code=413
            )
        if not self._take_slot(token.id):
            return PlainTextResponse(
                f"Too many proposals: at most {RATE} an hour; try again later",
                status_code=429,
            )
        return await _ProposalRun(self, request, token).run()

    # ------------------------------------------------------------ helpers

    def _token(self, request: Request) -> Any:
        secret = str(request.path_params.get("token", ""))
        if not secret:
            return None
        return self.store.check_token(secret, "propose", utcnow())

    def csrf_for(self, token_id: int, nonce: str) -> str:
        mac = hmac.new(self._secret, f"{token_id}:{nonce}".encode(), hashlib.sha256)
        return f"{nonce}.{mac.hexdigest()}"

    def csrf_ok(self, token_id: int, cookie: str | None, field: str | None) -> bool:
        if not cookie or not field or "." not in field:
            return False
        nonce = field.split(".", 1)[0]
        expected = self.csrf_for(token_id, nonce)
        return hmac.compare_digest(field, expected) and hmac.compare_digest(cookie, expected)

    def _take_slot(self, token_id: int) -> bool:
        now = time.monotonic()
        with self._lock:
            sent = self._sent.setdefault(token_id, deque())
            while sent and sent[0] < now - RATE_WINDOW:
                sent.popleft()
            if len(sent) >= RATE:
                return False
            sent.append(now)
            return True

    def _form_page(
        self, request: Request, token_id: int, values: Mapping[str, str], problems: list[str]
    ) -> Response:
        nonce = secrets.token_urlsafe(16)
        csrf = self.csrf_for(token_id, nonce)
        body = _form_html(values, problems, csrf)
        response = _page(body, status=400 if problems else 200)
        response.set_cookie(
            CSRF_COOKIE,
            csrf,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=request.url.path,
        )
        return response


class _ProposalRun:
    """One POST: read, check, and write a draft, or refuse having written nothing."""

    def __init__(self, owner: Proposals, request: Request, token: Any) -> None:
        self.owner = owner
        self.request = request
        self.token = token

    async def run(self) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.datastructures import UploadFile

        try:
            form = await self.request.form(max_files=1, max_fields=20, max_part_size=MAX_PICTURE)
        except Exception:  # malformed multipart, a part over the limit
            return PlainTextResponse(
                "The form could not be read (a picture over 5 MB?)", status_code=413
            )
        try:
            values = {k: v for k, v in form.items() if isinstance(v, str)}
            if not self.owner.csrf_ok(
                self.token.id, self.request.cookies.get(CSRF_COOKIE), values.get("csrf")
            ):
                return PlainTextResponse(
                    "This form has expired: reload the page and send it again", status_code=403
                )
            picture = form.get("picture")
            data = b""
            if isinstance(picture, UploadFile) and picture.filename:
                data = await picture.read(MAX_PICTURE + 1)
        finally:
            await form.close()  # the uploaded file's spool
        return await run_in_threadpool(self._write, values, data)

    def _write(self, values: dict[str, str], picture: bytes) -> Response:
        owner = self.owner
        problems: list[str] = []
        fields = _fields(values, problems)
        path: Path | None = None
        try:
            if picture:
                path = _picture_file(picture, values, problems)
            else:
                fields.pop("alt", None)  # a description of no picture is not an error
            if problems:
                return owner._form_page(self.request, self.token.id, values, problems)
            if path is not None:
                fields["image"] = str(path)
            item_id = _draft(owner.settings, owner.store, fields, source=self.token.name)
        except CrosspostError as exc:
            return owner._form_page(self.request, self.token.id, values, str(exc).splitlines())
        finally:
            if path is not None:
                path.unlink(missing_ok=True)
        return RedirectResponse(f"propose?sent={item_id}", status_code=303)


def _fields(values: Mapping[str, str], problems: list[str]) -> dict[str, Any]:
    kind = values.get("kind", "")
    if kind not in KINDS:
        problems.append(f"kind: expected one of {', '.join(KINDS)}")
    fields: dict[str, Any] = {"kind": kind}
    for name in ("title", "body", "location", "link", "alt"):
        fields[name] = _plain(values.get(name, ""))
    for name in ("event_start", "event_end"):
        # <input type=datetime-local> sends 2026-12-12T14:00: the local time `add` reads.
        fields[name] = values.get(name, "").replace("T", " ").strip()
    return fields


def _plain(text: str) -> str:
    """Any HTML typed into the form removed; the text itself kept as typed."""
    import nh3

    return html.unescape(nh3.clean(text, tags=set())).strip()


def _picture_file(data: bytes, values: Mapping[str, str], problems: list[str]) -> Path | None:
    from channels.media import EXTENSIONS, HEAD_BYTES, sniff_image

    if len(data) > MAX_PICTURE:
        problems.append(f"picture: at most {MAX_PICTURE // 1024 // 1024} MB")
        return None
    kind = sniff_image(data[:HEAD_BYTES])
    if kind is None or kind not in PICTURE_TYPES:
        problems.append("picture: expected a JPEG, PNG, GIF or WebP picture (by its content)")
        return None
    if not values.get("alt", "").strip():
        problems.append("alt: describe the picture for people who cannot see it")
    # Saved under the extension of what it really is: a PNG named .jpg is kept as .png.
    with tempfile.NamedTemporaryFile(
        prefix="proposal-", suffix=EXTENSIONS[kind], delete=False
    ) as handle:
        handle.write(data)
    return Path(handle.name)


def _draft(settings: Settings, store: Store, fields: dict[str, Any], *, source: str) -> int:
    """Checked as `add` checks, written as a draft with its picture kept in the workspace."""
    from crosspost import intake
    from crosspost.media import keep_image
    from crosspost.review import as_draft

    accepted = intake.accept(
        fields | {"at": "now"}, settings, now=utcnow(), base_dir=settings.base_dir, route=False
    )
    draft = as_draft(accepted, source=source)
    item = keep_image(draft.item, settings)
    (item_id,) = store.add_items([(item, ())])
    return item_id


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404)


def _page(body: str, *, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        "<title>Propose an event or a job offer</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em}"
        "label{display:block;margin-top:1em;font-weight:600}"
        "input,select,textarea{width:100%;font:inherit;padding:.3em}"
        ".problems{color:#a00}.ok{color:#060}button{margin-top:1.5em;padding:.5em 2em}"
        "</style></head><body><h1>Propose an event or a job offer</h1>"
        f"{body}</body></html>",
        status_code=status,
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "form-action 'self'",
            "X-Frame-Options": "DENY",
        },
    )


def _form_html(values: Mapping[str, str], problems: list[str], csrf: str) -> str:
    def value(name: str) -> str:
        return html.escape(values.get(name, ""), quote=True)

    def selected(kind: str) -> str:
        return " selected" if values.get("kind") == kind else ""

    shown = ""
    if problems:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
        shown = f"<div class=problems role=alert><p>Nothing was sent:</p><ul>{items}</ul></div>"
    return (
        f"{shown}<form method=post enctype=multipart/form-data>"
        f'<input type=hidden name=csrf value="{html.escape(csrf, quote=True)}">'
        "<label for=kind>What</label><select id=kind name=kind>"
        f"<option value=event{selected('event')}>An event</option>"
        f"<option value=job{selected('job')}>A job offer</option></select>"
        "<label for=title>Title</label>"
        f'<input id=title name=title required maxlength=300 value="{value("title")}">'
        "<label for=body>Text</label>"
        f"<textarea id=body name=body rows=8>{value('body')}</textarea>"
        "<label for=event_start>Starts (events)</label><input id=event_start "
        f'name=event_start type=datetime-local value="{value("event_start")}">'
        "<label for=event_end>Ends</label>"
        f'<input id=event_end name=event_end type=datetime-local value="{value("event_end")}">'
        "<label for=location>Place</label>"
        f'<input id=location name=location maxlength=500 value="{value("location")}">'
        "<label for=link>Link</label>"
        f'<input id=link name=link type=url value="{value("link")}">'
        "<label for=picture>Picture (JPEG, PNG, GIF or WebP, 5 MB at most)</label>"
        "<input id=picture name=picture type=file accept=image/jpeg,image/png,image/gif,image/webp>"
        "<label for=alt>What the picture shows</label>"
        f'<input id=alt name=alt maxlength=1000 value="{value("alt")}">'
        "<button type=submit>Send for review</button></form>"
    )
