"""RSS, Atom (feedparser) and ICS (icalendar, recurring-ical-events) -> plain entries.

An entry keeps what an item needs and an identity that survives re-pulls: the GUID
(or Atom id) of a post, the UID of an event, and for one occurrence of a repeating
event the UID with its original start (RECURRENCE-ID), as calendar clients do.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crosspost.feeds.fetch import FeedError


@dataclass(frozen=True)
class Entry:
    """One post or event occurrence as the member's feed says it."""

    uid: str
    title: str
    body: str = ""
    link: str | None = None
    published: datetime | None = None
    event_start: datetime | None = None
    event_end: datetime | None = None
    location: str | None = None
    tags: tuple[str, ...] = ()
    #: STATUS:CANCELLED in a calendar.
    cancelled: bool = False

    @property
    def uid_hash(self) -> str:
        return hashlib.sha256(self.uid.encode("utf-8")).hexdigest()

    @property
    def fingerprint(self) -> str:
        """What the entry says: when it changes, the draft or its pending posts follow."""
        said = [
            self.title,
            self.body,
            self.link,
            _iso(self.event_start),
            _iso(self.event_end),
            self.location,
            list(self.tags),
            self.cancelled,
        ]
        return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class Parsed:
    """A feed read whole: its own title, its format, and its entries."""

    format: str
    title: str | None
    entries: tuple[Entry, ...]
    #: A calendar lists every event still to come, so one missing from it was removed;
    #: a blog feed only shows its latest posts, so absence there means nothing.
    complete: bool = False
    #: Events of a calendar are read up to here (repeating ones would never end).
    horizon: datetime | None = None
    problems: tuple[str, ...] = field(default=())


def parse(body: bytes, content_type: str, *, now: datetime, look_ahead: timedelta,
          zone: ZoneInfo) -> Parsed:  # fmt: skip
    """Read a feed's bytes; FeedError when they are neither a feed nor a calendar."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].upper()
    if head.startswith(b"BEGIN:VCALENDAR") or "text/calendar" in content_type.lower():
        return _parse_ics(body, now=now, until=now + look_ahead, zone=zone)
    return _parse_xml(body, content_type)


# ---------------------------------------------------------------- RSS and Atom


def _parse_xml(body: bytes, content_type: str) -> Parsed:
    import feedparser

    # feedparser never raises on bad input: it sets `bozo` and keeps what it could read.
    # No network: it is given bytes, never a URL (it would fetch without our limits).
    result = feedparser.parse(body, response_headers={"content-type": content_type or ""})
    version = str(result.get("version") or "")
    if not version:
        problem = result.get("bozo_exception")
        why = f": {problem}" if problem else ""
        raise FeedError(f"not an RSS or Atom feed, nor an ICS calendar{why}")
    entries = []
    problems = []
    for raw in result.entries:
        entry = _xml_entry(raw)
        if entry is None:
            problems.append(f"an entry without id, link or title was left out ({_peek(raw)})")
            continue
        entries.append(entry)
    title = result.feed.get("title") or None
    kind = "atom" if version.startswith("atom") else "rss"
    return Parsed(kind, title, tuple(entries), problems=tuple(problems))


def _xml_entry(raw: Any) -> Entry | None:
    title = _text(raw.get("title", ""))
    link = raw.get("link") or None
    published = _struct_time(raw.get("published_parsed") or raw.get("updated_parsed"))
    # The GUID when there is one; the link, then the title and date, for feeds without.
    uid = raw.get("id") or link or (f"{title} {_iso(published)}" if title else None)
    if not uid:
        return None
    content = raw.get("content") or []
    html = content[0].get("value", "") if content else raw.get("summary", "")
    tags = tuple(
        dict.fromkeys(
            str(t.get("label") or t.get("term")).strip()
            for t in raw.get("tags") or []
            if (t.get("label") or t.get("term"))
        )
    )
    return Entry(
        uid=str(uid),
        title=title,
        body=html_to_markdown(html),
        link=link,
        published=published,
        tags=tags,
    )


def html_to_markdown(html: str) -> str:
    """A member's HTML as the Markdown items hold: sanitised first, then converted."""
    if not html.strip():
        return ""
    import nh3

    clean = nh3.clean(html)
    text = _converter().convert(clean)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _converter() -> Any:
    from markdownify import MarkdownConverter

    class Converter(MarkdownConverter):
        def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
            # WordPress serves each emoji of a feed as <img class="wp-smiley" alt="🧶">;
            # the emoji is the text. Pictures are not relayed (an item holds a local file).
            alt = str(el.get("alt") or "")
            return alt if alt and _is_symbols(alt) else ""

    return Converter(heading_style="ATX", bullets="-")


