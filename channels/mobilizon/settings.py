"""`[channels.NAME]` for type "mobilizon": the instance, the group, the account."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from channels.base import ChannelSettings, beside_config, env_name

_USERNAME = re.compile(r"^[a-z0-9_]+$")
#: Mobilizon's event categories (lib/mobilizon/events/categories.ex), lower-cased.
CATEGORIES = (
    "arts", "book_clubs", "business", "causes", "comedy", "crafts", "food_drink", "health",
    "music", "auto_boat_air", "community", "family_education", "fashion_beauty", "film_media",
    "games", "language_culture", "learning", "lgbtq", "movements_politics", "networking",
    "party", "performing_visual_arts", "pets", "photography", "outdoors_adventure",
    "spirituality_religion_beliefs", "science_tech", "sports", "theatre", "meeting",
)  # fmt: skip


class MobilizonSettings(ChannelSettings):
    """Where events go: a group of a Mobilizon instance, created by one of the account's
    profiles (a moderator or administrator of the group)."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    #: The instance's address (https://mobilizon.fr).
    instance_url: str
    #: The group's username, as in its address (…/@asso_exemple): "asso_exemple".
    group: str
    #: The profile that creates the events (its username); default: the account's default.
    identity: str | None = None
    #: The account's e-mail; else read from `email_env`.
    email: str | None = None
    email_env: str = "MOBILIZON_EMAIL"
    password_env: str = "MOBILIZON_PASSWORD"
    #: Who sees the events: "public" (listed, federated), "unlisted" (with the link) or
    #: "private" (the group's members and followers).
    visibility: Literal["public", "unlisted", "private"] = "public"
    #: How people join: "free", or "restricted" (the group accepts each participant).
    join_options: Literal["free", "restricted"] = "free"
    #: Mobilizon's category of the events (see CATEGORIES); Mobilizon's default is "meeting".
    category: str | None = None
    #: The events' language (an ISO 639 code).
    language: str = Field(default="fr", pattern=r"^[a-z]{2,3}$")
    #: The largest picture the instance takes (its upload_limit, 10 MB unless changed).
    max_picture_bytes: int = Field(default=10_485_760, ge=1)
    #: Where the session tokens are kept, mode 600; "{channel}" is the channel's name, and a
    #: relative path is relative to crosspost.toml.
    session_file: Path = Path("mobilizon-{channel}.session")

    @field_validator("instance_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value.strip()):
            raise ValueError(
                f"expected the instance's address, like https://mobilizon.fr, not {value!r}"
            )
        return value.strip().rstrip("/")

    @field_validator("group", "identity")
    @classmethod
    def _username(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # "@asso_exemple@mobilizon.fr", "@asso_exemple" and "asso_exemple" name the same group.
        name = value.strip().lstrip("@").split("@")[0]
        if not _USERNAME.fullmatch(name):
            raise ValueError(
                "expected a username as in the address …/@asso_exemple (lower-case letters, "
                f"digits and _), not {value!r}"
            )
        return name

    @field_validator("email_env", "password_env")
    @classmethod
    def _env_name(cls, value: str, info: ValidationInfo) -> str:
        name = str(info.field_name)
        return env_name(name, value, str(cls.model_fields[name].default))

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and "@" not in value:
            raise ValueError(f"expected the account's e-mail address, not {value!r}")
        return value.strip() if value else None

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.strip().lower() not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}; expected one of {', '.join(CATEGORIES)}")
        return value.strip().lower()

    @field_validator("session_file", mode="after")
    @classmethod
    def _beside_config(cls, value: Path, info: ValidationInfo) -> Path:
        return beside_config(value, info)
