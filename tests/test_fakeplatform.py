"""The fake platform server, through real HTTP: each platform's wire format, auth refusals,
every fault kind as a client sees it, latency, recording, the control API, concurrency, and
the real adapters running against it unchanged."""

from __future__ import annotations

import base64
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.support.fakeplatform import FakePlatformServer
from tests.support.fakeplatform.media import tiny_png

ROOT = Path(__file__).resolve().parents[1]

X_AUTH = {
    "Authorization": 'OAuth oauth_consumer_key="ck", oauth_token="at-1", '
    'oauth_signature="c2ln", oauth_signature_method="HMAC-SHA1"'
}
PAGE = "104000000000001"
TOKEN = "page-token"
WP_AUTH = ("editor", "abcd efgh ijkl mnop")
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."


@pytest.fixture
def fake() -> Iterator[FakePlatformServer]:
    with FakePlatformServer(seed=7) as server:
        yield server


def tweet(
    fake: FakePlatformServer, text: str, headers: dict[str, str] | None = None, **kwargs: Any
) -> requests.Response:
    sent = {**X_AUTH, **(headers or {})}
    return requests.post(f"{fake.url}/2/tweets", json={"text": text}, headers=sent, **kwargs)


def feed(fake: FakePlatformServer, message: str, **kwargs: Any) -> requests.Response:
    data = {"message": message, "access_token": TOKEN}
    return requests.post(f"{fake.url}/v25.0/{PAGE}/feed", data=data, **kwargs)


def wp_post(fake: FakePlatformServer, title: str, **kwargs: Any) -> requests.Response:
    body = {"title": title, "content": "Bonjour", "status": "publish"}
    return requests.post(f"{fake.url}/wp-json/wp/v2/posts", json=body, auth=WP_AUTH, **kwargs)


CREATE: dict[str, Callable[..., requests.Response]] = {
    "twitter": tweet,
    "facebook": feed,
    "wordpress": wp_post,
}


# ---------------------------------------------------------------- X


def test_x_create_answers_201_with_the_v2_data_object(fake: FakePlatformServer) -> None:
    response = tweet(fake, "Assemblée générale samedi")

    assert response.status_code == 201
    data = response.json()["data"]
    assert data == {
        "id": data["id"],
        "text": "Assemblée générale samedi",
        "edit_history_tweet_ids": [data["id"]],
    }
    assert data["id"].isdigit()
    assert len(data["id"]) >= 18


def test_x_refuses_the_same_text_twice_as_x_does(fake: FakePlatformServer) -> None:
    tweet(fake, "Scoop: new premises")

    response = tweet(fake, "Scoop: new premises")

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "detail": DUPLICATE,
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
    }
    assert fake.count("twitter") == 1


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic dXNlcjpwYXNz",
        'OAuth oauth_consumer_key="ck", oauth_token="at-1"',  # no signature
    ],
)
def test_x_refuses_requests_without_oauth_user_credentials(
    fake: FakePlatformServer, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = requests.post(f"{fake.url}/2/tweets", json={"text": "hi"}, headers=headers)

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Unauthorized",
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
    }
    assert fake.count() == 0


def test_x_accepts_only_the_configured_tokens_when_told(fake: FakePlatformServer) -> None:
    fake.configure(x_tokens=["at-2"])

    assert tweet(fake, "with the old token").status_code == 401
    bearer = {"Authorization": "Bearer at-2"}
    answer = requests.get(f"{fake.url}/2/users/me", headers=bearer)
    assert answer.status_code == 200


def test_x_accepts_a_real_oauth1_signature(fake: FakePlatformServer) -> None:
    from requests_oauthlib import OAuth1

    auth = OAuth1("consumer", "consumer-secret", "token", "token-secret")

    response = requests.post(f"{fake.url}/2/tweets", json={"text": "signed"}, auth=auth)

    assert response.status_code == 201


def test_x_every_answer_carries_rate_limit_headers(fake: FakePlatformServer) -> None:
    answers = [
        tweet(fake, "one"),
        tweet(fake, "one"),  # duplicate
        requests.get(f"{fake.url}/2/users/me"),  # no auth
        requests.get(f"{fake.url}/2/nowhere", headers=X_AUTH),
    ]

    for answer in answers:
        assert int(answer.headers["x-rate-limit-limit"]) > 0
        assert int(answer.headers["x-rate-limit-remaining"]) >= 0
        assert int(answer.headers["x-rate-limit-reset"]) > time.time()
    assert answers[0].headers["x-rate-limit-remaining"] == str(100_000 - 1)


def test_x_window_exhausted_gives_a_real_429(fake: FakePlatformServer) -> None:
    fake.configure(x_rate_limit=2)

    answers = [tweet(fake, f"post {n}") for n in range(3)]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[1].headers["x-rate-limit-remaining"] == "0"
    assert answers[2].json()["title"] == "Too Many Requests"
    assert fake.count() == 2


def test_x_users_me_and_the_timeline_newest_first(fake: FakePlatformServer) -> None:
    me = requests.get(f"{fake.url}/2/users/me", headers=X_AUTH).json()["data"]
    assert me == {"id": me["id"], "name": "Association Crosspost", "username": "asso_crosspost"}
    ids = [tweet(fake, f"post {n}").json()["data"]["id"] for n in range(7)]

    first = requests.get(
        f"{fake.url}/2/users/{me['id']}/tweets",
        params={"max_results": "5", "tweet.fields": "created_at"},
        headers=X_AUTH,
    ).json()
    second = requests.get(
        f"{fake.url}/2/users/{me['id']}/tweets",
        params={"max_results": "5", "pagination_token": first["meta"]["next_token"]},
        headers=X_AUTH,
    ).json()

    assert [t["id"] for t in first["data"]] == ids[::-1][:5]
    assert first["meta"]["result_count"] == 5
    assert first["meta"]["newest_id"] == ids[-1]
    assert first["data"][0]["created_at"].endswith(".000Z")
    assert [t["id"] for t in second["data"]] == ids[1::-1]
    assert "next_token" not in second["meta"]


