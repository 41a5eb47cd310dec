"""Mastodon: statuses on any instance through its REST API, exactly once by Idempotency-Key.

The modules, each with one job: `settings` (the `[channels.NAME]` table), `text`
(Mastodon's count, threads, reading a status back), `render` (what the officer
sees, the exact requests), `media` (the image, its alt text, the wait for 202),
`api` (one function per endpoint), `errors` (what each failure means), and
`channel` (the adapter the engine calls).
"""

from typing import TYPE_CHECKING

from channels.lazy import lazy_exports

if TYPE_CHECKING:
    from channels.mastodon.channel import MastodonChannel
    from channels.mastodon.settings import MastodonSettings


__getattr__ = lazy_exports(__name__, {"MastodonChannel": "channel", "MastodonSettings": "settings"})


__all__ = ["MastodonChannel", "MastodonSettings"]
