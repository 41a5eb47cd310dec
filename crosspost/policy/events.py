"""The events part of the health report: upcoming events, and those not yet announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from crosspost.states import IN_FLIGHT, State
from crosspost.wording import plural, show_day_time

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.store import Store


@dataclass(frozen=True)
class UpcomingEvent:
    item_id: int
    title: str
    starts_at: datetime
    #: When its own post is due (the earliest still to go out), None if none will.
    announce_due: datetime | None


@dataclass(frozen=True)
class EventsHealth:
    """Events starting before the report's horizon, and those nothing has announced yet."""

    upcoming: int = 0
    not_announced: tuple[UpcomingEvent, ...] = ()

    @property
    def never_announced(self) -> tuple[UpcomingEvent, ...]:
        """Not announced, and nothing queued will: every announcement failed or was withdrawn."""
        return tuple(e for e in self.not_announced if e.announce_due is None)


def events_health(
    settings: Settings, store: Store, *, now: datetime, until: datetime
) -> EventsHealth:
    """Read-only: the event items starting in [now, until) and their own posts' states."""
    from crosspost.ledger import DeliveryFilter

    entries = [e for e in store.iter_agenda(now, until) if e.item.status == "active"]
    if not entries:
        return EventsHealth()
    ids = tuple(e.item.id for e in entries)
    own = [
        d
        for d in store.list_deliveries(DeliveryFilter(item_ids=ids))
        if not d.step and d.role == "post"
    ]
    waiting = (State.PENDING.value, *(s.value for s in IN_FLIGHT))
    pending: list[UpcomingEvent] = []
    for entry in entries:
        posts = [d for d in own if d.item.id == entry.item.id]
        if any(d.state == State.PUBLISHED.value for d in posts):
            continue
        due = [d.due_at for d in posts if d.state in waiting]
        start = entry.item.event_start
        assert start is not None
        pending.append(
            UpcomingEvent(entry.item.id, entry.item.title, start, min(due, default=None))
        )
    return EventsHealth(upcoming=len(entries), not_announced=tuple(pending))


def events_lines(events: EventsHealth, zone: ZoneInfo, now: datetime) -> list[str]:
    """'Events: 3 upcoming, 1 not announced yet: «Fête» (Saturday 12 December at 18:00, ...)'."""
    if not events.upcoming:
        return []
    lines = [
        f"Events: {plural(events.upcoming, 'upcoming event')}, "
        f"{len(events.not_announced)} not announced yet."
    ]
    for event in events.not_announced:
        when = show_day_time(event.starts_at, zone, now=now)
        if event.announce_due is None:
            plan = "nothing queued will announce it"
        else:
            plan = f"announcement due {show_day_time(event.announce_due, zone, now=now)}"
        mark = "✗" if event.announce_due is None else "·"
        lines.append(f"  {mark} item {event.item_id} «{event.title}», {when}: {plan}")
    return lines
