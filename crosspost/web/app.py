"""The ASGI app of `crosspost serve`: calendar feeds behind tokens, conditional GETs.

A missing, wrong, revoked or other-scope token answers 404, as for a page that
does not exist: nothing tells a stranger that there is something to guess.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from crosspost.clock import utcnow
from crosspost.web.calendars import Body, editorial_calendar, html_calendar, public_agenda

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.store import Store

ICS = "text/calendar; charset=utf-8"


def create_app(settings: Settings, store: Store) -> Starlette:
    def calendar(request: Request) -> Response:
        if not _allowed(request, "calendar"):
            return _not_found()
        channels, kinds, problem = _filters(request, settings)
        if problem:
            return PlainTextResponse(problem, status_code=400)
        return _conditional(
            request,
            lambda: editorial_calendar(
                settings, store, now=utcnow(), channels=channels, kinds=kinds
            ),
        )

    def agenda(request: Request) -> Response:
        if not _allowed(request, "calendar"):
            return _not_found()
        _, kinds, problem = _filters(request, settings)
        if problem:
            return PlainTextResponse(problem, status_code=400)
        return _conditional(
            request, lambda: public_agenda(settings, store, now=utcnow(), kinds=kinds)
        )

    def calendar_page(request: Request) -> Response:
        if not _allowed(request, "calendar"):
            return _not_found()
        page = html_calendar(settings, store, now=utcnow())
        return HTMLResponse(page, headers={"Cache-Control": "private, no-cache"})

    def _allowed(request: Request, scope: str) -> bool:
        token = str(request.path_params.get("token", ""))
        return bool(token) and store.check_token(token, scope, utcnow()) is not None

    from crosspost.web.propose import Proposals

    proposals = Proposals(settings, store)
    # Sync endpoints: Starlette runs them in its thread pool, beside the event loop.
    return Starlette(
        routes=[
            Route("/t/{token}/calendar.ics", calendar, methods=["GET", "HEAD"]),
            Route("/t/{token}/agenda.ics", agenda, methods=["GET", "HEAD"]),
            Route("/t/{token}/calendar.html", calendar_page, methods=["GET"]),
            Route("/t/{token}/propose", proposals.form, methods=["GET"]),
            Route("/t/{token}/propose", proposals.submit, methods=["POST"]),
        ]
    )


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404)


def _filters(
    request: Request, settings: Settings
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None, str | None]:
    channels = tuple(request.query_params.getlist("channel")) or None
    kinds = tuple(request.query_params.getlist("kind")) or None
    unknown = [c for c in channels or () if c not in settings.channels]
    if unknown:
        return None, None, f"channel: no channel named {', '.join(map(repr, unknown))}"
    wrong = [k for k in kinds or () if k not in settings.kinds]
    if wrong:
        return None, None, f"kind: expected one of {', '.join(settings.kinds)}"
    return channels, kinds, None


def _conditional(request: Request, build: Callable[[], Body]) -> Response:
    """The feed, or 304 when the client's copy (ETag, then Last-Modified) is current."""
    body = build()
    headers = {"ETag": body.etag, "Cache-Control": "private, max-age=300"}
    if body.last_modified is not None:
        headers["Last-Modified"] = format_datetime(body.last_modified, usegmt=True)
    wanted = request.headers.get("if-none-match")
    if wanted is not None:
        if body.etag in [tag.strip() for tag in wanted.split(",")] or wanted.strip() == "*":
            return Response(status_code=304, headers=headers)
    elif body.last_modified is not None and _not_modified_since(request, body):
        return Response(status_code=304, headers=headers)
    return Response(body.data, media_type=ICS, headers=headers)


def _not_modified_since(request: Request, body: Body) -> bool:
    since = request.headers.get("if-modified-since")
    if not since or body.last_modified is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return body.last_modified.replace(microsecond=0) <= moment
