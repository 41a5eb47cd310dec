"""The health report: is the editorial policy kept, channel by channel, in plain sentences."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from crosspost import attention
from crosspost.clock import local_midnight
from crosspost.domain import Delivery
from crosspost.i18n import _, ngettext
from crosspost.policy.events import EventsHealth
from crosspost.policy.placement import minute_of
from crosspost.policy.rules import ChannelPolicy, load_policy
from crosspost.states import IN_FLIGHT, State
from crosspost.wording import days_ago, show_day, show_day_time, show_month

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.review import ReviewBacklog
    from crosspost.store import Store

# ---------------------------------------------------------------- the health report

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
    "review_late",
    "unannounced",
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
    #: Drafts from members waiting for a reviewer (not a channel's matter).
    review: ReviewBacklog
    #: Upcoming events, and those not announced yet (crosspost.policy.events).
    events: EventsHealth = field(default_factory=EventsHealth)

    @property
    def review_findings(self) -> tuple[Finding, ...]:
        if not self.review.late:
            return ()
        return (Finding("review_late", "", review_late_sentence(self.review)),)

    @property
    def findings(self) -> tuple[Finding, ...]:
        own = tuple(f for c in self.channels for f in c.findings)
        # An event nothing will announce is a problem whatever the channel targets say.
        never = tuple(
            Finding(
                "unannounced",
                "",
                f"«{e.title}» starts {show_day_time(e.starts_at, self.zone, now=self.generated_at)}"
                " and nothing queued announces it; queue a post again "
                f"(`crosspost retry {e.item_id}` or `crosspost edit {e.item_id} --at next`)",
                (e.item_id,),
            )
            for e in self.events.never_announced
        )
        return own + never + self.review_findings

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
    window_start = local_midnight(week0 - timedelta(weeks=weeks), zone)

    published = store.published_times(names, local_midnight(first_day, zone), now)
    last = store.last_published(names)
    from crosspost.ledger import DeliveryFilter
    from crosspost.review import ReviewBacklog

    upcoming = store.list_deliveries(
        DeliveryFilter(
            states=(State.PENDING, *IN_FLIGHT),
            due_from=local_midnight(min(week0, month0), zone),
            due_to=local_midnight(last_day, zone),
        )
    )
    needs = attention.gather(store, now, since=window_start)
    context = _Context(settings, zone, now, today, week0, month0, weeks, ahead)
    channels = tuple(
        _channel_health(
            context,
            name,
            policy.of(name),
            published=[p for c, p in published if c == name],
            last=last.get(name),
            upcoming=[d for d in upcoming if d.channel == name],
            needs=needs,
        )
        for name in names
    )
    from crosspost.policy.events import events_health

    return HealthReport(
        events=events_health(
            settings, store, now=now, until=local_midnight(week0 + timedelta(weeks=ahead), zone)
        ),
        generated_at=now,
        zone=zone,
        weeks=weeks,
        ahead=ahead,
        since=week0 - timedelta(weeks=weeks),
        until=week0 + timedelta(weeks=ahead),
        channels=channels,
        review=ReviewBacklog.of(store.drafts_waiting(), settings.review.remind_after, now),
    )


def review_late_sentence(review: ReviewBacklog) -> str:
    """Drafts kept waiting longer than `review.remind_after`, in the report's words."""
    from crosspost.wording import duration_words

    return _("{waiting}; drafts should be decided within {within} (review.remind_after).").format(
        waiting=review.sentence().removesuffix("."), within=duration_words(review.remind_after)
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
    needs: attention.Attention,
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
        notes.append(
            _("{label} is in dry-run mode: what it publishes is not counted.").format(label=label)
        )
    findings: list[Finding] = []
    findings += _stale(name, label, rules, days_since)
    findings += [_period_finding(ctx, name, label, p) for p in periods if not p.ok]
    ahead = [d for d in upcoming if d.due_at >= ctx.now]
    findings += _crowding(ctx, name, label, rules, ahead, published)
    findings += _needs(ctx, name, label, needs)
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
    span = ngettext(
        "the {count} week from {first} to {last}",
        "the {count} weeks from {first} to {last}",
        ctx.weeks,
    ).format(count=ctx.weeks, first=ctx.day(first), last=ctx.day(end))
    target = (
        _(" (target: {targets})").format(targets=rules.targets_text()) if rules.has_targets else ""
    )
    notes = [
        ngettext(
            "{label}: {count} post in {span}{target}.",
            "{label}: {count} posts in {span}{target}.",
            in_window,
        ).format(label=label, count=in_window, span=span, target=target)
    ]
    if last is not None and days_since is not None:
        notes.append(
            _("{label}: last post {ago} ({day}).").format(
                label=label, ago=days_ago(days_since), day=ctx.day(ctx.local_day(last))
            )
        )
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
                _("{label} has never been updated through Crosspost (target: {target}).").format(
                    label=label, target=target
                ),
            )
        ]
    if days_since <= allowed:
        return []
    return [
        Finding(
            "stale",
            name,
            _("{label} has not been updated for {days} days (target: {target}).").format(
                label=label, days=days_since, target=target
            ),
        )
    ]


