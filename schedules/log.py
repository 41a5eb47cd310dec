"""One clear line per publication event, as text for people or JSON for machines.

Text: `2026-12-05 10:00:01 CET  published  facebook  #12 «Repair café»  https://...`
JSON: one object per line with time (UTC), event, channel, item, title, url or reason.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from crosspost.clock import utcnow
from crosspost.domain import Delivery
from crosspost.i18n import N_, _, ngettext
from crosspost.redact import redact, redact_data

#: The event words of a text line (JSON keeps the English word, its `event`).
EVENTS = {
    "published": N_("published"),
    "failed": N_("failed"),
    "unknown": N_("unknown"),
    "retrying": N_("retrying"),
    "deferred": N_("deferred"),
    "skipped": N_("skipped"),
    "held": N_("held"),
    "attention": N_("attention"),
    "paused": N_("paused"),
    "resumed": N_("resumed"),
    "recovered": N_("recovered"),
    "stopping": N_("stopping"),
    "error": N_("error"),
    "warning": N_("warning"),
    "info": N_("info"),
}


class EventLog:
    """Where the publisher reports what it does; never prints a secret."""

    def __init__(self, zone: ZoneInfo, *, fmt: str = "text", stream: IO[str] | None = None) -> None:
        self.zone = zone
        self.fmt = fmt
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()
        #: The latest events, for `crosspost demo` and tests; bounded, as a daemon runs for months.
        self.lines: deque[dict[str, Any]] = deque(maxlen=1000)

    def emit(self, event: str, delivery: Delivery | None = None, **fields: Any) -> None:
        now = utcnow()
        record: dict[str, Any] = {"time": now.isoformat().replace("+00:00", "Z"), "event": event}
        if delivery is not None:
            record |= {
                "channel": delivery.channel,
                "item": delivery.item.id,
                "title": delivery.item.title,
                "delivery": delivery.id,
            }
        record |= {k: v for k, v in fields.items() if v is not None}
        # Platforms quote tokens back in their errors: mask them before anything is kept.
        record = redact_data(record)
        with self._lock:
            self.lines.append(record)
            if self.fmt == "json":
                self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                self.stream.write(self._text(now, event, record) + "\n")
            self.stream.flush()

    def _text(self, now: datetime, event: str, fields: dict[str, Any]) -> str:
        stamp = now.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S %Z")
        word = _(EVENTS[event]) if event in EVENTS else event
        parts = [stamp, f"{word:<10}"]
        if "delivery" in fields:
            parts.append(f"{fields['channel']:<10}")
            parts.append(f"#{fields['item']} «{fields['title']}»")
        detail = fields.get("url") or fields.get("reason") or fields.get("message")
        if fields.get("dry_run"):
            detail = _("{detail} (dry run)").format(detail=detail)
        if fields.get("retry_at"):
            detail = _("again at {when}: {detail}").format(
                when=fields["retry_at_local"], detail=detail
            )
        if detail:
            parts.append(str(detail))
        return "  ".join(parts)

    def _local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S %Z")

    # ------------------------------------------------------------ events

    def published(self, delivery: Delivery, url: str, dry_run: bool) -> None:
        self.emit("published", delivery, url=url, dry_run=dry_run or None)

    def reconciled(self, delivery: Delivery, url: str) -> None:
        self.emit("published", delivery, url=url, reason=_("found on the platform after all"))

    def failed(self, delivery: Delivery, reason: str) -> None:
        self.emit("failed", delivery, reason=reason)

    def unknown(self, delivery: Delivery, reason: str) -> None:
        self.emit(
            "unknown",
            delivery,
            reason=_("{reason}; checking on the platform before resending").format(reason=reason),
        )

    def retrying(self, delivery: Delivery, when: datetime, reason: str) -> None:
        self.emit(
            "retrying",
            delivery,
            reason=reason,
            retry_at=when.isoformat().replace("+00:00", "Z"),
            retry_at_local=self._local(when),
        )

    def deferred(self, delivery: Delivery, when: datetime) -> None:
        self.emit(
            "deferred",
            delivery,
            reason=_("the channel's posting limit is reached"),
            retry_at=when.isoformat().replace("+00:00", "Z"),
            retry_at_local=self._local(when),
        )

    def skipped(self, delivery: Delivery, reason: str) -> None:
        self.emit("skipped", delivery, reason=reason)

    def held(self, delivery: Delivery, reason: str) -> None:
        self.emit("held", delivery, reason=reason)

    def needs_officer(self, delivery: Delivery) -> None:
        self.emit(
            "attention",
            delivery,
            reason=_("outcome unknown: see `crosspost show {id}`").format(id=delivery.item.id),
        )

    def lost_claim(self, delivery: Delivery) -> None:
        self.emit("skipped", delivery, reason=_("another publisher took it over"))

    def paused(self, channel: str, reason: str, *, until: str | None = None) -> None:
        until = until or _("the credentials are renewed")
        self.emit(
            "paused",
            None,
            channel=channel,
            reason=_("{channel}: {reason}; its posts wait until {until}").format(
                channel=channel, reason=reason, until=until
            ),
        )

    def still_paused(self, channel: str, reason: str) -> None:
        why = _("{channel} still paused: {reason}").format(channel=channel, reason=reason)
        self.emit("paused", None, channel=channel, reason=why)

    def resumed(self, channel: str) -> None:
        why = _("{channel}: credentials work again").format(channel=channel)
        self.emit("resumed", None, channel=channel, reason=why)

    def reaped(self, released: int, unknown: int) -> None:
        self.emit(
            "recovered",
            None,
            reason=_("{claims} of a stopped publisher released, {sends} to be checked").format(
                claims=ngettext("{count} claim", "{count} claims", released).format(count=released),
                sends=ngettext(
                    "{count} interrupted send", "{count} interrupted sends", unknown
                ).format(count=unknown),
            ),
        )

    def abandoned(self, ids: Iterable[int] | int) -> None:
        count = ids if isinstance(ids, int) else len(list(ids))
        self.emit(
            "stopping",
            None,
            reason=ngettext(
                "{count} publication still under way; it will be checked, not resent",
                "{count} publications still under way; they will be checked, not resent",
                count,
            ).format(count=count),
        )

    def internal(self, delivery: Delivery, error: BaseException) -> None:
        self.emit(
            "error",
            delivery,
            reason=_("internal error: {error}: {detail}").format(
                error=type(error).__name__, detail=error
            ),
        )

    def warning(self, message: str) -> None:
        self.emit("warning", None, message=message)

    def info(self, message: str) -> None:
        self.emit("info", None, message=message)


def quiet_libraries() -> None:
    """Keep libraries' own logging out of the officer's log, and secrets out of any log.

    At DEBUG, oauthlib prints consumer keys and tweepy prints request bodies; the
    scheduler's own chatter (jobs added, run, skipped) means nothing to an officer.
    What still gets written goes through the redacting filter.
    """
    install_log_filter()
    for name in ("oauthlib", "requests_oauthlib", "tweepy", "urllib3", "facebook"):
        logging.getLogger(name).setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


class RedactingFilter(logging.Filter):
    """Masks secrets in a log record's message and traceback before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_filter() -> None:
    """Put the filter on every handler that may write a record (idempotent)."""
    handlers = [*logging.getLogger().handlers, logging.lastResort]
    for handler in handlers:
        if handler is not None and not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
