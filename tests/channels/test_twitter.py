"""The X adapter against X's real answers, faked at the requests layer with `responses`."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
import requests
import responses
import time_machine
import twitter_payloads as x
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
)

from channels.base import (
    Ambiguous,
    AuthExpired,
    ChannelError,
    Duplicate,
    Permanent,
    PublishJob,
    RateLimited,
    RenderContext,
    Rendered,
    Transient,
)
from channels.errors import TRANSPORT_RULES
from channels.twitter import TwitterChannel, TwitterSettings
from channels.twitter.errors import HTTP_RULES
from crosspost.domain import Attempt, Delivery, Item
from crosspost.secrets import SecretSource

TWEETS = "https://api.x.com/2/tweets"
ME = "https://api.x.com/2/users/me"
USER_TWEETS = f"https://api.x.com/2/users/{x.USER['id']}/tweets"
UPLOAD = "https://api.x.com/2/media/upload"
METADATA = "https://api.x.com/2/media/metadata"
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
SECRETS = {
    "X_API_KEY": "ck-4f1b-SECRET",
    "X_API_SECRET": "cs-93aa-SECRET",
    "X_ACCESS_TOKEN": "at-2244994945-SECRET",
    "X_ACCESS_TOKEN_SECRET": "ats-77e0-SECRET",
}
LINK = "https://asso.example.org/actualites/2026/permanence-juridique-gratuite-tous-les-mardis"
LONG_BODY = " ".join(
    f"Phrase numéro {n} de notre compte rendu détaillé de l'assemblée générale annuelle."
    for n in range(1, 9)
)


# ---------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def channel(tmp_path: Path | None = None, **table: Any) -> TwitterChannel:
    settings = TwitterSettings.model_validate(
        {"type": "twitter", "username": "AssoQuartier", **table},
        context={"base_dir": tmp_path or Path.cwd()},
    )
    return TwitterChannel("x", settings, SecretSource())


def scoop(**changes: Any) -> Item:
    item = Item(
        id=7,
        kind="scoop",
        title="Permanence juridique gratuite",
        body="Tous les **mardis** de 14h à 17h, au [local](https://asso.example.org/local).",
        link=LINK,
    )
    return replace(item, **changes)


def weighed(text: str) -> int:
    """X's weighted length of `text`, as the channel reports it."""
    length = render(Item(id=0, kind="scoop", title=text)).length
    assert length is not None
    return length


def render(item: Item, chan: TwitterChannel | None = None, **context: Any) -> Rendered:
    return (chan or channel()).render(item, RenderContext(timezone=PARIS, **context))


def job(
    rendered: Rendered,
    item: Item | None = None,
    *,
    progress: dict[str, Any] | None = None,
    attempts: tuple[Attempt, ...] = (),
) -> tuple[PublishJob, list[dict[str, Any]]]:
    saved: list[dict[str, Any]] = []
    delivery = Delivery(
        id=1,
        key="item-7-x",
        item=item or scoop(),
        channel="x",
        role="post",
        due_at=NOW,
        state="sending",
        progress=progress,
        attempt_history=attempts,
    )
    return PublishJob(delivery, rendered, "item-7-x", save_progress=saved.append), saved


def created_reply(request: Any, ids: Iterator[str | Exception]) -> tuple[int, dict[str, str], Any]:
    """A 201 for each POST /2/tweets, echoing its text, with the next id (or failure)."""
    outcome = next(ids)
    if isinstance(outcome, Exception):
        return 0, {}, outcome
    text = json.loads(request.body)["text"]
    return 201, x.json_headers(), json.dumps(x.created(outcome, text))


def body(call: Any) -> bytes:
    """A request's body as bytes, whatever requests built it as."""
    content = call.request.body
    return content.encode() if isinstance(content, str) else bytes(content or b"")


def header(call: Any, name: str) -> str:
    """A request header as text (OAuth signing leaves some as bytes)."""
    value = call.request.headers[name]
    return value.decode() if isinstance(value, bytes) else str(value)


def sent_bodies(api: responses.RequestsMock, url: str = TWEETS) -> list[dict[str, Any]]:
    return [json.loads(body(c)) for c in api.calls if c.request.url == url]


def assert_no_secret(text: str) -> None:
    for value in SECRETS.values():
        assert value not in text


def raised(publish: Callable[[], object]) -> ChannelError:
    with pytest.raises(ChannelError) as caught:
        publish()
    assert_no_secret(str(caught.value))
    return caught.value


# ---------------------------------------------------------------- settings


def test_defaults_name_the_x_environment_variables_and_hosts() -> None:
    settings = TwitterSettings.model_validate({"type": "twitter", "username": "@AssoQuartier"})
    assert (settings.api_key_env, settings.api_secret_env) == ("X_API_KEY", "X_API_SECRET")
    assert settings.access_token_env == "X_ACCESS_TOKEN"
    assert settings.access_secret_env == "X_ACCESS_TOKEN_SECRET"
    assert settings.api_base == "https://api.x.com"
    assert settings.upload_base == "https://api.x.com"
    assert settings.overflow == "thread"
    assert settings.username == "AssoQuartier"
    assert TwitterChannel.default_label == "X"


def test_unknown_settings_and_bad_overflow_are_refused() -> None:
    with pytest.raises(ValueError, match="extra"):
        TwitterSettings.model_validate({"type": "twitter", "bearer_token": "x"})
    with pytest.raises(ValueError, match="overflow"):
        TwitterSettings.model_validate({"type": "twitter", "overflow": "split"})


# ---------------------------------------------------------------- render


def test_scoop_is_title_body_and_link_with_the_url_counted_as_23() -> None:
    rendered = render(scoop())
    plain = "Tous les mardis de 14h à 17h, au local (https://asso.example.org/local)."
    assert rendered.text == f"Permanence juridique gratuite\n\n{plain}\n\n{LINK}"
    assert rendered.parts == (rendered.text,)
    # Both links weigh 23 whatever their real length (LINK alone is 85 characters).
    expected = len("Permanence juridique gratuite") + 2 + len(plain.split("(")[0]) + 1 + 23 + 2
    assert rendered.length == expected + 2 + 23
    assert (rendered.limit, rendered.unit) == (280, "weighted characters")
    assert channel().validate(rendered) == []


