"""The editorial policy: cadence targets, posting slots, quiet times, and the health report.

In crosspost.toml::

    [policy]
    quiet = ["sun", "22:00-07:00"]      # no publication on Sundays, nor at night

    [policy.twitter]
    min_per_week = 3
    max_per_day = 4
    slots = ["tue 12:30", "thu 12:30", "sat 10:00"]

    [policy.blog]
    min_per_month = 2

Days are written mon..sun (or in full, or in French: lun..dim), as ranges
(mon-fri), lists (tue,thu), or `weekdays` / `weekend`. A slot is "[days] HH:MM"
(no days: every day). A quiet time is days, "[days] HH:MM-HH:MM" (it may run
past midnight), or both. Times are wall-clock times in the configured zone.

This module only reads: `--at next` and the warnings of `add` get the times
already taken from the caller, and the health report reads the ledger through
the store's read-only queries.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from crosspost.domain import Delivery, PlannedDelivery
from crosspost.errors import ConfigError, InputError

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.intake import Accepted
    from crosspost.store import Store

# ---------------------------------------------------------------- days, slots, quiet times

_DAY_NAMES = {
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    **{name: i for i, name in enumerate(("lun", "mar", "mer", "jeu", "ven", "sam", "dim"))},
    **{
        name: i
        for i, name in enumerate(
            ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
        )
    },
}
_DAY_GROUPS = {"weekdays": frozenset(range(5)), "weekend": frozenset({5, 6})}
EVERY_DAY = frozenset(range(7))
DAY_HELP = "days like sun, mon-fri, tue,thu, weekdays or weekend"
_CLOCK = re.compile(r"^\d{1,2}:\d{2}$")
_RANGE = re.compile(r"^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$")


def parse_days(text: str) -> frozenset[int]:
    """'sun', 'mon-fri', 'tue,thu', 'weekend' -> weekday numbers (Monday is 0)."""
    days: set[int] = set()
    for part in text.lower().split(","):
        if part in _DAY_GROUPS:
            days |= _DAY_GROUPS[part]
            continue
        first, _, last = part.partition("-")
        if first not in _DAY_NAMES or (last and last not in _DAY_NAMES):
            raise ValueError(f"{part!r} is not a day; expected {DAY_HELP}")
        start = _DAY_NAMES[first]
        stop = _DAY_NAMES[last] if last else start
        # A range may wrap round the week: fri-mon is Friday to Monday.
        days.update((start + i) % 7 for i in range((stop - start) % 7 + 1))
    return frozenset(days)


def _clock(text: str) -> time:
    from crosspost.when import parse_clock

    try:
        return parse_clock(text)
    except InputError as exc:
        raise ValueError(str(exc)) from None


def _words(text: str) -> list[str]:
    # "sat, sun 10:00" and "22:00 - 07:00" read the same as "sat,sun 10:00" and "22:00-07:00".
    return re.sub(r"\s*([,-])\s*", r"\1", text.strip().lower()).split()


@dataclass(frozen=True)
class Slot:
    """A posting slot: a wall-clock time on some days of the week."""

    days: frozenset[int]
    clock: time
    text: str


def parse_slot(text: str) -> Slot:
    """'tue 12:30', 'mon-fri 09:00' or '12:30' (every day)."""
    words = _words(text)
    if len(words) == 1 and _CLOCK.match(words[0]):
        return Slot(EVERY_DAY, _clock(words[0]), text)
    if len(words) == 2 and _CLOCK.match(words[1]):
        return Slot(parse_days(words[0]), _clock(words[1]), text)
    raise ValueError("expected a time with optional days, like 'tue 12:30' or 'mon-fri 09:00'")


@dataclass(frozen=True)
class Quiet:
    """A quiet time: days, a daily time range (which may run past midnight), or both."""

    days: frozenset[int]
    start: time | None
    end: time | None
    text: str

    def covers(self, local: datetime) -> bool:
        """Whether this wall-clock time falls in the quiet time."""
        if self.start is None or self.end is None:
            return local.weekday() in self.days
        clock = local.time().replace(tzinfo=None)
        if self.start <= self.end:
            return local.weekday() in self.days and self.start <= clock < self.end
        # 22:00-07:00 on fri covers Friday night and Saturday early morning.
        yesterday = (local.weekday() - 1) % 7
        return (local.weekday() in self.days and clock >= self.start) or (
            yesterday in self.days and clock < self.end
        )


def parse_quiet(text: str) -> Quiet:
    """'sun', '22:00-07:00', 'sat 14:00-18:00', 'weekend'."""
    words = _words(text)
    if len(words) == 1 and (match := _RANGE.match(words[0])):
        return Quiet(EVERY_DAY, _clock(match[1]), _clock(match[2]), text)
    if len(words) == 1:
        return Quiet(parse_days(words[0]), None, None, text)
    if len(words) == 2 and (match := _RANGE.match(words[1])):
        return Quiet(parse_days(words[0]), _clock(match[1]), _clock(match[2]), text)
    raise ValueError(
        "expected days (sun), a time range (22:00-07:00) or both, like 'sat 14:00-18:00'"
    )


# ---------------------------------------------------------------- the settings


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _slot_text(value: str) -> str:
    parse_slot(value)
    return value


def _quiet_text(value: str) -> str:
    parse_quiet(value)
    return value


#: Checked one by one, so an error names the entry: policy.twitter.slots[2].
SlotText = Annotated[str, AfterValidator(_slot_text)]
QuietText = Annotated[str, AfterValidator(_quiet_text)]


class ChannelPolicyIn(BaseModel):
    """A `[policy.CHANNEL]` table as written in crosspost.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: At least this many posts each week (Monday to Sunday, local time).
    min_per_week: int | None = Field(default=None, ge=1, le=700)
    #: At least this many posts each calendar month.
    min_per_month: int | None = Field(default=None, ge=1, le=3000)
    #: Never more than this many posts on one local day.
    max_per_day: int | None = Field(default=None, ge=1, le=100)
    #: Preferred posting times, filled in order by `add --at next`.
    slots: list[SlotText] = Field(default_factory=list)
    #: Quiet times of this channel only (the `[policy] quiet` ones apply too).
    quiet: list[QuietText] = Field(default_factory=list)

    _lists = field_validator("slots", "quiet", mode="before")(_as_list)


