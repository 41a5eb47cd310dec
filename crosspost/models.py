"""The ledger's tables: items, their deliveries (item x channel) and every attempt."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from crosspost.clock import utcnow
from crosspost.ledger import new_key
from crosspost.states import State, parse

# Explicit names so that migrations and models agree on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always hands back aware UTC datetimes.

    SQLite keeps no zone; without this, a naive value would read back as local
    time on one machine and UTC on another.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the ledger; times must carry a zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StateColumn(TypeDecorator[State]):
    """A delivery state, stored as its name (the strings of the first schema).

    Writing a name the state machine does not list fails before reaching the database.
    """

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else parse(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> State | None:
        return None if value is None else State(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ItemRow(Base):
    """What the officer wrote: one announcement, scoop, article, job offer...

    Its columns are the stored fields of crosspost/item_fields.py (checked by a test).
    """

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(2000))
    image_path: Mapped[str | None] = mapped_column(String(1000))
    image_alt: Mapped[str | None] = mapped_column(String(1000))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    event_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(500))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: A job offer's closing date (nothing of it goes out after it).
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The officer's wording for some steps of the item's sequence: {step: template}.
    step_texts: Mapped[dict[str, str] | None] = mapped_column(JSON)
    #: The officer's own text for some channels (channel -> the whole post text).
    variants: Mapped[dict[str, str] | None] = mapped_column(JSON)
    #: A recurring event's occurrence: its series, and its date in the rule ("2027-03-06"),
    #: kept when the occurrence alone is moved, so the series never makes it again.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"))
    occurrence: Mapped[str | None] = mapped_column(String(10))
    #: "draft" (waits for review, has no deliveries), "rejected" (by the reviewer),
    #: "active" (routed), "cancelled", or "closed" (a job offer past its deadline); where
    #: it stands on each channel lives in its deliveries.
    status: Mapped[str] = mapped_column(String(20), default="active")
    #: Who it came from when not typed by the officer (a member's feed or proposal):
    #: shown in review, and credited in posts when the config says so.
    source: Mapped[str | None] = mapped_column(String(300))
    #: When the reviewer approved or rejected it, and why it was rejected.
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    deliveries: Mapped[list[DeliveryRow]] = relationship(
        back_populates="item", order_by="DeliveryRow.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_items_kind_requested", "kind", "requested_at"),
        # `review`, `status` and `health`: the drafts, oldest first.
        Index("ix_items_status_created", "status", "created_at"),
        UniqueConstraint("series_id", "occurrence", name="uq_items_series_occurrence"),
    )


class SeriesRow(Base):
    """A recurring event: its rule, and the fields each occurrence is made from."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: An RRULE without DTSTART ("FREQ=MONTHLY;BYDAY=1SA").
    rule: Mapped[str] = mapped_column(String(500))
    #: The first possible start, on the local wall clock ("2027-01-01 14:00").
    start_local: Mapped[str] = mapped_column(String(16))
    #: The last day an occurrence may fall on ("2027-06-30"), if the rule has one.
    until_local: Mapped[str | None] = mapped_column(String(10))
    #: The officer's fields (as `add` takes them) every future occurrence is made from.
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Occurrences are made up to here; the housekeeping moves it forward.
    generated_until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DeliveryRow(Base):
    """One item on one channel: the unit that is claimed, published and reported."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable public identity: idempotency keys, blog slugs, calendar UIDs.
    key: Mapped[str] = mapped_column(String(32), default=new_key, unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(100))
    #: "post" carries the item itself; "announce" points to another delivery's URL.
    role: Mapped[str] = mapped_column(String(20), default="post")
    #: The post of the item's sequence: "" the item itself, "-1d", "morning", "cancelled"...
    step: Mapped[str] = mapped_column(String(40), default="", server_default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Written only by `crosspost.store._core.transition` (and as `pending` on insert).
    state: Mapped[State] = mapped_column(StateColumn, default=State.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remote_id: Mapped[str | None] = mapped_column(String(200))
    remote_url: Mapped[str | None] = mapped_column(String(2000))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dry_run: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: What an adapter needs to resume (e.g. the ids of the thread parts already posted).
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    waits_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    item: Mapped[ItemRow] = relationship(back_populates="deliveries")
    attempt_rows: Mapped[list[AttemptRow]] = relationship(
        back_populates="delivery", order_by="AttemptRow.id", cascade="all, delete-orphan"
    )

    @validates("state")
    def _only_new_rows_take_a_state(self, key: str, value: State) -> State:
        """A stored delivery changes state through `transition` only, never by assignment:
        that is where the move is checked and made conditional on the state it leaves."""
        if not inspect(self).transient:
            raise AttributeError(
                f"delivery {self.id}: its state ({self.state.value}) changes through "
                "crosspost.store._core.transition, never by assignment"
            )
        return parse(value)

    __table_args__ = (
        # One post per item, channel and step of its sequence.
        UniqueConstraint("item_id", "channel", "step", name="uq_deliveries_item_channel_step"),
        # The publisher's wake-up query: the earliest pending delivery.
        Index("ix_deliveries_state_next", "state", "next_attempt_at"),
        Index("ix_deliveries_due", "due_at"),
        Index("ix_deliveries_waits_for", "waits_for_id"),
        Index("ix_deliveries_channel_published", "channel", "published_at"),
    )


class AttemptRow(Base):
    """One try at publishing a delivery; never overwritten, so the history stays."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "sending" while under way, then published / transient / rate_limited / permanent /
    #: auth_expired / ambiguous / crashed.
    outcome: Mapped[str] = mapped_column(String(30), default="sending")
    error_class: Mapped[str | None] = mapped_column(String(100))
    error_message: Mapped[str | None] = mapped_column(Text)
    #: The request a dry-run channel would have sent, or other adapter detail.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    delivery: Mapped[DeliveryRow] = relationship(back_populates="attempt_rows")

    __table_args__ = (Index("ix_attempts_delivery", "delivery_id"),)