def _is_symbols(text: str) -> bool:
    """An emoji or two (with their joiners and variation selectors), not words."""
    return len(text) <= 12 and not any(ch.isalnum() for ch in text)


def _text(value: str) -> str:
    """A title: HTML entities and tags out, whitespace folded."""
    import html

    import nh3

    return " ".join(html.unescape(nh3.clean(value, tags=set())).split())


def _struct_time(value: Any) -> datetime | None:
    if not value:
        return None
    year, month, day, hour, minute, second = value[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _peek(raw: Any) -> str:
    return str(dict(raw))[:80]


# ---------------------------------------------------------------- ICS


def _parse_ics(body: bytes, *, now: datetime, until: datetime, zone: ZoneInfo) -> Parsed:
    import icalendar
    import recurring_ical_events

    try:
        calendar = icalendar.Calendar.from_ical(body)
    except ValueError as exc:
        raise FeedError(f"not a valid ICS calendar: {exc}") from None
    if isinstance(calendar, list):  # several VCALENDARs in one file
        calendar = calendar[0]
    try:
        occurrences = list(recurring_ical_events.of(calendar).between(now, until))
    except Exception as exc:  # the library raises its own kinds for broken rules
        raise FeedError(f"the calendar's events cannot be read: {exc}") from None
    # recurring-ical-events gives every occurrence a RECURRENCE-ID, single events too;
    # only a series needs it in its identity (a single event moved keeps its UID).
    series = {
        str(component.get("UID"))
        for component in calendar.walk("VEVENT")
        if any(key in component for key in ("RRULE", "RDATE", "RECURRENCE-ID"))
    }
    entries = []
    problems = []
    for event in occurrences:
        if event.name != "VEVENT":
            continue
        entry = _ics_entry(event, zone, series)
        if entry is None:
            problems.append(f"an event without a start was left out ({event.get('SUMMARY')})")
            continue
        if entry.event_start is not None and entry.event_start < now:
            continue  # began already (between() also returns events still running)
        entries.append(entry)
    title = calendar.get("X-WR-CALNAME")
    return Parsed(
        "ics",
        str(title) if title else None,
        tuple(entries),
        complete=True,
        horizon=until,
        problems=tuple(problems),
    )


def _ics_entry(event: Any, zone: ZoneInfo, series: set[str]) -> Entry | None:
    start = _moment(event.get("DTSTART"), zone)
    if start is None:
        return None
    end = _moment(event.get("DTEND"), zone)
    uid = str(event.get("UID") or "") or f"{event.get('SUMMARY')} {_iso(start)}"
    recurrence = event.get("RECURRENCE-ID")
    if recurrence is not None and uid in series:
        original = _moment(recurrence, zone)
        uid = f"{uid} {_iso(original)}"
    categories: list[str] = []
    raw_categories = event.get("CATEGORIES")
    for group in raw_categories if isinstance(raw_categories, list) else [raw_categories]:
        if group is not None:
            categories += [str(c).strip() for c in group.cats if str(c).strip()]
    return Entry(
        uid=uid,
        title=" ".join(str(event.get("SUMMARY") or "").split()),
        body=str(event.get("DESCRIPTION") or "").strip(),
        link=str(event.get("URL")) if event.get("URL") else None,
        published=_moment(event.get("CREATED") or event.get("DTSTAMP"), zone),
        event_start=start,
        event_end=end,
        location=" ".join(str(event.get("LOCATION") or "").split()) or None,
        tags=tuple(dict.fromkeys(categories)),
        cancelled=str(event.get("STATUS") or "").upper() == "CANCELLED",
    )


def _moment(prop: Any, zone: ZoneInfo) -> datetime | None:
    """An ICS time as aware UTC: floating times and whole days are read in our zone."""
    if prop is None:
        return None
    value = prop.dt if hasattr(prop, "dt") else prop
    if isinstance(value, datetime):
        local = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return local.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)
    return None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