class GlobalPolicyIn(BaseModel):
    """The `quiet` key of `[policy]` itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quiet: list[QuietText] = Field(default_factory=list)

    _lists = field_validator("quiet", mode="before")(_as_list)


@dataclass(frozen=True)
class ChannelPolicy:
    """What the policy asks of one channel (every field optional)."""

    channel: str
    min_per_week: int | None = None
    min_per_month: int | None = None
    max_per_day: int | None = None
    slots: tuple[Slot, ...] = ()
    #: The global quiet times followed by the channel's own.
    quiet: tuple[Quiet, ...] = ()

    def quiet_at(self, local: datetime) -> Quiet | None:
        """The quiet time `local` falls in, if any."""
        return next((q for q in self.quiet if q.covers(local)), None)

    @property
    def has_targets(self) -> bool:
        return bool(self.min_per_week or self.min_per_month)

    def targets_text(self) -> str:
        """'3 per week', '2 per month', or both joined."""
        parts = []
        if self.min_per_week:
            parts.append(f"{self.min_per_week} per week")
        if self.min_per_month:
            parts.append(f"{self.min_per_month} per month")
        return " and ".join(parts)


@dataclass(frozen=True)
class Policy:
    """The whole `[policy]` table, checked."""

    quiet: tuple[Quiet, ...] = ()
    channels: Mapping[str, ChannelPolicy] = field(default_factory=dict)

    def of(self, channel: str) -> ChannelPolicy:
        """A channel's policy; one without its own table still keeps the global quiet times."""
        return self.channels.get(channel) or ChannelPolicy(channel, quiet=self.quiet)


def validate_policy(settings: Settings) -> None:
    """Config-loading hook: refuse a bad `[policy]`, naming the file, the key and what is wanted."""
    load_policy(settings)