def test_links_hashtags_and_mentions_in_the_body_reach_x_as_typed() -> None:
    body = (
        "Programme : https://asso.example.org/agenda?utm_source=x&utm_medium=social&region=ara "
        "et https://fr.wikipedia.org/wiki/Économie_sociale_et_solidaire #hashtag_avec_underscore "
        "@asso_du_quartier"
    )

    rendered = render(scoop(body=body, link=None))

    assert rendered.text == f"Permanence juridique gratuite\n\n{body}"


def test_emoji_and_cjk_weigh_two() -> None:
    rendered = render(Item(id=1, kind="scoop", title="Fête des voisins 🎉", body="東京でも開催"))
    assert rendered.text == "Fête des voisins 🎉\n\n東京でも開催"
    assert rendered.length == len("Fête des voisins ") + 2 + 2 + 6 * 2


def test_event_has_its_french_date_and_place_but_not_its_body() -> None:
    event = Item(
        id=2,
        kind="event",
        title="Fête de quartier",
        body="Long programme détaillé",
        link="https://asso.example.org/fete",
        event_start=datetime(2026, 12, 12, 13, 0, tzinfo=UTC),
        event_end=datetime(2026, 12, 12, 17, 0, tzinfo=UTC),
        location="Place du Marché, Lyon",
    )
    assert render(event).text == (
        "Fête de quartier\n\n"
        "Samedi 12 décembre 2026 de 14h00 à 18h00\nPlace du Marché, Lyon\n\n"
        "https://asso.example.org/fete"
    )


def test_announcement_is_title_and_the_announced_link() -> None:
    article = scoop(kind="article", body="Un très long article " * 40, link=None)
    announced = "https://blog.asso.example.org/2026/03/assemblee-generale"
    rendered = render(article, role="announce", announced_url=announced)
    assert rendered.text == f"Permanence juridique gratuite\n\n{announced}"


def test_announcement_without_its_link_yet_warns() -> None:
    rendered = render(scoop(), role="announce")
    assert rendered.text == "Permanence juridique gratuite"
    assert [p.message for p in channel().validate(rendered)] == [
        "the announced post has no link yet"
    ]


def test_tags_become_hashtags_when_they_fit() -> None:
    rendered = render(scoop(tags=("droit", "fête de la musique", "2026", "Droit")))
    assert rendered.text.endswith(f"{LINK}\n\n#droit #FêteDeLaMusique")


def test_tags_never_lengthen_a_thread() -> None:
    rendered = render(scoop(body=LONG_BODY, tags=("droit",)))
    assert len(rendered.parts) > 1
    assert "#droit" not in rendered.text


def test_too_long_becomes_a_numbered_thread_cut_between_sentences() -> None:
    rendered = render(scoop(body=LONG_BODY))
    count = len(rendered.parts)
    assert count == 3
    assert rendered.length is not None
    assert rendered.length > 280
    for number, part in enumerate(rendered.parts, start=1):
        assert part.endswith(f" {number}/{count}")
        assert weighed(part) <= 280
    # Cut between sentences: every part but the last ends a sentence before its number.
    assert all(
        p.removesuffix(f" {n}/{count}").endswith(".") for n, p in enumerate(rendered.parts[:-1], 1)
    )
    assert rendered.parts[-1].endswith(f"{LINK} 3/3")
    # Nothing lost, nothing added but the numbers.
    words = " ".join(p.rsplit(" ", 1)[0] for p in rendered.parts).split()
    assert words == f"Permanence juridique gratuite {LONG_BODY} {LINK}".split()
    assert rendered.text == "\n\n".join(rendered.parts)
    warning = (
        f"tweet is {rendered.length}/280 weighted characters; it will be sent as a 3-post thread"
    )
    assert [p.message for p in channel().validate(rendered)] == [warning]


def test_a_sentence_longer_than_a_post_is_cut_between_words() -> None:
    rendered = render(Item(id=1, kind="scoop", title="Liste", body=" ".join(["bénévole"] * 80)))
    assert len(rendered.parts) == 3
    assert all("bénévol " not in p and p.split()[-2] == "bénévole" for p in rendered.parts)


def test_truncate_mode_cuts_the_text_and_keeps_the_link() -> None:
    chan = channel(overflow="truncate")
    rendered = render(scoop(body=LONG_BODY), chan)
    (post,) = rendered.parts
    assert post.endswith(f"…\n\n{LINK}")
    # Cut at the last word that fits: the next word would not have.
    assert "détaillé de…" in post
    assert weighed(post) <= 280 < weighed(post.replace("de…", "de l'assemblée…"))
    assert post.startswith("Permanence juridique gratuite\n\nPhrase numéro 1 ")
    assert [p.message for p in chan.validate(rendered)] == [
        f"tweet is {rendered.length}/280 weighted characters; it will be cut to fit "
        "(the link is kept)"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Rendez-vous à 14h : l'ESS, c'est « nous » ! Fin.",
        "Ligne un\r\nligne deux\rtrois\n",
        "Café\u0301 noe\u0308l",  # accents typed as combining marks (NFC composes them)
        "Voir asso.fr ou https://asso.example.org/?utm_source=x&utm_medium=social.",
        "© ® ™ ‼ … \u2019 \u202f 🎉 東京 #ESS @asso",
        "".join(chr(c) for c in range(0x20, 0x1100)),
    ],
)
def test_weight_counted_directly_is_twitter_texts_weight(text: str) -> None:
    from twitter_text import parse_tweet

    from channels.twitter.text import weighted_length

    assert weighted_length(text) == parse_tweet(text).weightedLength


def test_every_code_point_counted_directly_weighs_as_twitter_text_says() -> None:
    from twitter_text import parse_tweet

    from channels.twitter.text import weighted_length

    for code in range(0x1100):
        assert weighted_length(chr(code)) == parse_tweet(chr(code)).weightedLength, hex(code)


FAMILY = "👨\u200d👩\u200d👧"  # one grapheme of five code points, weighed 2 by X


def test_a_thread_never_cuts_a_family_emoji_in_two() -> None:
    rendered = render(Item(id=1, kind="scoop", title="Familles", body=FAMILY * 200))

    assert len(rendered.parts) == 2
    bodies = [part.rsplit(" ", 1)[0] for part in rendered.parts]
    assert "".join(bodies) == f"Familles\n\n{FAMILY * 200}"
    assert all(body.removeprefix("Familles\n\n").replace(FAMILY, "") == "" for body in bodies)
    assert all(weighed(part) <= 280 for part in rendered.parts)


