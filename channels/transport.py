"""Failures below HTTP, shared by every adapter that talks to a platform over requests.

The one question that matters after a failure with no answer: could the request
have reached the platform? If not, sending again is safe (Transient); if it may
have, the post may exist (Ambiguous) and must be looked for before any resend.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class TransportRule:
    """One row: a failure found anywhere in the cause chain -> could the request have left?"""

    #: "module.Class", so this table costs no import of requests or urllib3.
    failure: str
    #: False when nothing left the machine (safe to send again), True when it may have.
    maybe_sent: bool
    #: What happened, in words an officer reads ("the connection could not be opened").
    says: str


#: First match wins (subclasses before their bases). requests wraps urllib3's errors
#: (in args, MaxRetryError.reason, __cause__), so the whole chain is searched.
TRANSPORT_RULES: tuple[TransportRule, ...] = (
    TransportRule("urllib3.exceptions.NameResolutionError", False, "the address is unknown (DNS)"),
    TransportRule("urllib3.exceptions.NewConnectionError", False, "the connection was refused"),
    TransportRule("urllib3.exceptions.ConnectTimeoutError", False, "no connection in time"),
    TransportRule("requests.exceptions.ConnectTimeout", False, "no connection in time"),
    TransportRule("ssl.SSLCertVerificationError", False, "the certificate could not be verified"),
    # Other TLS failures may come after the request went out (requests reports both alike).
    TransportRule("requests.exceptions.SSLError", True, "the secure connection failed"),
    TransportRule("requests.exceptions.ProxyError", False, "the proxy refused the connection"),
    TransportRule("http.client.RemoteDisconnected", True, "it hung up without answering"),
    TransportRule("urllib3.exceptions.ProtocolError", True, "the connection was dropped"),
    TransportRule("requests.exceptions.ReadTimeout", True, "no answer in time"),
    TransportRule("requests.exceptions.ChunkedEncodingError", True, "the answer was cut off"),
    TransportRule("requests.exceptions.JSONDecodeError", True, "the answer could not be read"),
    TransportRule("requests.exceptions.RequestException", True, "the request failed"),
)  # fmt: skip


def causes(error: BaseException) -> Iterator[BaseException]:
    """`error` and everything it wraps (args, .reason, __cause__, __context__), each once."""
    seen: set[int] = set()
    pending: list[object] = [error]
    while pending and len(seen) < 20:
        link = pending.pop(0)
        if not isinstance(link, BaseException) or id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        pending += [*link.args, getattr(link, "reason", None), link.__cause__, link.__context__]


def class_names(error: BaseException) -> set[str]:
    return {f"{cls.__module__}.{cls.__qualname__}" for cls in type(error).__mro__}


def transport_rule(error: BaseException) -> TransportRule:
    """The row of TRANSPORT_RULES for a failure raised by requests."""
    found = {name for link in causes(error) for name in class_names(link)}
    return next((r for r in TRANSPORT_RULES if r.failure in found), TRANSPORT_RULES[-1])