def _period_finding(ctx: _Context, name: str, label: str, period: Period) -> Finding:
    if period.unit == "week":
        per = _("target: {target} per week").format(target=period.target)
        what = _("the week of {day}").format(day=ctx.day(period.start))
        this = _("this week")
    else:
        per = _("target: {target} per month").format(target=period.target)
        what = show_month(period.start)
        this = _("this month ({month})").format(month=show_month(period.start))
    if period.when == "past":
        got = (
            _("no post")
            if period.published == 0
            else ngettext("only {count} post", "only {count} posts", period.published).format(
                count=period.published
            )
        )
        sentence = _("{label}: {got} in {what} ({per}).").format(
            label=label, got=got, what=what, per=per
        )
        return Finding("below_target", name, sentence)
    if period.when == "current":
        sentence = _(
            "{label}: {this} has {published} so far and {planned} planned ({per}): "
            "plan {missing} more."
        ).format(
            label=label,
            this=this,
            published=_posts(period.published),
            planned=period.planned,
            per=per,
            missing=period.missing,
        )
    else:
        planned = _("no post") if period.planned == 0 else _posts(period.planned)
        sentence = _("{label}: {what} has {planned} planned ({per}): plan {missing} more.").format(
            label=label, what=what, planned=planned, per=per, missing=period.missing
        )
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
        by_minute.setdefault(minute_of(delivery.due_at), []).append(delivery)
    for minute, together in sorted(by_minute.items()):
        if len(together) > 1:
            titles = _titles(together)
            findings.append(
                Finding(
                    "clash",
                    name,
                    (
                        _(
                            "{label}: {titles} are all planned for {moment}; "
                            "move one with `crosspost reschedule ID --at ...`."
                        )
                        if len(together) > 2
                        else _(
                            "{label}: {titles} are both planned for {moment}; "
                            "move one with `crosspost reschedule ID --at ...`."
                        )
                    ).format(label=label, titles=titles, moment=ctx.moment(minute)),
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
                        ngettext(
                            "{label}: {count} post on {day} (the policy allows {max} a day).",
                            "{label}: {count} posts on {day} (the policy allows {max} a day).",
                            count,
                        ).format(label=label, count=count, day=ctx.day(day), max=rules.max_per_day),
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
                    _(
                        "{label}: «{title}» is planned for {moment}, a quiet time ({quiet}); "
                        "move it with `crosspost reschedule {item} --at ...`."
                    ).format(
                        label=label,
                        title=delivery.item.title,
                        moment=ctx.moment(delivery.due_at),
                        quiet=quiet.text,
                        item=delivery.item.id,
                    ),
                    (delivery.item.id,),
                )
            )
    return findings


def _titles(deliveries: Sequence[Delivery]) -> str:
    names = [
        _("«{title}» (item {item})").format(title=d.item.title, item=d.item.id) for d in deliveries
    ]
    return _("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1])


def _posts(count: int) -> str:
    """'3 posts' ('3 publications')."""
    return ngettext("{count} post", "{count} posts", count).format(count=count)


def _needs(ctx: _Context, name: str, label: str, needs: attention.Attention) -> list[Finding]:
    """The channel's deliveries in trouble, overdue or stuck, in due order within each."""
    findings = [
        Finding(
            _CHECKS[d.state],
            name,
            attention.trouble_sentence(d, label, ctx.moment(d.due_at)),
            (d.item.id,),
        )
        for d in needs.troubled
        if d.channel == name
    ]
    late = sorted((d for d in needs.overdue + needs.stuck if d.channel == name), key=_due_order)
    for d in late:
        if d.state == State.PENDING:
            sentence = attention.overdue_sentence(d, label, ctx.moment(d.due_at), ctx.now)
            findings.append(Finding("overdue", name, sentence, (d.item.id,)))
        else:
            findings.append(
                Finding("stuck", name, attention.stuck_sentence(d, label), (d.item.id,))
            )
    return findings


def _due_order(delivery: Delivery) -> tuple[datetime, int]:
    return delivery.due_at, delivery.id


#: The health check named after each state that needs the officer.
_CHECKS: dict[str, Check] = {
    State.FAILED: "failed",
    State.UNKNOWN: "unknown",
    State.SKIPPED_LATE: "skipped_late",
}
