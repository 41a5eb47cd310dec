"""The Atom feed of the latest posts (RFC 4287)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from channels.static_blog.pages import GENERATOR

#: How many posts the Atom feed carries; readers only need the recent ones.
FEED_LIMIT = 50
ATOM = "http://www.w3.org/2005/Atom"


def entry_id(key: str) -> str:
    """A permanent Atom id from the delivery key: its UUID, else a UUID derived from it."""
    try:
        return uuid.UUID(hex=key).urn
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_OID, f"crosspost:{key}").urn


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    summary: str
    content_html: str


def atom_feed(title: str, author: str, site_url: str, entries: list[FeedEntry]) -> str:
    """An RFC 4287 feed document; ElementTree does the escaping."""
    from xml.etree import ElementTree as ET

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, tag, attrs)
        element.text = text
        return element

    # Attributes (rel, href) are never namespaced in Atom, so the namespace is declared
    # once on the root instead of qualifying every name.
    feed = ET.Element("feed", xmlns=ATOM)
    # The site's URL names the feed: stable as long as the site does not move.
    add(feed, "id", uuid.uuid5(uuid.NAMESPACE_URL, site_url).urn)
    add(feed, "title", title)
    newest = max((e.updated for e in entries), default=datetime.now(UTC).replace(microsecond=0))
    add(feed, "updated", newest.isoformat())
    add(add(feed, "author"), "name", author)
    add(feed, "link", rel="self", type="application/atom+xml", href=f"{site_url}feed.xml")
    add(feed, "link", rel="alternate", type="text/html", href=site_url)
    add(feed, "generator", GENERATOR)
    for entry in entries:
        node = add(feed, "entry")
        add(node, "id", entry.id)
        add(node, "title", entry.title)
        add(node, "updated", entry.updated.isoformat())
        add(node, "published", entry.published.isoformat())
        add(node, "link", rel="alternate", type="text/html", href=entry.url)
        add(node, "summary", entry.summary)
        add(node, "content", entry.content_html, type="html")
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'
