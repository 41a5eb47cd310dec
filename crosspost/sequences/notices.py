"""What says so when an item ends early: a cancelled event, a job offer past its deadline.

Where a post of the item is already out, a social channel gets a new post
("Annulé : ..."), and a channel that can change its posts (a blog) rewrites the
post itself ("Candidatures closes : ...").
"""

from __future__ import annotations

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
    sequence = settings.sequence(record.item.kind)
    if sequence is None:
        return None
    channels = frozenset(
        d.channel
        for d in record.deliveries
        if d.channel in settings.channels and sequence.on(d.channel).cancel_notice
    )
    if not channels:
        return None
    return Notices(due_at=now, channels=channels, step=CANCELLED, updates=updatable(settings))


def closing_notices(settings: Settings, now: datetime) -> Notices:
    """After a deadline: each post a channel can change says the offer is closed."""
    channels = updatable(settings)
    return Notices(
        due_at=now, channels=channels, step=CLOSED, reason="marked closed", updates=channels
    )
