"""What `list` and `calendar` share: the names and time bounds an officer filters by."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from crosspost.errors import InputError
from crosspost.i18n import _

if TYPE_CHECKING:
    from crosspost.config import Settings

STATES = "pending, claimed, sending, published, failed, unknown, cancelled, skipped_late"


def check_names(
    settings: Settings,
    status: list[str] | None,
    channel: list[str] | None,
    kind: list[str] | None,
) -> None:
    """Refuse a state, channel or kind that does not exist (rather than show nothing)."""
    from crosspost.states import State

    for state in status or ():
        if state not in {s.value for s in State}:
            raise InputError(
                _("status: expected one of {states} (got {got!r})").format(states=STATES, got=state)
            )
    for name in channel or ():
        if name not in settings.channels:
            known = ", ".join(sorted(settings.channels))
            raise InputError(
                _("channel: no channel named {name!r}; declared: {known}").format(
                    name=name, known=known
                )
            )
    for name in kind or ():
        if name not in settings.kinds:
            raise InputError(
                _("kind: expected one of {kinds} (got {kind!r})").format(
                    kinds=", ".join(settings.kinds), kind=name
                )
            )


def bound(
    name: str, text: str, settings: Settings, current: datetime, *, end_of_day: bool
) -> datetime:
    """A --from/--to time; a bare date is its midnight, or for --to the next midnight,
    so `--to 2026-12-05` includes that day."""
    from crosspost.clock import local_midnight
    from crosspost.when import is_day_only, parse_moment

    try:
        moment = parse_moment(text, settings.zone, now=current, default_time=time(0))
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    if end_of_day and is_day_only(text, settings.zone, now=current):
        day = moment.astimezone(settings.zone).date()
        return local_midnight(day + timedelta(days=1), settings.zone)
    return moment