def test_truncate_cuts_a_text_without_spaces_between_characters() -> None:
    japanese = "地域の修理カフェでは毎週土曜日にボランティアが家電を無料で修理しています。" * 8
    item = Item(id=1, kind="scoop", title="修理カフェ", body=japanese, link=LINK)

    (post,) = render(item, channel(overflow="truncate")).parts

    assert post.startswith("修理カフェ\n\n地域の修理カフェでは毎週土曜日に")
    assert post.endswith(f"…\n\n{LINK}")
    kept = post.removeprefix("修理カフェ\n\n").removesuffix(f"…\n\n{LINK}")
    assert japanese.startswith(kept)
    assert len(kept) > 100  # the body is cut, not dropped
    assert 270 < weighed(post) <= 280


def test_truncate_never_cuts_an_emoji_in_two() -> None:
    item = Item(id=1, kind="scoop", title="Familles", body=FAMILY * 200)

    (post,) = render(item, channel(overflow="truncate")).parts

    kept = post.removeprefix("Familles\n\n").removesuffix("…")
    assert kept
    assert kept.replace(FAMILY, "") == ""


def test_truncate_still_cuts_french_between_words() -> None:
    body = "Inscriptions ouvertes pour l'atelier anticonstitutionnellement passionnant " * 9
    item = Item(id=1, kind="scoop", title="Atelier", body=body, link=LINK)

    (post,) = render(item, channel(overflow="truncate")).parts

    kept = post.removeprefix("Atelier\n\n").removesuffix(f"…\n\n{LINK}")
    assert body.startswith(kept)
    assert body[len(kept)] == " "


@pytest.mark.parametrize(
    ("tag", "written"),
    [
        ("l'ESS", "#ESS"),
        ("l\u2019ESS", "#ESS"),  # the typographic apostrophe
        ("fête de l'ESS", "#FêteDeESS"),
        ("jusqu'au bout", "#AuBout"),
        ("repair_café", "#repair_café"),
        ("économie sociale et solidaire", "#ÉconomieSocialeEtSolidaire"),
    ],
)
def test_tags_with_an_elision_give_the_hashtag_x_links(tag: str, written: str) -> None:
    rendered = render(scoop(tags=(tag,)))

    assert rendered.text.endswith(f"{LINK}\n\n{written}")
    assert "#LESS" not in rendered.text


def test_a_tag_no_hashtag_can_say_faithfully_is_left_out() -> None:
    rendered = render(scoop(tags=("aujourd'hui", "ESS")))

    assert rendered.text.endswith(f"{LINK}\n\n#ESS")


def test_a_thread_longer_than_max_thread_is_refused_with_its_count() -> None:
    body = " ".join(LONG_BODY for _ in range(5))
    rendered = render(scoop(body=body))

    errors = [p.message for p in channel().validate(rendered) if p.level == "error"]

    assert errors == [
        "the text would make a thread of 14 posts on X; this channel takes at most 10 "
        "(max_thread): shorten it, or publish it on the blog and announce it here"
    ]
    assert len(rendered.parts) == 14


def test_max_thread_is_a_setting() -> None:
    assert TwitterSettings.model_validate({"type": "twitter"}).max_thread == 10
    body = " ".join(LONG_BODY for _ in range(5))
    chan = channel(max_thread=20)

    problems = chan.validate(render(scoop(body=body), chan))

    assert [p.level for p in problems] == ["warning"]
    assert "14-post thread" in problems[0].message
    with pytest.raises(ValueError, match="max_thread"):
        TwitterSettings.model_validate({"type": "twitter", "max_thread": 0})


def test_a_huge_body_is_refused_at_once_with_how_many_posts_it_needs_at_least() -> None:
    body = "Le repair café du quartier a réparé des grille-pain et des lampes. " * 5400
    assert len(body.encode()) > 360_000

    rendered = render(scoop(body=body))

    errors = [p.message for p in channel().validate(rendered) if p.level == "error"]
    assert errors == [
        "the text would make a thread of at least 1,293 posts on X; this channel takes at "
        "most 10 (max_thread): shorten it, or publish it on the blog and announce it here"
    ]


def test_request_holds_the_exact_bodies_with_x_ids_to_come_marked() -> None:
    rendered = render(scoop(body=LONG_BODY))
    assert rendered.request["endpoint"] == "POST https://api.x.com/2/tweets"
    assert rendered.request["tweets"] == [
        {"text": rendered.parts[0]},
        {"text": rendered.parts[1], "reply": {"in_reply_to_tweet_id": "<id of post 1>"}},
        {"text": rendered.parts[2], "reply": {"in_reply_to_tweet_id": "<id of post 2>"}},
    ]


# ---------------------------------------------------------------- images


def write_image(tmp_path: Path, name: str, head: bytes, size: int) -> Path:
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
GIF = b"GIF89a\x01\x00\x01\x00"


def test_image_over_five_megabytes_is_an_error_with_the_numbers(tmp_path: Path) -> None:
    image = write_image(tmp_path, "affiche.png", PNG, int(7.2 * 1024 * 1024))
    rendered = render(scoop(image_path=str(image), image_alt="L'affiche"))
    assert [(p.level, p.message) for p in channel().validate(rendered)] == [
        ("error", "image is 7.2 MB; X accepts up to 5 MB")
    ]


def test_image_of_a_type_x_does_not_take_is_an_error(tmp_path: Path) -> None:
    image = write_image(tmp_path, "affiche.png", GIF, 2000)  # a GIF, whatever its name says
    rendered = render(scoop(image_path=str(image), image_alt="L'affiche"))
    assert [(p.level, p.message) for p in channel().validate(rendered)] == [
        ("error", "image is image/gif; X accepts JPEG, PNG, WebP, BMP, TIFF images")
    ]


def test_missing_image_file_is_an_error(tmp_path: Path) -> None:
    rendered = render(scoop(image_path=str(tmp_path / "gone.jpg"), image_alt="x"))
    (problem,) = channel().validate(rendered)
    assert problem.level == "error"
    assert problem.message.startswith(f"image {tmp_path / 'gone.jpg'} cannot be read")


