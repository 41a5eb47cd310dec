"""The GraphQL documents the adapter sends, in Mobilizon's own names (Mobilizon 3.1 or later).

They follow Mobilizon's web client (src/graphql/auth.ts, upload.ts, event.ts, group.ts):
an instance that answers them the same way answers Crosspost. `organizedEvents` takes
`order` and `orderDirection` since Mobilizon 3.1; event `metadata` since 1.3.
"""

from __future__ import annotations

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken }
}"""

REFRESH = """
mutation RefreshToken($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) { accessToken refreshToken }
}"""

#: The account's profiles, its default one, and each one's membership of the group.
WHO = """
query Identities($groupId: ID!) {
  loggedUser {
    defaultActor { id preferredUsername memberships(groupId: $groupId) { elements { role } } }
    actors { id preferredUsername memberships(groupId: $groupId) { elements { role } } }
  }
}"""

GROUP = """
query Group($name: String!) {
  group(preferredUsername: $name) { id preferredUsername name url }
}"""

UPLOAD = """
mutation UploadMedia($file: Upload!, $alt: String, $name: String!) {
  uploadMedia(file: $file, alt: $alt, name: $name) { id url }
}"""

EVENT_FIELDS = "id uuid url insertedAt metadata { key value }"

CREATE = f"""
mutation CreateEvent(
  $organizerActorId: ID!, $attributedToId: ID, $title: String!, $description: String!,
  $beginsOn: DateTime!, $endsOn: DateTime, $visibility: EventVisibility,
  $joinOptions: EventJoinOptions, $draft: Boolean, $tags: [String], $picture: MediaInput,
  $category: EventCategory, $physicalAddress: AddressInput, $options: EventOptionsInput,
  $metadata: [EventMetadataInput], $language: String
) {{
  createEvent(
    organizerActorId: $organizerActorId, attributedToId: $attributedToId, title: $title,
    description: $description, beginsOn: $beginsOn, endsOn: $endsOn,
    visibility: $visibility, joinOptions: $joinOptions, draft: $draft, tags: $tags,
    picture: $picture, category: $category, physicalAddress: $physicalAddress,
    options: $options, metadata: $metadata, language: $language
  ) {{ {EVENT_FIELDS} }}
}}"""

GROUP_EVENTS = f"""
query GroupEvents($name: String!, $page: Int, $limit: Int) {{
  group(preferredUsername: $name) {{
    organizedEvents(page: $page, limit: $limit, order: INSERTED_AT, orderDirection: DESC) {{
      total
      elements {{ {EVENT_FIELDS} }}
    }}
  }}
}}"""