def timeline(fake: FakePlatformServer, **params: str) -> requests.Response:
    user = requests.get(f"{fake.url}/2/users/me", headers=X_AUTH).json()["data"]["id"]
    return requests.get(f"{fake.url}/2/users/{user}/tweets", params=params, headers=X_AUTH)


def test_x_timeline_pages_by_ten_unless_asked_and_refuses_sizes_x_refuses(
    fake: FakePlatformServer,
) -> None:
    for n in range(12):
        tweet(fake, f"Permanence n°{n} : café & échanges ☕")

    default = timeline(fake).json()
    too_small, too_big = timeline(fake, max_results="4"), timeline(fake, max_results="101")

    assert default["meta"]["result_count"] == 10
    assert len(default["data"]) == 10
    for answer, value in ((too_small, "4"), (too_big, "101")):
        assert answer.status_code == 400
        assert answer.headers["content-type"] == "application/problem+json"
        body = answer.json()
        assert body["title"] == "Invalid Request"
        assert body["errors"] == [
            {
                "parameters": {"max_results": [value]},
                "message": f"The `max_results` query parameter value [{value}] is not "
                "between 5 and 100",
            }
        ]


def test_x_pagination_tokens_point_at_a_tweet_and_survive_new_posts(
    fake: FakePlatformServer,
) -> None:
    ids = [tweet(fake, f"annonce {n}").json()["data"]["id"] for n in range(12)]
    first = timeline(fake, max_results="5").json()
    # Posts made between two pages must not make the next page repeat or skip any.
    newer = [tweet(fake, f"plus récent {n}").json()["data"]["id"] for n in range(3)]

    second = timeline(fake, max_results="5", pagination_token=first["meta"]["next_token"]).json()
    third = timeline(fake, max_results="5", pagination_token=second["meta"]["next_token"]).json()
    back = timeline(fake, max_results="5", pagination_token=second["meta"]["previous_token"])

    assert [t["id"] for t in first["data"]] == ids[:6:-1]
    assert "previous_token" not in first["meta"]
    assert [t["id"] for t in second["data"]] == ids[6:1:-1]
    assert [t["id"] for t in third["data"]] == ids[1::-1]
    assert third["meta"]["result_count"] == 2
    assert "next_token" not in third["meta"]
    # The previous page is the one just newer than the second: the first, as it was.
    assert [t["id"] for t in back.json()["data"]] == ids[:6:-1]
    assert [t["id"] for t in timeline(fake, max_results="5").json()["data"][:3]] == newer[::-1]
    refused = timeline(fake, pagination_token="not-a-token")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["parameters"] == {"pagination_token": ["not-a-token"]}


def test_x_empty_timeline_has_only_meta(fake: FakePlatformServer) -> None:
    me = requests.get(f"{fake.url}/2/users/me", headers=X_AUTH).json()["data"]

    answer = requests.get(f"{fake.url}/2/users/{me['id']}/tweets", headers=X_AUTH)

    assert answer.json() == {"meta": {"result_count": 0}}


def test_x_timeline_filters_by_start_time(fake: FakePlatformServer) -> None:
    tweet(fake, "before")
    me = requests.get(f"{fake.url}/2/users/me", headers=X_AUTH).json()["data"]
    later = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    answer = requests.get(
        f"{fake.url}/2/users/{me['id']}/tweets", params={"start_time": later}, headers=X_AUTH
    )

    assert answer.json()["meta"]["result_count"] == 0


def test_x_media_upload_then_a_tweet_with_it_and_a_reply(fake: FakePlatformServer) -> None:
    upload = requests.post(
        f"{fake.url}/2/media/upload",
        files={"media": ("affiche.png", tiny_png(4, 3), "image/png")},
        data={"media_category": "tweet_image"},
        headers=X_AUTH,
    )
    media = upload.json()["data"]
    alt = requests.post(
        f"{fake.url}/2/media/metadata",
        json={"id": media["id"], "metadata": {"alt_text": {"text": "Poster"}}},
        headers=X_AUTH,
    )
    first = requests.post(
        f"{fake.url}/2/tweets",
        json={"text": "With a poster", "media": {"media_ids": [media["id"]]}},
        headers=X_AUTH,
    ).json()["data"]
    reply = requests.post(
        f"{fake.url}/2/tweets",
        json={"text": "2/2", "reply": {"in_reply_to_tweet_id": first["id"]}},
        headers=X_AUTH,
    )
    looked_up = requests.get(
        f"{fake.url}/2/tweets/{reply.json()['data']['id']}",
        params={"tweet.fields": "referenced_tweets,conversation_id"},
        headers=X_AUTH,
    ).json()["data"]

    assert upload.status_code == 200
    assert media["media_key"] == f"3_{media['id']}"
    assert media["size"] == len(tiny_png(4, 3))
    assert media["expires_after_secs"] > 0
    assert media["image"] == {"image_type": "image/png", "w": 4, "h": 3}
    assert alt.json()["data"]["associated_metadata"] == {"alt_text": {"text": "Poster"}}
    assert reply.status_code == 201
    assert looked_up["referenced_tweets"] == [{"type": "replied_to", "id": first["id"]}]
    assert looked_up["conversation_id"] == first["id"]