def test_image_without_alt_text_is_a_warning(tmp_path: Path) -> None:
    image = write_image(tmp_path, "affiche.png", PNG, 3120)
    rendered = render(scoop(image_path=str(image)))
    assert [(p.level, p.message) for p in channel().validate(rendered)] == [
        ("warning", "the image has no alt text: people using screen readers will miss it")
    ]


# ---------------------------------------------------------------- publish


def test_single_post_sends_the_rendered_body_signed_with_oauth1(
    api: responses.RequestsMock,
) -> None:
    rendered = render(scoop())
    api.add(responses.POST, TWEETS, json=x.created(x.TWEET_ID, rendered.text), status=201)
    publish_job, saved = job(rendered)

    receipt = channel().publish(publish_job)

    assert sent_bodies(api) == rendered.request["tweets"]
    authorization = header(api.calls[0], "Authorization")
    assert authorization.startswith("OAuth ")
    assert 'oauth_consumer_key="ck-4f1b-SECRET"' in authorization
    assert receipt.remote_id == x.TWEET_ID
    assert receipt.url == f"https://x.com/AssoQuartier/status/{x.TWEET_ID}"
    assert saved == [{"thread_ids": [x.TWEET_ID]}]


def test_without_a_username_the_link_is_xs_generic_one(api: responses.RequestsMock) -> None:
    chan = channel(username=None)
    rendered = render(scoop(), chan)
    api.add(responses.POST, TWEETS, json=x.created(x.TWEET_ID, rendered.text), status=201)
    receipt = chan.publish(job(rendered)[0])
    assert receipt.url == f"https://x.com/i/web/status/{x.TWEET_ID}"


def test_api_base_from_settings_receives_the_posts(api: responses.RequestsMock) -> None:
    chan = channel(api_base="http://127.0.0.1:8765/")
    rendered = render(scoop(), chan)
    api.add(
        responses.POST,
        "http://127.0.0.1:8765/2/tweets",
        json=x.created(x.TWEET_ID, rendered.text),
        status=201,
    )
    assert chan.publish(job(rendered)[0]).remote_id == x.TWEET_ID
    assert rendered.request["endpoint"] == "POST http://127.0.0.1:8765/2/tweets"


def test_thread_posts_each_part_as_a_reply_to_the_previous(api: responses.RequestsMock) -> None:
    rendered = render(scoop(body=LONG_BODY))
    ids: Iterator[str | Exception] = iter([x.TWEET_ID, x.SECOND_ID, x.THIRD_ID])
    api.add_callback(responses.POST, TWEETS, callback=lambda r: created_reply(r, ids))
    publish_job, saved = job(rendered)

    receipt = channel().publish(publish_job)

    assert sent_bodies(api) == [
        {"text": rendered.parts[0]},
        {"text": rendered.parts[1], "reply": {"in_reply_to_tweet_id": x.TWEET_ID}},
        {"text": rendered.parts[2], "reply": {"in_reply_to_tweet_id": x.SECOND_ID}},
    ]
    assert saved == [
        {"thread_ids": [x.TWEET_ID]},
        {"thread_ids": [x.TWEET_ID, x.SECOND_ID]},
        {"thread_ids": [x.TWEET_ID, x.SECOND_ID, x.THIRD_ID]},
    ]
    assert receipt.remote_id == x.TWEET_ID
    assert receipt.detail == {"thread_ids": [x.TWEET_ID, x.SECOND_ID, x.THIRD_ID]}


def refused() -> requests.ConnectionError:
    reason = NewConnectionError(
        None,  # type: ignore[arg-type]
        "Failed to establish a new connection: [Errno 111] Connection refused",
    )
    return requests.ConnectionError(MaxRetryError(None, "/2/tweets", reason))  # type: ignore[arg-type]


def test_a_thread_resumes_after_the_posts_already_published(api: responses.RequestsMock) -> None:
    rendered = render(scoop(body=LONG_BODY))
    outcomes: Iterator[str | Exception] = iter([x.TWEET_ID, x.SECOND_ID, refused()])
    api.add_callback(responses.POST, TWEETS, callback=lambda r: created_reply(r, outcomes))
    first_attempt, saved = job(rendered)

    error = raised(lambda: channel().publish(first_attempt))

    assert isinstance(error, Transient)
    assert error.message.startswith("thread post 3/3: X: the connection was refused")
    assert f"posts 1 to 2 are on X: https://x.com/AssoQuartier/status/{x.TWEET_ID}" in error.message
    assert saved[-1] == {"thread_ids": [x.TWEET_ID, x.SECOND_ID]}

    api.replace(responses.POST, TWEETS, json=x.created(x.THIRD_ID, rendered.parts[2]), status=201)
    api.calls.reset()
    retry, saved_again = job(rendered, progress=saved[-1])

    receipt = channel().publish(retry)

    assert sent_bodies(api) == [
        {"text": rendered.parts[2], "reply": {"in_reply_to_tweet_id": x.SECOND_ID}}
    ]
    assert receipt.remote_id == x.TWEET_ID
    assert saved_again == [{"thread_ids": [x.TWEET_ID, x.SECOND_ID, x.THIRD_ID]}]


def test_a_finished_thread_is_not_sent_again(api: responses.RequestsMock) -> None:
    rendered = render(scoop())
    receipt = channel().publish(job(rendered, progress={"thread_ids": [x.TWEET_ID]})[0])
    assert receipt.remote_id == x.TWEET_ID
    assert len(api.calls) == 0


