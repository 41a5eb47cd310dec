"""What intake asks of sequences: a job's deadline, the item's own wording of its steps,
and the publish time an item's sequence gives when no --at was typed."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from crosspost.config import Settings
from crosspost.domain import Item, NewItem
from crosspost.errors import InputError
from crosspost.when import parse_moment
from crosspost.wording import show_local

#: A deadline given as a date alone closes at the end of that day.
END_OF_DAY = time(23, 59)


def deadline_of(
    view: dict[str, Any], settings: Settings, now: datetime, stored: Item | None
) -> datetime | None:
    """A job offer's closing date (still to come); the stored one when not given again."""
    text = view.get("deadline")
    if not text:
        return stored.deadline if stored is not None else None
    moment = parse_moment(str(text), settings.zone, now=now, default_time=END_OF_DAY)
    if moment < now:
        raise InputError(
            f"{show_local(moment, settings.zone)} has already passed; "
            "give the closing date still to come"
        )
    return moment


def step_texts_of(view: dict[str, Any], stored: Item | None) -> dict[str, str]:
    """The item's own wording of some steps ({"-1d": "Demain : {title}"}), checked."""
    from crosspost.sequences.plan import parse_step_texts

    given = view.get("steps")
    if not given:
        return dict(stored.step_texts) if stored is not None else {}
    return parse_step_texts(given)


def sequence_time(
    view: dict[str, Any],
    settings: Settings,
    event_start: datetime | None,
    deadline: datetime | None,
    now: datetime,
) -> datetime | None:
    """No --at: the kind's sequence announces it (e.g. 14 days before), or now if that passed."""
    from crosspost.sequences.plan import announce_time

    kind = view.get("kind")
    if not isinstance(kind, str) or kind not in settings.kinds:
        return None
    probe = NewItem(
        kind=kind, title="", requested_at=now, event_start=event_start, deadline=deadline
    )
    return announce_time(settings, probe, now)
