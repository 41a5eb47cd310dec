"""WordPress adapter: publishes a post through the REST API (wp/v2) with an application password.

The post carries the Markdown body as sanitised HTML, an excerpt, the item's tags
(found by name or created), the configured category, and the item's image as the
featured image. Events get their date and place at the top of the content.

How it stays idempotent: every delivery gets a deterministic slug (the title made
ASCII plus the first 8 characters of the delivery key), so `find_existing` (and
`publish` itself, before creating) can ask WordPress for the post by slug. The
featured image, uploaded first, is remembered through `save_progress` so a retry
does not upload it again.

Limits worth knowing:
- a post moved to the bin is not found again (WordPress's status=any leaves out
  trashed posts), so a retry after the officer binned it posts it anew;
- only the post creation can be Ambiguous: a failure while looking terms up,
  creating tags or uploading the image published nothing (at worst an unused
  image stays in the media library) and is Transient.
"""

from typing import TYPE_CHECKING

from channels.lazy import lazy_exports

if TYPE_CHECKING:
    from channels.wordpress.channel import WordPressChannel
    from channels.wordpress.settings import WordPressSettings


__getattr__ = lazy_exports(
    __name__, {"WordPressChannel": "channel", "WordPressSettings": "settings"}
)


__all__ = ["WordPressChannel", "WordPressSettings"]