def test_x_media_upload_as_base64_json_and_the_v1_endpoint(fake: FakePlatformServer) -> None:
    image = base64.b64encode(tiny_png()).decode()

    v2 = requests.post(
        f"{fake.url}/2/media/upload",
        json={"media": image, "media_category": "tweet_image", "media_type": "image/png"},
        headers=X_AUTH,
    )
    v1 = requests.post(
        f"{fake.url}/1.1/media/upload.json",
        files={"media": ("a.png", tiny_png())},
        headers=X_AUTH,
    )

    assert v2.json()["data"]["image"]["image_type"] == "image/png"
    assert v1.json()["media_id_string"] == str(v1.json()["media_id"])


def test_x_refuses_unknown_media_and_replies_to_nothing(fake: FakePlatformServer) -> None:
    bad_media = requests.post(
        f"{fake.url}/2/tweets",
        json={"text": "x", "media": {"media_ids": ["123"]}},
        headers=X_AUTH,
    )
    bad_reply = requests.post(
        f"{fake.url}/2/tweets",
        json={"text": "x", "reply": {"in_reply_to_tweet_id": "456"}},
        headers=X_AUTH,
    )

    assert bad_media.status_code == 400
    assert bad_media.json()["title"] == "Invalid Request"
    assert bad_reply.status_code == 403
    assert fake.count() == 0


def test_x_lookup_of_a_missing_tweet_is_200_with_errors(fake: FakePlatformServer) -> None:
    answer = requests.get(f"{fake.url}/2/tweets/42", headers=X_AUTH)

    assert answer.status_code == 200
    assert answer.json()["errors"][0]["title"] == "Not Found Error"


# ---------------------------------------------------------------- Graph API


def test_graph_feed_post_answers_page_scoped_id(fake: FakePlatformServer) -> None:
    response = requests.post(
        f"{fake.url}/v25.0/{PAGE}/feed",
        data={
            "message": "Portes ouvertes",
            "link": "https://asso.example/po",
            "access_token": TOKEN,
        },
    )

    assert response.status_code == 200
    post_id = response.json()["id"]
    assert response.json() == {"id": post_id}
    assert post_id.startswith(f"{PAGE}_")
    assert fake.creates[0].body == {"message": "Portes ouvertes", "link": "https://asso.example/po"}


def test_graph_photo_answers_photo_and_post_ids(fake: FakePlatformServer) -> None:
    photo = requests.post(
        f"{fake.url}/v25.0/{PAGE}/photos",
        data={"caption": "Le stand", "access_token": TOKEN},
        files={"source": ("stand.png", tiny_png(), "image/png")},
    ).json()
    hidden = requests.post(
        f"{fake.url}/v25.0/{PAGE}/photos",
        data={"published": "false", "access_token": TOKEN},
        files={"source": ("other.png", tiny_png(), "image/png")},
    ).json()

    assert set(photo) == {"id", "post_id"}
    assert photo["post_id"].startswith(f"{PAGE}_")
    assert set(hidden) == {"id"}
    assert fake.creates[0].body["source"]["size"] == len(tiny_png())


def test_graph_lists_posts_newest_first_with_fields_and_paging(fake: FakePlatformServer) -> None:
    ids = [feed(fake, f"post {n}").json()["id"] for n in range(3)]
    params = {
        "fields": "id,message,created_time,permalink_url",
        "limit": "2",
        "access_token": TOKEN,
    }

    first = requests.get(f"{fake.url}/v25.0/{PAGE}/posts", params=params).json()
    second = requests.get(first["paging"]["next"]).json()

    assert [p["id"] for p in first["data"]] == [ids[2], ids[1]]
    post = first["data"][0]
    assert set(post) == {"id", "message", "created_time", "permalink_url"}
    assert post["created_time"].endswith("+0000")
    assert post["permalink_url"].startswith("https://www.facebook.com/")
    assert [p["id"] for p in second["data"]] == [ids[0]]
    assert "next" not in second["paging"]


def posts_listing(fake: FakePlatformServer, **params: str) -> dict[str, Any]:
    asked = {"fields": "id,message,created_time", "access_token": TOKEN, **params}
    answer = requests.get(f"{fake.url}/v25.0/{PAGE}/posts", params=asked)
    assert answer.status_code == 200, answer.text
    listing: dict[str, Any] = answer.json()
    return listing


def test_graph_pages_by_25_unless_asked_and_never_more_than_100(
    fake: FakePlatformServer,
) -> None:
    ids = [feed(fake, f"Atelier vélo n°{n} : réparez le vôtre 🚲").json()["id"] for n in range(130)]

    default = posts_listing(fake)
    clamped = posts_listing(fake, limit="500")

    assert [p["id"] for p in default["data"]] == ids[:-26:-1]
    assert len(clamped["data"]) == 100
    assert "after=" in clamped["paging"]["next"]
    assert clamped["paging"]["next"].startswith(f"{fake.url}/v25.0/{PAGE}/posts?")
    last = requests.get(clamped["paging"]["next"]).json()
    assert [p["id"] for p in last["data"]] == ids[29::-1]
    assert "next" not in last["paging"]
    assert set(last["paging"]["cursors"]) == {"before", "after"}


