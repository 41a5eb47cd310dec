"""Members' feeds: the feeds themselves, and every entry seen in them (by GUID or UID).

A pull is one transaction per feed: the entries it brings are compared with those
already seen, new ones become items through the one insert path (`_insert_items`),
changed ones update their item, cancelled or removed events cancel theirs, and the
feed's HTTP validators are saved with them, so a crash leaves either all or none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from crosspost.clock import utcnow
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.errors import Conflict, InputError, NotFound
from crosspost.i18n import _
from crosspost.models import FeedEntryRow, FeedRow, ItemRow
from crosspost.redact import redact_optional
from crosspost.states import State
from crosspost.store._items import (
    UNROUTED,
    _cancel_deliveries,
    _insert_items,
    _selected,
    _set_fields,
    _settle_cancelled,
)
from crosspost.store._steps import Notices, StepsMixin


@dataclass(frozen=True)
class Feed:
    """A member's feed as the officer added it, and how its last pull went."""

    id: int
    name: str
    url: str
    kind: str
    auto: bool
    label: str | None
    etag: str | None
    last_modified: str | None
    pulled_at: datetime | None
    ok_at: datetime | None
    last_error: str | None
    created_at: datetime
    #: Entries seen, by state (item, refused, old, cancelled, removed, deleted).
    entries: dict[str, int] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """Who its items are credited to."""
        return self.label or self.name


@dataclass(frozen=True)
class Candidate:
    """One entry of a pull, made ready by crosspost.feeds.pull before the transaction."""

    uid: str
    uid_hash: str
    fingerprint: str
    title: str
    event_start: datetime | None
    #: The item it becomes (a draft, or active with `plan` for an auto feed); None when
    #: it cannot become one (`state` says why: refused, old, cancelled).
    item: NewItem | None
    state: str = "item"
    problem: str | None = None
    plan: tuple[PlannedDelivery, ...] = ()
    #: The text an approved item carries (with the member's credit).
    credited_body: str = ""


