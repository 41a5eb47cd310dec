"""The fake Mobilizon, through real HTTP: login and tokens, createEvent with its checks,
media upload, the group's events paged, errors in Mobilizon's shape, and faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.support.fakeplatform import FakePlatformServer
from tests.support.fakeplatform.media import tiny_png
from tests.support.fakeplatform.mobilizon import Mobilizon, mobilizon_of

EMAIL = "communication@asso-exemple.fr"
PASSWORD = "mot de passe sûr"
GROUP = "asso_exemple"

LOGIN = """mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    accessToken refreshToken user { id actors { id preferredUsername } }
  }
}"""
CREATE = """mutation createEvent($organizerActorId: ID!, $attributedToId: ID, $title: String!,
  $description: String!, $beginsOn: DateTime!, $endsOn: DateTime, $picture: MediaInput,
  $physicalAddress: AddressInput, $metadata: [EventMetadataInput], $draft: Boolean,
  $externalParticipationUrl: String) {
  createEvent(organizerActorId: $organizerActorId, attributedToId: $attributedToId,
    title: $title, description: $description, beginsOn: $beginsOn, endsOn: $endsOn,
    picture: $picture, physicalAddress: $physicalAddress, metadata: $metadata,
    draft: $draft, externalParticipationUrl: $externalParticipationUrl) {
    id uuid url title beginsOn endsOn draft
    picture { id url alt } physicalAddress { street locality postalCode }
    metadata { key value } attributedTo { id preferredUsername }
  }
}"""
UPLOAD = """mutation UploadMedia($file: Upload!, $alt: String, $name: String!) {
  uploadMedia(file: $file, alt: $alt, name: $name) { url id }
}"""
EVENTS = """query GroupEvents($name: String!, $page: Int, $limit: Int) {
  group(preferredUsername: $name) {
    id organizedEvents(page: $page, limit: $limit, order: INSERTED_AT,
      orderDirection: DESC) { total elements { id title insertedAt metadata { key value } } }
  }
}"""


@pytest.fixture
def fake() -> Iterator[FakePlatformServer]:
    with FakePlatformServer(seed=3) as server:
        yield server


@pytest.fixture
def instance(fake: FakePlatformServer) -> Mobilizon:
    return mobilizon_of(fake)


def gql(
    fake: FakePlatformServer,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"query": query, "variables": variables or {}}
    return requests.post(f"{fake.url}/api", json=body, headers=headers, timeout=10)


def login(fake: FakePlatformServer) -> dict[str, Any]:
    answer = gql(fake, LOGIN, {"email": EMAIL, "password": PASSWORD})
    assert answer.status_code == 200
    return dict(answer.json()["data"]["login"])


def ids(fake: FakePlatformServer, instance: Mobilizon) -> tuple[str, str]:
    person = next(p for p in instance.people.values() if p.preferred_username == "chargee_com")
    group = next(g for g in instance.groups.values() if g.preferred_username == GROUP)
    return person.id, group.id


def event_vars(person: str, group: str, **extra: Any) -> dict[str, Any]:
    return {
        "organizerActorId": person,
        "attributedToId": group,
        "title": "Assemblée générale : bilan & projets 2025 🎉",
        "description": "<p>Ordre du jour : <a href='https://asso.fr/ag?utm_source=x&utm_medium=y'>ici</a></p>",
        "beginsOn": "2025-06-14T14:00:00+02:00",
        "endsOn": "2025-06-14T17:00:00+02:00",
        **extra,
    }


def test_login_gives_tokens_for_the_user_and_its_profiles(fake: FakePlatformServer) -> None:
    session = login(fake)
    assert session["accessToken"].count(".") == 2
    assert session["user"]["actors"][0]["preferredUsername"] == "chargee_com"


def test_a_wrong_password_is_an_error_in_mobilizon_shape_with_http_200(
    fake: FakePlatformServer,
) -> None:
    answer = gql(fake, LOGIN, {"email": EMAIL, "password": "non"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["data"] == {"login": None}
    (error,) = body["errors"]
    assert error["message"].startswith("Impossible to authenticate")
    assert error["status_code"] == 500
    assert error["path"] == ["login"]


def test_the_access_token_expires_after_15_minutes_and_refresh_is_single_use(
    fake: FakePlatformServer, instance: Mobilizon
) -> None:
    session = login(fake)
    me = "{ loggedPerson { id preferredUsername } }"
    assert gql(fake, me, token=session["accessToken"]).json()["data"]["loggedPerson"]
    instance.advance(15 * 60 + 1)
    expired = gql(fake, me, token=session["accessToken"])
    assert expired.status_code == 401
    assert expired.json() == {"message": "invalid_token", "details": ":token_expired"}
    refresh = (
        "mutation R($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }"
    )
    renewed = gql(fake, refresh, {"t": session["refreshToken"]}).json()["data"]["refreshToken"]
    assert gql(fake, me, token=renewed["accessToken"]).status_code == 200
    again = gql(fake, refresh, {"t": session["refreshToken"]}).json()
    assert again["errors"][0]["message"] == "Cannot refresh the token"


def test_a_forged_token_is_refused_and_no_token_means_not_logged_in(
    fake: FakePlatformServer,
) -> None:
    me = "{ loggedPerson { id } }"
    assert gql(fake, me, token="abc.def.ghi").status_code == 401
    anonymous = gql(fake, me).json()
    assert anonymous["errors"][0]["message"] == "You need to be logged in"
    assert anonymous["errors"][0]["code"] == "unauthenticated"


def test_create_event_in_the_group_with_a_picture_place_and_marker(
    fake: FakePlatformServer, instance: Mobilizon
) -> None:
    token = login(fake)["accessToken"]
    person, group = ids(fake, instance)
    operations = {
        "query": UPLOAD,
        "variables": json.dumps({"file": "image", "name": "affiche.png", "alt": "Affiche de l'AG"}),
    }
    upload = requests.post(
        f"{fake.url}/api",
        data=operations,
        files={"image": ("affiche.png", tiny_png(4, 3), "image/png")},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()["data"]["uploadMedia"]
    marker = [{"key": "crosspost:delivery", "title": "Crosspost", "value": "k-1"}]
    place = {"street": "12 rue de l'Église", "locality": "Lyon", "postalCode": "69001"}
    variables = event_vars(
        person, group, picture={"mediaId": upload["id"]}, physicalAddress=place, metadata=marker
    )
    made = gql(fake, CREATE, variables, token).json()["data"]["createEvent"]
    assert made["url"] == f"{fake.url}/events/{made['uuid']}"
    assert made["beginsOn"] == "2025-06-14T12:00:00Z"  # UTC, to the second
    assert made["picture"]["alt"] == "Affiche de l'AG"
    assert made["physicalAddress"]["locality"] == "Lyon"
    assert made["metadata"] == [{"key": "crosspost:delivery", "value": "k-1"}]
    assert made["attributedTo"]["preferredUsername"] == GROUP
    assert fake.count("mobilizon") == 1
    assert fake.creates[0].post_id == made["uuid"]
    assert requests.get(made["url"], timeout=10).status_code == 200
    by_uuid = gql(fake, "query E($u: UUID!) { event(uuid: $u) { title } }", {"u": made["uuid"]})
    assert by_uuid.json()["data"]["event"]["title"] == variables["title"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"organizerActorId": "999"}, "Organizer profile is not owned by the user"),
        (
            {"attributedToId": "999"},
            "Organizer profile doesn't have permission to create an event on behalf of this group",
        ),
        ({"endsOn": "2025-06-14T10:00:00+02:00"}, ["ends_on cannot be set before begins_on"]),
        ({"title": "AG"}, ["should be at least 3 character(s)"]),
        (
            {"externalParticipationUrl": "https://helloasso.com/x"},
            "Providing external registration is not allowed",
        ),
    ],
)
def test_create_event_refusals_are_mobilizons(
    fake: FakePlatformServer, instance: Mobilizon, change: dict[str, Any], message: Any
) -> None:
    token = login(fake)["accessToken"]
    person, group = ids(fake, instance)
    body = gql(fake, CREATE, {**event_vars(person, group), **change}, token).json()
    assert body["data"] == {"createEvent": None}
    assert body["errors"][0]["message"] == message
    assert fake.count("mobilizon") == 0


def test_a_naive_date_or_an_unknown_field_fails_validation(
    fake: FakePlatformServer, instance: Mobilizon
) -> None:
    token = login(fake)["accessToken"]
    person, group = ids(fake, instance)
    naive = gql(fake, CREATE, event_vars(person, group, beginsOn="2025-06-14T14:00:00"), token)
    (error,) = naive.json()["errors"]  # no data: the document was refused whole
    assert error["message"] == 'Argument "beginsOn" has invalid value $beginsOn.'
    assert "data" not in naive.json()
    unknown = gql(fake, '{ event(uuid: "5b0f0c0e-0000-4000-8000-000000000000") { nope } }')
    assert "Cannot query field 'nope'" in unknown.json()["errors"][0]["message"]


def test_the_group_pages_its_events_with_total_newest_first(
    fake: FakePlatformServer, instance: Mobilizon
) -> None:
    start = datetime(2025, 3, 1, 9, tzinfo=UTC)
    for n in range(23):
        instance.add_event(GROUP, f"Atelier n°{n}", start, inserted_at=start + timedelta(hours=n))
    instance.add_event(GROUP, "Brouillon", start, inserted_at=start, draft=True)
    token = login(fake)["accessToken"]
    first = gql(fake, EVENTS, {"name": GROUP}, token).json()["data"]["group"]["organizedEvents"]
    assert first["total"] == 24
    assert len(first["elements"]) == 10
    assert first["elements"][0]["title"] == "Atelier n°22"
    third = gql(fake, EVENTS, {"name": GROUP, "page": 3}, token).json()
    assert len(third["data"]["group"]["organizedEvents"]["elements"]) == 4
    outsider = gql(fake, EVENTS, {"name": GROUP, "limit": 50}).json()
    assert outsider["data"]["group"]["organizedEvents"]["total"] == 23  # no drafts for others
    missing = gql(fake, EVENTS, {"name": "inconnu"}).json()
    assert missing["errors"][0]["message"] == "Group not found"


def test_a_lost_answer_keeps_the_event_and_a_5xx_makes_none(
    fake: FakePlatformServer, instance: Mobilizon
) -> None:
    token = login(fake)["accessToken"]
    person, group = ids(fake, instance)
    fake.inject("lost_answer", platform="mobilizon")
    with pytest.raises(requests.ConnectionError):
        gql(fake, CREATE, event_vars(person, group), token)
    assert fake.count("mobilizon") == 1
    assert fake.creates[0].fault == "lost_answer"
    fake.inject("5xx", platform="mobilizon")
    assert gql(fake, CREATE, event_vars(person, group), token).status_code == 503
    assert fake.count("mobilizon") == 1
    fake.inject("429", platform="mobilizon")
    limited = gql(fake, CREATE, event_vars(person, group), token).json()
    assert limited["errors"][0]["message"] == "Too many requests"


def test_logins_are_rate_limited_per_email_as_rajska_does(
    fake: FakePlatformServer, instance: Mobilizon
) -> None:
    for _ in range(5):
        login(fake)
    sixth = gql(fake, LOGIN, {"email": EMAIL, "password": PASSWORD}).json()
    assert sixth["errors"][0]["message"] == "Too many requests"
    instance.advance(61)
    assert login(fake)["accessToken"]


def test_an_upload_that_is_not_an_image_is_refused(fake: FakePlatformServer) -> None:
    token = login(fake)["accessToken"]
    operations = {"query": UPLOAD, "variables": json.dumps({"file": "doc", "name": "x.pdf"})}
    answer = requests.post(
        f"{fake.url}/api",
        data=operations,
        files={"doc": ("x.pdf", b"%PDF-1.4", "application/pdf")},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert answer["errors"][0]["message"] == "File doesn't have an allowed MIME type."