def test_image_is_uploaded_with_its_alt_text_then_attached(
    api: responses.RequestsMock, tmp_path: Path
) -> None:
    image = write_image(tmp_path, "affiche.png", PNG, 3120)
    rendered = render(scoop(image_path=str(image), image_alt="Affiche de la permanence"))
    api.add(responses.POST, UPLOAD, json=x.MEDIA_UPLOADED, headers=x.json_headers())
    api.add(responses.POST, METADATA, json=x.media_metadata("Affiche de la permanence"))
    api.add(responses.POST, TWEETS, json=x.created(x.TWEET_ID, rendered.text), status=201)

    channel().publish(job(rendered)[0])

    upload, metadata, create = api.calls
    assert header(upload, "Content-Type").startswith("multipart/form-data; boundary=")
    sent = body(upload)
    assert b'Content-Disposition: form-data; name="media_category"\r\n\r\ntweet_image\r\n' in sent
    assert b'name="media"; filename="affiche.png"\r\nContent-Type: image/png\r\n\r\n' in sent
    assert image.read_bytes() in sent
    assert header(upload, "Authorization").startswith("OAuth ")
    assert json.loads(body(metadata)) == {
        "id": x.MEDIA_ID,
        "metadata": {"alt_text": {"text": "Affiche de la permanence"}},
    }
    assert json.loads(body(create)) == {
        "text": rendered.text,
        "media": {"media_ids": [x.MEDIA_ID]},
    }
    assert rendered.request["tweets"][0]["media"] == {"media_ids": ["<id of the uploaded image>"]}


def test_an_image_upload_failure_publishes_nothing_and_is_transient(
    api: responses.RequestsMock, tmp_path: Path
) -> None:
    image = write_image(tmp_path, "affiche.png", PNG, 3120)
    rendered = render(scoop(image_path=str(image), image_alt="Affiche"))
    api.add(responses.POST, UPLOAD, json=x.SERVICE_UNAVAILABLE, status=503)

    error = raised(lambda: channel().publish(job(rendered)[0]))

    assert isinstance(error, Transient)
    assert [c.request.url for c in api.calls] == [UPLOAD]


# ---------------------------------------------------------------- X's answers, row by row

#: One case per row of HTTP_RULES: (row, status, body, content type, expected class).
HTTP_CASES = [
    (0, 429, x.TOO_MANY, x.JSON, RateLimited),
    (1, 401, x.UNAUTHORIZED, x.JSON, AuthExpired),
    (2, 403, x.DUPLICATE, x.JSON, Duplicate),
    (2, 403, x.DUPLICATE, x.PROBLEM_JSON, Duplicate),
    (3, 403, x.OAUTH1_PERMISSIONS, x.PROBLEM_JSON, Permanent),
    (4, 403, x.NOT_PERMITTED, x.JSON, Permanent),
    (5, 403, x.CLIENT_NOT_ENROLLED, x.JSON, Permanent),
    (6, 403, x.FORBIDDEN_OTHER, x.JSON, Permanent),
    (7, 400, x.INVALID_MEDIA, x.JSON, Permanent),
    (8, 404, x.NOT_FOUND, x.JSON, Permanent),
    (9, 503, x.SERVICE_UNAVAILABLE, x.JSON, Ambiguous),
    (10, 413, x.PAYLOAD_TOO_LARGE, x.JSON, Permanent),
    (11, 304, None, x.JSON, Permanent),
]


def test_every_http_rule_has_a_case() -> None:
    assert {case[0] for case in HTTP_CASES} == set(range(len(HTTP_RULES)))


@pytest.mark.parametrize(("row", "status", "payload", "content_type", "expected"), HTTP_CASES)
def test_x_answers_are_classified_per_the_table(
    api: responses.RequestsMock,
    row: int,
    status: int,
    payload: dict[str, Any] | None,
    content_type: str,
    expected: type[ChannelError],
) -> None:
    api.add(
        responses.POST,
        TWEETS,
        body=json.dumps(payload) if payload else "",
        status=status,
        content_type=content_type,
        headers=x.json_headers(),
    )

    error = raised(lambda: channel().publish(job(render(scoop()))[0]))

    assert type(error) is expected
    rule = HTTP_RULES[row]
    assert error.message.startswith(rule.message.split("{")[0].split(":")[0])
    if payload and payload.get("detail") and not payload.get("errors"):
        assert payload["detail"] in error.message


def test_duplicate_is_reported_as_such() -> None:
    with responses.RequestsMock() as api:
        api.add(responses.POST, TWEETS, json=x.DUPLICATE, status=403)
        error = raised(lambda: channel().publish(job(render(scoop()))[0]))
    assert isinstance(error, Duplicate)
    assert error.message == (
        "X already has a post with exactly this text (perhaps an earlier attempt's); it is not "
        "sent again (403: You are not allowed to create a Tweet with duplicate content.)"
    )


def test_unauthorized_names_the_variables_to_renew(api: responses.RequestsMock) -> None:
    api.add(responses.POST, TWEETS, json=x.UNAUTHORIZED, status=401)
    error = raised(lambda: channel().publish(job(render(scoop()))[0]))
    assert isinstance(error, AuthExpired)
    assert "renew X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET" in (
        error.message
    )


def test_bad_request_shows_xs_own_message(api: responses.RequestsMock) -> None:
    api.add(responses.POST, TWEETS, json=x.INVALID_MEDIA, status=400)
    error = raised(lambda: channel().publish(job(render(scoop()))[0]))
    assert error.message == "X rejected the request (400: Your media IDs are invalid.)"


def test_write_permission_refusal_tells_how_to_fix_it(api: responses.RequestsMock) -> None:
    api.add(responses.POST, TWEETS, json=x.NOT_PERMITTED, status=403)
    error = raised(lambda: channel().publish(job(render(scoop()))[0]))
    assert "Read and Write permission" in error.message
    assert "regenerate the access token" in error.message


def epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


RATE_CASES = [
    pytest.param(
        {"x_rate_limit_remaining": "0", "x_rate_limit_reset": epoch(NOW + timedelta(minutes=9))},
        NOW + timedelta(minutes=9),
        "the 15-minute limit",
        id="15-minute window",
    ),
    pytest.param(
        {
            "x_rate_limit_remaining": "87",
            "x_rate_limit_reset": epoch(NOW + timedelta(minutes=9)),
            "x_user_limit_24hour_limit": "17",
            "x_user_limit_24hour_remaining": "0",
            "x_user_limit_24hour_reset": epoch(NOW + timedelta(hours=20)),
        },
        NOW + timedelta(hours=20),
        "the account's 24-hour posting limit",
        id="user 24-hour limit",
    ),
    pytest.param(
        {
            "x_rate_limit_remaining": "87",
            "x_rate_limit_reset": epoch(NOW + timedelta(minutes=9)),
            "x_app_limit_24hour_limit": "1667",
            "x_app_limit_24hour_remaining": "0",
            "x_app_limit_24hour_reset": epoch(NOW + timedelta(hours=5)),
            "x_user_limit_24hour_remaining": "3",
            "x_user_limit_24hour_reset": epoch(NOW + timedelta(hours=20)),
        },
        NOW + timedelta(hours=5),
        "the app's 24-hour limit",
        id="app 24-hour limit",
    ),
]


