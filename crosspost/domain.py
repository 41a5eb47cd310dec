"""Plain domain objects handed from the store to channels, exports and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crosspost.states import State, parse

BUILTIN_KINDS: tuple[str, ...] = ("event", "scoop", "article", "job", "announcement")


@dataclass(frozen=True)
class Item:
    """What the officer wrote, as channels see it (times are aware UTC).

    Its fields are declared in crosspost/item_fields.py (tests/test_item_fields.py checks).
    """

    id: int
    kind: str
    title: str
    body: str = ""
    link: str | None = None
    image_path: str | None = None
    image_alt: str | None = None
    tags: tuple[str, ...] = ()
    event_start: datetime | None = None
    event_end: datetime | None = None
    location: str | None = None
    requested_at: datetime | None = None
    #: A job offer's closing date: its "last days" post counts from it, nothing goes after it.
    deadline: datetime | None = None
    #: The officer's own wording for some steps of its sequence (step -> template).
    step_texts: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    #: The officer's own text for some channels (channel -> the whole post text).
    variants: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    #: A recurring event's occurrence: its series and its date in the rule.
    series_id: int | None = None
    occurrence: str | None = None
    #: draft, rejected, active, cancelled or closed (crosspost/models.py).
    status: str = "active"
    created_at: datetime | None = None
    updated_at: datetime | None = None
    #: Who it came from (a member's feed or proposal); None when the officer typed it.
    source: str | None = None
    reviewed_at: datetime | None = None
    #: Why the reviewer rejected it.
    review_note: str | None = None

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


@dataclass(frozen=True)
class Attempt:
    number: int
    started_at: datetime
    ended_at: datetime | None
    outcome: str
    error_class: str | None
    error_message: str | None
    worker: str | None
    detail: dict[str, Any] | None = None


@dataclass(frozen=True)
class Delivery:
    """One item on one channel, with where it stands."""

    id: int
    key: str
    item: Item
    channel: str
    role: str
    due_at: datetime
    #: A name the state machine does not list ('publishing', 'due') is refused here.
    state: State
    #: Which post of the item's sequence: "" the item itself, else e.g. "-1d", "morning".
    step: str = ""
    attempts: int = 0
    next_attempt_at: datetime | None = None
    claimed_by: str | None = None
    lease_until: datetime | None = None
    remote_id: str | None = None
    remote_url: str | None = None
    published_at: datetime | None = None
    dry_run: bool = False
    last_error: str | None = None
    progress: dict[str, Any] | None = None
    waits_for_id: int | None = None
    #: For an announcement: the channel and URL of the delivery it announces, once known.
    waits_for_channel: str | None = None
    announced_url: str | None = None
    #: For an update (role "update"): the key and platform id of the post it changes.
    announced_key: str | None = None
    announced_remote_id: str | None = None
    attempt_history: tuple[Attempt, ...] = field(default=())

    def __post_init__(self) -> None:
        if type(self.state) is not State:
            object.__setattr__(self, "state", parse(self.state))


@dataclass(frozen=True)
class NewItem:
    """An item accepted from the officer, ready to be written (times aware UTC).

    Its fields are the `new` ones of crosspost/item_fields.py.
    """

    kind: str
    title: str
    requested_at: datetime
    body: str = ""
    link: str | None = None
    image_path: str | None = None
    image_alt: str | None = None
    tags: tuple[str, ...] = ()
    event_start: datetime | None = None
    event_end: datetime | None = None
    location: str | None = None
    deadline: datetime | None = None
    step_texts: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    variants: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    series_id: int | None = None
    occurrence: str | None = None
    #: "draft": written without deliveries, routed when a reviewer approves it.
    status: str = "active"
    source: str | None = None


@dataclass(frozen=True)
class PlannedDelivery:
    """A delivery routing decided on, before it is written."""

    channel: str
    due_at: datetime
    role: str = "post"
    #: For an announcement: the channel (of the same item) whose post it announces.
    waits_for: str | None = None
    #: Which route created it (1-based), for `rules explain`; None for --channel.
    route: int | None = None
    #: Which post of the item's sequence ("" the item itself); see crosspost/sequences.
    step: str = ""


@dataclass(frozen=True)
class ItemRecord:
    """An item with all its deliveries and their attempt history."""

    item: Item
    deliveries: tuple[Delivery, ...]


@dataclass(frozen=True)
class Change:
    """What a command did (or refused to do) to one delivery, to report to the officer."""

    channel: str
    old_state: str
    new_state: str | None
    reason: str = ""
