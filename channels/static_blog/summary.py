"""The one line feeds and search engines show, as plain text with no HTML left in it."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from crosspost.domain import Item
from crosspost.text import (
    capitalise,
    event_when,
    markdown_to_plain,
)

SUMMARY_LENGTH = 200


def without_html(text: str) -> str:
    """`text` with HTML tags (and the insides of scripts) removed, the rest as typed.

    Summaries are plain text, but Hugo renders them as Markdown and themes print
    them unescaped: a tag left in the officer's text would run there.
    """
    if "<" not in text:
        return text
    import nh3

    # `&` escaped first, so that runs like `&region` are not read as entities.
    return html.unescape(nh3.clean(text.replace("&", "&amp;"), tags=set()))


def summary_of(item: Item, zone: ZoneInfo) -> str:
    """One line for feeds and search engines: when and where for an event, then the text."""
    lead = ""
    if item.event_start is not None:
        lead = capitalise(event_when(item.event_start, item.event_end, zone))
    if item.location:
        lead = f"{lead}, {item.location}" if lead else item.location
    text = " ".join(without_html(markdown_to_plain(item.body)).split())
    plain = f"{lead}. {text}" if lead and text else lead or text
    if len(plain) <= SUMMARY_LENGTH:
        return plain
    return plain[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
