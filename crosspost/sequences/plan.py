"""An item's sequence -> the deliveries it adds, and how each step's post reads.

Every step is a delivery of its own (item x channel x step), so the publisher
claims, attempts and records it like any post: exactly once, with its history.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from crosspost.config import Settings
from crosspost.domain import Item, NewItem, PlannedDelivery
from crosspost.errors import InputError
from crosspost.i18n import _
from crosspost.sequences.offsets import StepOffset, parse_offset
from crosspost.sequences.settings import Sequence
from crosspost.sequences.texts import (
    CANCELLED,
    CLOSED,
    RECAP,
    check_template,
    default_template,
    fill,
)
from crosspost.wording import show_local


@dataclass(frozen=True)
class SequencePlan:
    deliveries: tuple[PlannedDelivery, ...]
    #: Steps left out, and why (a reminder whose time has passed is skipped, never late).
    notes: tuple[str, ...] = ()


def anchor_of(sequence: Sequence, item: NewItem | Item) -> datetime | None:
    return item.deadline if sequence.anchor == "deadline" else item.event_start


def announce_time(settings: Settings, item: NewItem, now: datetime) -> datetime | None:
    """When the item's own post goes out if the officer gave no --at: its sequence's
    `announce` before the anchor, or now when that has passed; None without one."""
    sequence = settings.sequence(item.kind)
    if sequence is None or sequence.default.announce is None:
        return None
    anchor = anchor_of(sequence, item)
    if anchor is None:
        return None
    return max(now, sequence.default.announce.moment(anchor, settings.zone, sequence.morning))


def plan_sequence(
    settings: Settings,
    item: NewItem,
    deliveries: tuple[PlannedDelivery, ...],
    *,
    now: datetime,
    timed_by_sequence: bool,
) -> SequencePlan:
    """The item's own deliveries (moved to each channel's `announce` when the sequence
    times them) followed by its reminders and recap."""
    sequence = settings.sequence(item.kind)
    anchor = anchor_of(sequence, item) if sequence else None
    if sequence is None or anchor is None:
        return SequencePlan(deliveries)
    zone = settings.zone
    out: list[PlannedDelivery] = []
    notes: list[str] = []
    for main in deliveries:
        steps = sequence.on(main.channel)
        if timed_by_sequence and steps.announce is not None and main.role == "post":
            due = max(now, steps.announce.moment(anchor, zone, sequence.morning))
            main = replace(main, due_at=due)
        out.append(main)
        for offset in steps.reminders:
            due = offset.moment(anchor, zone, sequence.morning)
            why = _why_not(due, main.due_at, anchor, now, sequence.anchor)
            if why:
                # `add` and `edit` show the notes holding " skipped, " (in the catalog's words).
                notes.append(
                    _("{channel} {step}: skipped, {why} ({when})").format(
                        channel=main.channel, step=offset.name, why=why, when=show_local(due, zone)
                    )
                )
                continue
            out.append(replace(main, due_at=due, step=offset.name))
    if sequence.recap is not None and sequence.recap_to and item.event_start is not None:
        ends = item.event_end or item.event_start
        due = sequence.recap.moment(ends, zone, sequence.morning)
        out.append(PlannedDelivery(sequence.recap_to, max(due, now), step=RECAP))
    return SequencePlan(tuple(out), tuple(notes))


def _why_not(
    due: datetime, main_due: datetime, anchor: datetime, now: datetime, anchor_name: str
) -> str | None:
    if due < now:
        return _("its time has passed")
    if due >= anchor:
        if anchor_name == "deadline":
            return _("it would come after the deadline")
        return _("it would come after the start")
    if due <= main_due:
        return _("it would come before the announcement")
    return None


def step_offset(step: str) -> StepOffset | None:
    if not step or step in (CANCELLED, CLOSED, RECAP):
        return None
    return parse_offset(step, after=step.startswith("+"))


def step_template(settings: Settings, item: Item, channel: str, step: str) -> str:
    """The wording of `step` on `channel`: the item's own, the channel's, the kind's, built-in."""
    if step in item.step_texts:
        return item.step_texts[step]
    sequence = settings.sequence(item.kind)
    if sequence is not None:
        templates = sequence.on(channel).templates
        if step in templates:
            return templates[step]
    return default_template(item.kind, step, step_offset(step), item.event_start, settings.zone)


def step_item(settings: Settings, item: Item, channel: str, step: str) -> Item:
    """The item as this step's post shows it: its title in the step's wording."""
    if not step:
        return item
    offset = step_offset(step)
    title = fill(
        step_template(settings, item, channel, step),
        title=item.title,
        start=item.event_start,
        location=item.location,
        deadline=item.deadline,
        days=offset.days if offset else 0,
        zone=settings.zone,
    )
    return replace(item, title=title)


def parse_step_texts(values: list[str] | dict[str, str]) -> dict[str, str]:
    """`--step-text "-1d=Demain soir : {title}"` (or a front matter table) -> {step: text}."""
    from crosspost.sequences.settings import _step_name

    pairs: list[tuple[str, str]] = []
    if isinstance(values, dict):
        pairs = [(str(k), str(v)) for k, v in values.items()]
    else:
        for value in values:
            step, sep, text = str(value).partition("=")
            if not sep:
                raise InputError(
                    _('{value!r}: expected STEP=wording, e.g. "-1d=Demain : {{title}}"').format(
                        value=value
                    )
                )
            pairs.append((step.strip(), text.strip()))
    out: dict[str, str] = {}
    for step, text in pairs:
        try:
            name = _step_name(step)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        out[name] = check_template(text, step)
    return out
