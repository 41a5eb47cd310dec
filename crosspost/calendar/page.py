"""The HTML calendar's page for a query: what `calendar --format html` and `serve` both show."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from crosspost.calendar.html import Page
from crosspost.calendar.rows import Query, channel_labels

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.store import Store


def calendar_title(settings: Settings) -> str:
    """'Les Amis du Vélo: editorial calendar' ('Les Amis du Vélo : calendrier éditorial')."""
    from crosspost.i18n import _

    if settings.organisation:
        return _("{organisation}: editorial calendar").format(organisation=settings.organisation)
    return _("Editorial calendar")


def calendar_page(settings: Settings, store: Store, query: Query, *, now: datetime) -> Page:
    """The page around the deliveries of `query`: range, legend, events on their own days."""
    from crosspost.policy import load_policy
    from crosspost.wording import show_made

    zone = settings.zone
    local = now.astimezone(zone)
    policy = load_policy(settings)
    return Page(
        title=calendar_title(settings),
        first_day=query.start.astimezone(zone).date(),
        last_day=(query.end - timedelta(microseconds=1)).astimezone(zone).date(),
        zone_name=zone.key,
        generated=show_made(local),
        today=local.date(),
        labels=channel_labels(settings),
        events=_events(settings, store, query),
        quiet_times=bool(policy.quiet) or any(c.quiet for c in policy.channels.values()),
        typography=settings.typography,
    )


def _events(
    settings: Settings, store: Store, query: Query
) -> dict[date, list[tuple[datetime, str, bool]]]:
    """The events of the range on their own days, beside the posts of their sequences."""
    zone = settings.zone
    days: dict[date, list[tuple[datetime, str, bool]]] = {}
    for entry in store.iter_agenda(
        query.start, query.end, kinds=query.kinds, channels=query.channels
    ):
        start = entry.item.event_start
        if start is None:
            continue
        local = start.astimezone(zone)
        cancelled = entry.item.status == "cancelled"
        days.setdefault(local.date(), []).append((local, entry.item.title, cancelled))
    return days