@pytest.mark.parametrize(("headers", "retry_at", "window"), RATE_CASES)
def test_rate_limit_retries_when_the_exhausted_limit_resets(
    api: responses.RequestsMock, headers: dict[str, str], retry_at: datetime, window: str
) -> None:
    api.add(responses.POST, TWEETS, json=x.TOO_MANY, status=429, headers=x.json_headers(**headers))
    with time_machine.travel(NOW, tick=False):
        error = raised(lambda: channel().publish(job(render(scoop()))[0]))
    assert isinstance(error, RateLimited)
    assert error.retry_at == retry_at
    assert window in error.message
    assert f"retry after {retry_at:%Y-%m-%d %H:%M} UTC" in error.message


def test_rate_limit_without_headers_waits_a_window(api: responses.RequestsMock) -> None:
    api.add(responses.POST, TWEETS, json=x.TOO_MANY, status=429)
    with time_machine.travel(NOW, tick=False):
        error = raised(lambda: channel().publish(job(render(scoop()))[0]))
    assert isinstance(error, RateLimited)
    assert error.retry_at == NOW + timedelta(minutes=15)


# ---------------------------------------------------------------- transport, row by row


def _dns_failure() -> requests.ConnectionError:
    reason = NameResolutionError(
        "api.twitter.com",
        None,  # type: ignore[arg-type]
        socket.gaierror(-3, "Temporary failure in name resolution"),
    )
    return requests.ConnectionError(MaxRetryError(None, "/2/tweets", reason))  # type: ignore[arg-type]


def _connect_timeout_error() -> requests.ConnectionError:
    reason = ConnectTimeoutError(None, "Connection to api.twitter.com timed out.")
    return requests.ConnectionError(MaxRetryError(None, "/2/tweets", reason))  # type: ignore[arg-type]


def _remote_disconnected() -> requests.ConnectionError:
    dropped = http.client.RemoteDisconnected("Remote end closed connection without response")
    return requests.ConnectionError(ProtocolError("Connection aborted.", dropped))


def _reset() -> requests.ConnectionError:
    reset = ConnectionResetError(104, "Connection reset by peer")
    return requests.ConnectionError(ProtocolError("Connection aborted.", reset))


def _certificate_refused() -> requests.exceptions.SSLError:
    refusal = ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"
    )
    reason = urllib3.exceptions.SSLError(refusal)
    return requests.exceptions.SSLError(MaxRetryError(None, "/2/tweets", reason))  # type: ignore[arg-type]


#: One failure per row of TRANSPORT_RULES, as requests raises it.
TRANSPORT_CASES: dict[str, Callable[[], Exception]] = {
    "urllib3.exceptions.NameResolutionError": _dns_failure,
    "urllib3.exceptions.NewConnectionError": refused,
    "urllib3.exceptions.ConnectTimeoutError": _connect_timeout_error,
    "requests.exceptions.ConnectTimeout": lambda: requests.ConnectTimeout("timed out"),
    "ssl.SSLCertVerificationError": _certificate_refused,
    "requests.exceptions.SSLError": lambda: requests.exceptions.SSLError(
        "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol"
    ),
    "requests.exceptions.ProxyError": lambda: requests.exceptions.ProxyError("407"),
    "http.client.RemoteDisconnected": _remote_disconnected,
    "urllib3.exceptions.ProtocolError": _reset,
    "requests.exceptions.ReadTimeout": lambda: requests.ReadTimeout("read timed out"),
    "requests.exceptions.ChunkedEncodingError": lambda: requests.exceptions.ChunkedEncodingError(
        "Connection broken: IncompleteRead(0 bytes read)"
    ),
    "requests.exceptions.JSONDecodeError": lambda: requests.exceptions.JSONDecodeError(
        "Expecting value", "<html>", 0
    ),
    "requests.exceptions.RequestException": lambda: requests.RequestException("odd"),
}


def test_every_transport_rule_has_a_case() -> None:
    assert set(TRANSPORT_CASES) == {rule.raised for rule in TRANSPORT_RULES}


@pytest.mark.parametrize("rule", TRANSPORT_RULES, ids=lambda r: r.raised.rsplit(".", 1)[1])
def test_transport_failures_are_ambiguous_only_if_the_post_may_have_left(
    api: responses.RequestsMock, rule: Any
) -> None:
    api.add(responses.POST, TWEETS, body=TRANSPORT_CASES[rule.raised]())
    error = raised(lambda: channel().publish(job(render(scoop()))[0]))
    assert type(error) is (Ambiguous if rule.outcome is Ambiguous else Transient)
    assert error.message.startswith(f"X: {rule.message}")


# Real sockets: the exceptions requests raises for a real dropped or refused connection.