class ChannelStateRow(Base):
    """A channel's pause (expired credentials) shared by every publisher."""

    __tablename__ = "channel_states"

    channel: Mapped[str] = mapped_column(String(100), primary_key=True)
    paused_reason: Mapped[str | None] = mapped_column(Text)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkerRow(Base):
    """A running publisher (daemon or cron pass) and its heartbeat."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    mode: Mapped[str] = mapped_column(String(20))
    hostname: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SpendRow(Base):
    """Money a paying platform (X) charged for a channel's requests, or will.

    A post about to be sent is first *reserved* (its estimated cost, in the same
    transaction that checked the month's budget), then replaced by what the platform
    really created once it answers; a reservation stays when the outcome is unknown,
    since the post may be out.
    """

    __tablename__ = "spend"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(100))
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: "post", "post with a link", "read", or "reserved".
    what: Mapped[str] = mapped_column(String(40))
    units: Mapped[int] = mapped_column(Integer, default=1)
    #: Whole micro-dollars, so that sums are exact on every backend.
    micros: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_spend_channel_at", "channel", "at"),
        Index("ix_spend_delivery", "delivery_id"),
    )


class FeedRow(Base):
    """A member's RSS, Atom or ICS feed whose entries become drafts (or, with auto, items)."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: What the officer calls it; the source credited when no label is given.
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(40))
    #: Entries skip review and are routed at once.
    auto: Mapped[bool] = mapped_column(default=False)
    #: The member's name as credited in posts ("Repair Café de Fontaine").
    label: Mapped[str | None] = mapped_column(String(300))
    #: The validators of the last answer, sent back so an unchanged feed costs a 304.
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    pulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why the last pull failed (None when it worked).
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set by `feeds remove`: the feed is no longer pulled nor listed, but its seen entries
    #: stay, so that adding the same URL again does not queue what it brought once more.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedEntryRow(Base):
    """One entry (GUID) or event occurrence (UID) of a feed, seen once and remembered."""

    __tablename__ = "feed_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    #: sha256 of the GUID or UID (they can be any length); `uid` keeps the text.
    uid_hash: Mapped[str] = mapped_column(String(64))
    uid: Mapped[str] = mapped_column(Text)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    #: sha256 of what the entry says: a change updates the draft or its pending deliveries.
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: "item" (became item_id), "refused" (see problem), "old" (too old when first seen),
    #: "cancelled" (by its source), "removed" (gone from the calendar before it happened)
    #: or "deleted" (the officer deleted its item: a later change of the entry is not news).
    state: Mapped[str] = mapped_column(String(20))
    problem: Mapped[str | None] = mapped_column(Text)
    event_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("feed_id", "uid_hash", name="uq_feed_entries_feed_uid"),
        Index("ix_feed_entries_item", "item_id"),
    )


class AccessTokenRow(Base):
    """A token `crosspost serve` accepts: for subscribing to the calendar, or proposing."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Who holds it ("Thunderbird of the board", "Jardin partagé").
    name: Mapped[str] = mapped_column(String(200))
    #: "calendar" or "propose": a token opens only what it was made for.
    scope: Mapped[str] = mapped_column(String(20))
    #: sha256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
