"""Bluesky: posts through the AT Protocol with the `atproto` SDK, a handle and an app password.

What an officer sees on Bluesky:

- a scoop or any other item: the title, a blank line, the body as plain text, then the link;
- an event: the title, then the date and time and the place, then the link;
- an announcement (role "announce"): the title above a link card of the announced post
  (its title, the start of its text, and the item's image as thumbnail).

Links, #hashtags and @mentions become rich-text facets (byte offsets in UTF-8, found
by the SDK's port of Bluesky's own detection); a mention whose handle does not
resolve stays plain text. The limit is 300 graphemes (what people see as one
character: an emoji with its skin tone is one) and 3,000 bytes; a longer text is a
thread of replies, each post numbered " 1/3". Tags become hashtags on a last line
while the post still fits in one. Posts carry `langs = [language]` ("fr").

Exactly once, by the platform's own means: each post of a delivery has a record key
(a TID) derived from the delivery, and is written with com.atproto.repo.putRecord
and `"swapRecord": null` ("only if nothing is there"), its createdAt the delivery's
due time, so every try sends the same bytes. A repeat answers a no-op or InvalidSwap:
the post is there, and is never doubled. find_existing reads that exact key back.

The session is kept in a mode-600 file (see channels/bluesky/session.py).
"""

from typing import TYPE_CHECKING

from channels.lazy import lazy_exports

if TYPE_CHECKING:
    from channels.bluesky.channel import BlueskyChannel
    from channels.bluesky.settings import BlueskySettings


__getattr__ = lazy_exports(__name__, {"BlueskyChannel": "channel", "BlueskySettings": "settings"})


__all__ = ["BlueskyChannel", "BlueskySettings"]