@contextmanager
def tcp_server(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            handle(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        thread.join(timeout=5)
        server.close()


def read_request(connection: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += connection.recv(65536)


def test_a_connection_dropped_after_sending_is_ambiguous() -> None:
    with tcp_server(read_request) as base:
        chan = channel(api_base=base)
        error = raised(lambda: chan.publish(job(render(scoop(), chan))[0]))
    assert isinstance(error, Ambiguous)
    assert error.message.startswith("X: it hung up without answering")


def test_an_answer_that_never_comes_is_ambiguous() -> None:
    release = threading.Event()

    def stall(connection: socket.socket) -> None:
        read_request(connection)
        release.wait(5)

    with tcp_server(stall) as base:
        chan = channel(api_base=base, timeout=0.2)
        try:
            error = raised(lambda: chan.publish(job(render(scoop(), chan))[0]))
        finally:
            release.set()
    assert isinstance(error, Ambiguous)
    assert error.message.startswith("X: no answer in time")


def test_a_refused_connection_is_transient() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed on exit: nothing listens there any more
    chan = channel(api_base=f"http://127.0.0.1:{port}")
    error = raised(lambda: chan.publish(job(render(scoop(), chan))[0]))
    assert isinstance(error, Transient)
    assert error.message.startswith("X: the connection was refused")


# ---------------------------------------------------------------- find_existing


def lookup_job(rendered: Rendered, **kwargs: Any) -> tuple[PublishJob, list[dict[str, Any]]]:
    attempt = Attempt(1, NOW + timedelta(seconds=1), None, "ambiguous", None, None, "w1")
    return job(rendered, attempts=(attempt,), **kwargs)


def test_find_existing_matches_a_post_whose_links_x_rewrote(api: responses.RequestsMock) -> None:
    rendered = render(scoop())
    # X returns links as t.co and escapes & < >; an attached image adds its own link.
    seen = rendered.text.replace(LINK, "https://t.co/Xy7aB2cD9e").replace(
        "https://asso.example.org/local", "https://t.co/q1W2e3R4t5"
    )
    api.add(responses.GET, ME, json=x.USERS_ME)
    api.add(
        responses.GET,
        USER_TWEETS,
        json=x.timeline(
            x.timeline_tweet("1880028106020515999", "Autre chose"),
            x.timeline_tweet(x.TWEET_ID, seen + " https://t.co/pIcTuRe123"),
        ),
    )
    lookup, saved = lookup_job(rendered)

    receipt = channel().find_existing(lookup)

    assert receipt is not None
    assert receipt.remote_id == x.TWEET_ID
    query = parse_qs(urlparse(str(api.calls[1].request.url)).query)
    assert query["max_results"] == ["100"]
    assert query["start_time"] == ["2026-03-14T09:55:00Z"]
    assert query["tweet.fields"] == ["created_at,referenced_tweets"]
    assert saved == [{"thread_ids": [x.TWEET_ID]}]


def test_find_existing_finds_nothing_when_the_post_is_not_there(
    api: responses.RequestsMock,
) -> None:
    api.add(responses.GET, ME, json=x.USERS_ME)
    api.add(responses.GET, USER_TWEETS, json=x.timeline())
    lookup, saved = lookup_job(render(scoop()))
    assert channel().find_existing(lookup) is None
    assert saved == []


def test_find_existing_records_the_thread_parts_it_finds(api: responses.RequestsMock) -> None:
    rendered = render(scoop(body=LONG_BODY))
    api.add(responses.GET, ME, json=x.USERS_ME)
    api.add(
        responses.GET,
        USER_TWEETS,
        json=x.timeline(
            x.timeline_tweet(x.SECOND_ID, rendered.parts[1], replied_to=x.TWEET_ID),
            x.timeline_tweet(x.TWEET_ID, rendered.parts[0]),
        ),
    )
    lookup, saved = lookup_job(rendered)

    # Two of three posts are out: not published yet, but the retry resumes after them.
    assert channel().find_existing(lookup) is None
    assert saved == [{"thread_ids": [x.TWEET_ID, x.SECOND_ID]}]


def test_find_existing_refuses_to_guess_when_x_will_not_show_the_posts(
    api: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    """'Cannot look' must not read as 'not there', or the engine would post twice."""
    api.add(responses.GET, ME, json=x.USERS_ME)
    api.add(responses.GET, USER_TWEETS, json=x.CLIENT_NOT_ENROLLED, status=403)
    with caplog.at_level(logging.DEBUG), pytest.raises(Permanent) as refused:
        channel().find_existing(lookup_job(render(scoop()))[0])
    assert "cannot tell whether the post went out" in refused.value.message
    assert_no_secret(refused.value.message)
    ours = [r.getMessage() for r in caplog.records if r.name == "channels.twitter"]
    assert len(ours) == 1
    assert "does not let this app read its posts" in ours[0]
    assert_no_secret(ours[0])


def test_find_existing_read_failures_are_transient(api: responses.RequestsMock) -> None:
    api.add(responses.GET, ME, body=_remote_disconnected())
    error = raised(lambda: channel().find_existing(lookup_job(render(scoop()))[0]))
    assert isinstance(error, Transient)


def test_lookup_is_declared_with_a_settling_delay() -> None:
    assert TwitterChannel.supports_lookup is True
    assert timedelta(minutes=1) <= TwitterChannel.settling_delay <= timedelta(minutes=5)


# ---------------------------------------------------------------- check


def test_check_says_who_we_are(api: responses.RequestsMock) -> None:
    api.add(responses.GET, ME, json=x.USERS_ME)
    result = channel().check()
    assert (result.ok, result.message) == (True, "authenticated as @AssoQuartier")


def test_check_notices_another_account_than_configured(api: responses.RequestsMock) -> None:
    api.add(responses.GET, ME, json=x.USERS_ME)
    result = channel(username="AutreCompte").check()
    assert result.message == "authenticated as @AssoQuartier (but the settings say @AutreCompte)"


def test_check_with_revoked_credentials_is_auth_expired(api: responses.RequestsMock) -> None:
    api.add(responses.GET, ME, json=x.UNAUTHORIZED, status=401)
    assert isinstance(raised(channel().check), AuthExpired)


def test_missing_credentials_name_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_ACCESS_TOKEN")
    monkeypatch.delenv("X_ACCESS_TOKEN_SECRET")
    error = raised(channel().check)
    assert isinstance(error, AuthExpired)
    assert error.message.startswith(
        "X credentials are missing: set X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET"
    )


# ---------------------------------------------------------------- secrets


def test_no_secret_in_rendered_requests(tmp_path: Path) -> None:
    image = write_image(tmp_path, "affiche.png", PNG, 3120)
    for item in (scoop(), scoop(body=LONG_BODY, image_path=str(image))):
        rendered = render(item)
        assert_no_secret(json.dumps(rendered.request))
        assert_no_secret(rendered.text)


def test_importing_the_adapter_loads_no_sdk() -> None:
    # Config validation imports every adapter: it must stay cheap.
    code = (
        "import sys, channels.twitter; "
        "sdks = {'tweepy', 'requests', 'requests_oauthlib', 'twitter_text', 'regex'}; "
        "print(sorted(sdks & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_find_existing_reads_every_page_back_to_the_attempt(api: responses.RequestsMock) -> None:
    """In a busy hour the post may be several pages down; one page only would resend it."""
    rendered = render(scoop())
    first = x.timeline(x.timeline_tweet("1880028106020515999", "Autre chose"))
    first["meta"]["next_token"] = "7140dibdnow9c7btw4"
    api.add(responses.GET, ME, json=x.USERS_ME)
    api.add(responses.GET, USER_TWEETS, json=first)
    api.add(
        responses.GET, USER_TWEETS, json=x.timeline(x.timeline_tweet(x.TWEET_ID, rendered.text))
    )
    lookup, _saved = lookup_job(rendered)

    receipt = channel().find_existing(lookup)

    assert receipt is not None
    assert receipt.remote_id == x.TWEET_ID
    second = parse_qs(urlparse(str(api.calls[2].request.url)).query)
    assert second["pagination_token"] == ["7140dibdnow9c7btw4"]


def test_find_existing_cannot_tell_beyond_what_x_lets_anyone_read_back(
    api: responses.RequestsMock,
) -> None:
    # Every page says there is more: after 3,200 posts X shows no older one, so
    # "not found" would be a guess. The officer decides.
    rendered = render(scoop())
    busy = x.timeline(*(x.timeline_tweet(f"18800281060205{n:05d}", "Autre") for n in range(100)))
    busy["meta"]["next_token"] = "7140dibdnow9c7btw4"
    api.add(responses.GET, ME, json=x.USERS_ME)
    api.add(responses.GET, USER_TWEETS, json=busy)
    lookup, saved = lookup_job(rendered)

    error = raised(lambda: channel().find_existing(lookup))

    assert isinstance(error, Permanent)
    assert "cannot tell whether it went out" in error.message
    assert len(api.calls) == 1 + 32
    assert saved == []


def test_find_existing_finds_a_lost_post_under_250_newer_ones_on_the_fake_x() -> None:
    # The fake pages as X does (max_results, pagination_token, start_time): the post
    # whose answer was lost is on the third page of 100.
    from tests.support.fakeplatform import FakePlatformServer

    with FakePlatformServer(seed=3) as fake:
        chan = channel(api_base=fake.url, upload_base=fake.url)
        rendered = render(scoop(), chan)
        lookup, saved = job(rendered)
        lookup = replace(lookup, delivery=replace(lookup.delivery, due_at=datetime.now(UTC)))
        fake.inject("lost_answer", platform="twitter", count=1)
        assert isinstance(raised(lambda: chan.publish(lookup)), Ambiguous)
        for n in range(250):
            chan.publish(job(render(scoop(title=f"Brève n°{n} : l'AG approche"), chan))[0])

        receipt = chan.find_existing(lookup)
        timeline_reads = [
            r
            for r in fake.requests
            if r.path.startswith("/2/users/") and r.path.endswith("/tweets")
        ]
        [lost] = [c for c in fake.creates if c.fault == "lost_answer"]

    assert receipt is not None
    assert receipt.remote_id == lost.id
    assert len(timeline_reads) == 3
    assert saved == [{"thread_ids": [lost.id]}]


# ---------------------------------------------------------------- what X costs


def test_each_post_of_a_thread_costs_its_price_a_link_costing_more() -> None:
    from decimal import Decimal

    chan = channel()
    assert render(scoop(body="", link=None), chan).parts == ("Permanence juridique gratuite",)
    assert chan.cost(render(scoop(body="", link=None), chan)) == Decimal("0.015")
    # A bare domain is a link for X too (it links it and charges it).
    assert chan.cost(render(scoop(body="Infos sur asso.fr", link=None), chan)) == Decimal("0.20")
    thread = render(scoop(body=LONG_BODY), chan)
    with_link = sum(1 for part in thread.parts if "https://" in part)
    assert len(thread.parts) == 3
    assert with_link == 1
    assert chan.cost(thread) == Decimal("0.20") + 2 * Decimal("0.015")
    # Prices are settings: X changes them.
    dearer = channel(price_per_post="0.02", price_per_post_with_link="0.25")
    assert dearer.cost(render(scoop(), dearer)) == Decimal("0.25")


def test_links_false_sends_the_cheaper_post_but_an_announcement_keeps_its_link() -> None:
    from decimal import Decimal

    chan = channel(links=False)
    post = render(scoop(body="Tous les mardis."), chan)
    assert LINK not in post.text
    assert chan.cost(post) == Decimal("0.015")
    announced = "https://asso.example.org/blog/ag-2026?utm_source=x&utm_campaign=ag_2026"
    announcement = render(
        scoop(kind="article", body=""), chan, role="announce", announced_url=announced
    )
    assert announced in announcement.text


def test_publishing_charges_each_post_x_created_and_a_lookup_what_it_read(
    api: responses.RequestsMock,
) -> None:
    from decimal import Decimal

    from channels.base import Charge

    rendered = render(scoop(body=LONG_BODY))
    outcomes: Iterator[str | Exception] = iter([x.TWEET_ID, x.SECOND_ID, refused()])
    api.add_callback(responses.POST, TWEETS, callback=lambda r: created_reply(r, outcomes))
    charges: list[Charge] = []
    attempt, _saved = job(rendered)
    attempt = replace(attempt, charge=charges.append)
    raised(lambda: channel().publish(attempt))
    # Two posts went out before the third (the one with the link) failed: X bills two.
    assert "https://" not in "".join(rendered.parts[:2])
    assert [(c.what, c.units, c.amount) for c in charges] == [
        ("post", 1, Decimal("0.015")),
        ("post", 1, Decimal("0.015")),
    ]
    retry, _ = job(rendered, progress={"thread_ids": [x.TWEET_ID, x.SECOND_ID]})
    api.replace(responses.POST, TWEETS, json=x.created(x.THIRD_ID, rendered.parts[2]), status=201)
    channel().publish(replace(retry, charge=charges.append))
    assert charges[-1] == Charge("post with a link", 1, Decimal("0.20"))

    api.add(responses.GET, ME, json=x.USERS_ME)
    api.add(
        responses.GET,
        USER_TWEETS,
        json=x.timeline(
            *(x.timeline_tweet(f"18800281060205159{n:02d}", "Autre") for n in range(7))
        ),
    )
    lookup, _ = lookup_job(render(scoop()))
    read: list[Charge] = []
    channel().find_existing(replace(lookup, charge=read.append))
    assert read == [Charge("read", 8, Decimal("0.008"))]
