"""Moderation: what a draft becomes when approved, and how long drafts have waited.

A draft is an item without deliveries. Approving it routes it exactly as `add`
routes a typed item (the same checks in `intake.accept`, the same routing and
posting-slot policy), so nothing reaches a channel that `add` would have refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crosspost.domain import Item
from crosspost.errors import InputError
from crosspost.item_fields import given_back

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.intake import Accepted
    from crosspost.store import DraftsWaiting, Store


@dataclass(frozen=True)
class Routed:
    """An approved item with its deliveries planned, and what to warn the reviewer about."""

    accepted: Accepted
    warnings: tuple[str, ...]


def route(
    settings: Settings,
    store: Store,
    item: Item,
    *,
    now: datetime,
    at: str | None = None,
    kind: str | None = None,
    channels: tuple[str, ...] = (),
) -> Routed:
    """Check and route a draft as `add` would; without `at`, its sequence's announce
    time when its kind has one (as `add` without --at), else the next free slot.

    Raises InputError (naming the field) when the item could not go out as it is;
    nothing is written here.
    """
    fields = given_back(item)  # its times stay as stored
    if kind:
        fields["kind"] = kind
    if channels:
        fields["channels"] = list(channels)
    fields["body"] = credited(item.body, item.source, settings.review.credit)
    return route_fields(
        settings, store, fields, now=now, at=at, stored=item, refusal=f"item {item.id} not approved"
    )


def route_fields(
    settings: Settings,
    store: Store,
    fields: dict[str, Any],
    *,
    now: datetime,
    at: str | None,
    stored: Item | None = None,
    refusal: str = "not routed",
) -> Routed:
    """`route` for an item not written yet (an entry of an auto-approved feed)."""
    from crosspost import intake
    from crosspost.policy import apply_policy
    from crosspost.preview import planned_problems

    base_dir = Path.cwd() if stored is not None else settings.base_dir
    if at is None and _sequence_times(settings, fields, stored, now):
        # As `add` without --at: the kind's sequence announces it (e.g. 14 days before
        # the event), not the time the draft was written (or the feed was pulled).
        at_next = False
        fields = {k: v for k, v in fields.items() if k != "at"}
        if stored is not None:
            stored = replace(stored, requested_at=None)
    else:
        at_next = (at or "next").strip().lower() == "next"
        fields = fields | {"at": "now" if at_next else at}
    accepted = intake.accept(fields, settings, now=now, base_dir=base_dir, stored=stored)
    accepted, warnings = apply_policy(settings, store, accepted, now=now, at_next=at_next)
    errors = []
    for channel, problem in planned_problems(settings, accepted.item, accepted.plan.deliveries):
        if problem.level == "error":
            errors.append(f"{channel}: {problem.message}")
        else:
            warnings.append(f"{channel}: {problem.message}")
    if errors:
        raise InputError(f"{refusal}:\n  " + "\n  ".join(errors))
    return Routed(accepted, tuple(warnings))


def _sequence_times(
    settings: Settings, fields: dict[str, Any], stored: Item | None, now: datetime
) -> bool:
    """Whether the item's sequence gives its publish time (its kind announces at a set
    distance from the event or the deadline, and the item has that date)."""
    from crosspost.domain import NewItem
    from crosspost.sequences.plan import announce_time

    def given(name: str) -> Any:
        value = fields.get(name)
        return value if value is not None or stored is None else getattr(stored, name)

    kind = str(given("kind") or "")
    if kind not in settings.kinds:
        return False  # intake names the unknown kind
    event_start, deadline = given("event_start"), given("deadline")
    if not isinstance(event_start, datetime | None) or not isinstance(deadline, datetime | None):
        return False  # typed text (not a feed's parsed date): intake reads and judges it
    probe = NewItem(
        kind=kind,
        title=str(given("title") or ""),
        requested_at=now,
        event_start=event_start,
        deadline=deadline,
    )
    return announce_time(settings, probe, now) is not None


def approve(
    settings: Settings,
    store: Store,
    item: Item,
    *,
    now: datetime,
    at: str | None = None,
    kind: str | None = None,
    channels: tuple[str, ...] = (),
) -> tuple[Item, Routed]:
    """Route a draft and write its deliveries (one transaction, in the store)."""
    from crosspost.media import keep_image

    routed = route(settings, store, item, now=now, at=at, kind=kind, channels=channels)
    kept = keep_image(routed.accepted.item, settings)
    changes = {
        "kind": kept.kind,
        "body": kept.body,
        "image_path": kept.image_path,
        "requested_at": kept.requested_at,
    }
    approved = store.approve(item.id, changes, routed.accepted.plan.deliveries, now)
    return approved, routed


def as_draft(accepted: Accepted, source: str | None) -> Accepted:
    """An accepted item to be written as a draft: no deliveries until approved."""
    item = replace(accepted.item, status="draft", source=source)
    return replace(accepted, item=item, plan=replace(accepted.plan, deliveries=()))


def credited(body: str, source: str | None, template: str) -> str:
    """The text with the member credited at its end ("via Repair Café de Fontaine"), once."""
    if not source or not template:
        return body
    credit = template.format(source=source).strip()
    if not credit or body.rstrip().endswith(credit):
        return body
    return f"{body.rstrip()}\n\n{credit}" if body.strip() else credit


def check_reason(reason: str) -> str:
    """A rejection reason: said in words, short enough to read in a list."""
    reason = " ".join(reason.split())
    if not reason:
        raise InputError('reason: say why it is rejected, e.g. --reason "not in our region"')
    if len(reason) > 1000:
        raise InputError(f"reason: at most 1000 characters (got {len(reason)})")
    return reason


# ---------------------------------------------------------------- waiting drafts


@dataclass(frozen=True)
class ReviewBacklog:
    """Drafts waiting at one moment, measured against `review.remind_after`."""

    count: int
    oldest_since: datetime | None
    remind_after: timedelta
    now: datetime

    @classmethod
    def of(cls, waiting: DraftsWaiting, remind_after: timedelta, now: datetime) -> ReviewBacklog:
        return cls(waiting.count, waiting.oldest_since, remind_after, now)

    @property
    def oldest_wait(self) -> timedelta | None:
        return None if self.oldest_since is None else max(self.now - self.oldest_since, timedelta())

    @property
    def late(self) -> bool:
        """The oldest draft has waited longer than the reviewer was given."""
        wait = self.oldest_wait
        return wait is not None and wait > self.remind_after

    def sentence(self) -> str:
        """'2 drafts wait for review, the oldest for 3 days: `crosspost review`.'"""
        from crosspost.i18n import _, ngettext
        from crosspost.wording import duration_words

        if not self.count:
            return _("No draft waits for review.")
        wait = duration_words(self.oldest_wait or timedelta())
        return ngettext(
            "{count} draft waits for review, for {wait}: see `crosspost review`.",
            "{count} drafts wait for review, the oldest for {wait}: see `crosspost review`.",
            self.count,
        ).format(count=self.count, wait=wait)