def test_graph_cursors_point_at_a_post_and_page_both_ways(fake: FakePlatformServer) -> None:
    ids = [feed(fake, f"post {n}").json()["id"] for n in range(6)]
    first = posts_listing(fake, limit="2")
    # Posts made between two pages must not make the next page repeat or skip any.
    newer = [feed(fake, f"plus récent {n}").json()["id"] for n in range(2)]

    after = first["paging"]["cursors"]["after"]
    second = posts_listing(fake, limit="2", after=after)
    before = posts_listing(fake, limit="2", before=second["paging"]["cursors"]["before"])

    assert "previous" not in first["paging"]
    assert [p["id"] for p in second["data"]] == [ids[3], ids[2]]
    assert "before=" in second["paging"]["previous"]
    assert [p["id"] for p in before["data"]] == [ids[5], ids[4]]
    assert [p["id"] for p in posts_listing(fake, limit="2")["data"]] == newer[::-1]
    bad = requests.get(
        f"{fake.url}/v25.0/{PAGE}/posts", params={"access_token": TOKEN, "after": "%%%"}
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == 100


def test_graph_page_fields_and_unknown_fields(fake: FakePlatformServer) -> None:
    page = requests.get(
        f"{fake.url}/v25.0/{PAGE}", params={"fields": "id,name", "access_token": TOKEN}
    )
    wrong = requests.get(
        f"{fake.url}/v25.0/{PAGE}/posts", params={"fields": "id,colour", "access_token": TOKEN}
    )

    assert page.json() == {"id": PAGE, "name": "Association Crosspost"}
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == 100


def test_graph_refuses_a_bad_or_missing_token(fake: FakePlatformServer) -> None:
    fake.configure(graph_tokens=["the-real-token"])

    bad = feed(fake, "hello")
    missing = requests.post(f"{fake.url}/v25.0/{PAGE}/feed", data={"message": "hello"})

    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error == {
        # The real Graph quotes the token back: a fake that did not hid where it leaked.
        "message": "Malformed access token " + TOKEN,
        "type": "OAuthException",
        "code": 190,
        "fbtrace_id": error["fbtrace_id"],
    }
    assert missing.json()["error"]["code"] == 104
    assert fake.count() == 0


def test_graph_refuses_a_duplicate_message_and_unknown_objects(fake: FakePlatformServer) -> None:
    feed(fake, "Same words")

    duplicate = feed(fake, "Same words")
    unknown = requests.get(f"{fake.url}/v25.0/999", params={"access_token": TOKEN})

    assert duplicate.json()["error"]["code"] == 506
    assert unknown.json()["error"]["code"] == 100
    assert unknown.json()["error"]["error_subcode"] == 33


def test_facebook_sdk_speaks_to_the_fake(
    fake: FakePlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facebook

    monkeypatch.setattr(facebook, "FACEBOOK_GRAPH_URL", f"{fake.url}/")
    api = facebook.GraphAPI(access_token=TOKEN, version="3.1")

    created = api.put_object(PAGE, "feed", message="Via the SDK")
    page = api.get_object(PAGE, fields="id,name")
    posts = api.get_connections(PAGE, "posts", fields="id,message")

    assert created["id"].startswith(f"{PAGE}_")
    assert page["name"] == "Association Crosspost"
    assert posts["data"][0]["message"] == "Via the SDK"


# ---------------------------------------------------------------- WordPress


def test_wordpress_announces_its_api_and_describes_it(fake: FakePlatformServer) -> None:
    home = requests.head(f"{fake.url}/")
    index = requests.get(f"{fake.url}/wp-json/").json()

    assert home.links["https://api.w.org/"]["url"] == f"{fake.url}/wp-json/"
    assert "wp/v2" in index["namespaces"]
    assert "application-passwords" in index["authentication"]
    assert "/wp/v2/posts" in index["routes"]


def test_wordpress_create_answers_201_with_the_post_object(fake: FakePlatformServer) -> None:
    response = requests.post(
        f"{fake.url}/wp-json/wp/v2/posts",
        json={"title": "Fête de l'été", "content": "Venez !\n\nÀ bientôt", "status": "publish"},
        auth=WP_AUTH,
    )

    assert response.status_code == 201
    post = response.json()
    assert response.headers["Location"] == f"{fake.url}/wp-json/wp/v2/posts/{post['id']}"
    assert post["slug"] == "fete-de-lete"
    assert post["status"] == "publish"
    assert post["title"] == {"raw": "Fête de l'été", "rendered": "Fête de l&#8217;été"}
    assert post["content"]["rendered"] == "<p>Venez !</p>\n<p>À bientôt</p>\n"
    assert post["excerpt"]["rendered"] == "<p>Venez ! À bientôt</p>\n"
    today = datetime.now(UTC).strftime("%Y/%m/%d")
    assert post["link"] == f"{fake.url}/{today}/fete-de-lete/"
    assert datetime.fromisoformat(post["date_gmt"]).tzinfo is None
    assert post["categories"] == [1]
    assert post["tags"] == []
    assert post["featured_media"] == 0
    assert requests.get(post["link"]).status_code == 200


def test_wordpress_slugs_stay_unique_and_drafts_have_none(fake: FakePlatformServer) -> None:
    first = wp_post(fake, "Concert").json()
    second = wp_post(fake, "Concert").json()
    draft = requests.post(
        f"{fake.url}/wp-json/wp/v2/posts", json={"title": "Brouillon"}, auth=WP_AUTH
    ).json()

    assert (first["slug"], second["slug"]) == ("concert", "concert-2")
    assert draft["status"] == "draft"
    assert draft["slug"] == ""
    assert draft["generated_slug"] == "brouillon"
    assert draft["date_gmt"] is None
    assert draft["link"] == f"{fake.url}/?p={draft['id']}"


def test_wordpress_publish_in_the_future_is_scheduled(fake: FakePlatformServer) -> None:
    fake.configure(wp_timezone="Europe/Paris")
    when = datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=2)

    post = requests.post(
        f"{fake.url}/wp-json/wp/v2/posts",
        json={
            "title": "Plus tard",
            "status": "publish",
            "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
        },
        auth=WP_AUTH,
    ).json()

    assert post["status"] == "future"
    local, utc = datetime.fromisoformat(post["date"]), datetime.fromisoformat(post["date_gmt"])
    assert local - utc == when.utcoffset()


def test_wordpress_lists_ten_a_page_with_totals_and_refuses_more_than_100(
    fake: FakePlatformServer,
) -> None:
    for n in range(23):
        wp_post(fake, f"Compte rendu n°{n} : assemblée générale")
    url = f"{fake.url}/wp-json/wp/v2/posts"

    first = requests.get(url)
    third = requests.get(url, params={"page": "3"})
    hundred = requests.get(url, params={"per_page": "100"})
    too_many = requests.get(url, params={"per_page": "101"})
    beyond = requests.get(url, params={"page": "4"})

    assert len(first.json()) == 10
    assert (first.headers["X-WP-Total"], first.headers["X-WP-TotalPages"]) == ("23", "3")
    assert first.headers["Link"] == f'<{url}?page=2>; rel="next"'
    assert len(third.json()) == 3
    assert third.headers["Link"] == f'<{url}?page=2>; rel="prev"'
    assert len(hundred.json()) == 23
    assert "Link" not in hundred.headers
    assert too_many.status_code == 400
    body = too_many.json()
    assert body["code"] == "rest_invalid_param"
    assert body["data"]["params"] == {
        "per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"
    }
    assert beyond.status_code == 400
    assert beyond.json()["code"] == "rest_post_invalid_page_number"


def test_wordpress_finds_a_post_by_slug_with_any_status(fake: FakePlatformServer) -> None:
    requests.post(
        f"{fake.url}/wp-json/wp/v2/posts",
        json={"title": "Caché", "slug": "cle-123", "status": "draft"},
        auth=WP_AUTH,
    )
    params = {"slug": "cle-123", "status": "any", "context": "edit"}

    found = requests.get(f"{fake.url}/wp-json/wp/v2/posts", params=params, auth=WP_AUTH)
    public = requests.get(f"{fake.url}/wp-json/wp/v2/posts", params={"slug": "cle-123"})
    anonymous = requests.get(f"{fake.url}/wp-json/wp/v2/posts", params=params)

    assert [p["slug"] for p in found.json()] == ["cle-123"]
    assert found.headers["X-WP-Total"] == "1"
    assert public.json() == []
    assert anonymous.status_code == 400
    assert anonymous.json()["code"] == "rest_invalid_param"


def test_wordpress_refuses_writes_without_good_credentials(fake: FakePlatformServer) -> None:
    fake.configure(wp_users={"editor": "abcdefghijklmnop"})

    anonymous = requests.post(f"{fake.url}/wp-json/wp/v2/posts", json={"title": "x"})
    wrong = requests.post(
        f"{fake.url}/wp-json/wp/v2/posts", json={"title": "x"}, auth=("editor", "nope")
    )
    stranger = requests.get(f"{fake.url}/wp-json/wp/v2/users/me", auth=("bob", "x"))
    not_logged_in = requests.get(f"{fake.url}/wp-json/wp/v2/users/me")
    spaced = requests.get(
        f"{fake.url}/wp-json/wp/v2/users/me", params={"context": "edit"}, auth=WP_AUTH
    )

    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "rest_cannot_create")
    assert wrong.json() == {
        "code": "incorrect_password",
        "message": "The provided password is an invalid application password.",
        "data": {"status": 401},
    }
    assert (stranger.status_code, stranger.json()["code"]) == (401, "invalid_username")
    assert not_logged_in.json()["code"] == "rest_not_logged_in"
    assert spaced.status_code == 200
    assert spaced.json()["capabilities"]["publish_posts"] is True
    assert fake.count() == 0


