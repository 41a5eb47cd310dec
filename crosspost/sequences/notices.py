"""What says so when an item ends early: a cancelled event, a job offer past its deadline.

Where a post of the item is already out, a social channel gets a new post
("Annulé : ..."), and a channel that can change its posts (a blog) rewrites the
post itself ("Candidatures closes : ...").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from crosspost.config import Settings
from crosspost.domain import ItemRecord
from crosspost.sequences.texts import CANCELLED, CLOSED
from crosspost.store._steps import Notices


def updatable(settings: Settings) -> frozenset[str]:
    """The channels whose adapter can change a post already out."""
    from channels.registry import adapter_class

    return frozenset(
        name
        for name, channel in settings.channels.items()
        if adapter_class(channel.type).supports_update
    )


def cancel_notices(settings: Settings, record: ItemRecord, now: datetime) -> Notices | None:
    """The notices `cancel` adds: on each channel whose sequence has cancel_notice on."""
    return notices_for(settings, record.item.kind, {d.channel for d in record.deliveries}, now)


def notices_for(
    settings: Settings, kind: str, channels: Iterable[str], now: datetime
) -> Notices | None:
    """The cancellation notices of an item of `kind` with posts on `channels`, if any:
    the officer's `cancel` and a member cancelling the event at its source alike."""
    sequence = settings.sequence(kind)
    if sequence is None:
        return None
    wanted = frozenset(
        channel
        for channel in channels
        if channel in settings.channels and sequence.on(channel).cancel_notice
    )
    if not wanted:
        return None
    return Notices(due_at=now, channels=wanted, step=CANCELLED, updates=updatable(settings))


def closing_notices(settings: Settings, now: datetime) -> Notices:
    """After a deadline: each post a channel can change says the offer is closed."""
    channels = updatable(settings)
    return Notices(
        due_at=now, channels=channels, step=CLOSED, reason="marked closed", updates=channels
    )
