"""Where posts go: the times already taken, `--at next`, and warnings for a chosen time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from crosspost.clock import local_midnight, wall_time
from crosspost.domain import PlannedDelivery
from crosspost.errors import InputError
from crosspost.i18n import _
from crosspost.policy.rules import ChannelPolicy, load_policy
from crosspost.wording import plural, show_day, show_day_time

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.intake import Accepted
    from crosspost.store import Store

# ---------------------------------------------------------------- what is already taken


class Load:
    """The times already taken on each channel: exact minutes, and posts per local day."""

    def __init__(self, zone: ZoneInfo, taken: Iterable[tuple[str, datetime]] = ()) -> None:
        self.zone = zone
        self._minutes: set[tuple[str, datetime]] = set()
        self._days: Counter[tuple[str, date]] = Counter()
        for channel, at in taken:
            self.add(channel, at)

    def add(self, channel: str, at: datetime) -> None:
        self._minutes.add((channel, minute_of(at)))
        self._days[(channel, at.astimezone(self.zone).date())] += 1

    def taken(self, channel: str, at: datetime) -> bool:
        return (channel, minute_of(at)) in self._minutes

    def on_day(self, channel: str, day: date) -> int:
        return self._days[(channel, day)]


def minute_of(at: datetime) -> datetime:
    """The UTC minute an instant falls in: two posts in one minute clash."""
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def load_around(
    store: Store, zone: ZoneInfo, channels: Sequence[str], start: datetime, end: datetime
) -> Load:
    """The Load of these channels between two instants (whole local days, for max_per_day)."""
    first = local_midnight(start.astimezone(zone).date(), zone)
    last = local_midnight(end.astimezone(zone).date() + timedelta(days=1), zone)
    return Load(zone, ((o.channel, o.at) for o in store.occupied(channels, first, last)))


# ---------------------------------------------------------------- --at next


def slot_times(
    policy: ChannelPolicy, zone: ZoneInfo, first_day: date, default_time: time, days: int
) -> Iterator[datetime]:
    """Every slot time from `first_day` on, in order; no slots means one a day at default_time."""
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if policy.slots:
            clocks = sorted({s.clock for s in policy.slots if day.weekday() in s.days})
        else:
            clocks = [default_time]
        for clock in clocks:
            moment = wall_time(day, clock, zone)
            if moment is not None:
                yield moment


def next_free_slot(
    policy: ChannelPolicy,
    load: Load,
    *,
    earliest: datetime,
    zone: ZoneInfo,
    default_time: time,
    before: datetime | None = None,
    horizon_days: int = 366,
) -> datetime | None:
    """The first slot at or after `earliest` that is free, not quiet and under max_per_day."""
    first_day = earliest.astimezone(zone).date()
    for moment in slot_times(policy, zone, first_day, default_time, horizon_days):
        if moment < earliest:
            continue
        if before is not None and moment >= before:
            return None
        local = moment.astimezone(zone)
        if policy.quiet_at(local) is not None or load.taken(policy.channel, moment):
            continue
        if policy.max_per_day and load.on_day(policy.channel, local.date()) >= policy.max_per_day:
            continue
        return moment
    return None


def place_next(
    settings: Settings,
    deliveries: Sequence[PlannedDelivery],
    load: Load,
    *,
    now: datetime,
    before: datetime | None = None,
) -> tuple[datetime, tuple[PlannedDelivery, ...]]:
    """Put each delivery in its channel's next free slot (Buffer-style: one queue per channel).

    An announcement keeps its configured delay after the post it announces. Returns the
    item's publish time (its earliest post) and the deliveries with their new times.
    `before` (an event's start) bounds the search: announcing an event after it is no use.
    """
    # A step of the item's sequence (a reminder) counts from the event, not from a slot.
    steps = tuple(p for p in deliveries if p.step)
    deliveries = [p for p in deliveries if not p.step]
    policy = load_policy(settings)
    zone = settings.zone
    planned_due = {p.channel: p.due_at for p in deliveries}
    placed: dict[str, datetime] = {}
    out: dict[str, PlannedDelivery] = {}
    # Posts first, so every announcement knows when the post it waits for goes out.
    for planned in sorted(deliveries, key=lambda p: p.waits_for is not None):
        earliest = now
        if planned.waits_for is not None and planned.waits_for in placed:
            delay = planned.due_at - planned_due[planned.waits_for]
            earliest = max(now, placed[planned.waits_for] + delay)
        moment = next_free_slot(
            policy.of(planned.channel),
            load,
            earliest=earliest,
            zone=zone,
            default_time=settings.default_time,
            before=before,
        )
        if moment is None:
            if before is not None:
                refusal = _(
                    "at: no free slot on {channel} before the event starts ({start}); "
                    "give a time with --at"
                ).format(channel=planned.channel, start=show_day_time(before, zone, now=now))
            else:
                refusal = _(
                    "at: no free slot on {channel} in the coming year; give a time with --at"
                ).format(channel=planned.channel)
            raise InputError(refusal)
        load.add(planned.channel, moment)
        placed[planned.channel] = moment
        out[planned.channel] = replace(planned, due_at=moment)
    posts = [placed[p.channel] for p in deliveries if p.waits_for is None] or list(placed.values())
    # A reminder the slot pushed before its announcement would come first: it is dropped.
    kept = tuple(s for s in steps if s.channel not in placed or s.due_at > placed[s.channel])
    return min(posts), tuple(out[p.channel] for p in deliveries) + kept


def apply_policy(
    settings: Settings, store: Store, accepted: Accepted, *, now: datetime, at_next: bool
) -> tuple[Accepted, list[str]]:
    """For `add`: place an item in its channels' next free slots, or warn about its time.

    Returns the item (moved when `at_next`) and the warnings to show; never refuses a
    chosen time, the officer may have good reasons.
    """
    channels = [p.channel for p in accepted.plan.deliveries]
    if at_next:
        before = accepted.item.event_start
        horizon = before if before is not None else now + timedelta(days=366)
        load = load_around(store, settings.zone, channels, now, max(horizon, now))
        publish_at, placed = place_next(
            settings, accepted.plan.deliveries, load, now=now, before=before
        )
        item = replace(accepted.item, requested_at=publish_at)
        return replace(accepted, item=item, plan=replace(accepted.plan, deliveries=placed)), []
    times = [p.due_at for p in accepted.plan.deliveries]
    if not times or not settings.policy_raw:
        return accepted, []  # no policy, nothing to break (and no need to open the ledger)
    load = load_around(store, settings.zone, channels, min(times), max(times))
    return accepted, time_warnings(settings, accepted.plan.deliveries, load, now=now)


def place_batch(
    settings: Settings,
    store: Store,
    batch: Sequence[Accepted],
    at_next: Sequence[bool],
    *,
    now: datetime,
) -> list[Accepted]:
    """For `import`: rows with `at: next` take the next free slots one after the other,
    each seeing the slots the rows before it took (one Load for the whole batch)."""
    wanted = [a for a, flag in zip(batch, at_next, strict=True) if flag]
    if not wanted:
        return list(batch)
    channels = sorted({p.channel for a in wanted for p in a.plan.deliveries})
    load = load_around(store, settings.zone, channels, now, now + timedelta(days=366))
    out: list[Accepted] = []
    problems: list[str] = []
    for accepted, flag in zip(batch, at_next, strict=True):
        if not flag:
            out.append(accepted)
            continue
        try:
            publish_at, placed = place_next(
                settings, accepted.plan.deliveries, load, now=now, before=accepted.item.event_start
            )
        except InputError as exc:
            problems.append(_("{where}: {problem}").format(where=accepted.source, problem=exc))
            continue
        item = replace(accepted.item, requested_at=publish_at)
        out.append(replace(accepted, item=item, plan=replace(accepted.plan, deliveries=placed)))
    if problems:
        raise InputError(_("nothing was imported:") + "\n  " + "\n  ".join(problems))
    return out


# ---------------------------------------------------------------- warnings for a chosen time


def time_warnings(
    settings: Settings, deliveries: Sequence[PlannedDelivery], load: Load, *, now: datetime
) -> list[str]:
    """What a chosen time breaks in the policy, one line per channel and rule (never refuses)."""
    policy = load_policy(settings)
    zone = settings.zone
    out = []
    for planned in deliveries:
        rules = policy.of(planned.channel)
        local = planned.due_at.astimezone(zone)
        shown = show_day_time(planned.due_at, zone, now=now)
        quiet = rules.quiet_at(local)
        if quiet is not None:
            out.append(f"{planned.channel}: {shown} falls in a quiet time ({quiet.text})")
        if load.taken(planned.channel, planned.due_at):
            out.append(f"{planned.channel}: another post is already planned at {shown}")
        count = load.on_day(planned.channel, local.date()) + 1
        if rules.max_per_day and count > rules.max_per_day:
            day = show_day(local.date(), now, zone)
            out.append(
                f"{planned.channel}: this makes {plural(count, 'post')} on {day} "
                f"(the policy allows {rules.max_per_day} a day)"
            )
        load.add(planned.channel, planned.due_at)
    return out
