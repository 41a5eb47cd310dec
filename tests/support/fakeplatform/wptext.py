"""WordPress's text habits, closely enough for a fake: slugs, curly quotes, paragraphs, excerpts.

These follow sanitize_title(), wptexturize(), wpautop() and wp_trim_excerpt() in their
common cases; they are not byte-for-byte ports.
"""

from __future__ import annotations

import html
import re
import unicodedata

#: remove_accents() spells out letters that Unicode does not decompose.
_SPELLED_OUT = {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ø": "o", "Ø": "O"}
_SPELLED_OUT.update({"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH"})
_BLOCK_TAG = re.compile(
    r"<(p|h[1-6]|ul|ol|li|blockquote|figure|div|pre|table|hr|section|dl|form|address)\b",
    re.IGNORECASE,
)
EXCERPT_WORDS = 55


def sanitize_title(text: str) -> str:
    """The slug WordPress makes of a title: accents dropped, lower case, dashes."""
    text = re.sub(r"<[^>]*>", "", html.unescape(text))
    text = "".join(_SPELLED_OUT.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace(".", "-")
    text = re.sub(r"[^a-z0-9 _-]", "", text)
    text = re.sub(r"[\s]+", "-", text)
    return re.sub(r"-+", "-", text).strip("-")


def sanitize_file_name(name: str) -> str:
    """The file name WordPress stores an upload under."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    clean = sanitize_title(stem) or "file"
    return f"{clean}.{extension.lower()}" if extension else clean


def texturize(text: str) -> str:
    """Curly quotes, dashes and ellipses as wptexturize() renders them, bare & escaped."""
    text = re.sub(r"&(?!#?\w+;)", "&#038;", text)
    text = text.replace("...", "&#8230;").replace(" -- ", " &#8212; ").replace(" - ", " &#8211; ")
    text = re.sub(r"(^|[\s(\[])'", r"\1&#8216;", text)
    text = text.replace("'", "&#8217;")
    text = re.sub(r'(^|[\s(\[])"', r"\1&#8220;", text)
    return text.replace('"', "&#8221;")


def autop(content: str) -> str:
    """Content as the_content renders it: blocks kept, loose text in paragraphs."""
    if "<!-- wp:" in content:
        return re.sub(r"\s*<!-- /?wp:[^>]*-->\s*", "\n", content).strip() + "\n"
    chunks = [c.strip() for c in re.split(r"\n\s*\n", content.strip()) if c.strip()]
    rendered = [chunk if _BLOCK_TAG.match(chunk) else _paragraph(chunk) for chunk in chunks]
    return "\n".join(rendered) + "\n" if rendered else ""


def _paragraph(text: str) -> str:
    lines = texturize(text).split("\n")
    return "<p>" + "<br />\n".join(lines) + "</p>"


def excerpt_from(content: str) -> str:
    """The automatic excerpt: the first 55 words of the text, then [&hellip;]."""
    text = re.sub(r"<!--.*?-->|<[^>]*>", " ", content, flags=re.DOTALL)
    words = html.unescape(text).split()
    if not words:
        return ""
    shown = " ".join(words[:EXCERPT_WORDS])
    more = " [&hellip;]" if len(words) > EXCERPT_WORDS else ""
    return f"<p>{texturize(shown)}{more}</p>\n"
