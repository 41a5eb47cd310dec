"""Text shared by adapters: Markdown to safe HTML or plain text, and event dates people read.

Dates are written the French way by default (the officers we serve), in the
configured time zone: "samedi 12 décembre 2026 de 14h00 à 18h00".
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

_FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_FR_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

#: Tags a post body may keep once rendered; everything else (scripts, styles, iframes) goes.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


def markdown_to_html(text: str) -> str:
    """The officer's Markdown as HTML that is safe to publish (sanitised with nh3)."""
    import markdown
    import nh3

    raw = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)
_MD_BULLET = re.compile(r"^\s{0,3}[-*+]\s+", re.MULTILINE)


def markdown_to_plain(text: str) -> str:
    """Markdown as plain text for social posts: links become 'label (url)', marks go."""

    def _link(match: re.Match[str]) -> str:
        label, url = match.group(1), match.group(2)
        if match.group(0).startswith("!"):
            return label
        return url if not label or label == url else f"{label} ({url})"

    plain = _MD_LINK.sub(_link, text)
    plain = _MD_HEADING.sub("", plain)
    plain = _MD_QUOTE.sub("", plain)
    plain = _MD_BULLET.sub("• ", plain)
    for _ in range(2):  # nested emphasis
        plain = _MD_EMPHASIS.sub(r"\2", plain)
    plain = html.unescape(plain)
    plain = re.sub(r"\n{3,}", "\n\n", plain)
    return plain.strip()


def _fr_clock(moment: datetime) -> str:
    return f"{moment.hour}h{moment.minute:02d}"


def _fr_date(moment: datetime) -> str:
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{_FR_DAYS[moment.weekday()]} {day} {_FR_MONTHS[moment.month - 1]} {moment.year}"


def event_when(start: datetime, end: datetime | None, zone: ZoneInfo) -> str:
    """'samedi 12 décembre 2026 de 14h00 à 18h00' (or across days), in the local zone."""
    local_start = start.astimezone(zone)
    if end is None:
        return f"{_fr_date(local_start)} à {_fr_clock(local_start)}"
    local_end = end.astimezone(zone)
    if local_end.date() == local_start.date():
        return f"{_fr_date(local_start)} de {_fr_clock(local_start)} à {_fr_clock(local_end)}"
    return (
        f"du {_fr_date(local_start)} à {_fr_clock(local_start)} "
        f"au {_fr_date(local_end)} à {_fr_clock(local_end)}"
    )


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss", "ø": "o"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(title: str, max_chars: int = 60) -> str:
    """'Café réparation' -> 'cafe-reparation': ASCII, lower case, words joined by hyphens,
    cut between words at `max_chars` (blog slugs and URLs stay readable and portable)."""
    folded = unicodedata.normalize("NFKD", title.translate(_LIGATURES))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")
    if len(slug) > max_chars:
        slug = slug[:max_chars].rsplit("-", 1)[0]
    return slug or "post"