def test_wordpress_terms_and_the_term_exists_error(fake: FakePlatformServer) -> None:
    tag = requests.post(f"{fake.url}/wp-json/wp/v2/tags", json={"name": "Fête"}, auth=WP_AUTH)
    again = requests.post(f"{fake.url}/wp-json/wp/v2/tags", json={"name": "fête"}, auth=WP_AUTH)
    category = requests.post(
        f"{fake.url}/wp-json/wp/v2/categories", json={"name": "Uncategorized"}, auth=WP_AUTH
    )
    search = requests.get(f"{fake.url}/wp-json/wp/v2/tags", params={"search": "fê"})

    assert tag.status_code == 201
    assert tag.json()["slug"] == "fete"
    assert again.status_code == 400
    assert again.json() == {
        "code": "term_exists",
        "message": "A term with the name provided already exists in this taxonomy.",
        "data": {"status": 400, "term_id": tag.json()["id"]},
    }
    assert category.json()["message"].endswith("already exists with this parent.")
    assert category.json()["data"]["term_id"] == 1
    assert [t["id"] for t in search.json()] == [tag.json()["id"]]


def test_wordpress_media_upload_raw_and_multipart(fake: FakePlatformServer) -> None:
    raw = requests.post(
        f"{fake.url}/wp-json/wp/v2/media",
        data=tiny_png(3, 2),
        headers={
            "Content-Type": "image/png",
            "Content-Disposition": 'attachment; filename="Été.png"',
        },
        auth=WP_AUTH,
    )
    multipart = requests.post(
        f"{fake.url}/wp-json/wp/v2/media",
        files={"file": ("Été.png", tiny_png(), "image/png")},
        auth=WP_AUTH,
    )
    no_disposition = requests.post(
        f"{fake.url}/wp-json/wp/v2/media",
        data=tiny_png(),
        headers={"Content-Type": "image/png"},
        auth=WP_AUTH,
    )

    media = raw.json()
    assert raw.status_code == 201
    assert media["media_type"] == "image"
    assert media["mime_type"] == "image/png"
    assert media["media_details"]["width"] == 3
    assert media["source_url"].endswith("/ete.png")
    assert requests.get(media["source_url"]).content == tiny_png(3, 2)
    assert multipart.json()["source_url"].endswith("/ete-1.png")
    assert no_disposition.json()["code"] == "rest_upload_no_content_disposition"


