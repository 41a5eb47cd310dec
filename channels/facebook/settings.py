"""Facebook's limits and the `[channels.NAME]` model of a Page."""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import field_validator

from channels.base import ChannelSettings, env_name

#: Longest message Facebook accepts on a Page post.
MAX_MESSAGE = 63_206
#: Largest photo the Pages API accepts.
MAX_IMAGE_BYTES = 4 * 1024 * 1024
#: Posts asked per page by find_existing (Graph gives 25 unless asked, at most 100).
LOOKUP_PAGE = 100
#: Pages find_existing reads before it gives up telling (2,000 posts since the attempt).
LOOKUP_PAGES = 20
#: The fields find_existing reads of each listed post.
LOOKUP_FIELDS = "id,message,created_time,permalink_url"
#: Wait used when Facebook rate-limits without saying for how long.
DEFAULT_RATE_LIMIT_WAIT = timedelta(minutes=15)
#: Tolerated clock difference between us and Facebook when matching posts by time.
CLOCK_SLACK = timedelta(minutes=5)
#: Where a post can be opened by its id ("<page id>_<post id>").
POST_URL = "https://www.facebook.com/{post_id}"

_VERSION = re.compile(r"v\d{1,2}\.\d")
USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Page-Usage")


class FacebookSettings(ChannelSettings):
    """`[channels.NAME]` for a Facebook Page."""

    #: The numeric id of the Page (Page settings > About > Page ID).
    page_id: str
    graph_version: str = "v25.0"
    api_base: str = "https://graph.facebook.com"
    #: Name of the variable (environment or secrets file) holding the Page access token.
    page_token_env: str = "FB_PAGE_TOKEN"

    @field_validator("page_id", mode="before")
    @classmethod
    def _page_id_digits(cls, value: object) -> object:
        # TOML users often write the id unquoted: accept the integer as its digits.
        text = str(value).strip() if isinstance(value, int | str) else value
        if not (isinstance(text, str) and text.isdigit()):
            raise ValueError(
                f"page_id must be the Page's numeric id (e.g. 1234567890), got {value!r}"
            )
        return text

    @field_validator("graph_version")
    @classmethod
    def _version_form(cls, value: str) -> str:
        if not _VERSION.fullmatch(value):
            raise ValueError(f"graph_version must look like v21.0, got {value!r}")
        return value

    @field_validator("api_base")
    @classmethod
    def _http_base(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"api_base must start with https:// (got {value!r})")
        return value.rstrip("/")

    @field_validator("page_token_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        return env_name("page_token_env", value, "FB_PAGE_TOKEN")
