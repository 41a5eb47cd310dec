"""Markdown to safe HTML or plain text, and event dates people read: core and adapters alike.

Dates are written the French way by default (the officers we serve), in the
configured time zone: "samedi 12 décembre 2026 de 14h00 à 18h00".
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import cache
from typing import Any
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


#: Characters where CommonMark's inline parser stops a run of plain text (its "terminators").
_TERMINATORS = re.compile(r"[\n!#$%&*+\-:<=>@\[\\\]^_`{}~]")
#: A character a verbatim run may not follow: it would be inside a word, an entity or a path.
_GLUED = r"(?<![\w&/.@#+-])"
#: What passes to the post exactly as typed, emphasis marks and "&" included: bare links
#: (trailing punctuation and an unbalanced ")" left out, as GitHub's autolinks do; square
#: brackets end a link, so "[https://…](https://…)" stays a Markdown link),
#: e-mail addresses, hashtags and @mentions (Mastodon's @name@instance too).
_VERBATIM = re.compile(
    _GLUED
    + r"""(?:
        (?P<link>(?:https?://|www\.)[^\s<>"«»“”\[\]]*)
      | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
      | [#@]\w+(?:@[\w-]+(?:\.[\w-]+)+)?
    )""",
    re.VERBOSE,
)
_TRAILING = ".,:;!?'\"\u2019*_~"  # \u2019: the typographic apostrophe


def _link_end(text: str) -> int:
    """Where a bare link really ends: without trailing punctuation or an unbalanced ")"."""
    end = len(text)
    while end:
        last = text[end - 1]
        unbalanced = last == ")" and text.count(")", 0, end) > text.count("(", 0, end)
        if last not in _TRAILING and not unbalanced:
            break
        end -= 1
    return end


def _verbatim_span(src: str, start: int) -> int | None:
    """The end of a link, address, hashtag or mention starting at `start`, if one does."""
    match = _VERBATIM.match(src, start)
    if match is None:
        return None
    if match.group("link") is None:
        return match.end()
    end = start + _link_end(match.group())
    return end if end > start + len("www.") else None


def _verbatim_rule(state: Any, silent: bool) -> bool:
    """markdown-it inline rule: keep links, hashtags and mentions as typed.

    Tried before the plain-text rule wherever the parser stops, it looks only at the
    coming run of plain text (up to the next character Markdown may give a meaning),
    so it never reaches into a code span, a link's brackets or an HTML entity.
    """
    src, pos = state.src, state.pos
    stop = _TERMINATORS.search(src, pos, state.posMax)
    window_end = stop.start() if stop else state.posMax
    for start in range(pos, min(window_end + 1, state.posMax)):
        if start > pos and src[start - 1].isalnum():
            continue  # not the start of a word
        end = _verbatim_span(src, start)
        if end is None:
            continue
        end = min(end, state.posMax)
        if not silent:
            state.pending += src[pos:start]
            token = state.push("text", "", 0)
            token.content = src[start:end]
        state.pos = end
        return True
    return False


@cache
def _parser() -> Any:
    """A CommonMark parser (with ~~strikethrough~~) that leaves links as the officer typed them.

    Raw HTML is off so "<3" or "<b>" reach the post as typed; markdown-it's default
    link normalisation (percent-encoding "É", punycode) is turned off for the same reason.
    """
    from markdown_it import MarkdownIt

    class Parser(MarkdownIt):
        def normalizeLink(self, url: str) -> str:
            return url

        def normalizeLinkText(self, link: str) -> str:
            return link

        def validateLink(self, url: str) -> bool:
            # The output is plain text, never a link: a `[x](javascript:...)` read as a
            # link becomes "x (javascript:...)", harmless words, rather than staying
            # Markdown that a blog theme would later render as a live link.
            return True

    parser = Parser("commonmark", {"html": False}).enable("strikethrough")
    parser.inline.ruler.before("text", "verbatim", _verbatim_rule)
    return parser


def markdown_to_plain(text: str) -> str:
    """Markdown as plain text for social posts: links become 'label (url)', marks go.

    Links, hashtags and @mentions come out byte for byte as typed; headings, quotes
    and paragraphs lose their marks, bullets become "• ", images their alt text.
    """
    from markdown_it.tree import SyntaxTreeNode

    tree = SyntaxTreeNode(_parser().parse(text))
    plain = _block(tree)
    return re.sub(r"\n{3,}", "\n\n", plain).strip()


#: About how long the one line of an announcement is (Facebook shows ~2 lines before "See more").
LEAD_CHARS = 200
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")


def lead_of(text: str, max_chars: int = LEAD_CHARS) -> str:
    """The line that announces an article: its first paragraph, else as many of its first
    sentences as fit in `max_chars`, else its start cut between words (with "…")."""
    from markdown_it.tree import SyntaxTreeNode

    tree = SyntaxTreeNode(_parser().parse(text))
    paragraph = next((node for node in tree.walk() if node.type == "paragraph"), None)
    first = " ".join(_block(paragraph).split()) if paragraph is not None else ""
    if len(first) <= max_chars:
        return first
    ends = [m.end() for m in _SENTENCE_END.finditer(first) if m.end() <= max_chars]
    if ends:
        return first[: ends[-1]]
    cut = first[: max_chars - 1]
    if not first[max_chars - 1].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # never half a word, nor half a link
    return cut.rstrip(" ,;:") + "…"


def _block(node: Any) -> str:
    """One block node (paragraph, list, quote...) as plain text."""
    kind = node.type
    if kind in ("paragraph", "heading"):
        return "".join(_inline(child) for child in node.children)
    if kind == "inline":
        return "".join(_inline(child) for child in node.children)
    if kind in ("fence", "code_block"):
        return str(node.content).rstrip("\n")
    if kind == "hr":
        return str(node.markup)
    if kind in ("bullet_list", "ordered_list"):
        return "\n".join(_list_item(item, kind) for item in node.children)
    if kind == "list_item":
        return "\n".join(_block(child) for child in node.children)
    # root, blockquote: their blocks, a blank line apart
    return "\n\n".join(filter(None, (_block(child) for child in node.children)))


def _list_item(item: Any, kind: str) -> str:
    """'• text' (or '2. text' as numbered), the item's further lines indented below it."""
    marker = f"{item.info}{item.markup} " if kind == "ordered_list" else "• "
    lines = _block(item).split("\n")
    indent = " " * len(marker)
    return marker + "\n".join([lines[0], *(indent + line if line else line for line in lines[1:])])


def _inline(node: Any) -> str:
    """One inline node as plain text: marks dropped, links as 'label (url)'."""
    kind = node.type
    if kind in ("text", "code_inline"):
        return str(node.content)
    if kind in ("softbreak", "hardbreak"):
        return "\n"
    label = "".join(_inline(child) for child in node.children)
    if kind == "image":
        return label
    if kind == "link":
        url = str(node.attrs.get("href", ""))
        if node.markup == "autolink" or not label or label in (url, url.removeprefix("mailto:")):
            return label or url
        return f"{label} ({url})"
    return label  # em, strong, s


def _fr_clock(moment: datetime) -> str:
    return f"{moment.hour}h{moment.minute:02d}"


def _fr_date(moment: datetime) -> str:
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{_FR_DAYS[moment.weekday()]} {day} {_FR_MONTHS[moment.month - 1]} {moment.year}"


def event_when(start: datetime, end: datetime | None, zone: ZoneInfo) -> str:
    """'samedi 12 décembre 2026 de 14h00 à 18h00' (or across days), in the local zone;
    with French typography 'samedi 12 décembre de 14 h à 18 h' (crosspost.typography)."""
    from crosspost import typography

    if typography.current().french:
        return typography.event_when(start, end, zone)
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


def unique_names(names: tuple[str, ...]) -> list[str]:
    """Names (tags) without blanks or case-insensitive repeats, in order: "Lyon" and "lyon"
    are one tag to WordPress and Mobilizon."""
    seen: set[str] = set()
    kept = []
    for name in (n.strip() for n in names):
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return kept
