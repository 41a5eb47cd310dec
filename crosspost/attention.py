"""What needs the officer: which deliveries, after how long, and what to say about each.

`status`, `health`, `show`, `list` and the calendar exports all decide here, so
they agree on what is overdue, stuck or in trouble, and word it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from crosspost.domain import Delivery
from crosspost.i18n import N_, _, ngettext
from crosspost.states import DONE, IN_FLIGHT, NEEDS_ATTENTION, State

if TYPE_CHECKING:
    from crosspost.review import ReviewBacklog
    from crosspost.sqlite_reads import Reader
    from crosspost.store import ChannelPause, Store, WorkerInfo

#: How long past its time a delivery may wait before it is called overdue (pending) or
#: stuck (held by a publisher whose lease ran out). Cron runs every minute and the daemon
#: wakes at the due time; a quarter of an hour leaves room for a slow platform and a
#: retry, and is still well before an event it announces.
OVERDUE_AFTER = timedelta(minutes=15)

#: A publisher whose heartbeat is older than this is taken for stopped.
ALIVE_WITHIN = timedelta(seconds=60)

#: Upcoming deliveries `status` shows.
NEXT_SHOWN = 5

#: Deliveries in trouble `status` lists (the calendar and `list --status` have them all).
ATTENTION_SHOWN = 50


def is_overdue(delivery: Delivery, now: datetime) -> bool:
    """Pending, past its time by more than OVERDUE_AFTER, and waiting for nothing."""
    limit = now - OVERDUE_AFTER
    if delivery.state is not State.PENDING or delivery.due_at > limit:
        return False
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > limit:
        return False  # a retry (or a posting limit) set a later time: not forgotten
    # An announcement waits for the post it announces, which is reported on its own.
    return delivery.waits_for_id is None or delivery.announced_url is not None


def is_stuck(delivery: Delivery, now: datetime) -> bool:
    """Held by a publisher whose lease ran out more than OVERDUE_AFTER ago."""
    if delivery.state not in IN_FLIGHT:
        return False
    held_until = delivery.lease_until or delivery.due_at
    return held_until < now - OVERDUE_AFTER


@dataclass(frozen=True)
class Attention:
    """What needs the officer at one moment, read from the ledger."""

    #: Failed, unknown or skipped as too late, in due order.
    troubled: tuple[Delivery, ...]
    overdue: tuple[Delivery, ...]
    stuck: tuple[Delivery, ...]
    #: Announcements whose announced post did not go out.
    held: tuple[Delivery, ...]
    paused: tuple[ChannelPause, ...]

    @property
    def empty(self) -> bool:
        return not (self.troubled or self.overdue or self.stuck or self.held or self.paused)


def gather(
    store: Store | Reader, now: datetime, *, since: datetime | None = None, limit: int | None = None
) -> Attention:
    """Everything that needs the officer; `since` leaves out older troubles, `limit` caps them."""
    from crosspost.ledger import DeliveryFilter

    troubled = store.list_deliveries(
        DeliveryFilter(states=tuple(NEEDS_ATTENTION), due_from=since, limit=limit)
    )
    late = store.list_deliveries(
        DeliveryFilter(states=(State.PENDING,), due_to=now - OVERDUE_AFTER)
    )
    return Attention(
        troubled=tuple(troubled),
        overdue=tuple(d for d in late if is_overdue(d, now)),
        stuck=tuple(d for d in store.stuck(now - OVERDUE_AFTER) if is_stuck(d, now)),
        held=tuple(store.held_announcements()),
        paused=tuple(store.paused_channels()),
    )


# ---------------------------------------------------------------- the status report


@dataclass(frozen=True)
class Publisher:
    """A publisher process as `status` shows it."""

    info: WorkerInfo
    alive: bool


@dataclass(frozen=True)
class StatusReport:
    """Publishers, the queue, what is next and what needs attention, as plain data."""

    generated_at: datetime
    zone: ZoneInfo
    publishers: tuple[Publisher, ...]
    counts: dict[str, int]
    upcoming: tuple[Delivery, ...]
    attention: Attention
    #: Drafts waiting for a reviewer.
    review: ReviewBacklog

    @property
    def running(self) -> tuple[Publisher, ...]:
        return tuple(p for p in self.publishers if p.alive)

    @property
    def holds(self) -> bool:
        """Nothing needs the officer."""
        return self.attention.empty and not self.review.late


def status_report(
    store: Store | Reader,
    zone: ZoneInfo,
    *,
    now: datetime,
    remind_after: timedelta = timedelta(days=2),
) -> StatusReport:
    """Read the ledger's state for `crosspost status`; reads, never writes."""
    from crosspost.ledger import DeliveryFilter
    from crosspost.review import ReviewBacklog

    alive_after = now - ALIVE_WITHIN
    upcoming = store.list_deliveries(
        DeliveryFilter(states=(State.PENDING,), due_from=now, limit=NEXT_SHOWN)
    )
    return StatusReport(
        generated_at=now,
        zone=zone,
        publishers=tuple(Publisher(w, w.heartbeat_at >= alive_after) for w in store.workers()),
        counts=store.count_by_state(),
        upcoming=tuple(upcoming),
        attention=gather(store, now, limit=ATTENTION_SHOWN),
        review=ReviewBacklog.of(store.drafts_waiting(), remind_after, now),
    )


