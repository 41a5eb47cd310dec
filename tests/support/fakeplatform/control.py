"""The /_fake/ HTTP API: what other processes (benchmarks, a daemon under test) script and read.

    GET    /_fake/creates[?platform=twitter]   every create, oldest first
    GET    /_fake/requests                     every platform request and its status
    GET    /_fake/stats                        counts, statuses, faults fired, peak concurrency
    POST   /_fake/reset                        forget creates, objects and pending faults
    GET    /_fake/config                       the settings (credentials masked)
    POST   /_fake/config   {"latency_ms": 50}  change settings
    GET    /_fake/faults                       faults still pending
    POST   /_fake/faults   {"kind": "5xx", "platform": "twitter", "count": 2}
                           (or a list of them); "refuse" closes the listener at once
    DELETE /_fake/faults                       drop pending faults

Errors are 400 {"error": "..."}; control calls get no latency and no faults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.support.fakeplatform.faults import fault_from_json
from tests.support.fakeplatform.settings import settings_to_json
from tests.support.fakeplatform.wire import BadBody, Request, Response, json_response

if TYPE_CHECKING:
    from tests.support.fakeplatform.server import FakePlatformServer

Action = Callable[["FakePlatformServer", Request], Response]


@dataclass(frozen=True)
class Reply:
    """The control API's answer, and an outage to begin as it is sent, if one was asked."""

    response: Response
    #: Seconds to refuse connections, starting before the answer goes out.
    outage: float | None = None


def answer(app: FakePlatformServer, request: Request) -> Reply:
    """The control API's answer to `request`."""
    route = request.path.removeprefix("/_fake").strip("/")
    if (request.method, route) == ("POST", "faults"):
        return _guarded(lambda: _add_faults(app, request))
    action = _ACTIONS.get((request.method, route))
    if action is None:
        return Reply(_error(404, f"no control endpoint {request.method} /_fake/{route}"))
    return _guarded(lambda: Reply(action(app, request)))


def _guarded(act: Callable[[], Reply]) -> Reply:
    try:
        return act()
    except (BadBody, ValueError, TypeError) as error:
        return Reply(_error(400, str(error)))


def _creates(app: FakePlatformServer, request: Request) -> Response:
    creates = app.recorder.creates(request.arg("platform"))
    return json_response(200, [c.to_json() for c in creates])


def _requests(app: FakePlatformServer, request: Request) -> Response:
    return json_response(200, [e.to_json() for e in app.recorder.exchanges()])


def _stats(app: FakePlatformServer, request: Request) -> Response:
    return json_response(200, app.stats())


def _reset(app: FakePlatformServer, request: Request) -> Response:
    app.reset()
    return json_response(200, {"reset": True})


def _get_config(app: FakePlatformServer, request: Request) -> Response:
    return json_response(200, settings_to_json(app.settings))


def _set_config(app: FakePlatformServer, request: Request) -> Response:
    changes = _body(request)
    if not isinstance(changes, dict):
        raise ValueError("the config is a JSON object of settings")
    return json_response(200, settings_to_json(app.configure_from(changes)))


def _get_faults(app: FakePlatformServer, request: Request) -> Response:
    return json_response(200, [f.to_json() for f in app.faults.pending()])


def _add_faults(app: FakePlatformServer, request: Request) -> Reply:
    data = _body(request)
    items = data if isinstance(data, list) else [data]
    # Check them all first, so that a bad one leaves no half-applied script.
    faults = [fault_from_json(item) for item in items]
    outages = [f.seconds for f in faults if f.kind == "refuse"]
    if None in outages:
        raise ValueError('a "refuse" fault needs seconds: nothing could reopen the listener')
    shown = [app.add_fault(f).to_json() if f.kind != "refuse" else f.to_json() for f in faults]
    response = json_response(201, shown if isinstance(data, list) else shown[0])
    longest = max((s for s in outages if s is not None), default=None)
    return Reply(response, outage=longest)


def _clear_faults(app: FakePlatformServer, request: Request) -> Response:
    app.clear_faults()
    return json_response(200, [])


def _body(request: Request) -> Any:
    if not request.body.strip():
        raise ValueError("a JSON body is required")
    return request.json()


def _error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


_ACTIONS: dict[tuple[str, str], Action] = {
    ("GET", "creates"): _creates,
    ("GET", "requests"): _requests,
    ("GET", "stats"): _stats,
    ("POST", "reset"): _reset,
    ("GET", "config"): _get_config,
    ("POST", "config"): _set_config,
    ("GET", "faults"): _get_faults,
    ("DELETE", "faults"): _clear_faults,
}