def test_wordpress_post_with_terms_and_featured_media(fake: FakePlatformServer) -> None:
    tag_id = requests.post(
        f"{fake.url}/wp-json/wp/v2/tags", json={"name": "AG"}, auth=WP_AUTH
    ).json()["id"]
    media_id = requests.post(
        f"{fake.url}/wp-json/wp/v2/media",
        files={"file": ("a.png", tiny_png(), "image/png")},
        auth=WP_AUTH,
    ).json()["id"]

    post = requests.post(
        f"{fake.url}/wp-json/wp/v2/posts",
        json={"title": "AG", "tags": [tag_id, 999], "featured_media": media_id},
        auth=WP_AUTH,
    ).json()
    bad = requests.post(
        f"{fake.url}/wp-json/wp/v2/posts",
        json={"title": "AG", "featured_media": 12345},
        auth=WP_AUTH,
    )
    empty = requests.post(f"{fake.url}/wp-json/wp/v2/posts", json={}, auth=WP_AUTH)

    assert post["tags"] == [tag_id]
    assert post["featured_media"] == media_id
    assert bad.json()["code"] == "rest_invalid_featured_media"
    assert empty.json()["code"] == "empty_content"


def test_wordpress_rest_route_query_form_and_unknown_routes(fake: FakePlatformServer) -> None:
    plain = requests.get(f"{fake.url}/", params={"rest_route": "/wp/v2/users/me"}, auth=WP_AUTH)
    unknown = requests.get(f"{fake.url}/wp-json/wp/v2/nowhere")

    assert plain.json()["name"] == "editor"
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "rest_no_route"


# ---------------------------------------------------------------- faults


@pytest.mark.parametrize("platform", ["twitter", "facebook", "wordpress"])
def test_5xx_fault_is_a_503_in_the_platform_shape_and_creates_nothing(
    fake: FakePlatformServer, platform: str
) -> None:
    fake.inject("5xx", platform=platform)

    response = CREATE[platform](fake, "down")

    assert response.status_code == 503
    body = response.json()
    if platform == "twitter":
        assert body["status"] == 503
        assert body["type"] == "about:blank"
    elif platform == "facebook":
        assert body["error"]["code"] == 2
        assert body["error"]["is_transient"] is True
    else:
        assert body["data"] == {"status": 503}
        assert response.headers["Retry-After"] == "600"
    assert fake.count() == 0
    assert CREATE[platform](fake, "up again").status_code in (200, 201)


def test_429_fault_tells_each_client_when_to_come_back(fake: FakePlatformServer) -> None:
    for platform in CREATE:
        fake.inject("429", platform=platform, seconds=30)

    x, graph, wp = (CREATE[p](fake, "later") for p in ("twitter", "facebook", "wordpress"))

    assert x.status_code == 429
    assert 28 <= int(x.headers["x-rate-limit-reset"]) - time.time() <= 32
    assert x.headers["x-rate-limit-remaining"] == "0"
    assert graph.status_code == 400
    assert graph.json()["error"]["code"] == 4
    assert "estimated_time_to_regain_access" in graph.headers["x-business-use-case-usage"]
    assert (wp.status_code, wp.headers["Retry-After"]) == (429, "30")
    assert fake.count() == 0


def test_timeout_fault_creates_and_then_holds_the_answer(fake: FakePlatformServer) -> None:
    fake.inject("timeout", seconds=5)

    with pytest.raises(requests.ReadTimeout):
        tweet(fake, "slow", timeout=0.3)

    [create] = fake.creates
    assert (create.body, create.fault) == ({"text": "slow"}, "timeout")
    me = requests.get(f"{fake.url}/2/users/me", headers=X_AUTH).json()["data"]
    timeline = requests.get(f"{fake.url}/2/users/{me['id']}/tweets", headers=X_AUTH).json()
    assert timeline["data"][0]["id"] == create.id


def test_drop_fault_resets_the_connection_before_anything(fake: FakePlatformServer) -> None:
    fake.inject("drop")

    with pytest.raises(requests.ConnectionError, match="reset"):
        tweet(fake, "lost")

    assert fake.count() == 0
    assert fake.requests[-1].fault == "drop"
    assert fake.requests[-1].status is None


def test_lost_answer_fault_creates_then_hangs_up(fake: FakePlatformServer) -> None:
    fake.inject("lost_answer", platform="wordpress")

    with pytest.raises(requests.ConnectionError, match="without response"):
        wp_post(fake, "Accepted, unanswered")

    [create] = fake.creates
    assert (create.platform, create.fault) == ("wordpress", "lost_answer")
    found = requests.get(
        f"{fake.url}/wp-json/wp/v2/posts", params={"slug": "accepted-unanswered"}
    ).json()
    assert [str(p["id"]) for p in found] == [create.id]


