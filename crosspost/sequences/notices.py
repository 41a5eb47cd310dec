"""Which channels say so when an item is cancelled after some of it went out."""

from __future__ import annotations

from datetime import datetime

from crosspost.config import Settings
from crosspost.domain import ItemRecord
from crosspost.sequences.texts import CANCELLED
from crosspost.store._steps import Notices


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
    return Notices(due_at=now, channels=channels, step=CANCELLED)
