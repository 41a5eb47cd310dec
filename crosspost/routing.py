"""Routing rules: which channels an item goes to, when, and what announces what."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crosspost.config import Route, Settings
from crosspost.domain import PlannedDelivery
from crosspost.errors import InputError
from crosspost.i18n import _


@dataclass(frozen=True)
class RoutePlan:
    """The deliveries routing creates for one item, and why."""

    deliveries: tuple[PlannedDelivery, ...]
    #: (1-based route number, route) for each route that matched.
    matched: tuple[tuple[int, Route], ...]
    notes: tuple[str, ...] = field(default=())


def plan_deliveries(
    settings: Settings,
    *,
    kind: str,
    tags: tuple[str, ...],
    publish_at: datetime,
    channels: tuple[str, ...] | None = None,
) -> RoutePlan:
    """Apply the routes (or an explicit channel list) to an item published at `publish_at`."""
    if channels:
        unknown = [c for c in channels if c not in settings.channels]
        if unknown:
            raise InputError(
                _("channel: no channel named {names}; declared: {declared}").format(
                    names=", ".join(map(repr, unknown)),
                    declared=", ".join(sorted(settings.channels)) or _("none"),
                )
            )
        unique = tuple(dict.fromkeys(channels))
        return RoutePlan(
            deliveries=tuple(PlannedDelivery(c, publish_at) for c in unique),
            matched=(),
            notes=(_("channels chosen with --channel: routes not applied"),),
        )

    matched = tuple(
        (number, route)
        for number, route in enumerate(settings.routes, start=1)
        if route.matches(kind, tags)
    )
    if not matched:
        raise InputError(
            _(
                "kind: no route sends {kind!r} items anywhere; add a [[routes]] table with "
                'kind = "{kind}" to {file}, or choose channels with --channel'
            ).format(kind=kind, file=settings.path.name)
        )
    planned: dict[str, PlannedDelivery] = {}
    notes: list[str] = []
    for number, route in matched:
        for delivery in _route_deliveries(number, route, publish_at):
            if delivery.channel in planned:
                notes.append(
                    _(
                        "routes[{number}] also sends to {channel}; "
                        "routes[{first}] already does, once is enough"
                    ).format(
                        number=number,
                        channel=delivery.channel,
                        first=planned[delivery.channel].route,
                    )
                )
                continue
            planned[delivery.channel] = delivery
    return RoutePlan(deliveries=tuple(planned.values()), matched=matched, notes=tuple(notes))


def _route_deliveries(number: int, route: Route, publish_at: datetime) -> list[PlannedDelivery]:
    due = publish_at + route.offset
    out = [PlannedDelivery(channel, due, route=number) for channel in route.to]
    source = route.announce_from or route.to[0]
    out += [
        PlannedDelivery(
            channel,
            due + route.announce_offset,
            role="announce",
            waits_for=source,
            route=number,
        )
        for channel in route.announce
    ]
    return out