def test_refuse_closes_the_listener_then_it_comes_back(fake: FakePlatformServer) -> None:
    session = requests.Session()
    assert session.get(f"{fake.url}/2/users/me", headers=X_AUTH).status_code == 200

    fake.refuse(0.5)

    with pytest.raises(requests.ConnectionError):
        session.get(f"{fake.url}/2/users/me", headers=X_AUTH, timeout=2)
    with pytest.raises(requests.ConnectionError, match="refused"):
        requests.get(f"{fake.url}/2/users/me", headers=X_AUTH, timeout=2)
    time.sleep(0.8)
    assert requests.get(f"{fake.url}/2/users/me", headers=X_AUTH).status_code == 200


def test_faults_fire_count_times_then_stop(fake: FakePlatformServer) -> None:
    fake.inject("5xx", count=2)

    codes = [tweet(fake, f"try {n}").status_code for n in range(3)]

    assert codes == [503, 503, 201]
    assert fake.faults.pending() == []


def test_faults_by_probability_are_seeded(fake: FakePlatformServer) -> None:
    fake.inject("5xx", probability=0.5)

    codes = [tweet(fake, f"try {n}").status_code for n in range(40)]

    assert 5 < codes.count(503) < 35
    assert codes.count(201) == fake.count()


def test_faults_hit_only_their_platform_and_scope(fake: FakePlatformServer) -> None:
    fake.inject("5xx", platform="facebook", count=5)

    assert tweet(fake, "fine").status_code == 201
    page = requests.get(f"{fake.url}/v25.0/{PAGE}", params={"access_token": TOKEN})
    assert page.status_code == 200  # a read: the default scope is creates
    assert feed(fake, "broken").status_code == 503

    fake.clear_faults()
    fake.inject("5xx", scope="all")
    assert requests.get(f"{fake.url}/2/users/me", headers=X_AUTH).status_code == 503


# ---------------------------------------------------------------- latency and recording


def test_latency_is_added_after_the_receive_time(fake: FakePlatformServer) -> None:
    fake.configure(latency_ms=200)

    sent = time.time()
    response = tweet(fake, "slow platform", headers={"Idempotency-Key": "k-1"})
    answered = time.time()

    assert response.status_code == 201
    assert answered - sent >= 0.2
    [create] = fake.creates
    assert sent <= create.received_at <= sent + 0.1
    assert answered - create.received_at >= 0.2
    assert create.idempotency_key == "k-1"


def test_creates_are_recorded_with_ids_keys_and_no_token(fake: FakePlatformServer) -> None:
    x_id = tweet(fake, "one", headers={"X-Idempotency-Key": "k-x"}).json()["data"]["id"]
    fb_id = feed(fake, "two").json()["id"]
    wp_id = wp_post(fake, "three").json()["id"]

    creates = fake.creates

    assert [(c.platform, c.kind, c.id) for c in creates] == [
        ("twitter", "tweet", x_id),
        ("facebook", "feed", fb_id),
        ("wordpress", "post", str(wp_id)),
    ]
    assert creates[0].idempotency_key == "k-x"
    assert "access_token" not in creates[1].body
    assert creates[0].received_at < creates[1].received_at < creates[2].received_at
    assert (fake.count(), fake.count("facebook")) == (3, 1)


def test_reset_forgets_creates_objects_and_faults(fake: FakePlatformServer) -> None:
    tweet(fake, "again and again")
    fake.inject("5xx", platform="wordpress")

    fake.reset()

    assert fake.count() == 0
    assert fake.faults.pending() == []
    assert tweet(fake, "again and again").status_code == 201  # no duplicate any more


# ---------------------------------------------------------------- the control API


def test_control_api_reads_and_resets(fake: FakePlatformServer) -> None:
    tweet(fake, "one", headers={"Idempotency-Key": "k-1"})
    feed(fake, "two")

    creates = requests.get(f"{fake.url}/_fake/creates").json()
    only_x = requests.get(f"{fake.url}/_fake/creates", params={"platform": "twitter"}).json()
    stats = requests.get(f"{fake.url}/_fake/stats").json()
    reset = requests.post(f"{fake.url}/_fake/reset")

    assert [c["platform"] for c in creates] == ["twitter", "facebook"]
    assert creates[0]["idempotency_key"] == "k-1"
    assert isinstance(creates[0]["received_at"], float)
    assert [c["platform"] for c in only_x] == ["twitter"]
    assert stats["creates"] == 2
    assert stats["creates_by_platform"] == {"twitter": 1, "facebook": 1}
    assert reset.status_code == 200
    assert requests.get(f"{fake.url}/_fake/stats").json()["creates"] == 0


def test_control_api_sets_latency(fake: FakePlatformServer) -> None:
    answer = requests.post(f"{fake.url}/_fake/config", json={"latency_ms": 150})

    started = time.monotonic()
    tweet(fake, "slow")

    assert answer.json()["latency_ms"] == 150
    assert time.monotonic() - started >= 0.15
    assert fake.settings.latency_ms == 150
    bad = requests.post(f"{fake.url}/_fake/config", json={"latency": 1})
    assert (bad.status_code, bad.json()) == (400, {"error": "unknown setting 'latency'"})


def test_control_api_scripts_faults(fake: FakePlatformServer) -> None:
    added = requests.post(
        f"{fake.url}/_fake/faults",
        json=[
            {"kind": "lost_answer", "platform": "twitter"},
            {"kind": "5xx", "platform": "facebook", "count": 2},
        ],
    )
    pending = requests.get(f"{fake.url}/_fake/faults").json()
    bad = requests.post(f"{fake.url}/_fake/faults", json={"kind": "meteor"})

    assert added.status_code == 201
    assert [f["kind"] for f in pending] == ["lost_answer", "5xx"]
    assert bad.status_code == 400
    with pytest.raises(requests.ConnectionError):
        tweet(fake, "lost")
    assert feed(fake, "down").status_code == 503
    assert requests.delete(f"{fake.url}/_fake/faults").json() == []
    assert feed(fake, "up").status_code == 200


