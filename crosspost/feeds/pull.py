"""One pull: every feed fetched, read and brought into the ledger; a broken one is
reported and the others go on.

Each entry is checked as `add` checks a typed item (`intake.accept`), so a draft
can always be approved as it is; an entry that could not become an item is
remembered with its reason and reported once, not at every pull.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crosspost.errors import CrosspostError
from crosspost.feeds.fetch import FeedError, fetch
from crosspost.feeds.parse import Entry, parse
from crosspost.i18n import _

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.store import Candidate, Feed, FeedSync, Store

#: Titles are cut to what an item holds.
TITLE_MAX = 300

_NO_DATES = (
    " (an RSS or Atom feed carries no event dates: add the member's ICS calendar "
    "with --kind event, and this feed with --kind article)"
)


@dataclass
class Outcome:
    """How one feed's pull went."""

    feed: Feed
    sync: FeedSync | None = None
    unchanged: bool = False
    error: str | None = None
    #: Entries the feed itself got wrong (left out), and things the officer should know.
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.error is not None


def pull_feeds(
    settings: Settings, store: Store, *, now: datetime, names: Sequence[str] | None = None
) -> Iterator[Outcome]:
    """Pull each feed in turn (all of them, or those named), yielding as each ends."""
    for feed in store.feeds(names):
        try:
            yield pull_one(settings, store, feed, now=now)
        except (FeedError, CrosspostError) as exc:
            store.record_feed_failure(feed.id, str(exc), now)
            yield Outcome(feed, error=str(exc))
        except Exception as exc:  # a parser's bug on an odd feed must not stop the others
            message = f"unexpected {type(exc).__name__}: {exc} (a bug: please report it)"
            store.record_feed_failure(feed.id, message, now)
            yield Outcome(feed, error=message)


def pull_one(settings: Settings, store: Store, feed: Feed, *, now: datetime) -> Outcome:
    from functools import partial

    from crosspost.sequences.notices import notices_for

    options = settings.feeds
    fetched = fetch(
        feed.url,
        etag=feed.etag,
        last_modified=feed.last_modified,
        timeout=options.timeout,
        max_bytes=options.max_bytes,
    )
    if fetched.unchanged or fetched.body is None:
        store.record_feed_unchanged(feed.id, now)
        return Outcome(feed, unchanged=True)
    parsed = parse(
        fetched.body,
        fetched.content_type,
        now=now,
        look_ahead=options.look_ahead,
        zone=settings.zone,
    )
    outcome = Outcome(feed, notes=list(parsed.problems))
    candidates = [candidate(settings, store, feed, entry, now=now) for entry in parsed.entries]
    window = (now, parsed.horizon) if parsed.complete and parsed.horizon else None
    if window is not None and not parsed.entries and feed.entries.get("item"):
        # A calendar that suddenly lists nothing is more often a broken export than a
        # member cancelling everything: nothing is cancelled on its word.
        window = None
        outcome.notes.append(_("the calendar came back empty: nothing was cancelled"))
    outcome.sync = store.sync_feed(
        feed.id,
        candidates,
        now=now,
        removal_window=window,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        notices=partial(notices_for, settings, now=now),
    )
    return outcome