@dataclass
class FeedSync:
    """What one pull changed, for the officer (and cron's mail)."""

    created: list[int] = field(default_factory=list)
    routed: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    #: (title, why) of entries newly seen that could not become items.
    refused: list[tuple[str, str]] = field(default_factory=list)
    #: (item id, why) of changes that could not be applied (already published...).
    left: list[tuple[int, str]] = field(default_factory=list)
    #: (item id, why) of entries of an auto feed that could not be routed: drafts.
    held: list[tuple[int, str]] = field(default_factory=list)
    #: (item id, channels) of cancelled items whose posts already out get a notice.
    noticed: list[tuple[int, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    old: int = 0


#: Fields an entry's change carries over to its item.
_CONTENT = ("title", "body", "link", "tags", "event_start", "event_end", "location")


class FeedsMixin(StepsMixin):
    """The feeds and the entries seen in them."""

    def add_feed(self, name: str, url: str, kind: str, *, auto: bool, label: str | None) -> Feed:
        """Follow a feed. A feed removed before with the same URL comes back with the
        entries it had brought: they are not queued a second time."""
        try:
            with self._session() as session:
                row = session.scalar(
                    select(FeedRow)
                    .where(FeedRow.url == url, FeedRow.removed_at.is_not(None))
                    .order_by(FeedRow.removed_at.desc())
                    .limit(1)
                )
                if row is None:
                    row = FeedRow(url=url, created_at=utcnow())
                    session.add(row)
                else:
                    # Read in full at the next pull: what came meanwhile is new to it.
                    row.removed_at = row.etag = row.last_modified = row.last_error = None
                row.name, row.kind, row.auto, row.label = name, kind, auto, label
                session.flush()
                return _feed(row, _entry_counts(session, row.id).get(row.id, {}))
        except IntegrityError:
            raise InputError(
                _(
                    "name: there is already a feed named {name!r} (see `crosspost feeds list`)"
                ).format(name=name)
            ) from None

    def feeds(self, names: Sequence[str] | None = None) -> list[Feed]:
        with self._read() as session:
            query = select(FeedRow).where(FeedRow.removed_at.is_(None)).order_by(FeedRow.name)
            if names:
                query = query.where(FeedRow.name.in_(list(names)))
            rows = list(session.scalars(query))
            counts = _entry_counts(session)
        found = [_feed(row, counts.get(row.id, {})) for row in rows]
        missing = sorted(set(names or ()) - {f.name for f in found})
        if missing:
            raise NotFound(
                _("no feed named {names} (see `crosspost feeds list`)").format(
                    names=", ".join(map(repr, missing))
                )
            )
        return found

    def remove_feed(self, name: str) -> int:
        """Stop following a feed; the items it brought stay. Returns their count.

        Its seen entries are kept (the feed row is only marked removed and its name
        freed), so that adding the same URL again does not queue them once more.
        """
        with self._session() as session:
            row = session.scalar(
                select(FeedRow).where(FeedRow.name == name, FeedRow.removed_at.is_(None))
            )
            if row is None:
                raise NotFound(
                    _("no feed named {names} (see `crosspost feeds list`)").format(names=repr(name))
                )
            kept = session.scalar(
                select(func.count())
                .select_from(FeedEntryRow)
                .where(FeedEntryRow.feed_id == row.id, FeedEntryRow.item_id.is_not(None))
            )
            row.removed_at = utcnow()
            # Freed for reuse, for a name an officer cannot type (`feeds add` strips
            # leading spaces), unique as the id is.
            row.name = f" removed {row.id}"
            return int(kept or 0)

    def record_feed_failure(self, feed_id: int, message: str, now: datetime) -> None:
        with self._session() as session:
            row = _feed_row(session, feed_id)
            row.pulled_at = now
            row.last_error = redact_optional(message)

    def record_feed_unchanged(self, feed_id: int, now: datetime) -> None:
        """A 304: nothing to read; the feed answered, so the last error is over."""
        with self._session() as session:
            row = _feed_row(session, feed_id)
            row.pulled_at = row.ok_at = now
            row.last_error = None

    def sync_feed(
        self,
        feed_id: int,
        candidates: Sequence[Candidate],
        *,
        now: datetime,
        removal_window: tuple[datetime, datetime] | None,
        etag: str | None,
        last_modified: str | None,
        notices: NoticesFor | None = None,
    ) -> FeedSync:
        """Bring what the feed says into the ledger, in one transaction (see module doc).

        `removal_window`: for a calendar, the span it was read over; an event seen before,
        due in that span and absent now was removed by the member and is cancelled.
        """
        report = FeedSync()
        with self._session() as session:
            cancel = _Cancel(self, session, report, notices)
            # PostgreSQL: two pulls of one feed (cron and daemon) take turns here, so the
            # second sees what the first wrote (SQLite: BEGIN IMMEDIATE already does).
            feed = session.scalar(select(FeedRow).where(FeedRow.id == feed_id).with_for_update())
            if feed is None or feed.removed_at is not None:
                raise NotFound(_("the feed {id} was removed during the pull").format(id=feed_id))
            known = {
                e.uid_hash: e
                for e in session.scalars(
                    select(FeedEntryRow).where(FeedEntryRow.feed_id == feed_id)
                )
            }
            seen: set[str] = set()
            fresh: list[Candidate] = []
            for candidate in candidates:
                if candidate.uid_hash in seen:
                    continue  # the same GUID twice in one feed: once is enough
                seen.add(candidate.uid_hash)
                entry = known.get(candidate.uid_hash)
                if entry is None:
                    fresh.append(candidate)
                    continue
                entry.last_seen_at = now
                if entry.state == "refused":
                    # Judged again each time: the reason may have been ours (a kind
                    # removed from the config) and fixed since; reported only if new.
                    fresh.append(candidate)
                    continue
                if entry.fingerprint == candidate.fingerprint:
                    report.unchanged += 1
                    continue
                if entry.item_id is None:
                    if entry.state == "old":
                        fresh.append(candidate)  # too old before: judged again
                    else:
                        # Its item was deleted by the officer (the foreign key emptied
                        # item_id): the member's change is not news.
                        entry.state, entry.fingerprint = "deleted", candidate.fingerprint
                        report.unchanged += 1
                    continue
                _apply_change(session, entry, candidate, report, cancel)
            _insert_fresh(session, feed_id, fresh, known, now, report)
            if removal_window is not None:
                _cancel_removed(session, known.values(), seen, removal_window, cancel)
            feed.pulled_at = feed.ok_at = now
            feed.last_error = None
            feed.etag, feed.last_modified = etag, last_modified
        return report


def _insert_fresh(
    session: Session,
    feed_id: int,
    fresh: Sequence[Candidate],
    known: dict[str, FeedEntryRow],
    now: datetime,
    report: FeedSync,
) -> None:
    becoming = [(c, c.item) for c in fresh if c.item is not None and c.state == "item"]
    made = dict(
        zip(
            (id(c) for c, _ in becoming),
            _insert_items(session, [(item, c.plan) for c, item in becoming], now),
            strict=True,
        )
    )
    for candidate in fresh:
        item_id = made.get(id(candidate))
        if item_id is not None:
            (report.routed if candidate.plan else report.created).append(item_id)
            if candidate.problem:
                report.held.append((item_id, candidate.problem))
        elif candidate.state == "old":
            report.old += 1
        entry = known.get(candidate.uid_hash)
        if candidate.state == "refused" and (entry is None or entry.problem != candidate.problem):
            report.refused.append((candidate.title, candidate.problem or ""))
        if entry is None:
            entry = FeedEntryRow(
                feed_id=feed_id,
                uid_hash=candidate.uid_hash,
                uid=candidate.uid,
                first_seen_at=now,
            )
            session.add(entry)
        entry.item_id = item_id
        entry.fingerprint = candidate.fingerprint
        entry.state = candidate.state
        entry.problem = candidate.problem
        entry.event_start = candidate.event_start
        entry.last_seen_at = now
    session.flush()


def _apply_change(
    session: Session,
    entry: FeedEntryRow,
    candidate: Candidate,
    report: FeedSync,
    cancel: _Cancel,
) -> None:
    """A changed entry: its item follows, as far as it has not gone out yet."""
    entry.fingerprint = candidate.fingerprint
    entry.event_start = candidate.event_start
    row = session.get(ItemRow, entry.item_id, options=[selectinload(ItemRow.deliveries)])
    if row is None:  # the officer deleted the item: the member's change is not news
        entry.state, entry.item_id = "deleted", None
        return
    if candidate.state == "cancelled":
        entry.state = "cancelled"
        cancel(row, _("cancelled by its source"))
        return
    if candidate.item is None:
        report.left.append((row.id, f"the new version was refused: {candidate.problem}"))
        return
    changes: dict[str, Any] = {key: getattr(candidate.item, key) for key in _CONTENT}
    if row.status in UNROUTED:
        _set_fields(row, changes)
        report.updated.append(row.id)
        return
    pending = [d for d in row.deliveries if d.state is State.PENDING]
    if not pending:
        report.left.append((row.id, "it changed at its source, but its posts are already out"))
        return
    changes["body"] = candidate.credited_body
    _set_fields(row, changes)
    report.updated.append(row.id)


def _cancel_removed(
    session: Session,
    entries: Any,
    seen: set[str],
    window: tuple[datetime, datetime],
    cancel: _Cancel,
) -> None:
    start, end = window
    for entry in entries:
        if entry.uid_hash in seen or entry.state != "item" or entry.item_id is None:
            continue
        if entry.event_start is None or not start <= entry.event_start < end:
            continue  # over, or beyond what this pull read: absence says nothing
        row = session.get(ItemRow, entry.item_id, options=[selectinload(ItemRow.deliveries)])
        entry.state = "removed"
        if row is not None:
            cancel(row, _("removed from its source's calendar"))


#: The notices for an item of a kind with posts on some channels (None: no notice);
#: crosspost.sequences.notices.notices_for with the settings and the time bound.
NoticesFor = Callable[[str, Iterable[str]], Notices | None]


@dataclass(frozen=True)
class _Cancel:
    """Cancelling an item its source cancelled or removed, as the officer's `cancel` does:
    what is pending is withdrawn and, where a post of it already went out, its sequence's
    cancellation notice is added (a member's cancelled event must not stay announced)."""

    store: StepsMixin
    session: Session
    report: FeedSync
    notices: NoticesFor | None

    def __call__(self, row: ItemRow, why: str) -> None:
        report = self.report
        if row.status == "draft":
            row.status, row.review_note, row.updated_at = "rejected", why, utcnow()
            report.cancelled.append(row.id)
            return
        if row.status != "active":
            return
        chosen = _selected(row, None)
        try:
            changes = _cancel_deliveries(self.session, row, chosen)
            wanted = (
                self.notices(row.kind, {d.channel for d in row.deliveries})
                if self.notices is not None
                else None
            )
            if wanted is not None:
                added = self.store._add_notices(self.session, row, chosen, wanted)
                if added:
                    report.noticed.append((row.id, sorted({c.channel for c in added})))
                changes += added
            _settle_cancelled(row, everywhere=wanted is not None)
        except Conflict:
            report.left.append(
                (row.id, _("{why}, but a publisher is sending it right now").format(why=why))
            )
            return
        kept = [c for c in changes if c.new_state is None and c.old_state != "cancelled"]
        report.cancelled.append(row.id)
        if kept:
            left = ", ".join(f"{c.channel} {c.reason}" for c in kept)
            report.left.append((row.id, _("{why}; left as is: {left}").format(why=why, left=left)))


def _entry_counts(session: Session, feed_id: int | None = None) -> dict[int, dict[str, int]]:
    """Per feed, how many of its seen entries are in each state."""
    query = select(FeedEntryRow.feed_id, FeedEntryRow.state, func.count()).group_by(
        FeedEntryRow.feed_id, FeedEntryRow.state
    )
    if feed_id is not None:
        query = query.where(FeedEntryRow.feed_id == feed_id)
    counts: dict[int, dict[str, int]] = {}
    for row_feed_id, state, count in session.execute(query):
        counts.setdefault(int(row_feed_id), {})[str(state)] = int(count)
    return counts


def _feed_row(session: Session, feed_id: int) -> FeedRow:
    row = session.get(FeedRow, feed_id)
    if row is None:
        raise NotFound(_("there is no feed {id}").format(id=feed_id))
    return row


def _feed(row: FeedRow, counts: dict[str, int]) -> Feed:
    return Feed(
        id=row.id,
        name=row.name,
        url=row.url,
        kind=row.kind,
        auto=row.auto,
        label=row.label,
        etag=row.etag,
        last_modified=row.last_modified,
        pulled_at=row.pulled_at,
        ok_at=row.ok_at,
        last_error=row.last_error,
        created_at=row.created_at,
        entries=counts,
    )
