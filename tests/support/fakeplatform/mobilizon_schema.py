"""The part of Mobilizon's GraphQL schema the fake serves, as Mobilizon 5 declares it.

Taken from Mobilizon's own schema (lib/graphql/schema/event.ex, actors/group.ex,
actors/person.ex, user.ex, media.ex, address.ex) and its web client's queries
(src/graphql/event.ts, auth.ts, upload.ts): the same type, field, argument and enum
names, the same defaults (page 1, limit 10, order BEGINS_ON ASC, visibility PUBLIC,
category MEETING, draft false). Fields the fake has no data for are left out, so a query
asking for one fails validation as it would for a field that does not exist: a client
that relies on it is caught here rather than passing against a fake that says yes.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
)
from graphql.language import StringValueNode, ValueNode

#: Event categories (lib/mobilizon/events/categories.ex), as the EventCategory enum.
CATEGORIES = (
    "ARTS BOOK_CLUBS BUSINESS CAUSES COMEDY CRAFTS FOOD_DRINK HEALTH MUSIC AUTO_BOAT_AIR "
    "COMMUNITY FAMILY_EDUCATION FASHION_BEAUTY FILM_MEDIA GAMES LANGUAGE_CULTURE LEARNING "
    "LGBTQ MOVEMENTS_POLITICS NETWORKING PARTY PERFORMING_VISUAL_ARTS PETS PHOTOGRAPHY "
    "OUTDOORS_ADVENTURE SPIRITUALITY_RELIGION_BELIEFS SCIENCE_TECH SPORTS THEATRE MEETING"
)

SDL = f"""
scalar DateTime
scalar UUID
scalar Upload
scalar Timezone
scalar Point

enum EventVisibility {{ PUBLIC UNLISTED RESTRICTED PRIVATE }}
enum EventJoinOptions {{ FREE RESTRICTED INVITE EXTERNAL }}
enum EventStatus {{ TENTATIVE CONFIRMED CANCELLED }}
enum EventCategory {{ {CATEGORIES} }}
enum EventOrderBy {{ BEGINS_ON INSERTED_AT UPDATED_AT }}
enum SortDirection {{ ASC DESC }}
enum EventMetadataType {{ STRING INTEGER BOOLEAN }}
enum EventCommentModeration {{ ALLOW_ALL MODERATED CLOSED }}
enum MemberRoleEnum {{ NOT_APPROVED INVITED MEMBER MODERATOR ADMINISTRATOR CREATOR REJECTED }}
enum UserRole {{ ADMINISTRATOR MODERATOR USER }}
enum ActorType {{ PERSON APPLICATION GROUP ORGANIZATION SERVICE }}

type MediaMetadata {{ width: Int height: Int blurhash: String }}
type Media {{
  id: ID alt: String name: String url: String contentType: String size: Int
  metadata: MediaMetadata
}}
input MediaInputObject {{ name: String! alt: String file: Upload actorId: ID url: String }}
input MediaInput {{ media: MediaInputObject mediaId: ID }}

type Address {{
  id: ID street: String locality: String postalCode: String region: String country: String
  description: String type: String url: String originId: String timezone: Timezone geom: Point
}}
input AddressInput {{
  id: ID street: String locality: String postalCode: String region: String country: String
  description: String type: String url: String originId: String timezone: Timezone geom: Point
}}

type Tag {{ id: ID slug: String title: String }}
type EventMetadata {{ key: String title: String value: String type: EventMetadataType }}
input EventMetadataInput {{
  key: String! title: String value: String! type: EventMetadataType
}}
type EventOptions {{
  maximumAttendeeCapacity: Int showStartTime: Boolean showEndTime: Boolean
  timezone: Timezone isOnline: Boolean commentModeration: EventCommentModeration
  hideOrganizerWhenGroupEvent: Boolean
}}
input EventOptionsInput {{
  maximumAttendeeCapacity: Int showStartTime: Boolean showEndTime: Boolean
  timezone: Timezone isOnline: Boolean commentModeration: EventCommentModeration
  hideOrganizerWhenGroupEvent: Boolean anonymousParticipation: Boolean = false
}}
input Contact {{ id: String }}

interface Actor {{
  id: ID url: String type: ActorType name: String domain: String local: Boolean
  preferredUsername: String summary: String
}}

type Event {{
  id: ID uuid: UUID url: String local: Boolean title: String slug: String
  description: String beginsOn: DateTime endsOn: DateTime status: EventStatus
  visibility: EventVisibility joinOptions: EventJoinOptions externalParticipationUrl: String
  picture: Media publishAt: DateTime physicalAddress: Address onlineAddress: String
  phoneAddress: String attributedTo: Actor organizerActor: Actor tags: [Tag]
  category: EventCategory draft: Boolean updatedAt: DateTime insertedAt: DateTime
  options: EventOptions metadata: [EventMetadata] language: String
}}
type PaginatedEventList {{ elements: [Event] total: Int }}

