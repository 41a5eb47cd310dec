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

from typing import TYPE_CHECKING

from channels.lazy import lazy_exports

if TYPE_CHECKING:
    from channels.facebook.channel import FacebookChannel
    from channels.facebook.settings import FacebookSettings


__getattr__ = lazy_exports(__name__, {"FacebookChannel": "channel", "FacebookSettings": "settings"})


__all__ = ["FacebookChannel", "FacebookSettings"]
