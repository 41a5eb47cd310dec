"""The fake Mobilizon's objects: accounts, profiles, groups, media, events, and its errors."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: Roles allowed to create a group's events (Permission.can_create_group_object?).
EVENT_ROLES = ("MODERATOR", "ADMINISTRATOR", "CREATOR")
NOT_LOGGED_IN = ("You need to be logged in", "unauthenticated", 401)


class MobilizonError(Exception):
    """A resolver error, normalised as Mobilizon.GraphQL.Error does."""

    def __init__(
        self,
        message: str | list[str],
        code: str = "unknown_error",
        status_code: int = 500,
        field_name: str | None = None,
    ) -> None:
        super().__init__(str(message))
        self.payload: dict[str, Any] = {
            "message": message,
            "code": code,
            "field": field_name,
            "status_code": status_code,
        }


def validation(field_name: str, message: str) -> MobilizonError:
    return MobilizonError([message], "validation", 422, field_name)


@dataclass
class Person:
    id: str
    preferred_username: str
    name: str
    user_id: str


@dataclass
class Group:
    id: str
    preferred_username: str
    name: str
    #: person id -> MemberRoleEnum value
    members: dict[str, str] = field(default_factory=dict)


@dataclass
class Account:
    user_id: str
    email: str
    password: str
    person_ids: list[str]


@dataclass
class StoredMedia:
    id: str
    name: str
    alt: str | None
    url: str
    content_type: str
    size: int
    width: int
    height: int
    actor_id: str


@dataclass
class StoredEvent:
    id: str
    uuid: str
    args: dict[str, Any]
    organizer_id: str
    group_id: str | None
    inserted_at: datetime
    picture_id: str | None
    address_id: str | None


@dataclass
class Caller:
    """Who is asking, after the auth plug: a user, or nobody."""

    account: Account | None
    ip: str
    uploads: dict[str, Any]


def public(event: StoredEvent) -> bool:
    return event.args.get("visibility", "PUBLIC") == "PUBLIC" and not event.args.get("draft")


def ends_within(event: StoredEvent, after: datetime | None, before: datetime | None) -> bool:
    # Mobilizon filters on ends_on (begins_on when there is none): see its issue #1567.
    end = event.args.get("endsOn") or event.args["beginsOn"]
    return (after is None or end >= after) and (before is None or end <= before)


def media_view(media: StoredMedia) -> dict[str, Any]:
    return {
        "id": media.id,
        "alt": media.alt,
        "name": media.name,
        "url": media.url,
        "contentType": media.content_type,
        "size": media.size,
        "metadata": {"width": media.width, "height": media.height, "blurhash": None},
    }


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