type Member {{ id: ID role: MemberRoleEnum parent: Group actor: Person }}
type PaginatedMemberList {{ elements: [Member] total: Int }}

type Group implements Actor {{
  id: ID url: String type: ActorType name: String domain: String local: Boolean
  preferredUsername: String summary: String
  organizedEvents(
    afterDatetime: DateTime, beforeDatetime: DateTime,
    order: EventOrderBy = BEGINS_ON, orderDirection: SortDirection = ASC,
    page: Int = 1, limit: Int = 10
  ): PaginatedEventList
}}

type Person implements Actor {{
  id: ID url: String type: ActorType name: String domain: String local: Boolean
  preferredUsername: String summary: String
  memberships(group: String, groupId: ID, page: Int = 1, limit: Int = 10): PaginatedMemberList
}}

type User {{ id: ID email: String role: UserRole actors: [Person]! defaultActor: Person }}
type Login {{ accessToken: String! refreshToken: String! user: User! }}
type RefreshedToken {{ accessToken: String! refreshToken: String! }}

type Query {{
  loggedUser: User
  loggedPerson: Person
  identities: [Person]
  group(preferredUsername: String!): Group
  event(uuid: UUID!): Event
}}

type Mutation {{
  login(email: String!, password: String!): Login
  refreshToken(refreshToken: String!): RefreshedToken
  uploadMedia(name: String!, alt: String, file: Upload!, actorId: ID): Media
  createEvent(
    title: String!, description: String!, beginsOn: DateTime!, endsOn: DateTime,
    status: EventStatus, visibility: EventVisibility = PUBLIC,
    joinOptions: EventJoinOptions = FREE, externalParticipationUrl: String,
    tags: [String] = [], picture: MediaInput, publishAt: DateTime, onlineAddress: String,
    phoneAddress: String, organizerActorId: ID!, attributedToId: ID,
    category: EventCategory = MEETING, physicalAddress: AddressInput,
    options: EventOptionsInput = {{}}, metadata: [EventMetadataInput], draft: Boolean = false,
    contacts: [Contact] = [], language: String = "und"
  ): Event
}}
"""


def _invalid(kind: str) -> GraphQLError:
    return GraphQLError(f"invalid {kind}")


# Absinthe's :datetime parses ISO 8601 *with* an offset (DateTime.from_iso8601): a naive
# time is refused, as Mobilizon refuses it; values come back in UTC, to the second.
_ISO_OFFSET = re.compile(r".*(Z|[+-]\d\d:?\d\d)$")


def parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str) or not _ISO_OFFSET.match(value):
        raise _invalid("datetime")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid("datetime") from None
    return parsed.astimezone(UTC).replace(microsecond=0)


def serialize_datetime(value: Any) -> str:
    if not isinstance(value, datetime):
        raise _invalid("datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise _invalid("uuid") from None


def _literal(parse: Any) -> Any:
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if not isinstance(node, StringValueNode):
            raise _invalid("literal")
        return parse(node.value)

    return parse_literal


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _invalid("string")
    return value


def build() -> GraphQLSchema:
    """The schema, with Mobilizon's scalars (DateTime with offset, UUID, Upload by part name)."""
    schema = build_schema(SDL)
    scalars = {
        "DateTime": (parse_datetime, serialize_datetime),
        "UUID": (_parse_uuid, str),
        # Absinthe.Plug: an Upload variable is the name of a multipart part of the request.
        "Upload": (_string, str),
        "Timezone": (_string, str),
        "Point": (_string, str),
    }
    for name, (parse, serialize) in scalars.items():
        scalar = schema.type_map[name]
        assert isinstance(scalar, GraphQLScalarType)
        # graphql-core 3.2 calls parse_value/parse_literal/serialize; 3.3 the coerce_* names.
        hooks = {
            ("parse_value", "coerce_input_value"): parse,
            ("parse_literal", "coerce_input_literal"): _literal(parse),
            ("serialize", "coerce_output_value"): serialize,
        }
        for names, hook in hooks.items():
            for name in names:
                if name in vars(scalar) or hasattr(type(scalar), name):
                    setattr(scalar, name, hook)
    actor = schema.type_map["Actor"]
    assert isinstance(actor, GraphQLInterfaceType)
    actor.resolve_type = lambda value, _info, _type: value["__typename"]
    return schema
