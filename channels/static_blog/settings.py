"""The `[channels.NAME]` model of type "static-blog"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from channels.base import ChannelSettings, beside_config


class StaticBlogSettings(ChannelSettings):
    """`[channels.NAME]` for type "static-blog"."""

    #: Directory of the site; relative to the directory holding crosspost.toml.
    path: Path = Field(default=Path("site"), validate_default=True)
    #: Where the site is served; by default its file:// URI, so links work from disk.
    site_url: str = Field(default="", validate_default=True)
    title: str = "Blog"
    author: str = "Crosspost"
    layout: Literal["hugo", "jekyll"] = "hugo"

    @field_validator("path")
    @classmethod
    def _resolve_path(cls, value: Path, info: ValidationInfo) -> Path:
        return beside_config(value, info).resolve()

    @field_validator("site_url")
    @classmethod
    def _default_site_url(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            path = info.data.get("path")
            if not isinstance(path, Path):
                return value  # path itself is invalid and reported
            value = path.as_uri()
        if not re.match(r"(https?|file)://", value):
            raise ValueError("site_url must start with https://, http:// or file://")
        return value if value.endswith("/") else value + "/"
