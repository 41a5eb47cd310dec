"""Render an item for each of its channels and check it fits, before anything is sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from channels.base import ChannelError, Problem, RenderContext, Rendered
from crosspost.config import Settings
from crosspost.domain import Item, NewItem, PlannedDelivery
from crosspost.errors import CrosspostError

#: Stands in for a link that exists only once the announced post is out (23 on X either way).
LINK_TO_COME = "https://link-to-come.invalid/announced-post"


@dataclass(frozen=True)
class ChannelPreview:
    channel: str
    role: str
    rendered: Rendered | None
    problems: tuple[Problem, ...]


def preview(
    settings: Settings,
    item: Item,
    channel: str,
    *,
    role: str = "post",
    announced_url: str | None = None,
) -> ChannelPreview:
    """What `channel` would publish for `item`, with every limit it breaks."""
    adapter = settings.adapter(channel)
    context = RenderContext(
        timezone=settings.zone,
        announced_url=announced_url or (LINK_TO_COME if role == "announce" else None),
        role=role,
        organisation=settings.organisation,
    )
    try:
        rendered = adapter.render(item, context)
        problems = tuple(adapter.validate(rendered))
    except (CrosspostError, ChannelError) as exc:
        return ChannelPreview(channel, role, None, (Problem("error", str(exc)),))
    return ChannelPreview(channel, role, rendered, problems)


def planned_problems(
    settings: Settings, new: NewItem, deliveries: Iterable[PlannedDelivery]
) -> list[tuple[str, Problem]]:
    """What each planned channel says of an item before it is queued: (channel, problem)."""
    item = Item(id=0, **{k: getattr(new, k) for k in new.__dataclass_fields__})
    return [
        (planned.channel, problem)
        for planned in deliveries
        for problem in preview(settings, item, planned.channel, role=planned.role).problems
    ]