def candidate(
    settings: Settings, store: Store, feed: Feed, entry: Entry, *, now: datetime
) -> Candidate:
    """What one entry becomes: a draft, a routed item (auto feeds), or a reason why not."""
    from crosspost import intake
    from crosspost.review import credited, route_fields
    from crosspost.store import Candidate

    base = Candidate(
        uid=entry.uid,
        uid_hash=entry.uid_hash,
        fingerprint=entry.fingerprint,
        title=entry.title or entry.link or entry.uid,
        event_start=entry.event_start,
        item=None,
    )
    if entry.cancelled:
        return replace(base, state="cancelled")
    # Too old to relay when first seen; an item it already became still follows it.
    old = (
        entry.event_start is None
        and entry.published is not None
        and entry.published < now - settings.feeds.max_age
    )
    fields = _fields(feed, entry)
    try:
        accepted = intake.accept(
            fields | {"at": "now"}, settings, now=now, base_dir=settings.base_dir, route=False
        )
    except CrosspostError as exc:
        if old:
            return replace(base, state="old")
        problem = str(exc)
        if "event_start: an event needs" in problem:
            problem += _NO_DATES
        return replace(base, state="refused", problem=problem)
    source = feed.source
    body = credited(accepted.item.body, source, settings.review.credit)
    draft = replace(accepted.item, status="draft", source=source)
    if old:
        return replace(base, state="old", item=draft, credited_body=body)
    if not feed.auto:
        return replace(base, item=draft, credited_body=body)
    try:
        # Its kind's sequence times it (an event announced 14 days before) where it has one;
        # otherwise the next free slot, as `add --at next`.
        routed = route_fields(settings, store, fields | {"body": body}, now=now, at=None)
    except CrosspostError as exc:
        # It could not go out as it is (no route, too long for a channel...): a person
        # decides, as for any draft.
        return replace(base, item=draft, credited_body=body, problem=" ".join(str(exc).split()))
    item = replace(routed.accepted.item, source=source)
    return replace(base, item=item, plan=routed.accepted.plan.deliveries, credited_body=body)


def _fields(feed: Feed, entry: Entry) -> dict[str, Any]:
    title = entry.title
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rstrip() + "…"
    return {
        "kind": feed.kind,
        "title": title,
        "body": entry.body,
        "link": entry.link,
        "tags": list(entry.tags),
        "event_start": entry.event_start,
        "event_end": entry.event_end,
        "location": entry.location[:500] if entry.location else None,
    }


def describe(outcome: Outcome) -> list[str]:
    """What one feed's pull did, as the officer (or cron's mail) reads it."""
    from crosspost.i18n import ngettext

    name = outcome.feed.name
    if outcome.error is not None:
        return [_("{name}: could not be read: {error}").format(name=name, error=outcome.error)]
    if outcome.unchanged:
        return [_("{name}: unchanged since the last pull").format(name=name)]
    sync = outcome.sync
    if sync is None:
        return [_("{name}: nothing new").format(name=name)]
    created, routed = len(sync.created), len(sync.routed)
    updated, cancelled = len(sync.updated), len(sync.cancelled)
    # (the items, their sentence): each said with its count and ids when there are some.
    counted = (
        (
            sync.created,
            ngettext("{count} new draft ({ids})", "{count} new drafts ({ids})", created),
        ),
        (
            sync.routed,
            ngettext("{count} item routed ({ids})", "{count} items routed ({ids})", routed),
        ),
        (sync.updated, ngettext("{count} updated ({ids})", "{count} updated ({ids})", updated)),
        (
            sync.cancelled,
            ngettext("{count} cancelled ({ids})", "{count} cancelled ({ids})", cancelled),
        ),
    )
    parts = [text.format(count=len(ids), ids=_ids(ids)) for ids, text in counted if ids]
    if sync.old:
        parts.append(
            ngettext(
                "{count} entry too old to relay", "{count} entries too old to relay", sync.old
            ).format(count=sync.old)
        )
    summary = ", ".join(parts) if parts else _("nothing new")
    lines = [_("{name}: {summary}").format(name=name, summary=summary)]
    lines += [
        _("  refused «{title}»: {why}").format(title=title, why=why) for title, why in sync.refused
    ]
    lines += [_("  item {id}: {why}").format(id=item_id, why=why) for item_id, why in sync.left]
    lines += [
        _("  item {id} waits for review: {why}").format(id=item_id, why=why)
        for item_id, why in sync.held
    ]
    lines += [
        _("  item {id}: a cancellation notice goes out on {channels}").format(
            id=item_id, channels=", ".join(channels)
        )
        for item_id, channels in sync.noticed
    ]
    lines += [_("  note: {note}").format(note=note) for note in outcome.notes]
    return lines


def _ids(ids: list[int]) -> str:
    shown = ", ".join(f"#{i}" for i in ids[:10])
    if len(ids) <= 10:
        return shown
    return _("{shown} and {more} more").format(shown=shown, more=len(ids) - 10)
