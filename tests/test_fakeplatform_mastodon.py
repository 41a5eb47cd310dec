"""The fake Mastodon answers as a Mastodon 4.3 instance does: the shapes, the limits, the key."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from tests.support.fakeplatform import FakePlatformServer
from tests.support.fakeplatform.media import tiny_png

TOKEN = "jeton-mastodon"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ACCOUNT = "109000000000000001"
TEXT = (
    "Portes ouvertes samedi : venez nombreux ! 🎉 "
    "https://asso.example/po?utm_source=masto&utm_medium=social #bénévolat"
)


@pytest.fixture
def fake() -> Iterator[FakePlatformServer]:
    with FakePlatformServer(seed=3, mastodon_tokens=[TOKEN]) as server:
        yield server


def post(
    fake: FakePlatformServer, status: str, key: str | None = None, **params: Any
) -> requests.Response:
    headers = {**AUTH, **({"Idempotency-Key": key} if key else {})}
    data = {"status": status, **params}
    return requests.post(f"{fake.url}/api/v1/statuses", data=data, headers=headers, timeout=5)


def upload(fake: FakePlatformServer, description: str | None = None) -> requests.Response:
    files = {"file": ("affiche.png", tiny_png(8, 6), "image/png")}
    data = {"description": description} if description else {}
    return requests.post(
        f"{fake.url}/api/v2/media", files=files, data=data, headers=AUTH, timeout=5
    )


def get(fake: FakePlatformServer, path: str, **params: Any) -> requests.Response:
    return requests.get(f"{fake.url}{path}", params=params, headers=AUTH, timeout=5)


# ---------------------------------------------------------------- statuses


def test_a_status_answers_the_status_entity_with_html_content(fake: FakePlatformServer) -> None:
    answer = post(fake, TEXT, language="fr", visibility="unlisted", spoiler_text="Annonce")

    assert answer.status_code == 200
    status = answer.json()
    assert status["id"].isdigit()
    assert status["language"] == "fr"
    assert status["visibility"] == "unlisted"
    assert status["spoiler_text"] == "Annonce"
    assert status["sensitive"] is True  # a content warning marks the status sensitive
    assert status["url"] == f"{fake.url}/@asso_crosspost/{status['id']}"
    assert status["account"]["id"] == ACCOUNT
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", status["created_at"])
    content = status["content"]
    assert content.startswith("<p>Portes ouvertes samedi : venez nombreux ! 🎉 <a href=")
    assert 'href="https://asso.example/po?utm_source=masto&amp;utm_medium=social"' in content
    assert '<span class="invisible">https://</span>' in content
    assert 'class="mention hashtag" rel="tag">#<span>bénévolat</span></a></p>' in content
    assert status["tags"] == [{"name": "bénévolat", "url": f"{fake.url}/tags/bénévolat"}]
    [create] = fake.creates
    assert (create.platform, create.kind, create.id) == ("mastodon", "status", status["id"])


def test_the_same_idempotency_key_within_an_hour_gives_the_same_status(
    fake: FakePlatformServer,
) -> None:
    first = post(fake, "Assemblée générale", key="delivery-7").json()
    again = post(fake, "Assemblée générale, texte changé", key="delivery-7").json()
    other = post(fake, "Assemblée générale", key="delivery-8").json()

    assert again["id"] == first["id"]
    assert again["content"] == "<p>Assemblée générale</p>"  # the first request's status
    assert other["id"] != first["id"]
    assert fake.count("mastodon") == 2
    assert [c.idempotency_key for c in fake.creates] == ["delivery-7", "delivery-8"]


def test_a_key_is_forgotten_after_an_hour_of_the_fakes_clock(fake: FakePlatformServer) -> None:
    first = post(fake, "Collecte de jouets", key="delivery-9").json()
    fake.configure(clock_offset_s=3_599)
    assert post(fake, "Collecte de jouets", key="delivery-9").json()["id"] == first["id"]

    fake.configure(clock_offset_s=3_600)
    later = post(fake, "Collecte de jouets", key="delivery-9").json()

    assert later["id"] != first["id"]
    assert fake.count("mastodon") == 2


def test_a_key_is_forgotten_after_an_hour_of_frozen_time_too(fake: FakePlatformServer) -> None:
    import time_machine

    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=UTC), tick=False) as traveller:
        first = post(fake, "Atelier vélo", key="k-1").json()
        traveller.shift(3_601)
        later = post(fake, "Atelier vélo", key="k-1").json()

    assert first["created_at"] == "2026-03-01T09:00:00.000Z"
    assert later["created_at"] == "2026-03-01T10:00:01.000Z"
    assert later["id"] != first["id"]


def test_a_lost_answer_then_the_same_key_finds_the_status_made(fake: FakePlatformServer) -> None:
    fake.inject("lost_answer", platform="mastodon")
    with pytest.raises(requests.ConnectionError):
        post(fake, "Réponse perdue", key="delivery-10")
    again = post(fake, "Réponse perdue", key="delivery-10")

    [create] = fake.creates
    assert create.fault == "lost_answer"
    assert again.status_code == 200
    assert again.json()["id"] == create.id


def test_statuses_mastodon_refuses_are_422_with_its_messages(fake: FakePlatformServer) -> None:
    blank = post(fake, "   ")
    too_long = post(fake, "é" * 501)
    bad_visibility = post(fake, "Bonjour", visibility="everyone")
    orphan = post(fake, "Réponse", in_reply_to_id="123")

    assert (blank.status_code, blank.json()) == (
        422,
        {"error": "Validation failed: Text can't be blank"},
    )
    assert too_long.status_code == 422
    assert too_long.json() == {"error": "Validation failed: Text character limit of 500 exceeded"}
    assert bad_visibility.json() == {"error": "'everyone' is not a valid visibility"}
    assert orphan.status_code == 404
    assert orphan.json()["error"].startswith("The post you are trying to reply to")
    assert fake.count() == 0


def test_the_length_counts_graphemes_links_as_23_and_the_warning(fake: FakePlatformServer) -> None:
    link = "https://asso.example/" + "a" * 200
    family = "👨‍👩‍👧"  # one grapheme of five code points
    fits = "x" * (500 - 23 - 1 - 1) + " " + family + link
    assert post(fake, fits).status_code == 200
    assert post(fake, fits + "!").status_code == 422
    assert post(fake, "x" * 495, spoiler_text="123456").status_code == 422


def test_a_thread_replies_and_unknown_tokens_and_scopes_are_refused(
    fake: FakePlatformServer,
) -> None:
    first = post(fake, "1/2 Début").json()
    reply = post(fake, "2/2 Fin", in_reply_to_id=first["id"]).json()
    assert reply["in_reply_to_id"] == first["id"]
    assert reply["in_reply_to_account_id"] == ACCOUNT

    bad = requests.post(
        f"{fake.url}/api/v1/statuses",
        data={"status": "x"},
        headers={"Authorization": "Bearer faux"},
        timeout=5,
    )
    assert bad.status_code == 401
    assert bad.json() == {"error": "The access token is invalid"}
    assert 'error="invalid_token"' in (bad.headers["WWW-Authenticate"])

    fake.configure(mastodon_scopes=["read"])
    refused = post(fake, "Lecture seule")
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is outside the authorized scopes"}
    assert fake.count() == 2


def test_json_bodies_and_repeated_form_keys_are_read_as_rails_does(
    fake: FakePlatformServer,
) -> None:
    media = [upload(fake).json()["id"] for _ in range(2)]
    for media_id in media:
        get(fake, f"/api/v1/media/{media_id}")
    answer = requests.post(
        f"{fake.url}/api/v1/statuses",
        json={"status": "Deux images", "media_ids": media, "language": "fr"},
        headers=AUTH,
        timeout=5,
    ).json()
    assert [m["id"] for m in answer["media_attachments"]] == media


# ---------------------------------------------------------------- media


def test_media_answers_202_then_206_until_processed_then_200(fake: FakePlatformServer) -> None:
    fake.configure(mastodon_media_polls=2)
    uploaded = upload(fake, "Affiche : portes ouvertes, samedi 14 h")
    assert uploaded.status_code == 202
    media = uploaded.json()
    assert media["url"] is None
    assert media["preview_url"]
    assert media["description"] == "Affiche : portes ouvertes, samedi 14 h"

    early = post(fake, "Trop tôt", media_ids=[media["id"]])
    assert early.status_code == 422
    assert early.json()["error"].startswith("Cannot attach files that have not finished")

    polls = [get(fake, f"/api/v1/media/{media['id']}") for _ in range(3)]
    assert [p.status_code for p in polls] == [206, 206, 200]
    assert polls[0].json()["url"] is None
    assert polls[2].json()["url"].endswith("/original/image.png")

    status = post(fake, "Avec l'affiche", media_ids=[media["id"]]).json()
    [attached] = status["media_attachments"]
    assert attached["description"] == "Affiche : portes ouvertes, samedi 14 h"
    # Attached now: no longer this account's media to look at or change.
    assert get(fake, f"/api/v1/media/{media['id']}").status_code == 404


def test_media_description_is_updated_by_put_and_limited(fake: FakePlatformServer) -> None:
    fake.configure(mastodon_media_polls=0)
    uploaded = upload(fake)
    assert uploaded.status_code == 200  # processed at once: 200 with its url
    media_id = uploaded.json()["id"]

    changed = requests.put(
        f"{fake.url}/api/v1/media/{media_id}",
        data={"description": "Des bénévoles autour d'une table"},
        headers=AUTH,
        timeout=5,
    )
    too_long = requests.put(
        f"{fake.url}/api/v1/media/{media_id}",
        data={"description": "a" * 1501},
        headers=AUTH,
        timeout=5,
    )

    assert changed.json()["description"] == "Des bénévoles autour d'une table"
    assert too_long.status_code == 422
    assert "Description is too long (maximum is 1500 characters)" in too_long.json()["error"]


def test_media_that_is_not_an_image_or_no_file_is_refused(fake: FakePlatformServer) -> None:
    text = requests.post(
        f"{fake.url}/api/v2/media",
        files={"file": ("notes.txt", b"pas une image", "text/plain")},
        headers=AUTH,
        timeout=5,
    )
    nothing = requests.post(f"{fake.url}/api/v2/media", data={"x": "1"}, headers=AUTH, timeout=5)
    assert text.status_code == 422
    assert text.json() == {
        "error": "Validation failed: File content type is invalid, File is invalid"
    }
    assert nothing.status_code == 400


# ---------------------------------------------------------------- instance and account


def test_the_instance_names_its_limits(fake: FakePlatformServer) -> None:
    instance = requests.get(f"{fake.url}/api/v2/instance", timeout=5).json()
    statuses = instance["configuration"]["statuses"]
    assert statuses == {
        "max_characters": 500,
        "max_media_attachments": 4,
        "characters_reserved_per_url": 23,
    }
    assert instance["configuration"]["media_attachments"]["description_limit"] == 1500

    fake.configure(mastodon_max_characters=11_000)
    bigger = requests.get(f"{fake.url}/api/v2/instance", timeout=5).json()
    assert bigger["configuration"]["statuses"]["max_characters"] == 11_000


def test_verify_credentials_names_the_account(fake: FakePlatformServer) -> None:
    post(fake, "Un")
    me = get(fake, "/api/v1/accounts/verify_credentials")
    anonymous = requests.get(f"{fake.url}/api/v1/accounts/verify_credentials", timeout=5)

    assert me.status_code == 200
    account = me.json()
    assert (account["id"], account["username"], account["acct"]) == (
        ACCOUNT,
        "asso_crosspost",
        "asso_crosspost",
    )
    assert account["statuses_count"] == 1
    assert account["source"]["privacy"] == "public"
    assert anonymous.status_code == 401


def test_account_statuses_page_by_20_at_most_40_with_link_headers(
    fake: FakePlatformServer,
) -> None:
    ids = [post(fake, f"Nouvelle n°{n}").json()["id"] for n in range(45)]
    newest_first = list(reversed(ids))
    path = f"/api/v1/accounts/{ACCOUNT}/statuses"

    default = get(fake, path)
    assert [s["id"] for s in default.json()] == newest_first[:20]
    assert default.links["next"]["url"] == f"{fake.url}{path}?max_id={newest_first[19]}"
    assert default.links["prev"]["url"] == f"{fake.url}{path}?min_id={newest_first[0]}"

    assert len(get(fake, path, limit=100).json()) == 40
    second = requests.get(default.links["next"]["url"], headers=AUTH, timeout=5)
    assert [s["id"] for s in second.json()] == newest_first[20:40]
    third = requests.get(second.links["next"]["url"], headers=AUTH, timeout=5)
    assert [s["id"] for s in third.json()] == newest_first[40:]
    assert "next" not in third.links  # a short page is the last

    since = get(fake, path, since_id=ids[40], limit=2).json()
    after = get(fake, path, min_id=ids[40], limit=2).json()
    assert [s["id"] for s in since] == [ids[44], ids[43]]  # the newest above since_id
    assert [s["id"] for s in after] == [ids[42], ids[41]]  # the ones just after min_id
    empty = get(fake, path, max_id=ids[0])
    assert empty.json() == []
    assert "Link" not in empty.headers


def test_account_statuses_hide_private_ones_without_a_token(fake: FakePlatformServer) -> None:
    post(fake, "Pour les adhérents", visibility="private")
    post(fake, "Pour tout le monde")
    url = f"{fake.url}/api/v1/accounts/{ACCOUNT}/statuses"
    assert len(requests.get(url, timeout=5).json()) == 1
    assert len(get(fake, f"/api/v1/accounts/{ACCOUNT}/statuses").json()) == 2
    bad = requests.get(url, headers={"Authorization": "Bearer faux"}, timeout=5)
    assert bad.status_code == 401
    assert get(fake, "/api/v1/accounts/42/statuses").json() == {"error": "Record not found"}


def test_status_source_gives_back_the_plain_text(fake: FakePlatformServer) -> None:
    status = post(fake, TEXT, spoiler_text="CW").json()
    source = get(fake, f"/api/v1/statuses/{status['id']}/source").json()
    assert source == {"id": status["id"], "text": TEXT, "spoiler_text": "CW"}
    assert get(fake, "/api/v1/statuses/1").json() == {"error": "Record not found"}


# ---------------------------------------------------------------- limits and faults


def test_the_statuses_limit_answers_429_with_an_iso_reset(fake: FakePlatformServer) -> None:
    fake.configure(mastodon_status_limit=2)
    answers = [post(fake, f"Message {n}") for n in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[2]
    assert refused.json() == {"error": "Too many requests"}
    assert refused.headers["X-RateLimit-Limit"] == "2"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    reset = datetime.fromisoformat(refused.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
    assert 0 < reset.timestamp() - time.time() <= 3 * 3600
    assert answers[0].headers["X-RateLimit-Remaining"] == "1"
    assert fake.count() == 2


def test_the_api_window_limits_every_authenticated_call(fake: FakePlatformServer) -> None:
    fake.configure(mastodon_rate_limit=3)
    codes = [get(fake, "/api/v1/accounts/verify_credentials").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_faults_answer_in_mastodons_shapes(fake: FakePlatformServer) -> None:
    fake.inject("5xx", platform="mastodon")
    fake.inject("429", platform="mastodon", seconds=120)
    unavailable = post(fake, "Panne")
    limited = post(fake, "Limite")

    assert unavailable.status_code == 503
    assert unavailable.json()["error"].startswith("There was a temporary problem")
    assert limited.status_code == 429
    reset = datetime.fromisoformat(limited.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
    assert 110 < reset.timestamp() - time.time() <= 121
    assert fake.count() == 0
    assert post(fake, "Enfin").status_code == 200


def test_reset_forgets_statuses_media_and_keys(fake: FakePlatformServer) -> None:
    first = post(fake, "Avant", key="k").json()
    fake.reset()
    assert get(fake, f"/api/v1/accounts/{ACCOUNT}/statuses").json() == []
    assert post(fake, "Après", key="k").json()["id"] != first["id"]


# ---------------------------------------------------------------- a real client


def test_mastodon_py_posts_uploads_and_pages_through_the_fake(fake: FakePlatformServer) -> None:
    """Mastodon.py, a well-kept client, reads every answer of the fake as Mastodon's."""
    from mastodon import Mastodon

    client = Mastodon(access_token=TOKEN, api_base_url=fake.url, ratelimit_method="throw")
    me = client.account_verify_credentials()
    uploaded = client.media_post(tiny_png(4, 4), mime_type="image/png", description="Logo")
    media = client.media(uploaded)  # 206, still processing: Mastodon.py reads it alike
    assert media["url"] is None
    media = client.media(uploaded)
    first = client.status_post(
        "Bonjour de Mastodon.py", media_ids=[media], language="fr", idempotency_key="mpy-1"
    )
    again = client.status_post("Bonjour de Mastodon.py", idempotency_key="mpy-1")
    for n in range(3):
        client.status_post(f"Suite {n}")
    page = client.account_statuses(me, limit=2)
    rest = client.fetch_remaining(page)

    assert media["url"] is not None
    assert again["id"] == first["id"]
    assert first["media_attachments"][0]["description"] == "Logo"
    assert len(rest) == 4
    assert client.instance_v2()["configuration"]["statuses"]["max_characters"] == 500
    assert fake.count("mastodon") == 4
