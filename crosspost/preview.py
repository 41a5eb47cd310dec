"""Render an item for each of its channels and check it fits, before anything is sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from channels.base import Channel, ChannelError, Problem, RenderContext, Rendered
from crosspost import typography
from crosspost.config import Settings
from crosspost.domain import Delivery, Item, NewItem, PlannedDelivery
from crosspost.errors import CrosspostError
from crosspost.i18n import _
from crosspost.states import IN_FLIGHT, State
from crosspost.variants import as_posted

#: Stands in for a link that exists only once the announced post is out (23 on X either way).
LINK_TO_COME = "https://link-to-come.invalid/announced-post"


@dataclass(frozen=True)
class ChannelPreview:
    channel: str
    role: str
    rendered: Rendered | None
    problems: tuple[Problem, ...]
    #: For an announcement: the link it carries is the real one (published or predictable).
    link_known: bool = True
    #: What the platform charges for it (X); zero on a free platform.
    cost: Decimal = Decimal(0)
    #: The address of the link card shown under the post (Bluesky's announcement carries
    #: its link there, not in the text), as the officer checks it.
    card: str | None = None


def preview(
    settings: Settings,
    item: Item,
    channel: str,
    *,
    role: str = "post",
    announced_url: str | None = None,
    checking: bool = False,
) -> ChannelPreview:
    """What `channel` would publish for `item`, with every limit it breaks (`checking`:
    only the limits; see RenderContext.checking)."""
    adapter = settings.adapter(channel)
    context = RenderContext(
        timezone=settings.zone,
        announced_url=announced_url or (LINK_TO_COME if role == "announce" else None),
        role=role,
        organisation=settings.organisation,
        typography=settings.typography,
        checking=checking,
    )
    try:
        rendered = typography.render(adapter, item, context)
        problems = tuple(adapter.validate(rendered))
    except (CrosspostError, ChannelError) as exc:
        return ChannelPreview(channel, role, None, (Problem("error", str(exc)),))
    # Before any stand-in link is put into words: the post will carry a link.
    return ChannelPreview(channel, role, rendered, problems, cost=adapter.cost(rendered))


def planned_problems(
    settings: Settings, new: NewItem, deliveries: Iterable[PlannedDelivery]
) -> list[tuple[str, Problem]]:
    """What each planned channel says of an item before it is queued: (channel, problem)."""
    item = Item(id=0, **{k: getattr(new, k) for k in new.__dataclass_fields__})
    return [
        (f"{planned.channel} {planned.step}".strip(), problem)
        for planned in deliveries
        for problem in preview(
            settings,
            as_posted(settings, item, planned.channel, planned.step),
            planned.channel,
            role=planned.role,
            checking=True,
        ).problems
    ]


def preview_delivery(
    settings: Settings, delivery: Delivery, siblings: tuple[Delivery, ...]
) -> ChannelPreview:
    """What this delivery will publish, with the values the ledger already knows filled in.

    The blog's `{key}` becomes the delivery's own key; an announcement carries the URL of
    the post it announces when that post is out or its URL can be told in advance, and a
    plain "(link ..., known once it is published)" otherwise, never a made-up address.
    """
    link = delivery.announced_url
    if delivery.role == "announce" and link is None:
        parent = next((d for d in siblings if d.id == delivery.waits_for_id), None)
        link = expected_url(settings, parent) if parent is not None else None
    item = as_posted(settings, delivery.item, delivery.channel, delivery.step)
    result = preview(settings, item, delivery.channel, role=delivery.role, announced_url=link)
    if result.rendered is None:
        return result
    text, parts = result.rendered.text, result.rendered.parts
    key_mark = _key_placeholder(settings, delivery.channel)
    if key_mark:
        short = _short_key(delivery.key)
        text, parts = (
            text.replace(key_mark, short),
            tuple(p.replace(key_mark, short) for p in parts),
        )
    link_known = delivery.role != "announce" or link is not None
    if not link_known:
        words = link_to_come_words(delivery)
        text, parts = (
            text.replace(LINK_TO_COME, words),
            tuple(p.replace(LINK_TO_COME, words) for p in parts),
        )
    rendered = replace(result.rendered, text=text, parts=parts)
    card = (rendered.request.get("card") or {}).get("uri")
    if isinstance(card, str) and not link_known:
        card = card.replace(LINK_TO_COME, link_to_come_words(delivery))
    return replace(
        result,
        rendered=rendered,
        link_known=link_known,
        card=card if isinstance(card, str) else None,
    )


def link_to_come_words(delivery: Delivery) -> str:
    """What stands for a link nobody can know yet."""
    if delivery.item.kind == "article":
        return _("(link of the article, known once it is published)")
    return _("(link of the {channel} post, known once it is published)").format(
        channel=delivery.waits_for_channel
    )


def expected_url(settings: Settings, announced: Delivery) -> str | None:
    """The URL the announced delivery has, or will have, when it can be told before it is out."""
    if announced.state is State.PUBLISHED:
        return announced.remote_url
    if not (announced.state is State.PENDING or announced.state in IN_FLIGHT) or (
        announced.channel not in settings.channels
    ):
        return None
    from channels.dryrun import DRY_RUN_HOST, DryRun
    from channels.static_blog import StaticBlogChannel
    from channels.static_blog.posts import KEY_PLACEHOLDER

    adapter: Channel = settings.adapter(announced.channel)
    if isinstance(adapter, DryRun):
        # What DryRun.publish answers: the channel and the delivery key, nothing random.
        return f"{DRY_RUN_HOST}/{adapter.name}/{announced.key}"
    if isinstance(adapter, StaticBlogChannel):
        try:
            rendered = typography.render(
                adapter,
                announced.item,
                RenderContext(
                    timezone=settings.zone,
                    role=announced.role,
                    typography=settings.typography,
                ),
            )
        except (CrosspostError, ChannelError):
            return None
        slug = str(rendered.request["front_matter"]["slug"])
        # The blog's own URL rule, with the slug publish() will give it.
        return adapter._post_url(slug.replace(KEY_PLACEHOLDER, _short_key(announced.key)))
    return None


def _key_placeholder(settings: Settings, channel: str) -> str | None:
    from channels.dryrun import DryRun
    from channels.static_blog import StaticBlogChannel
    from channels.static_blog.posts import KEY_PLACEHOLDER

    adapter = settings.adapter(channel)
    inner = adapter.inner if isinstance(adapter, DryRun) else adapter
    return KEY_PLACEHOLDER if isinstance(inner, StaticBlogChannel) else None


def _short_key(key: str) -> str:
    from channels.static_blog.posts import KEY_LENGTH

    return key[:KEY_LENGTH]


# ---------------------------------------------------------------- the image


@dataclass(frozen=True)
class ImageFacts:
    """The item's picture as the officer checks it: which file, how big, its alt text."""

    path: str
    size: int | None
    alt: str | None

    @property
    def exists(self) -> bool:
        return self.size is not None

    @property
    def kilobytes(self) -> int | None:
        return None if self.size is None else max(1, round(self.size / 1000))


def image_facts(item: Item) -> ImageFacts | None:
    if not item.image_path:
        return None
    path = Path(item.image_path)
    size = path.stat().st_size if path.is_file() else None
    return ImageFacts(item.image_path, size, item.image_alt)


def image_line(item: Item) -> str | None:
    """'Image: media/3f2a….jpg, 245 kB, alt: «…»', or a warning that the file is gone."""
    facts = image_facts(item)
    if facts is None:
        return None
    if not facts.exists:
        return _(
            "WARNING: the image {path} is missing: the posts that carry it will "
            "fail; give it again with `crosspost edit {id} --image FILE`"
        ).format(path=facts.path, id=item.id)
    alt = (
        _("alt: «{alt}»").format(alt=facts.alt)
        if facts.alt
        else _("no alt text (add --alt for screen readers)")
    )
    return _("Image: {path}, {size} kB, {alt}").format(
        path=facts.path, size=facts.kilobytes, alt=alt
    )