def test_control_api_refuse_answers_before_closing(fake: FakePlatformServer) -> None:
    answer = requests.post(f"{fake.url}/_fake/faults", json={"kind": "refuse", "seconds": 0.5})

    assert answer.status_code == 201
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{fake.url}/_fake/stats", timeout=2)
    time.sleep(0.8)
    assert requests.get(f"{fake.url}/_fake/stats").status_code == 200


# ---------------------------------------------------------------- concurrency and life cycle


def test_200_creates_from_16_threads_are_all_recorded_once(fake: FakePlatformServer) -> None:
    local = threading.local()

    def create(n: int) -> int:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        session: requests.Session = local.session
        response = session.post(f"{fake.url}/2/tweets", json={"text": f"burst {n}"}, headers=X_AUTH)
        return response.status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(create, range(200)))

    assert codes == [201] * 200
    ids = [c.id for c in fake.creates]
    assert len(ids) == 200
    assert len(set(ids)) == 200
    assert fake.stats()["peak_in_flight"] > 1


def test_stop_then_start_serves_the_same_url() -> None:
    server = FakePlatformServer().start()
    url = server.url
    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_fake/stats", timeout=2)

    server.start()
    try:
        assert server.url == url
        assert requests.get(f"{url}/_fake/stats").status_code == 200
    finally:
        server.stop()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])
def test_only_loopback_addresses_are_allowed(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakePlatformServer(host)


def test_command_line_prints_its_url_and_serves_with_latency() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fakeplatform", "--port", "0", "--latency", "20ms"],
        cwd=ROOT,  # where `tests` is importable
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        stats = requests.get(f"{url}/_fake/stats", timeout=5).json()
        assert url.startswith("http://127.0.0.1:")
        assert stats["latency_ms"] == 20
    finally:
        process.terminate()
        assert process.wait(timeout=5) == 0
        if process.stdout is not None:
            process.stdout.close()


# ---------------------------------------------------------------- the real adapters


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> Any:
    from crosspost.secrets import SecretSource

    for name, value in {
        "X_API_KEY": "ck",
        "X_API_SECRET": "cs",
        "X_ACCESS_TOKEN": "at",
        "X_ACCESS_TOKEN_SECRET": "as",
        "FB_PAGE_TOKEN": TOKEN,
        "WP_APP_PASSWORD": WP_AUTH[1],
    }.items():
        monkeypatch.setenv(name, value)
    return SecretSource()


def _job(channel: Any, tmp_path: Path, title: str, key: str) -> Any:
    from channels.base import PublishJob, RenderContext
    from crosspost.domain import Delivery, Item

    image = tmp_path / "affiche.png"
    image.write_bytes(tiny_png(8, 6))
    now = datetime.now(UTC)
    item = Item(id=1, kind="scoop", title=title, body="Tous les détails.", image_path=str(image))
    delivery = Delivery(
        id=1, key=key, item=item, channel=channel.name, role="post", due_at=now, state="sending"
    )
    rendered = channel.render(item, RenderContext(timezone=ZoneInfo("Europe/Paris")))
    return PublishJob(delivery=delivery, rendered=rendered, idempotency_key=key)


def _channel(kind: str, table: dict[str, Any], secrets: Any, tmp_path: Path) -> Any:
    from channels.registry import adapter_class

    cls = adapter_class(kind)
    settings = cls.Settings.model_validate({"type": kind, **table}, context={"base_dir": tmp_path})
    return cls(kind, settings, secrets)


ADAPTER_TABLES: dict[str, Callable[[str], dict[str, Any]]] = {
    "twitter": lambda url: {"api_base": url, "upload_base": url},
    "facebook": lambda url: {"page_id": PAGE, "api_base": url},
    "wordpress": lambda url: {"site_url": url, "username": WP_AUTH[0]},
}


@pytest.mark.parametrize("kind", ["twitter", "facebook", "wordpress"])
def test_the_real_adapter_publishes_checks_and_finds_through_the_fake(
    fake: FakePlatformServer, secrets: Any, tmp_path: Path, kind: str
) -> None:
    channel = _channel(kind, ADAPTER_TABLES[kind](fake.url), secrets, tmp_path)
    job = _job(channel, tmp_path, "Portes ouvertes samedi", "delivery-1")

    assert channel.check().ok
    receipt = channel.publish(job)
    found = channel.find_existing(job)

    [create] = fake.creates
    assert create.platform == kind
    assert receipt.remote_id in (create.id, create.post_id)
    assert found is not None
    assert found.remote_id == receipt.remote_id


@pytest.mark.parametrize("kind", ["twitter", "facebook", "wordpress"])
def test_the_real_adapter_finds_a_post_whose_answer_was_lost(
    fake: FakePlatformServer, secrets: Any, tmp_path: Path, kind: str
) -> None:
    from channels.base import Ambiguous

    channel = _channel(kind, ADAPTER_TABLES[kind](fake.url), secrets, tmp_path)
    job = _job(channel, tmp_path, "Annonce perdue en route", "delivery-2")
    fake.inject("lost_answer", platform=kind)

    with pytest.raises(Ambiguous):
        channel.publish(job)
    found = channel.find_existing(job)

    [create] = fake.creates
    assert create.fault == "lost_answer"
    assert found is not None
    assert found.remote_id in (create.id, create.post_id)