def load_policy(settings: Settings) -> Policy:
    """The checked policy of these settings (cheap: parsed again on each call)."""
    from crosspost.config import describe_validation_error

    path = settings.path
    raw = dict(settings.policy_raw)
    declared = ", ".join(sorted(settings.channels)) or "none"
    try:
        top = GlobalPolicyIn.model_validate({"quiet": raw.pop("quiet", [])})
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, path, prefix=("policy",))) from None
    quiet = tuple(parse_quiet(q) for q in top.quiet)
    channels: dict[str, ChannelPolicy] = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"{path}: policy.{name}: unknown key; [policy] holds `quiet` and one "
                f"[policy.CHANNEL] table per channel (declared channels: {declared})"
            )
        if name not in settings.channels:
            raise ConfigError(
                f"{path}: policy.{name}: no channel named {name!r}; declared: {declared}"
            )
        try:
            checked = ChannelPolicyIn.model_validate(table)
        except ValidationError as exc:
            raise ConfigError(
                describe_validation_error(exc, path, prefix=("policy", name))
            ) from None
        channels[name] = ChannelPolicy(
            channel=name,
            min_per_week=checked.min_per_week,
            min_per_month=checked.min_per_month,
            max_per_day=checked.max_per_day,
            slots=tuple(parse_slot(s) for s in checked.slots),
            quiet=quiet + tuple(parse_quiet(q) for q in checked.quiet),
        )
        _check_consistent(channels[name], f"{path}: policy.{name}")
    return Policy(quiet=quiet, channels=channels)


def _check_consistent(policy: ChannelPolicy, where: str) -> None:
    """Targets that no schedule could meet are a config error, not a daily failed report."""
    for number, slot in enumerate(policy.slots, start=1):
        for day in sorted(slot.days):
            # 2024-01-01 was a Monday: any date with the right weekday will do.
            probe = datetime.combine(date(2024, 1, 1) + timedelta(days=day), slot.clock)
            rule = policy.quiet_at(probe)
            if rule is not None:
                raise ConfigError(
                    f"{where}.slots[{number}]: {slot.text!r} falls in the quiet time "
                    f"{rule.text!r}; move the slot or the quiet time"
                )
    if policy.max_per_day and policy.min_per_week and policy.max_per_day * 7 < policy.min_per_week:
        raise ConfigError(
            f"{where}: min_per_week = {policy.min_per_week} cannot be met with "
            f"max_per_day = {policy.max_per_day} ({policy.max_per_day * 7} a week at most)"
        )


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
        self._minutes.add((channel, _minute(at)))
        self._days[(channel, at.astimezone(self.zone).date())] += 1

    def taken(self, channel: str, at: datetime) -> bool:
        return (channel, _minute(at)) in self._minutes

    def on_day(self, channel: str, day: date) -> int:
        return self._days[(channel, day)]


