"""Facebook Page adapter: posts to the Page's feed (text + link, or a photo with its caption).

An announcement of a published article is a short link post (title, one line, the
link) so Facebook shows the article's card; the article itself carries the rest.

Events cannot be created through the Graph API, so an event becomes a feed post
with its date, time and place written out in French. Requests go through
facebook-sdk 3.1 (`facebook.GraphAPI`) with a current Graph API version.

Limits worth knowing:
- the Graph API takes no idempotency key: after a lost answer, `find_existing`
  looks for the same message among the Page's posts, paging back (Graph gives 25
  a page by default) until posts older than the delivery's first attempt;
- when it cannot read that far back (more than `LOOKUP_PAGE * LOOKUP_PAGES` posts
  since, or a listing that stops short), it says it cannot tell, never "not there";
- it matches on the message text (whitespace-insensitive), so two identical posts
  cannot be told apart.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channels.facebook.channel import FacebookChannel
    from channels.facebook.settings import FacebookSettings


def __getattr__(name: str) -> Any:
    # Imported on first use: reading crosspost.toml validates the [channels.NAME] table
    # with `settings` alone (channels/registry.py), without the adapter and its modules.
    home = {"FacebookChannel": "channel", "FacebookSettings": "settings"}.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)


__all__ = ["FacebookChannel", "FacebookSettings"]