# ---------------------------------------------------------------- what to say


def note(delivery: Delivery) -> str:
    """The one thing to know beyond the state: where it is, why it failed, what it waits for."""
    if delivery.state is State.PUBLISHED:
        suffix = _(" (dry run)") if delivery.dry_run else ""
        return f"{delivery.remote_url or delivery.remote_id or ''}{suffix}"
    if delivery.state in NEEDS_ATTENTION and delivery.last_error:
        return delivery.last_error
    if delivery.state in DONE:
        return ""
    if delivery.role == "announce" and delivery.waits_for_channel:
        return _("announces the {channel} post").format(channel=delivery.waits_for_channel)
    if delivery.state is State.PENDING and delivery.attempts and delivery.last_error:
        return _("retrying: {error}").format(error=delivery.last_error)
    return ""


def advice(delivery: Delivery) -> str:
    """What the officer can do about one delivery in trouble (empty when nothing)."""
    item = delivery.item.id
    channel = delivery.channel
    if delivery.state is State.UNKNOWN:
        return _(
            "the post may be online even though {channel} did not confirm it. Look on "
            "{channel}: if it is there, `crosspost resolve {item} --channel {channel} "
            "--published URL`; if not, `crosspost retry {item} --channel {channel} --force`"
        ).format(channel=channel, item=item)
    if delivery.state is State.FAILED:
        return _("fix the cause, then `crosspost retry {item} --channel {channel}`").format(
            item=item, channel=channel
        )
    if delivery.state is State.SKIPPED_LATE:
        return _(
            "it was found too late to post on time; `crosspost retry {item} "
            "--channel {channel}` sends it now, `crosspost cancel {item}` drops it"
        ).format(item=item, channel=channel)
    return ""


def trouble_sentence(delivery: Delivery, label: str, when: str) -> str:
    """A failed, unknown or skipped delivery, in the health report's words."""
    title = f"«{delivery.item.title}»"
    item = delivery.item.id
    reason = _(": {error}").format(error=delivery.last_error) if delivery.last_error else ""
    if delivery.state is State.FAILED:
        return _(
            "{label}: {title}, due {when}, failed{reason}. "
            "Fix the cause, then `crosspost retry {item}`."
        ).format(label=label, title=title, when=when, reason=reason, item=item)
    if delivery.state is State.UNKNOWN:
        return _(
            "{label}: nobody knows whether {title}, due {when}, is online{reason}. "
            "Look on {label}, then `crosspost resolve {item} --channel {channel} "
            "--published URL` or `--not-published`."
        ).format(
            label=label, title=title, when=when, reason=reason, item=item, channel=delivery.channel
        )
    return _(
        "{label}: {title}, due {when}, was not sent: the publisher found it too late. "
        "`crosspost retry {item}` sends it anyway, `crosspost cancel {item}` drops it."
    ).format(label=label, title=title, when=when, item=item)


def overdue_sentence(delivery: Delivery, label: str, when: str, now: datetime) -> str:
    """An overdue delivery, in the health report's words."""
    from crosspost.wording import duration_words

    late = duration_words(now - delivery.due_at)
    return _(
        "{label}: «{title}» was due {when} and has not gone out "
        "({late} late): is the publisher running? See `crosspost status`."
    ).format(label=label, title=delivery.item.title, when=when, late=late)


def stuck_sentence(delivery: Delivery, label: str) -> str:
    """A delivery held by a stopped publisher, in the health report's words."""
    return _(
        "{label}: «{title}» was taken by a publisher that stopped answering; "
        "a running publisher releases it (`crosspost run`), then check "
        "`crosspost show {item}`."
    ).format(label=label, title=delivery.item.title, item=delivery.item.id)


def overdue_heading(count: int, *, running: bool) -> str:
    """The line above the overdue deliveries in `status`."""
    what = ngettext("{count} delivery overdue", "{count} deliveries overdue", count).format(
        count=count
    )
    if running:
        return _("{what} although a publisher runs:").format(what=what)
    return _("{what}: no publisher is running.").format(what=what)


def paused_lines(pause: ChannelPause) -> list[str]:
    """A paused channel in `status`, with how it resumes."""
    return [
        _("PAUSED {channel}: {reason}").format(channel=pause.channel, reason=pause.reason),
        _("  Fix what it says (renew the credentials, or run the command given); the channel"),
        _("  resumes by itself at the next daily check of a running daemon, or at once with"),
        _("  `crosspost channels check {channel}`.").format(channel=pause.channel),
    ]


#: Headings of the lists `status` shows, in order.
#: (N_: shown through _(), in the language of the moment.)
TROUBLED_HEADING = N_("Needs your attention")
HELD_HEADING = N_("Held announcements (the post they announce did not go out)")
STUCK_HEADING = N_("Stuck (publisher stopped mid-way; it will be checked automatically)")
NOTHING = N_("Nothing needs attention.")
NO_PUBLISHER = N_("No publisher is running: start `crosspost run`, or add the cron line (README).")