def _minute(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def load_around(
    store: Store, zone: ZoneInfo, channels: Sequence[str], start: datetime, end: datetime
) -> Load:
    """The Load of these channels between two instants (whole local days, for max_per_day)."""
    first = _midnight(start.astimezone(zone).date(), zone)
    last = _midnight(end.astimezone(zone).date() + timedelta(days=1), zone)
    return Load(zone, ((o.channel, o.at) for o in store.occupied(channels, first, last)))


# ---------------------------------------------------------------- --at next


def _wall(day: date, clock: time, zone: ZoneInfo) -> datetime | None:
    """A local wall-clock time as aware UTC; None in the spring-forward gap.

    In the repeated autumn hour the first occurrence is taken (fold=0).
    """
    local = datetime.combine(day, clock, tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local.astimezone(UTC)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    # Where midnight falls in a DST gap (a few zones), fold=0 gives the instant the clocks
    # jumped at, which is when that day starts.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


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
            moment = _wall(day, clock, zone)
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
            limit = (
                f"before the event starts ({show_day_time(before, zone, now=now)})"
                if before is not None
                else "in the coming year"
            )
            raise InputError(
                f"at: no free slot on {planned.channel} {limit}; give a time with --at"
            )
        load.add(planned.channel, moment)
        placed[planned.channel] = moment
        out[planned.channel] = replace(planned, due_at=moment)
    posts = [placed[p.channel] for p in deliveries if p.waits_for is None] or list(placed.values())
    return min(posts), tuple(out[p.channel] for p in deliveries)


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
            problems.append(f"{accepted.source}: {exc}")
            continue
        item = replace(accepted.item, requested_at=publish_at)
        out.append(replace(accepted, item=item, plan=replace(accepted.plan, deliveries=placed)))
    if problems:
        raise InputError("nothing was imported:\n  " + "\n  ".join(problems))
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
                f"{planned.channel}: this makes {count} posts on {day} "
                f"(the policy allows {rules.max_per_day} a day)"
            )
        load.add(planned.channel, planned.due_at)
    return out


# ---------------------------------------------------------------- how days read


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def show_day(day: date, now: datetime, zone: ZoneInfo) -> str:
    """'Tuesday 8 December' (with the year when it is not this year)."""
    text = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == now.astimezone(zone).year else f"{text} {day.year}"


def show_day_time(moment: datetime, zone: ZoneInfo, *, now: datetime) -> str:
    """'Tuesday 8 December at 12:30', in the configured zone."""
    local = moment.astimezone(zone)
    return f"{show_day(local.date(), now, zone)} at {local:%H:%M}"


def show_month(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.year}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# ---------------------------------------------------------------- the health report

#: How long past its time a delivery may wait before the report calls it stuck.
STUCK_AFTER = timedelta(minutes=15)

Check = Literal[
    "below_target",
    "stale",
    "ahead_below_target",
    "over_max_per_day",
    "quiet_time",
    "clash",
    "failed",
    "unknown",
    "skipped_late",
    "stuck",
    "overdue",
]
When = Literal["past", "current", "ahead"]
Unit = Literal["week", "month"]


@dataclass(frozen=True)
class Period:
    """One week or month measured against a channel's minimum."""

    unit: Unit
    start: date
    #: Exclusive.
    end: date
    when: When
    target: int
    published: int
    planned: int

    @property
    def ok(self) -> bool:
        return self.published + self.planned >= self.target

    @property
    def missing(self) -> int:
        return max(0, self.target - self.published - self.planned)


@dataclass(frozen=True)
class Finding:
    """One way the ledger falls short of the policy, as a sentence a volunteer understands."""

    check: Check
    channel: str
    sentence: str
    item_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ChannelHealth:
    """One channel: its targets, what happened, what is planned, and where it falls short."""

    channel: str
    label: str
    policy: ChannelPolicy
    last_published_at: datetime | None
    days_since_last: int | None
    published_in_window: int
    periods: tuple[Period, ...]
    #: Plain facts worth reading even when all is well.
    notes: tuple[str, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class HealthReport:
    """The health of the editorial policy at one moment, as plain data."""

    generated_at: datetime
    zone: ZoneInfo
    weeks: int
    ahead: int
    #: The first day of the weeks looked back on (local), and the first day after the horizon.
    since: date
    until: date
    channels: tuple[ChannelHealth, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for c in self.channels for f in c.findings)

    @property
    def holds(self) -> bool:
        return not self.findings


def health_report(
    settings: Settings, store: Store, *, now: datetime, weeks: int = 4, ahead: int = 2
) -> HealthReport:
    """Measure every configured channel against the policy; reads the ledger, never writes."""
    zone = settings.zone
    policy = load_policy(settings)
    names = list(settings.channels)
    today = now.astimezone(zone).date()
    week0 = today - timedelta(days=today.weekday())
    month0 = today.replace(day=1)
    # Wide enough for every period of either unit; the periods pick their own days.
    first_day = min(week0 - timedelta(weeks=weeks), _month_floor(month0 - timedelta(weeks=weeks)))
    last_day = max(week0 + timedelta(weeks=ahead), _next_month(_next_month(month0)))
    window_start = _midnight(week0 - timedelta(weeks=weeks), zone)

    published = store.published_times(names, _midnight(first_day, zone), now)
    last = store.last_published(names)
    from crosspost.store import DeliveryFilter

    upcoming = store.list_deliveries(
        DeliveryFilter(
            states=("pending", "claimed", "sending"),
            due_from=_midnight(min(week0, month0), zone),
            due_to=_midnight(last_day, zone),
        )
    )
    troubled = store.list_deliveries(
        DeliveryFilter(states=("failed", "unknown", "skipped_late"), due_from=window_start)
    )
    late = store.list_deliveries(
        DeliveryFilter(states=("pending", "claimed", "sending"), due_to=now - STUCK_AFTER)
    )
    context = _Context(settings, zone, now, today, week0, month0, weeks, ahead)
    channels = tuple(
        _channel_health(
            context,
            name,
            policy.of(name),
            published=[p for c, p in published if c == name],
            last=last.get(name),
            upcoming=[d for d in upcoming if d.channel == name],
            troubled=[d for d in troubled if d.channel == name],
            late=[d for d in late if d.channel == name],
        )
        for name in names
    )
    return HealthReport(
        generated_at=now,
        zone=zone,
        weeks=weeks,
        ahead=ahead,
        since=week0 - timedelta(weeks=weeks),
        until=week0 + timedelta(weeks=ahead),
        channels=channels,
    )


@dataclass(frozen=True)
class _Context:
    settings: Settings
    zone: ZoneInfo
    now: datetime
    today: date
    week0: date
    month0: date
    weeks: int
    ahead: int

    def day(self, day: date) -> str:
        return show_day(day, self.now, self.zone)

    def moment(self, moment: datetime) -> str:
        return show_day_time(moment, self.zone, now=self.now)

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


def _labels(settings: Settings) -> dict[str, str]:
    from crosspost.calendar.rows import channel_labels

    return channel_labels(settings)


def _month_floor(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _periods(ctx: _Context, unit: Unit) -> Iterator[tuple[date, date, When]]:
    """(start, end, when) of the complete periods looked back on, the current one, and ahead."""
    if unit == "week":
        for k in range(ctx.weeks, 0, -1):
            start = ctx.week0 - timedelta(weeks=k)
            yield start, start + timedelta(weeks=1), "past"
        for k in range(ctx.ahead):
            start = ctx.week0 + timedelta(weeks=k)
            yield start, start + timedelta(weeks=1), "current" if k == 0 else "ahead"
        return
    # Months: those overlapping the `weeks` weeks before this month, then this one, then the
    # next one if it starts within the `ahead` weeks.
    month = _month_floor(ctx.month0 - timedelta(weeks=ctx.weeks))
    while month < ctx.month0:
        yield month, _next_month(month), "past"
        month = _next_month(month)
    if ctx.ahead:
        yield ctx.month0, _next_month(ctx.month0), "current"
        following = _next_month(ctx.month0)
        if following < ctx.today + timedelta(weeks=ctx.ahead):
            yield following, _next_month(following), "ahead"


def _channel_health(
    ctx: _Context,
    name: str,
    rules: ChannelPolicy,
    *,
    published: list[datetime],
    last: datetime | None,
    upcoming: list[Delivery],
    troubled: list[Delivery],
    late: list[Delivery],
) -> ChannelHealth:
    label = _labels(ctx.settings)[name]
    published_days = Counter(ctx.local_day(p) for p in published)
    planned_days = Counter(ctx.local_day(d.due_at) for d in upcoming)
    periods: list[Period] = []
    targets: tuple[tuple[Unit, int | None], ...] = (
        ("week", rules.min_per_week),
        ("month", rules.min_per_month),
    )
    for unit, target in targets:
        if not target:
            continue
        for start, end, when in _periods(ctx, unit):
            periods.append(
                Period(
                    unit=unit,
                    start=start,
                    end=end,
                    when=when,
                    target=target,
                    published=sum(n for d, n in published_days.items() if start <= d < end),
                    planned=sum(n for d, n in planned_days.items() if start <= d < end)
                    if when != "past"
                    else 0,
                )
            )
    window_start = ctx.week0 - timedelta(weeks=ctx.weeks)
    in_window = sum(n for d, n in published_days.items() if window_start <= d < ctx.week0)
    days_since = (ctx.today - ctx.local_day(last)).days if last is not None else None

    notes = _notes(ctx, label, rules, last, days_since, in_window)
    channel = ctx.settings.channels.get(name)
    if channel is not None and channel.mode == "dry-run":
        notes.append(f"{label} is in dry-run mode: what it publishes is not counted.")
    findings: list[Finding] = []
    findings += _stale(name, label, rules, days_since)
    findings += [_period_finding(ctx, name, label, p) for p in periods if not p.ok]
    ahead = [d for d in upcoming if d.due_at >= ctx.now]
    findings += _crowding(ctx, name, label, rules, ahead, published)
    findings += [_trouble(ctx, name, label, d) for d in troubled]
    findings += [f for d in late if (f := _late(ctx, name, label, d)) is not None]
    return ChannelHealth(
        channel=name,
        label=label,
        policy=rules,
        last_published_at=last,
        days_since_last=days_since,
        published_in_window=in_window,
        periods=tuple(periods),
        notes=tuple(notes),
        findings=tuple(findings),
    )


def _notes(
    ctx: _Context,
    label: str,
    rules: ChannelPolicy,
    last: datetime | None,
    days_since: int | None,
    in_window: int,
) -> list[str]:
    first = ctx.week0 - timedelta(weeks=ctx.weeks)
    end = ctx.week0 - timedelta(days=1)
    span = f"the {plural(ctx.weeks, 'week')} from {ctx.day(first)} to {ctx.day(end)}"
    target = f" (target: {rules.targets_text()})" if rules.has_targets else ""
    notes = [f"{label}: {plural(in_window, 'post')} in {span}{target}."]
    if last is not None and days_since is not None:
        ago = {0: "today", 1: "yesterday"}.get(days_since, f"{days_since} days ago")
        notes.append(f"{label}: last post {ago} ({ctx.day(ctx.local_day(last))}).")
    return notes


def _stale(name: str, label: str, rules: ChannelPolicy, days_since: int | None) -> list[Finding]:
    """Nothing for longer than the period of its most frequent target."""
    if not rules.has_targets:
        return []
    allowed = 7 if rules.min_per_week else 30
    target = rules.targets_text()
    if days_since is None:
        return [
            Finding(
                "stale",
                name,
                f"{label} has never been updated through Crosspost (target: {target}).",
            )
        ]
    if days_since <= allowed:
        return []
    return [
        Finding(
            "stale", name, f"{label} has not been updated for {days_since} days (target: {target})."
        )
    ]


def _period_finding(ctx: _Context, name: str, label: str, period: Period) -> Finding:
    per = f"target: {period.target} per {period.unit}"
    if period.unit == "week":
        what = f"the week of {ctx.day(period.start)}"
        this = "this week"
    else:
        what = show_month(period.start)
        this = f"this month ({show_month(period.start)})"
    if period.when == "past":
        got = "no post" if period.published == 0 else f"only {plural(period.published, 'post')}"
        sentence = f"{label}: {got} in {what} ({per})."
        return Finding("below_target", name, sentence)
    if period.when == "current":
        sentence = (
            f"{label}: {this} has {plural(period.published, 'post')} so far and "
            f"{period.planned} planned ({per}): plan {period.missing} more."
        )
    else:
        planned = "no post" if period.planned == 0 else plural(period.planned, "post")
        sentence = f"{label}: {what} has {planned} planned ({per}): plan {period.missing} more."
    return Finding("ahead_below_target", name, sentence)


def _crowding(
    ctx: _Context,
    name: str,
    label: str,
    rules: ChannelPolicy,
    ahead: list[Delivery],
    published: list[datetime],
) -> list[Finding]:
    """Same-minute clashes, days over max_per_day, and posts planned in quiet times."""
    findings: list[Finding] = []
    by_minute: dict[datetime, list[Delivery]] = {}
    for delivery in ahead:
        by_minute.setdefault(_minute(delivery.due_at), []).append(delivery)
    for minute, together in sorted(by_minute.items()):
        if len(together) > 1:
            titles = _titles(together)
            findings.append(
                Finding(
                    "clash",
                    name,
                    f"{label}: {titles} are all planned for {ctx.moment(minute)}; "
                    f"move one with `crosspost reschedule ID --at ...`."
                    if len(together) > 2
                    else f"{label}: {titles} are both planned for {ctx.moment(minute)}; "
                    f"move one with `crosspost reschedule ID --at ...`.",
                    tuple(d.item.id for d in together),
                )
            )
    if rules.max_per_day:
        per_day: Counter[date] = Counter(ctx.local_day(d.due_at) for d in ahead)
        for moment in published:
            if ctx.local_day(moment) in per_day:
                per_day[ctx.local_day(moment)] += 1
        for day, count in sorted(per_day.items()):
            if count > rules.max_per_day:
                ids = tuple(d.item.id for d in ahead if ctx.local_day(d.due_at) == day)
                findings.append(
                    Finding(
                        "over_max_per_day",
                        name,
                        f"{label}: {count} posts on {ctx.day(day)} "
                        f"(the policy allows {rules.max_per_day} a day).",
                        ids,
                    )
                )
    for delivery in ahead:
        quiet = rules.quiet_at(delivery.due_at.astimezone(ctx.zone))
        if quiet is not None:
            findings.append(
                Finding(
                    "quiet_time",
                    name,
                    f"{label}: «{delivery.item.title}» is planned for "
                    f"{ctx.moment(delivery.due_at)}, a quiet time ({quiet.text}); "
                    f"move it with `crosspost reschedule {delivery.item.id} --at ...`.",
                    (delivery.item.id,),
                )
            )
    return findings


def _titles(deliveries: Sequence[Delivery]) -> str:
    names = [f"«{d.item.title}» (item {d.item.id})" for d in deliveries]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _trouble(ctx: _Context, name: str, label: str, delivery: Delivery) -> Finding:
    title = f"«{delivery.item.title}»"
    item = delivery.item.id
    when = ctx.moment(delivery.due_at)
    reason = f": {delivery.last_error}" if delivery.last_error else ""
    if delivery.state == "failed":
        sentence = (
            f"{label}: {title}, due {when}, failed{reason}. "
            f"Fix the cause, then `crosspost retry {item}`."
        )
    elif delivery.state == "unknown":
        sentence = (
            f"{label}: nobody knows whether {title}, due {when}, is online{reason}. "
            f"Look on {label}, then `crosspost resolve {item} --channel {name} "
            f"--published URL` or `--not-published`."
        )
    else:
        sentence = (
            f"{label}: {title}, due {when}, was not sent: the publisher found it too late. "
            f"`crosspost retry {item}` sends it anyway, `crosspost cancel {item}` drops it."
        )
    check: Check = (
        "failed"
        if delivery.state == "failed"
        else ("unknown" if delivery.state == "unknown" else "skipped_late")
    )
    return Finding(check, name, sentence, (item,))


def _late(ctx: _Context, name: str, label: str, delivery: Delivery) -> Finding | None:
    title = f"«{delivery.item.title}»"
    item = delivery.item.id
    limit = ctx.now - STUCK_AFTER
    if delivery.state == "pending":
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > limit:
            return None  # a retry is planned: not stuck
        if delivery.waits_for_id is not None and delivery.announced_url is None:
            return None  # waits for the post it announces, which is reported on its own
        late = _duration_words(ctx.now - delivery.due_at)
        return Finding(
            "overdue",
            name,
            f"{label}: {title} was due {ctx.moment(delivery.due_at)} and has not gone out "
            f"({late} late): is the publisher running? See `crosspost status`.",
            (item,),
        )
    if delivery.lease_until is not None and delivery.lease_until > limit:
        return None  # a publisher is working on it right now
    return Finding(
        "stuck",
        name,
        f"{label}: {title} was taken by a publisher that stopped answering; "
        f"a running publisher releases it (`crosspost run`), then check `crosspost show {item}`.",
        (item,),
    )


def _duration_words(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return plural(minutes, "minute")
    hours = minutes // 60
    if hours < 48:
        return plural(hours, "hour")
    return plural(hours // 24, "day")


__all__ = [
    "ChannelPolicy",
    "HealthReport",
    "Load",
    "Policy",
    "apply_policy",
    "health_report",
    "load_policy",
    "next_free_slot",
    "place_next",
    "time_warnings",
    "validate_policy",
]
