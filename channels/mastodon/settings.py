"""`[channels.NAME]` for type "mastodon": the instance, where the token lives, how statuses look."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from channels.base import ChannelSettings, env_name

#: What an officer may write in `visibility` (Mastodon's own four words).
Visibility = Literal["public", "unlisted", "private", "direct"]


class MastodonSettings(ChannelSettings):
    """Any Mastodon instance, one account on it, its access token from the environment or the
    secrets file."""

    #: The instance's address ("https://mastodon.social"), where the account lives.
    instance_url: str
    #: The variable (environment or secrets file) that holds the account's access token.
    token_env: str = "MASTODON_ACCESS_TOKEN"
    #: The statuses' language, ISO 639 ("fr"): it lets readers filter and translate.
    language: str = Field(default="fr", pattern=r"^[a-z]{2,3}$")
    #: Who sees the statuses: public, unlisted (not in public timelines), private
    #: (followers only) or direct (mentioned people only).
    visibility: Visibility = "public"
    #: A content warning shown before every status of this channel (spoiler_text); it
    #: counts in the instance's limit.
    content_warning: str | None = None
    #: Mark the images sensitive (hidden until clicked); a content warning implies it.
    sensitive: bool = False
    #: Turn the item's tags into hashtags when they fit.
    hashtags: bool = True
    #: The longest thread accepted: a longer text is refused when it is queued.
    max_thread: int = Field(default=10, ge=1)
    #: The instance's limits, when they must not be read from GET /api/v2/instance.
    max_characters: int | None = Field(default=None, ge=1)
    characters_reserved_per_url: int | None = Field(default=None, ge=0)
    #: How long to wait for the instance to process an uploaded image (it answers 202).
    media_wait: float = Field(default=60.0, gt=0)

    @field_validator("instance_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(
                f"expected the instance's address, like https://mastodon.social, not {value!r}"
            )
        return value.rstrip("/")

    @field_validator("token_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        return env_name("token_env", value, "MASTODON_ACCESS_TOKEN")

    @field_validator("content_warning")
    @classmethod
    def _warning(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value else None
