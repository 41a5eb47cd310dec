"""French typography for what is published: spaces before ; : ! ?, guillemets, times, dates.

With `typography = "fr"` (the default when `language = "fr"`), every post and page
goes out as a French proofreader would set it:

- a narrow no-break space (U+202F) before `;` `:` `!` `?` and inside « guillemets »,
  so a line never starts with a lone "!" -- but never inside a web address, an
  e-mail address, a hashtag, a @mention, an emoji shortcode (`:tada:`), a time
  such as 14:30, an HTML entity, or code;
- times as `14 h` and `14 h 30` (a no-break space, U+00A0, inside);
- event dates without the year when it is the year the post goes out
  ("samedi 12 décembre à 14 h"), ranges "de 14 h à 18 h" and "du samedi 3 au
  dimanche 4 juillet", and an evening ending after midnight "jusqu'à 1 h".

`render()` is the one place a channel renders an item: it sets the item's title,
Markdown body, place and alt text, and the style crosspost/text.py writes event
dates in, for that render only.
Channels count what comes out with their own rules: on X, twitter-text weighs
U+202F as 2 (it is outside its weight-1 ranges), U+00A0 as 1; on Bluesky both
are one grapheme (U+202F is 3 bytes of the 3000 a post may hold).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from channels.base import Channel, RenderContext, Rendered
    from crosspost.domain import Item

Typography = Literal["fr", "none"]
TYPOGRAPHIES: tuple[Typography, ...] = ("fr", "none")

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


@dataclass(frozen=True)
class Style:
    """How the text being rendered is set: French or as typed, and the year it goes out in."""

    typography: Typography = "none"
    #: The local year the post is published in: dates of that year lose their year.
    year: int | None = None

    @property
    def french(self) -> bool:
        return self.typography == "fr"


_AS_TYPED = Style()
_style: ContextVar[Style | None] = ContextVar("crosspost_typography", default=None)


def current() -> Style:
    """The style of the render under way (outside one: text as typed)."""
    return _style.get() or _AS_TYPED


@contextmanager
def styled(style: Style | None) -> Iterator[None]:
    token = _style.set(style)
    try:
        yield
    finally:
        _style.reset(token)


def render(channel: Channel, item: Item, context: RenderContext) -> Rendered:
    """What `channel` publishes for `item`, set in the context's typography."""
    year = None
    if item.requested_at is not None:
        year = item.requested_at.astimezone(context.timezone).year
    style = Style("fr" if context.typography == "fr" else "none", year)
    with styled(style):
        if style.french:
            item = replace(
                item,
                title=polish(item.title),
                body=polish_markdown(item.body),
                location=polish(item.location) if item.location else item.location,
                image_alt=polish(item.image_alt) if item.image_alt else item.image_alt,
            )
        return channel.render(item, context)


# ---------------------------------------------------------------- spaces

