"""One error vocabulary for every adapter: rule tables, and the failures below HTTP.

An adapter writes what a platform's answers mean as a table of `Rule`s, first
match wins: a rule matches on what is known of the failure (HTTP status, the
platform's error code and subcode, words of its message, an exception class in
the cause chain) and names the ChannelError it stands for.

One question then decides between two outcomes: may the request have created a
post (`may_publish`)? A rule that says Ambiguous means "the platform may have
done it": for a request that may publish, the post is looked for before any
resend; for one that cannot (a read, an upload, a login), nothing was published
and it is simply Transient.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from channels.base import Ambiguous, ChannelError, Transient


@dataclass(frozen=True)
class Failure:
    """What is known of a failed request, for matching rules; unknown fields stay empty."""

    status: int | None = None
    #: The platform's own error code ("rest_cannot_create", 190) and subcode.
    code: int | str | None = None
    subcode: int | None = None
    #: The platform's words, lower case, for rules that look for some.
    says: str = ""
    #: "module.Class" of everything in the exception's cause chain (see `failure_names`).
    raised: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rule:
    """One row of an adapter's error table: what a failure shows -> what it means.

    Every field left empty matches anything; a rule matches when all the others do.
    """

    outcome: type[ChannelError]
    #: What the officer is told (adapters add the platform's own words after it).
    message: str
    status: Collection[int] = ()
    code: Collection[int | str] = ()
    subcode: Collection[int] = ()
    #: Lower-case words looked for in the platform's answer.
    says: str | None = None
    #: "module.Class" of an exception anywhere in the cause chain.
    raised: str | None = None

    def matches(self, failure: Failure) -> bool:
        return (
            (not self.status or failure.status in self.status)
            and (not self.code or failure.code in self.code)
            and (not self.subcode or failure.subcode in self.subcode)
            and (self.says is None or self.says in failure.says)
            and (self.raised is None or self.raised in failure.raised)
        )


def json_of(response: Any) -> Any:
    """An answer's JSON body, or None when it is not JSON (a proxy's HTML page, nothing)."""
    try:
        return response.json()
    except ValueError:
        return None


def first_match(rules: Iterable[Rule], failure: Failure, otherwise: Rule) -> Rule:
    """The first rule of `rules` that matches `failure`, else `otherwise`."""
    return next((rule for rule in rules if rule.matches(failure)), otherwise)


def meant(outcome: type[ChannelError], *, may_publish: bool) -> type[ChannelError]:
    """What `outcome` means for this request: an unsure outcome (Ambiguous) is Transient
    when the request cannot have created a post, since sending it again is then safe."""
    return Transient if outcome is Ambiguous and not may_publish else outcome


# ---------------------------------------------------------------- below HTTP


#: A failure with no answer: could the request have reached the platform? If not,
#: sending again is safe (Transient); if it may have, the post may exist (Ambiguous).
#: First match wins (subclasses before their bases). requests wraps urllib3's errors
#: (in args, MaxRetryError.reason, __cause__), so the whole chain is searched; names are
#: "module.Class", so this table costs no import of requests, urllib3 or httpx.
TRANSPORT_RULES: tuple[Rule, ...] = (
    Rule(Transient, "the address is unknown (DNS)",
         raised="urllib3.exceptions.NameResolutionError"),
    Rule(Transient, "the connection was refused", raised="urllib3.exceptions.NewConnectionError"),
    Rule(Transient, "no connection in time", raised="urllib3.exceptions.ConnectTimeoutError"),
    Rule(Transient, "no connection in time", raised="requests.exceptions.ConnectTimeout"),
    Rule(Transient, "the certificate could not be verified", raised="ssl.SSLCertVerificationError"),
    # Other TLS failures may come after the request went out (requests reports both alike).
    Rule(Ambiguous, "the secure connection failed", raised="requests.exceptions.SSLError"),
    Rule(Transient, "the proxy refused the connection", raised="requests.exceptions.ProxyError"),
    Rule(Ambiguous, "it hung up without answering", raised="http.client.RemoteDisconnected"),
    Rule(Ambiguous, "the connection was dropped", raised="urllib3.exceptions.ProtocolError"),
    Rule(Ambiguous, "no answer in time", raised="requests.exceptions.ReadTimeout"),
    Rule(Ambiguous, "the answer was cut off", raised="requests.exceptions.ChunkedEncodingError"),
    Rule(Ambiguous, "the answer could not be read", raised="requests.exceptions.JSONDecodeError"),
    Rule(Ambiguous, "the request failed", raised="requests.exceptions.RequestException"),
)  # fmt: skip

#: The same question for httpx (under the atproto SDK): what cannot have left the machine.
HTTPX_RULES: tuple[Rule, ...] = (
    Rule(Transient, "the connection could not be opened", raised="httpx.ConnectError"),
    Rule(Transient, "no connection in time", raised="httpx.ConnectTimeout"),
    Rule(Transient, "no connection was free in time", raised="httpx.PoolTimeout"),
    Rule(Transient, "the address is not http(s)", raised="httpx.UnsupportedProtocol"),
    Rule(Ambiguous, "the request failed"),
)


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


def failure_names(error: BaseException) -> frozenset[str]:
    """Every "module.Class" in `error`'s cause chain, base classes included."""
    return frozenset(name for link in causes(error) for name in class_names(link))


def transport_rule(error: BaseException, rules: tuple[Rule, ...] = TRANSPORT_RULES) -> Rule:
    """The row of `rules` (requests' by default, or HTTPX_RULES) for a failure below HTTP."""
    return first_match(rules, Failure(raised=failure_names(error)), rules[-1])
