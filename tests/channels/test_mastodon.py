"""The Mastodon channel against the fake Mastodon: what an officer would notice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from channels.base import (
    Ambiguous,
    AuthExpired,
    Permanent,
    PublishJob,
    RateLimited,
    RenderContext,
    Transient,
)
from channels.mastodon import MastodonChannel
from channels.mastodon import channel as channel_module
from crosspost.domain import Delivery, Item
from crosspost.secrets import SecretSource
from tests.support.fakeplatform import FakePlatformServer
from tests.support.fakeplatform.media import tiny_png

TOKEN = "masto-3e1f-TEST"
PARIS = ZoneInfo("Europe/Paris")
UTM = "https://asso.example.org/agenda?utm_source=mastodon&utm_campaign=fete_quartier"
SCOOP = Item(
    id=1,
    kind="scoop",
    title="Fête de quartier : on cherche des bénévoles 🎉",
    body="Rendez-vous **samedi** avec @collectif@mastodon.example pour monter les stands.",
    link=UTM,
    tags=("bénévolat", "l'ESS", "fête de quartier"),
)
LONG = Item(
    id=2,
    kind="article",
    title="Compte rendu de l'assemblée générale",
    body=" ".join(f"Point {n} : décision adoptée à l'unanimité, merci à tous." for n in range(40)),
    link=UTM,
)


@pytest.fixture
def fake() -> Iterator[FakePlatformServer]:
    with FakePlatformServer(seed=2, mastodon_tokens=[TOKEN]) as server:
        yield server


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", TOKEN)


def build(fake: FakePlatformServer, **table: Any) -> MastodonChannel:
    settings = MastodonChannel.Settings.model_validate(
        {"type": "mastodon", "instance_url": fake.url + "/", "timeout": 5, **table}
    )
    return MastodonChannel("masto", settings, SecretSource(None))


def job(channel: MastodonChannel, item: Item, key: str | None = None, **delivery: Any) -> Any:
    rendered = channel.render(item, RenderContext(timezone=PARIS))
    saved: dict[str, Any] = {}
    the_key = key or uuid.uuid4().hex
    fields: dict[str, Any] = {
        "id": item.id,
        "key": the_key,
        "item": item,
        "channel": "masto",
        "role": "post",
        "due_at": datetime.now(UTC),
        "state": "sending",
        **delivery,
    }
    return PublishJob(Delivery(**fields), rendered, the_key, save_progress=saved.update), saved


def statuses(fake: FakePlatformServer) -> list[dict[str, Any]]:
    return [c.body for c in fake.creates if c.platform == "mastodon"]


def test_a_status_in_french_with_hashtags_cw_and_visibility(fake: FakePlatformServer) -> None:
    masto = build(fake, visibility="unlisted", content_warning="Vie associative")
    attempt, _ = job(masto, SCOOP)

    receipt = masto.publish(attempt)

    [body] = statuses(fake)
    assert body["language"] == "fr"
    assert body["visibility"] == "unlisted"
    assert body["spoiler_text"] == "Vie associative"
    assert body["sensitive"] is True
    assert UTM in body["status"]  # the link with its _ and & intact
    assert body["status"].endswith("#bénévolat #ESS #FêteDeQuartier")
    assert fake.creates[0].idempotency_key == attempt.idempotency_key
    assert receipt.url == f"{fake.url}/@asso_crosspost/{receipt.remote_id}"


def test_a_long_text_is_a_thread_within_the_limit_each_with_its_own_key(
    fake: FakePlatformServer,
) -> None:
    masto = build(fake)
    attempt, saved = job(masto, LONG)
    assert len(attempt.rendered.parts) > 1
    assert any("will be sent as a" in w for w in attempt.rendered.warnings)

    receipt = masto.publish(attempt)

    creates = fake.creates
    assert len(creates) == len(attempt.rendered.parts)
    keys = [c.idempotency_key for c in creates]
    assert keys == [attempt.idempotency_key] + [
        f"{attempt.idempotency_key}.{n}" for n in range(2, len(creates) + 1)
    ]
    replies = [c.body.get("in_reply_to_id") for c in creates]
    assert replies == [None] + [c.id for c in creates[:-1]]
    assert receipt.detail == {"status_ids": [c.id for c in creates]}
    assert [s["id"] for s in saved["statuses"]] == [c.id for c in creates]


def test_a_repeat_within_the_hour_makes_nothing_new(fake: FakePlatformServer) -> None:
    """The progress was lost with the process: the keys alone keep it exactly once."""
    masto = build(fake)
    attempt, _ = job(masto, LONG)
    first = masto.publish(attempt)
    count = fake.count()

    again = masto.publish(attempt)  # no saved progress: every status is sent again

    assert fake.count() == count
    assert again.remote_id == first.remote_id


def test_the_instances_own_limit_is_read_and_honoured(fake: FakePlatformServer) -> None:
    fake.configure(mastodon_max_characters=100, mastodon_url_weight=30)
    masto = build(fake)
    assert masto.check().message.endswith("(statuses of up to 100 characters, a link counting 30)")
    attempt, _ = job(masto, SCOOP)

    masto.publish(attempt)

    assert attempt.rendered.limit == 100  # read by check(), then kept for rendering
    assert len(fake.creates) > 1  # the instance refuses nothing: each fits its 100


def test_limits_learnt_only_at_publication_cut_the_text_again(fake: FakePlatformServer) -> None:
    fake.configure(mastodon_max_characters=120)
    masto = build(fake)
    attempt, _ = job(masto, SCOOP)
    assert len(attempt.rendered.parts) == 1  # rendered with Mastodon's default 500

    masto.publish(attempt)

    assert len(fake.creates) > 1


def test_an_image_is_waited_for_then_sent_with_its_alt_text(
    fake: FakePlatformServer, tmp_path: Path
) -> None:
    fake.configure(mastodon_media_polls=2)
    image = tmp_path / "affiche.png"
    image.write_bytes(tiny_png(8, 6))
    item = replace(SCOOP, image_path=str(image), image_alt="Affiche : stands et guirlandes")
    masto = build(fake)

    masto.publish(job(masto, item)[0])

    polls = [r.status for r in fake.requests if r.path.startswith("/api/v1/media/")]
    assert polls == [206, 206, 200]
    status = masto_status(fake)
    [media] = status["media_attachments"]
    assert media["description"] == "Affiche : stands et guirlandes"


def masto_status(fake: FakePlatformServer) -> dict[str, Any]:
    import requests

    [create] = fake.creates
    answer = requests.get(f"{fake.url}/api/v1/statuses/{create.id}", timeout=5)
    return dict(answer.json())


def test_an_image_processed_too_slowly_posts_nothing_and_waits(
    fake: FakePlatformServer, tmp_path: Path
) -> None:
    fake.configure(mastodon_media_polls=1000)
    image = tmp_path / "affiche.png"
    image.write_bytes(tiny_png())
    masto = build(fake, media_wait=0.5)

    with pytest.raises(Transient, match=r"still processing the image affiche\.png after 0\.5 s"):
        masto.publish(job(masto, replace(SCOOP, image_path=str(image), image_alt="Affiche"))[0])

    assert fake.count() == 0


def test_a_refused_status_is_permanent_with_mastodons_words(fake: FakePlatformServer) -> None:
    masto = build(fake, max_characters=5000, characters_reserved_per_url=23)

    with pytest.raises(Permanent, match="Text character limit of 500 exceeded"):
        masto.publish(job(masto, LONG)[0])


def test_a_refused_token_pauses_the_channel_and_names_the_variable(
    fake: FakePlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "révoqué")
    masto = build(fake)
    with pytest.raises(AuthExpired, match=r"MASTODON_ACCESS_TOKEN.*The access token is invalid"):
        masto.publish(job(masto, SCOOP)[0])
    fake.configure(mastodon_tokens=None, mastodon_scopes=["read"])
    with pytest.raises(AuthExpired, match="outside the authorized scopes"):
        masto.publish(job(masto, SCOOP)[0])


def test_the_rate_limit_gives_mastodons_reset_time(fake: FakePlatformServer) -> None:
    fake.configure(mastodon_status_limit=1)
    masto = build(fake)
    masto.publish(job(masto, SCOOP)[0])

    with pytest.raises(RateLimited) as caught:
        masto.publish(job(masto, replace(SCOOP, title="Deuxième annonce"))[0])

    # The statuses window is three hours, counted from the fake's window start.
    assert timedelta(0) < caught.value.retry_at - datetime.now(UTC) <= timedelta(hours=3)


def test_a_lost_status_is_found_with_its_mention_link_and_emoji(fake: FakePlatformServer) -> None:
    masto = build(fake)
    attempt, saved = job(masto, SCOOP)
    fake.inject("lost_answer", platform="mastodon")
    with pytest.raises(Ambiguous):
        masto.publish(attempt)

    found = masto.find_existing(attempt)

    [create] = fake.creates
    assert found is not None
    assert found.remote_id == create.id
    assert saved["statuses"][0]["id"] == create.id


def test_a_lookup_that_cannot_reach_the_attempt_cannot_tell(
    fake: FakePlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(channel_module, "LOOKUP_PAGES", 2)
    masto = build(fake)
    attempt, _ = job(masto, SCOOP, due_at=datetime.now(UTC) - timedelta(minutes=1))
    fake.inject("lost_answer", platform="mastodon")
    with pytest.raises(Ambiguous):
        masto.publish(attempt)
    for n in range(85):  # more than two pages of 40 since
        masto.publish(job(masto, replace(SCOOP, title=f"Brève n°{n}"))[0])

    with pytest.raises(Permanent, match="cannot tell whether it went out"):
        masto.find_existing(attempt)


def test_check_names_the_account_the_limits_and_a_missing_scope(fake: FakePlatformServer) -> None:
    masto = build(fake)
    result = masto.check()
    assert result.ok
    domain = fake.url.split("://")[1]
    assert result.message == (
        f"authenticated as @asso_crosspost on {domain} "
        "(statuses of up to 500 characters, a link counting 23)"
    )

    fake.configure(mastodon_scopes=["read", "write:statuses"])
    lacking = masto.check()
    assert not lacking.ok
    assert "lacks the scopes write:media" in lacking.message
    assert fake.count() == 0


def test_a_thread_too_long_for_max_thread_is_refused_before_it_is_queued(
    fake: FakePlatformServer,
) -> None:
    masto = build(fake, max_thread=2)
    problems = masto.validate(job(masto, LONG)[0].rendered)
    assert any(p.level == "error" and "at most 2 (max_thread)" in p.message for p in problems), (
        problems
    )


def test_an_image_is_judged_by_its_bytes_not_its_name(
    fake: FakePlatformServer, tmp_path: Path
) -> None:
    """A PNG saved as .jpg goes as a PNG; an AVIF (which Mastodon takes) passes."""
    masto = build(fake)
    png = tmp_path / "affiche.jpg"
    png.write_bytes(tiny_png())
    avif = tmp_path / "photo.avif"
    avif.write_bytes(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00mif1miaf" + b"\x00" * 64)
    for image, kind in ((png, "image/png"), (avif, "image/avif")):
        item = replace(SCOOP, image_path=str(image), image_alt="Affiche de la fête")
        rendered = job(masto, item)[0].rendered
        assert rendered.request["media"]["media_type"] == kind
        assert not [p for p in masto.validate(rendered) if p.level == "error"]


def test_bad_settings_name_the_key() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="instance_url"):
        MastodonChannel.Settings.model_validate({"type": "mastodon", "instance_url": "masto"})
    with pytest.raises(ValidationError, match="visibility"):
        MastodonChannel.Settings.model_validate(
            {"type": "mastodon", "instance_url": "https://m.example", "visibility": "friends"}
        )
    with pytest.raises(ValidationError, match="token_env must be a variable name"):
        MastodonChannel.Settings.model_validate(
            {"type": "mastodon", "instance_url": "https://m.example", "token_env": "mon jeton"}
        )
