"""X's limits and the `[channels.NAME]` model of type "twitter"."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from channels.base import ChannelSettings

#: X's limit, in weighted characters.
LIMIT = 280
UNIT = "weighted characters"
#: The host tweepy writes into every URL; our session swaps it for `api_base`.
TWEEPY_HOST = "https://api.twitter.com"
#: X's own host for API v2 (tweepy still builds its URLs on the old name; they are rebased).
X_HOST = "https://api.x.com"
#: The one-shot upload takes images up to this size (larger ones need the chunked flow).
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: Image types `POST /2/media/upload` accepts with media_category=tweet_image.
IMAGE_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/bmp": "BMP",
    "image/tiff": "TIFF",
}
#: X keeps up to this many characters of alt text.
MAX_ALT_TEXT = 1000
#: How many recent posts find_existing reads (X allows 5 to 100 per page).
LOOKUP_PAGE = 100
#: X serves at most the 3,200 latest posts of a timeline: find_existing reads that far.
LOOKUP_PAGES = 32
ELLIPSIS = "…"


class TwitterSettings(ChannelSettings):
    """`[channels.NAME]` for type "twitter": where the four OAuth 1.0a secrets live, and how
    an overlong text is handled."""

    api_key_env: str = Field(default="X_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    api_secret_env: str = Field(default="X_API_SECRET", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    access_token_env: str = Field(default="X_ACCESS_TOKEN", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    access_secret_env: str = Field(
        default="X_ACCESS_TOKEN_SECRET", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$"
    )
    #: Where POST /2/tweets and the user look-ups go (a local fake server in tests).
    api_base: str = X_HOST
    #: Where media uploads and alt text go.
    upload_base: str = "https://api.x.com"
    #: Too long for one post: a numbered thread, or one post cut short (link kept).
    overflow: Literal["thread", "truncate"] = "thread"
    #: The account's @name, for post links (else X's /i/web/status/ links, which redirect).
    username: str | None = None
    #: Turn the item's tags into hashtags when they fit.
    hashtags: bool = True
    #: The longest thread accepted: a longer text is refused when it is queued (write a
    #: blog post and announce it instead), never sent as hundreds of posts.
    max_thread: int = Field(default=10, ge=1)
    #: X charges per use: the most this channel may spend in a calendar month (dollars).
    #: A post that would go over is held until the next month, never sent.
    budget_per_month: Decimal | None = Field(default=None, ge=0)
    #: X's prices (pay per use, February 2026); they change, so they are settings.
    price_per_post: Decimal = Field(default=Decimal("0.015"), ge=0)
    price_per_post_with_link: Decimal = Field(default=Decimal("0.20"), ge=0)
    price_per_read: Decimal = Field(default=Decimal("0.001"), ge=0)
    #: False: posts leave the item's link out (X charges a post with a link 13 times
    #: more); announcements keep theirs, since the link is what they announce.
    links: bool = True

    @field_validator("api_base", "upload_base")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("username")
    @classmethod
    def _no_at(cls, value: str | None) -> str | None:
        return (value.lstrip("@") or None) if value else None
