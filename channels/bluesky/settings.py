"""Bluesky's limits and the `[channels.NAME]` model of type "bluesky"."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from channels.base import ChannelSettings, beside_config, env_name

#: Bluesky's limits of app.bsky.feed.post's text.
LIMIT = 300
MAX_BYTES = 3000
UNIT = "graphemes"
#: app.bsky.embed.images takes up to 4 images of up to 1,000,000 bytes each.
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF"}
#: How long a card's description may be before it is cut (the app shows about 3 lines).
CARD_DESCRIPTION = 300
POST = "app.bsky.feed.post"
ELLIPSIS = "…"


class BlueskySettings(ChannelSettings):
    """`[channels.NAME]` for type "bluesky": the account, where its app password lives, the
    server, the posts' language and where the session is kept."""

    #: The account's handle ("asso.bsky.social"); else read from `handle_env`.
    handle: str | None = None
    handle_env: str = "BLUESKY_HANDLE"
    #: An app password (Settings > Privacy and security > App passwords), never the password.
    app_password_env: str = "BLUESKY_APP_PASSWORD"
    #: The account's server (its PDS, or bsky.social which sends each account to its own).
    service: str = "https://bsky.social"
    #: The posts' language, as `langs` (BCP 47).
    language: str = Field(default="fr", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
    #: Turn the item's tags into hashtags when they fit.
    hashtags: bool = True
    #: Where the session (access and refresh tokens) is kept, mode 600; "{channel}" is the
    #: channel's name, and a relative path is relative to crosspost.toml.
    session_file: Path = Path("bluesky-{channel}.session")

    @field_validator("service")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"expected the server's URL, like https://bsky.social, not {value!r}")
        return value.rstrip("/")

    @field_validator("handle")
    @classmethod
    def _no_at(cls, value: str | None) -> str | None:
        return (value.strip().lstrip("@") or None) if value else None

    @field_validator("handle_env", "app_password_env")
    @classmethod
    def _env_name(cls, value: str, info: ValidationInfo) -> str:
        name = str(info.field_name)
        return env_name(name, value, str(cls.model_fields[name].default))

    @field_validator("session_file", mode="after")
    @classmethod
    def _beside_config(cls, value: Path, info: ValidationInfo) -> Path:
        return beside_config(value, info)

    # A default is validated too, so the default file is beside crosspost.toml as well.
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
