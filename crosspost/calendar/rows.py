"""What every export reads: the deliveries of a date range, in due order, one `Row` each."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from crosspost.clock import local_midnight
from crosspost.domain import Delivery
from crosspost.states import State
from crosspost.store import DeliveryFilter

if TYPE_CHECKING:
    from channels.base import Rendered
    from crosspost.config import Settings
    from crosspost.store import Store

#: Deliveries read per query: memory stays flat whatever the size of the ledger.
BATCH = 1000

T = TypeVar("T")


@dataclass(frozen=True)
class Query:
    """Which deliveries an export shows: due in [start, end), with optional filters."""

    start: datetime
    end: datetime
    channels: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    states: tuple[str, ...] | None = None

    def where(self) -> DeliveryFilter:
        return DeliveryFilter(
            states=self.states,
            channels=self.channels,
            kinds=self.kinds,
            due_from=self.start,
            due_to=self.end,
        )


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def default_range(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """This week and the next three: local Monday 00:00 to four Mondays later."""
    monday = week_start(now.astimezone(zone).date())
    return local_midnight(monday, zone), local_midnight(monday + timedelta(weeks=4), zone)


@dataclass(frozen=True)
class Row:
    """One delivery as the exports show it: local time, channel label, when it last changed."""

    delivery: Delivery
    label: str
    local: datetime
    #: The later of the delivery's and its item's last change (LAST-MODIFIED, DTSTAMP).
    modified: datetime
    #: The policy's quiet time this post falls in, as written in crosspost.toml ("sun").
    quiet: str | None = None

    @property
    def title(self) -> str:
        """The item's title, and which post of its sequence this is: 'Fête (D-1)'."""
        from crosspost.wording import step_label

        label = step_label(self.delivery.step)
        title = self.delivery.item.title
        return f"{title} ({label})" if label else title

    @property
    def state(self) -> str:
        return self.delivery.state

    @property
    def url(self) -> str | None:
        return self.delivery.remote_url if self.delivery.state == State.PUBLISHED else None

    @property
    def detail(self) -> str:
        """The one thing to know beyond the state: where it is, why it failed, what it waits for."""
        from crosspost.attention import note

        return note(self.delivery)


def channel_labels(settings: Settings) -> dict[str, str]:
    """How each configured channel is named to people, in the configured order.

    Two channels with the same label (two Facebook pages) are told apart by their names.
    """
    labels = {name: settings.channel_label(name) for name in settings.channels}
    taken = [label.casefold() for label in labels.values()]
    return {
        name: label if taken.count(label.casefold()) == 1 else name
        for name, label in labels.items()
    }


def iter_rows(store: Store, settings: Settings, query: Query, batch: int = BATCH) -> Iterator[Row]:
    """The rows of `query` in due order, read in batches (never the whole ledger at once)."""
    from crosspost.policy import load_policy

    zone = settings.zone
    labels = channel_labels(settings)
    policy = load_policy(settings)
    for chunk in batched(store.iter_deliveries(query.where(), batch=batch), batch):
        stamps = store.modified_at([d.id for d in chunk])
        for delivery in chunk:
            local = delivery.due_at.astimezone(zone)
            quiet = policy.of(delivery.channel).quiet_at(local)
            yield Row(
                delivery=delivery,
                # A channel since removed from crosspost.toml keeps its name.
                label=labels.get(delivery.channel, delivery.channel),
                local=local,
                modified=stamps.get(delivery.id) or delivery.due_at,
                quiet=quiet.text if quiet else None,
            )


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items (the last one shorter); itertools.batched arrives in 3.12."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def rendered_text(settings: Settings, delivery: Delivery) -> str:
    """The text the channel publishes (or would) for this delivery; the item's own when it can't.

    A channel removed from crosspost.toml, or one that refuses the item, still has a row in
    the ledger: the export then shows the title and body as written.
    """
    from crosspost.text import markdown_to_plain

    if delivery.channel in settings.channels:
        from crosspost.preview import LINK_TO_COME, preview
        from crosspost.sequences.plan import step_item

        result = preview(
            settings,
            step_item(settings, delivery.item, delivery.channel, delivery.step),
            delivery.channel,
            role=delivery.role,
            announced_url=delivery.announced_url,
        )
        if result.rendered is not None:
            # An announcement's link exists once the announced post is out; say so plainly.
            placeholder = f"[link to the {delivery.waits_for_channel or 'announced'} post]"
            return post_text(result.rendered).replace(LINK_TO_COME, placeholder)
    item = delivery.item
    return "\n\n".join(p for p in (item.title, markdown_to_plain(item.body), item.link or "") if p)


def post_text(rendered: Rendered) -> str:
    """What a reader of the post reads: for a file with front matter (the static blog),
    its title and text, not the YAML a site generator reads."""
    from crosspost.text import markdown_to_plain

    front = rendered.request.get("front_matter")
    body = rendered.request.get("body")
    if isinstance(front, dict) and isinstance(body, str):
        title = str(front.get("title") or "")
        return "\n\n".join(p for p in (title, markdown_to_plain(body)) if p)
    return rendered.text


def week_columns(*, detail: bool) -> tuple[str, ...]:
    """The heads of a week's table in the officer's language (HTML adds the detail)."""
    from crosspost.i18n import pgettext

    heads = (
        pgettext("calendar column", "Day"),
        pgettext("calendar column", "Time"),
        pgettext("calendar column", "Channel"),
        pgettext("calendar column", "Kind"),
        pgettext("calendar column", "Title"),
        pgettext("calendar column", "State"),
    )
    return (*heads, pgettext("calendar column", "Detail")) if detail else heads
