"""An item's times: when to publish, when its event starts and ends, checked together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from crosspost.errors import InputError
from crosspost.i18n import _
from crosspost.language import pick
from crosspost.when import is_relative, parse_moment, parse_publish_time
from crosspost.wording import show_local

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.domain import Item

T = TypeVar("T")

#: How close in time an identical item must be to count as the same one again.
SAME_TIME = timedelta(minutes=1)
#: A time typed relative to now (`now`, `+2h`, `next`) cannot match itself when the
#: command is run again later: any identical item due from this long ago on counts.
RELATIVE_LOOKBACK = timedelta(days=1)


@dataclass(frozen=True)
class Times:
    publish_at: datetime | None
    event_start: datetime | None
    event_end: datetime | None
    window: tuple[datetime, datetime | None] | None
    deadline: datetime | None = None
    #: No --at: the sequence's `announce` decided the publish time.
    by_sequence: bool = False


def times_of(
    view: dict[str, Any],
    settings: Settings,
    *,
    now: datetime,
    stored: Item | None,
    problems: list[str],
) -> Times:
    """The publish time, the event's times and a job's deadline, checked alone and together."""
    from crosspost.sequences.intake import deadline_of, sequence_time

    zone, default_time = settings.zone, settings.default_time
    at_text = view.get("at")
    publish_at: datetime | None = None
    window: tuple[datetime, datetime | None] | None = None
    if at_text:
        publish_at = checked(
            "at",
            problems,
            lambda: parse_publish_time(at_text, zone, now=now, default_time=default_time),
        )
        if publish_at is not None:
            if is_relative(at_text):
                window = (now - RELATIVE_LOOKBACK, None)
            else:
                window = (publish_at - SAME_TIME, publish_at + SAME_TIME)
    elif stored is not None and stored.requested_at is not None:
        # Already accepted; if its time has passed, what is still pending goes at once.
        publish_at = max(stored.requested_at, now)

    def moment(name: str) -> datetime | None:
        text = view.get(name)
        if text:
            return checked(
                name,
                problems,
                lambda: parse_moment(text, zone, now=now, default_time=default_time),
            )
        return getattr(stored, name, None)

    event_start = moment("event_start")
    event_end = moment("event_end")
    deadline = checked("deadline", problems, lambda: deadline_of(view, settings, now, stored))
    given_start = bool(view.get("event_start"))
    by_sequence = False
    if publish_at is None and not at_text:
        publish_at = sequence_time(view, settings, event_start, deadline, now)
        by_sequence = publish_at is not None
        if publish_at is not None:
            # The same item typed again is the same one, whenever it is typed.
            window = (publish_at - RELATIVE_LOOKBACK, None)
        if publish_at is None and not any(p.startswith("at: ") for p in problems):
            problems.append(
                _(
                    "at: missing; say when to publish: now, +2h, tomorrow 9:00, "
                    "12/12 14:30, 2026-12-03 14:30, or next (the next free posting "
                    "slot)"
                )
            )
    elif stored is not None and not at_text and given_start and stored.event_start:
        # The event moved: its own post, still to come, moves with it (never into the past).
        sequence = settings.sequence(stored.kind)
        if sequence is not None and event_start is not None and stored.requested_at is not None:
            shifted = stored.requested_at + (event_start - stored.event_start)
            publish_at = min(max(shifted, now), max(event_start, now))
    bad = {p.split(":", 1)[0] for p in problems}
    if view.get("kind") == "event" and event_start is None and "event_start" not in bad:
        problems.append(
            _(
                "event_start: an event needs its date and time, e.g. "
                "--event-start '2026-12-12 14:00'"
            )
        )
    if event_end is not None and event_start is None and "event_start" not in bad:
        problems.append(_("event_end: given without event_start"))
    if event_start is not None and event_end is not None and event_end < event_start:
        problems.append(_("event_end: the event ends before it starts"))
    if event_start is not None and given_start and event_start < now:
        problems.append(
            _(
                "event_start: {start} has already passed (it is now {now}); give "
                "the date and time still to come"
            ).format(start=show_local(event_start, zone), now=show_local(now, zone))
        )
    elif (
        event_start is not None
        and publish_at is not None
        and (given_start or at_text)
        and publish_at > event_start
    ):
        problems.append(
            _(
                "at: {at} is after the event starts ({start}); announce it before, e.g. --at next"
            ).format(at=show_local(publish_at, zone), start=show_local(event_start, zone))
        )
    if deadline is not None and publish_at is not None and at_text and publish_at > deadline:
        problems.append(
            pick(
                f"at: {show_local(publish_at, zone)} is after the deadline "
                f"({show_local(deadline, zone)}); publish it before applications close",
                f"at: {show_local(publish_at, zone)} est après la date limite "
                f"({show_local(deadline, zone)}) ; publiez-le avant la clôture des candidatures",
            )
        )
    return Times(publish_at, event_start, event_end, window, deadline, by_sequence)


def checked(name: str, problems: list[str], compute: Callable[[], T]) -> T | None:
    """compute(), or None with its problem (prefixed by the field name) noted."""
    try:
        return compute()
    except InputError as exc:
        problems.append(f"{name}: {exc}" if name else str(exc))
        return None
