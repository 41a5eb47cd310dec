"""An item's own text for some channels: officers write shorter posts for X and Bluesky.

Given as `--text-for CHANNEL=TEXT` (repeatable), `variants:` in front matter (a table
channel -> text) or a CSV `variants` cell ("x=Texte court | bluesky=Autre texte").
On that channel the variant is the whole post text, in place of the title and the body;
the item's link, image, tags and event details are added by the channel as usual.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from crosspost.domain import Item
from crosspost.errors import InputError
from crosspost.i18n import _

if TYPE_CHECKING:
    from crosspost.config import Settings


def parse_variants(values: list[str] | dict[str, str], channels: set[str]) -> dict[str, str]:
    """{channel: text}, each channel one of `channels` and each text not empty."""
    pairs: list[tuple[str, str]] = []
    if isinstance(values, dict):
        pairs = [(str(k), str(v)) for k, v in values.items()]
    else:
        for value in values:
            name, sep, text = str(value).partition("=")
            if not sep:
                raise InputError(
                    _(
                        '{value!r}: expected CHANNEL=text, e.g. "twitter=AG samedi 14 h : venez !"'
                    ).format(value=value)
                )
            pairs.append((name, text))
    out: dict[str, str] = {}
    for name, text in pairs:
        name, text = name.strip(), text.strip()
        if name not in channels:
            raise InputError(
                _("{name!r} is not a channel of crosspost.toml; expected one of {known}").format(
                    name=name, known=", ".join(sorted(channels))
                )
            )
        if not text:
            raise InputError(_("the text for {name} is empty").format(name=name))
        out[name] = text
    return out


def for_channel(item: Item, channel: str) -> Item:
    """The item as `channel` posts it: its variant, when it has one, as the whole text."""
    text = item.variants.get(channel)
    if text is None:
        return item
    return replace(item, title=text, body="")


def as_posted(settings: Settings, item: Item, channel: str, step: str) -> Item:
    """The item as one delivery posts it: a sequence step in that step's wording, the
    item's own post in the officer's text for the channel when there is one."""
    if step:
        from crosspost.sequences.plan import step_item

        return step_item(settings, item, channel, step)
    return for_channel(item, channel)