#: Stand for spans left exactly as typed while the rules run (private use, never typed):
#: one that reads as the end of a word (a link, code, a closing tag), one that reads as
#: a boundary (an opening tag, "!["), after which no space is added, and a code block.
_WORD, _BOUNDARY, _BLOCK = "\ue002", "\ue003", "\ue004"
_PLACEHOLDER = re.compile("[\ue002\ue003]")
_ANY_PLACEHOLDER = re.compile("[\ue002-\ue004]")
#: What is never touched, in plain text as in Markdown. Each starts where a run
#: starts (possessive runs, look-behinds), so a long text is read in linear time.
_TEXT_KEPT = r"""
      (?:https?://|www\.)[^\s<>"«»\u202f\u00a0]*[^\s<>"«»\u202f\u00a0.,:;!?'\u2019)\]]  # address
    | (?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+    # e-mail address
    | [#@]\w++(?:@[\w-]+(?:\.[\w-]+)+)?            # hashtag, @mention
    | :[a-z0-9_+-]++:                              # emoji shortcode
    | \d{1,2}:\d{2}                                # a time as 14:30
"""
_PLAIN_KEPT = re.compile(_TEXT_KEPT, re.VERBOSE | re.IGNORECASE)
#: Markdown's inline syntax, kept as typed (code blocks are found line by line).
_MARKDOWN_BOUNDARY = r"""
      ^[ ]{0,3}\[[^\]\n]+\]:[^\n]*$                              # [label]: address
    | <(?!/)[^>\n]*>                                              # opening tag, <autolink>
    | !\[                                                         # an image starts
"""
_MARKDOWN_WORD = r"""
      (?<!`)(?P<ticks>`++)[^`](?:(?!\n[ \t]*\n).)*?(?<!`)(?P=ticks)(?!`)  # `code`, in a paragraph
    | \]\([^)\s]*(?:\s+"[^"]*")?\)                                # ](address "title")
    | </[^>\n]*>                                                  # closing tag
    | \\[^\n]                                                     # \! an escaped mark
    | &\#?\w+;                                                     # &amp;
"""
_MARKDOWN_KEPT = re.compile(
    f"(?P<boundary>{_MARKDOWN_BOUNDARY})|{_MARKDOWN_WORD}|{_TEXT_KEPT}",
    re.VERBOSE | re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
_FENCE_OPENS = re.compile(r"^ {0,3}(`{3,}+|~{3,}+)")
_INDENTED = re.compile(r"^(?: {4}|\t)")


def _code_blocks(source: str) -> tuple[str, list[str]]:
    """`source` with each fenced or indented code block replaced by one placeholder,
    found line by line as CommonMark does (a fence never closed runs to the end)."""
    out: list[str] = []
    blocks: list[str] = []
    block: list[str] = []
    fence = ""

    def close() -> None:
        blocks.append("\n".join(block))
        out.append(_BLOCK)
        block.clear()

    previous_blank = True
    for line in source.split("\n"):
        if fence:
            block.append(line)
            if _closes(line, fence):
                fence = ""
                close()
        elif opened := _FENCE_OPENS.match(line):
            if block:
                close()
            block.append(line)
            fence = opened[1]
        elif line.strip() and _INDENTED.match(line) and (previous_blank or block):
            block.append(line)  # indented code cannot interrupt a paragraph
        else:
            if block:
                close()
            out.append(line)
        previous_blank = not line.strip()
    if block:
        close()
    return "\n".join(out), blocks


def _closes(line: str, fence: str) -> bool:
    """Whether `line` closes a block opened by `fence` (the same mark, as many or more)."""
    marks = line.lstrip(" ")
    bare = marks.rstrip(" \t")
    return (
        len(line) - len(marks) <= 3
        and bool(bare)
        and set(bare) == {fence[0]}
        and len(bare) >= len(fence)
    )


_SPACES = "[ \u00a0\u202f]*"
#: What a space before a mark may follow: not a space, an opening bracket or quote,
#: another mark ("?!" stays together), nor a boundary.
_AFTER = "(?<=[^\\s;:!?(\\[{«“\ue003\ue004])"
_BEFORE_MARK = re.compile(rf"{_AFTER}{_SPACES}(?=[;!?])")
_BEFORE_COLON = re.compile(rf"{_AFTER}{_SPACES}(?=:(?:\s|$))", re.MULTILINE)
_OPEN_QUOTE = re.compile(rf"«{_SPACES}(?=\S)")
_CLOSE_QUOTE = re.compile(rf"(?<=\S){_SPACES}»")
_TIME = re.compile(r"(?<![\w:.,/])([01]?\d|2[0-3]) ?h ?([0-5]\d)?(?![\w:])")


def _set(text: str) -> str:
    text = _BEFORE_MARK.sub(NARROW_NBSP, text)
    text = _BEFORE_COLON.sub(NARROW_NBSP, text)
    text = _OPEN_QUOTE.sub("«" + NARROW_NBSP, text)
    text = _CLOSE_QUOTE.sub(NARROW_NBSP + "»", text)
    return _TIME.sub(_time, text)


def _time(match: re.Match[str]) -> str:
    hour, minute = match[1], match[2]
    return f"{int(hour)}{NBSP}h{NBSP}{minute}" if minute else f"{int(hour)}{NBSP}h"


def _set_around(text: str, kept_pattern: re.Pattern[str]) -> str:
    """`text` set by the rules, each span the pattern matches left exactly as typed."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group())
        return _BOUNDARY if match.groupdict().get("boundary") else _WORD

    shielded = kept_pattern.sub(keep, text)
    spans = iter(kept)
    return _PLACEHOLDER.sub(lambda _m: next(spans), _set(shielded))


def polish(text: str) -> str:
    """Plain text (a title, a place, an alt text) set the French way."""
    if _ANY_PLACEHOLDER.search(text):
        return text  # a kept span could not be told from the text: leave it as typed
    return _set_around(text, _PLAIN_KEPT)


def polish_markdown(source: str) -> str:
    """Markdown whose text is set the French way; its code, links, addresses and
    syntax are left exactly as typed, so it renders to the same structure."""
    if _ANY_PLACEHOLDER.search(source):
        return source
    text, blocks = _code_blocks(source)
    spans = iter(blocks)
    return re.sub(_BLOCK, lambda _m: next(spans), _set_around(text, _MARKDOWN_KEPT))


# ---------------------------------------------------------------- event dates

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
#: An event ending the next day before this hour is an evening, not two days.
_NIGHT_ENDS_BY = 6


def clock(moment: datetime) -> str:
    """'14 h', '14 h 30', 'minuit' (no-break spaces inside)."""
    if moment.hour == 0 and moment.minute == 0:
        return "minuit"
    minutes = f"{NBSP}{moment.minute:02d}" if moment.minute else ""
    return f"{moment.hour}{NBSP}h{minutes}"


def _day(moment: datetime, *, year: int | None, month: bool = True) -> str:
    number = "1er" if moment.day == 1 else str(moment.day)
    text = f"{_DAYS[moment.weekday()]} {number}"
    if month:
        text += f" {_MONTHS[moment.month - 1]}"
        if moment.year != year:
            text += f" {moment.year}"
    return text


def event_when(start: datetime, end: datetime | None, zone: ZoneInfo) -> str:
    """'samedi 12 décembre à 14 h', '... de 14 h à 18 h', '... de 20 h jusqu'à 1 h',
    'du samedi 3 au dimanche 4 juillet', in the local zone (the year only when it is
    not the year the post goes out)."""
    year = current().year
    if year is None:
        from crosspost.clock import utcnow

        year = utcnow().astimezone(zone).year
    first = start.astimezone(zone)
    if end is None:
        return f"{_day(first, year=year)} à {clock(first)}"
    last = end.astimezone(zone)
    if last.date() == first.date():
        return f"{_day(first, year=year)} de {clock(first)} à {clock(last)}"
    next_day = first.date() + timedelta(days=1)
    if last.date() == next_day and (last.hour, last.minute) <= (_NIGHT_ENDS_BY, 0):
        if last.hour == 0 and last.minute == 0:
            return f"{_day(first, year=year)} de {clock(first)} à minuit"
        return f"{_day(first, year=year)} de {clock(first)} jusqu'à {clock(last)}"
    same_month = (first.year, first.month) == (last.year, last.month)
    whole_days = first.time() == last.time() == datetime.min.time()
    if whole_days:
        # Midnight to midnight: the last day is the one before the end.
        last = last - timedelta(days=1)
        same_month = (first.year, first.month) == (last.year, last.month)
        if last.date() == first.date():
            return _day(first, year=year)
        return f"du {_day(first, year=year, month=not same_month)} au {_day(last, year=year)}"
    return (
        f"du {_day(first, year=year, month=not same_month)} à {clock(first)} "
        f"au {_day(last, year=year)} à {clock(last)}"
    )
