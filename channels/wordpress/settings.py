"""The `[channels.NAME]` model of a WordPress site, and what the adapter assumes of one."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal
from urllib.parse import urlsplit

from pydantic import field_validator

from channels.base import ChannelSettings, env_name

#: The rel of the Link header by which a WordPress site announces its REST API root.
API_REL = "https://api.w.org/"
#: Image types WordPress accepts for upload by default, as their content says (sniffed).
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WebP"}
#: Wait used when WordPress (or its host) answers 429 without a usable Retry-After.
DEFAULT_RATE_LIMIT_WAIT = timedelta(minutes=1)
#: Longest excerpt we write; WordPress's own automatic excerpt is 55 words.
EXCERPT_CHARS = 300
#: Longest part of the slug taken from the title (WordPress allows 200 in all).
SLUG_TITLE_CHARS = 60
ROLE_HINT = (
    "the WordPress user needs the Author role or above to publish "
    "(Contributor is enough for drafts; creating a category needs Editor)"
)


class WordPressSettings(ChannelSettings):
    """`[channels.NAME]` for a WordPress site."""

    #: The site's address, as visitors type it (https://blog.example.org).
    site_url: str
    #: The WordPress user the application password belongs to.
    username: str
    #: Name of the variable (environment or secrets file) holding the application password.
    app_password_env: str = "WP_APP_PASSWORD"
    status: Literal["publish", "draft"] = "publish"
    #: Category every post goes in (created if missing); WordPress's default if unset.
    category: str | None = None
    #: The REST API root, when it cannot be discovered from the site
    #: (https://example.org/wp-json/ or https://example.org/?rest_route=/).
    rest_root: str | None = None

    @field_validator("site_url", "rest_root")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http(s) address like https://example.org, got {value!r}")
        return value.strip()

    @field_validator("site_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("username", "category")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value.strip() if value is not None else None

    @field_validator("app_password_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        return env_name("app_password_env", value, "WP_APP_PASSWORD")
