"""Bluesky: record keys, text rules, and publication against a real PDS on loopback.

The live tests need the server started by scripts/bluesky-test-pds.sh:

    eval "$(bash scripts/bluesky-test-pds.sh)"

They are skipped when CROSSPOST_TEST_BSKY_URL is unset, unless CROSSPOST_REQUIRE_BLUESKY=1
(CI), which makes a missing server a failure. Every live test uses its own delivery key
and its own words, so runs against the same server never see each other's posts.
"""

from __future__ import annotations

import itertools
import json
import os
import stat
import struct
import subprocess
import sys
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from channels.base import (
    Ambiguous,
    AuthExpired,
    Permanent,
    PublishJob,
    RateLimited,
    Receipt,
    RenderContext,
    Rendered,
    Transient,
)
from channels.bluesky import BlueskyChannel, BlueskySettings
from channels.bluesky.keys import TID_PATTERN, created_at, key_base, tid
from channels.bluesky.settings import LIMIT
from channels.bluesky.text import graphemes, split_thread
from crosspost.domain import Delivery, Item
from crosspost.secrets import SecretSource
from tests.support.pds import new_account, pds_url

PARIS = ZoneInfo("Europe/Paris")
DUE = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
UTM_LINK = (
    "https://asso.example.org/fete?utm_source=bluesky&utm_medium=social&utm_campaign=fete_2026"
)
PASSWORD_ENV = "CROSSPOST_TEST_BLUESKY_APP_PASSWORD"


# ---------------------------------------------------------------- record keys (no server)


def test_a_tid_has_the_syntax_of_the_atproto_spec() -> None:
    from atproto_client.models.string_formats import TID_RE

    for micros, clock in [(0, 0), (2**53 - 1, 1023), (1_773_478_800_000_000, 517)]:
        key = tid(micros, clock)
        assert len(key) == 13
        assert TID_PATTERN.match(key)
        assert TID_RE.match(key)


def test_tids_sort_as_their_times() -> None:
    keys = [tid(micros, 3) for micros in (1, 2, 10**9, 10**15, 2**52)]
    assert keys == sorted(keys)


def test_a_delivery_gets_the_same_keys_on_every_try() -> None:
    first = key_base("delivery-7f3a", DUE)
    again = key_base("delivery-7f3a", DUE)
    assert [first.rkey(i) for i in range(5)] == [again.rkey(i) for i in range(5)]


def test_each_thread_post_has_its_own_key_in_order() -> None:
    base = key_base("delivery-7f3a", DUE)
    keys = [base.rkey(i) for i in range(20)]
    assert len(set(keys)) == 20
    assert keys == sorted(keys)
    assert all(TID_PATTERN.match(k) for k in keys)


def test_deliveries_due_at_the_same_minute_get_distinct_keys() -> None:
    keys = {key_base(f"item-{n}-bluesky", DUE).rkey(0) for n in range(2000)}
    assert len(keys) == 2000


def test_the_key_keeps_the_due_second_and_created_at_is_the_due_time() -> None:
    base = key_base("delivery-7f3a", DUE)
    assert base.micros // 1_000_000 == int(DUE.timestamp())
    assert created_at(DUE) == "2026-03-14T09:00:00.000Z"


# ---------------------------------------------------------------- text rules (no server)


def build(tmp_path: Path, **table: Any) -> BlueskyChannel:
    settings = BlueskySettings.model_validate(
        {"type": "bluesky", "handle": "asso.bsky.social", **table},
        context={"base_dir": tmp_path},
    )
    return BlueskyChannel("bluesky", settings, SecretSource())


def context(**changes: Any) -> RenderContext:
    return RenderContext(timezone=PARIS, **changes)


def test_graphemes_count_what_people_see() -> None:
    assert graphemes("é") == 1  # precomposed
    assert graphemes("e\u0301") == 1  # e + combining accent
    assert graphemes("👩🏽‍🔧") == 1  # a woman mechanic with her skin tone
    assert graphemes("🇫🇷") == 1
    assert graphemes("Fête 🎉") == 6


def test_a_post_of_300_graphemes_is_one_post_and_301_a_thread(tmp_path: Path) -> None:
    channel = build(tmp_path, hashtags=False)
    exact = Item(id=1, kind="scoop", title="é" * LIMIT)
    over = Item(id=2, kind="scoop", title="é" * (LIMIT - 1) + " 🎉🎉")
    assert channel.render(exact, context()).parts == ("é" * LIMIT,)
    parts = channel.render(over, context()).parts
    assert len(parts) == 2
    assert all(graphemes(p) <= LIMIT for p in parts)


def test_a_long_text_is_a_numbered_thread_cut_between_sentences() -> None:
    text = " ".join(f"Phrase numéro {n} de notre assemblée générale, à lire." for n in range(20))
    parts = split_thread(text)
    assert len(parts) > 1
    assert [p.rsplit(" ", 1)[1] for p in parts] == [
        f"{n}/{len(parts)}" for n in range(1, 1 + len(parts))
    ]
    assert all(graphemes(p) <= LIMIT for p in parts)
    assert all(p.rsplit(" ", 1)[0].endswith("lire.") for p in parts)


def test_tags_become_hashtags_and_links_tags_have_byte_offsets(tmp_path: Path) -> None:
    item = Item(
        id=1,
        kind="scoop",
        title="Fête de l'été 🎉 #fête_de_quartier",
        body="Inscriptions ouvertes",
        link=UTM_LINK,
        tags=("vie associative",),
    )
    rendered = build(tmp_path).render(item, context())
    (post,) = rendered.request["posts"]
    record = post["record"]
    assert record["langs"] == ["fr"]
    data = record["text"].encode()
    spans = {
        data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in record["facets"]
    }
    assert spans["#fête_de_quartier"] == {
        "$type": "app.bsky.richtext.facet#tag",
        "tag": "fête_de_quartier",
    }
    assert spans[UTM_LINK] == {"$type": "app.bsky.richtext.facet#link", "uri": UTM_LINK}
    assert spans["#VieAssociative"]["tag"] == "VieAssociative"


def test_checking_a_post_gives_the_same_text_and_problems_without_its_facets(
    tmp_path: Path,
) -> None:
    """`crosspost add` only checks: the rich-text facets (the SDK's import, 0.6 s) are for
    the preview and the publication, which still compute them."""
    channel = build(tmp_path)
    item = Item(
        id=1,
        kind="scoop",
        title="Fête de l'été 🎉 #fête_de_quartier, avec @asso.bsky.social",
        body=" ".join(f"Phrase n°{n} : inscriptions ouvertes." for n in range(12)),
        link=UTM_LINK,
    )
    shown = channel.render(item, context())
    checked = channel.render(item, context(checking=True))
    assert checked.parts == shown.parts
    assert len(shown.parts) > 1
    assert channel.validate(checked) == channel.validate(shown)
    assert all("facets" not in post["record"] for post in checked.request["posts"])
    assert "facets" in shown.request["posts"][0]["record"]


def test_an_image_over_a_million_bytes_is_refused_before_sending(tmp_path: Path) -> None:
    image = tmp_path / "affiche.png"
    image.write_bytes(png(4, 4) + b"\0" * 1_000_001)
    item = Item(id=1, kind="scoop", title="Affiche", image_path=str(image), image_alt="L'affiche")
    channel = build(tmp_path)
    problems = channel.validate(channel.render(item, context()))
    assert [p.level for p in problems] == ["error"]
    assert "up to 1,000,000 bytes" in problems[0].message


def test_the_type_is_registered_as_built_ins_are() -> None:
    import tomllib
    from importlib.metadata import EntryPoint

    from channels.registry import GROUP

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    value = pyproject["project"]["entry-points"][GROUP]["bluesky"]
    assert EntryPoint("bluesky", value, GROUP).load() is BlueskyChannel


def test_the_session_file_defaults_beside_the_config(tmp_path: Path) -> None:
    channel = build(tmp_path)
    assert channel._session_file().path == tmp_path / "bluesky-bluesky.session"


def test_a_refused_connection_is_transient_and_names_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")
    channel = build(tmp_path, service="http://127.0.0.1:9", timeout=2)
    with pytest.raises(Transient) as caught:
        channel.check()
    assert "abcd-efgh" not in caught.value.message
    assert caught.value.message.startswith("Bluesky could not be reached while logging in")


def test_a_missing_app_password_pauses_the_channel_and_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(AuthExpired, match="BLUESKY_APP_PASSWORD"):
        build(tmp_path).check()


# ---------------------------------------------------------------- the live server


@pytest.fixture(scope="session")
def pds() -> dict[str, str]:
    url = pds_url()
    return {
        "url": url,
        "handle": os.environ["CROSSPOST_TEST_BSKY_HANDLE"],
        "app_password": os.environ["CROSSPOST_TEST_BSKY_APP_PASSWORD"],
    }


@pytest.fixture
def live(pds: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LiveBluesky:
    monkeypatch.setenv(PASSWORD_ENV, pds["app_password"])
    return LiveBluesky(pds, tmp_path)


class Ledger:
    """What the engine keeps of one delivery between tries: its progress."""

    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery

    def job(self, rendered: Rendered) -> PublishJob:
        return PublishJob(self.delivery, rendered, self.delivery.key, self.save)

    def save(self, progress: dict[str, Any]) -> None:
        self.delivery = replace(self.delivery, progress=json.loads(json.dumps(progress)))


class LiveBluesky:
    """The channel on the local PDS, and what the PDS holds."""

    def __init__(self, pds: dict[str, str], base_dir: Path) -> None:
        self.url = pds["url"]
        self.handle = pds["handle"]
        self.base_dir = base_dir
        self.session_file = base_dir / "bluesky.session"
        self.channel = self.build()
        #: Words only this test's posts contain.
        self.marker = uuid.uuid4().hex[:10]

    def build(self, **changes: Any) -> BlueskyChannel:
        table = {
            "type": "bluesky",
            "handle": self.handle,
            "service": self.url,
            "app_password_env": PASSWORD_ENV,
            "session_file": str(self.session_file),
            "timeout": 10,
            **changes,
        }
        settings = BlueskySettings.model_validate(table, context={"base_dir": self.base_dir})
        return BlueskyChannel("bluesky", settings, SecretSource())

    def ledger(self, item: Item, role: str = "post") -> Ledger:
        delivery = Delivery(
            id=1,
            key=f"{item.id}-bluesky-{uuid.uuid4().hex}",
            item=item,
            channel="bluesky",
            role=role,
            due_at=datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1),
            state="sending",
        )
        return Ledger(delivery)

    def did(self) -> str:
        answer = httpx.get(
            f"{self.url}/xrpc/com.atproto.identity.resolveHandle", params={"handle": self.handle}
        )
        return str(answer.json()["did"])

    def record(self, uri: str) -> dict[str, Any]:
        did, _, rkey = uri.removeprefix("at://").partition("/app.bsky.feed.post/")
        answer = httpx.get(
            f"{self.url}/xrpc/com.atproto.repo.getRecord",
            params={"repo": did, "collection": "app.bsky.feed.post", "rkey": rkey},
        )
        answer.raise_for_status()
        return dict(answer.json())

    def posts_with(self, words: str) -> list[dict[str, Any]]:
        """Every post of the account whose text holds `words` (all pages)."""
        found: list[dict[str, Any]] = []
        cursor = None
        while True:
            params = {"repo": self.did(), "collection": "app.bsky.feed.post", "limit": 100}
            if cursor:
                params["cursor"] = cursor
            page = httpx.get(f"{self.url}/xrpc/com.atproto.repo.listRecords", params=params).json()
            found += [r for r in page["records"] if words in r["value"]["text"]]
            cursor = page.get("cursor")
            if not cursor or not page["records"]:
                return found

    def own_account(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Move this test to an account of its own, whose sessions only it opens."""
        account = new_account(self.url, prefix="s")
        monkeypatch.setenv(PASSWORD_ENV, account.app_password)
        self.handle = account.handle
        self.channel = self.build()

    def stats(self) -> dict[str, int]:
        """How many sessions the server gave this test's account."""
        params = {"did": self.did()}
        return dict(httpx.get(f"{self.url}/_crosspost/stats", params=params).json())


def png(width: int, height: int) -> bytes:
    """A real PNG image of `width` x `height` grey pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def byte_spans(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each facet's feature, by the text its byte offsets cover."""
    data = record["text"].encode()
    return {
        data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in record.get("facets") or []
    }


@pytest.mark.bluesky
def test_a_post_with_accents_emoji_a_utm_link_hashtags_and_mentions(live: LiveBluesky) -> None:
    item = Item(
        id=1,
        kind="scoop",
        title=f"Fête de l'été 🎉 {live.marker} : venez nombreux ! #hashtag_avec_underscore",
        body=f"Merci à @{live.handle} et à @personne.test.",
        link=UTM_LINK,
    )
    ledger = live.ledger(item)
    rendered = live.channel.render(item, context())
    receipt = live.channel.publish(ledger.job(rendered))

    value = live.record(receipt.remote_id)["value"]
    assert value["text"] == rendered.parts[0]
    assert value["langs"] == ["fr"]
    assert value["createdAt"] == created_at(ledger.delivery.due_at)
    spans = byte_spans(value)
    assert spans[UTM_LINK] == {"$type": "app.bsky.richtext.facet#link", "uri": UTM_LINK}
    assert spans["#hashtag_avec_underscore"]["tag"] == "hashtag_avec_underscore"
    assert spans[f"@{live.handle}"] == {
        "$type": "app.bsky.richtext.facet#mention",
        "did": live.did(),
    }
    assert "@personne.test" not in spans  # does not resolve: left as text
    assert receipt.url == f"https://bsky.app/profile/{live.handle}/post/{receipt.remote_id[-13:]}"


@pytest.mark.bluesky
def test_a_long_text_is_a_thread_of_replies(live: LiveBluesky) -> None:
    body = " ".join(
        f"Point {n} de l'assemblée générale ({live.marker}), voté à l'unanimité." for n in range(12)
    )
    item = Item(id=2, kind="article", title="Compte rendu", body=body)
    ledger = live.ledger(item)
    rendered = live.channel.render(item, context())
    assert len(rendered.parts) >= 3
    receipt = live.channel.publish(ledger.job(rendered))

    uris = receipt.detail["uris"] if receipt.detail else []
    records = [live.record(uri) for uri in uris]
    assert [r["value"]["text"] for r in records] == list(rendered.parts)
    root = {"uri": records[0]["uri"], "cid": records[0]["cid"]}
    for previous, current in itertools.pairwise(records):
        assert current["value"]["reply"] == {
            "root": root,
            "parent": {"uri": previous["uri"], "cid": previous["cid"]},
        }
    assert [r["uri"] for r in records] == sorted(r["uri"] for r in records)  # keys in order
    assert ledger.delivery.progress
    assert len(ledger.delivery.progress["posts"]) == len(uris)


@pytest.mark.bluesky
def test_an_image_goes_with_its_alt_text(live: LiveBluesky) -> None:
    image = live.base_dir / "affiche.png"
    image.write_bytes(png(32, 16))
    item = Item(
        id=3,
        kind="scoop",
        title=f"L'affiche {live.marker}",
        image_path=str(image),
        image_alt="Affiche grise de la fête : samedi à 14h",
    )
    receipt = live.channel.publish(live.ledger(item).job(live.channel.render(item, context())))

    embed = live.record(receipt.remote_id)["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    (picture,) = embed["images"]
    assert picture["alt"] == "Affiche grise de la fête : samedi à 14h"
    assert picture["image"]["mimeType"] == "image/png"
    assert picture["image"]["size"] == image.stat().st_size


@pytest.mark.bluesky
def test_an_announcement_is_a_link_card_with_the_posts_image(live: LiveBluesky) -> None:
    image = live.base_dir / "rapport.png"
    image.write_bytes(png(40, 21))
    item = Item(
        id=4,
        kind="article",
        title=f"Notre rapport annuel est en ligne {live.marker}",
        body="Une année de **permanences**, de fêtes et de chantiers partagés.",
        image_path=str(image),
        image_alt="Couverture du rapport",
    )
    announced = "https://blog.asso.example.org/2026/rapport-annuel?utm_source=bluesky&x=a_b"
    rendered = live.channel.render(item, context(role="announce", announced_url=announced))
    receipt = live.channel.publish(live.ledger(item, role="announce").job(rendered))

    value = live.record(receipt.remote_id)["value"]
    assert value["text"] == f"Notre rapport annuel est en ligne {live.marker}"
    external = value["embed"]["external"]
    assert value["embed"]["$type"] == "app.bsky.embed.external"
    assert external["uri"] == announced
    assert external["title"] == item.title
    assert external["description"] == (
        "Une année de permanences, de fêtes et de chantiers partagés."
    )
    assert external["thumb"]["mimeType"] == "image/png"


@pytest.mark.bluesky
def test_the_same_delivery_published_twice_is_one_post(live: LiveBluesky) -> None:
    item = Item(id=5, kind="scoop", title=f"Une seule fois {live.marker}")
    ledger = live.ledger(item)
    rendered = live.channel.render(item, context())
    first = live.channel.publish(ledger.job(rendered))
    # A second worker, or a retry that never saw the first one's progress.
    ledger.delivery = replace(ledger.delivery, progress=None)
    second = live.channel.publish(ledger.job(rendered))

    assert second.remote_id == first.remote_id
    assert len(live.posts_with(live.marker)) == 1


@pytest.mark.bluesky
def test_a_lost_answer_then_a_changed_text_is_still_one_post(live: LiveBluesky) -> None:
    """The post went out but its answer was lost (nothing saved but the keys); the officer
    then fixed a typo: the retry meets InvalidSwap at its key and does not post again."""
    item = Item(id=6, kind="scoop", title=f"Répétition {live.marker}")
    ledger = live.ledger(item)
    first = live.channel.publish(ledger.job(live.channel.render(item, context())))
    assert ledger.delivery.progress is not None
    ledger.delivery = replace(ledger.delivery, progress={**ledger.delivery.progress, "posts": []})

    fixed = replace(item, title=f"Répétition générale {live.marker}")
    again = live.channel.publish(ledger.job(live.channel.render(fixed, context())))

    assert again.remote_id == first.remote_id
    assert [r["value"]["text"] for r in live.posts_with(live.marker)] == [item.title]


@pytest.mark.bluesky
def test_find_existing_is_exact(live: LiveBluesky) -> None:
    item = Item(id=7, kind="scoop", title=f"Cherchez-moi {live.marker}")
    ledger = live.ledger(item)
    rendered = live.channel.render(item, context())
    assert live.channel.find_existing(ledger.job(rendered)) is None
    # The keys are chosen, but the post never left: still "not there".
    live.channel._progress(ledger.job(rendered))
    assert live.channel.find_existing(ledger.job(rendered)) is None

    published = live.channel.publish(ledger.job(rendered))
    ledger.delivery = replace(
        ledger.delivery, progress={**(ledger.delivery.progress or {}), "posts": []}
    )
    found = live.channel.find_existing(ledger.job(rendered))
    assert isinstance(found, Receipt)
    assert found.remote_id == published.remote_id


@pytest.mark.bluesky
def test_a_post_of_exactly_300_graphemes_is_accepted(live: LiveBluesky) -> None:
    # 300 graphemes, 600 code points, 900 bytes: counted the way Bluesky counts.
    title = live.marker + " " + "e\u0301" * (LIMIT - len(live.marker) - 1)
    item = Item(id=8, kind="scoop", title=title)
    rendered = live.build(hashtags=False).render(item, context())
    assert rendered.parts == (title,)
    receipt = live.channel.publish(live.ledger(item).job(rendered))
    assert live.record(receipt.remote_id)["value"]["text"] == title


@pytest.mark.bluesky
def test_the_session_is_reused_by_instances_and_processes(
    live: LiveBluesky, monkeypatch: pytest.MonkeyPatch
) -> None:
    live.own_account(monkeypatch)
    before = live.stats()["createSession"]
    assert live.channel.check().ok
    assert live.build().check().ok  # another instance: the saved session
    script = (
        "from channels.bluesky import BlueskyChannel, BlueskySettings\n"
        "from crosspost.secrets import SecretSource\n"
        f"s = BlueskySettings.model_validate({live.build().bsky.model_dump(mode='json')!r})\n"
        "print(BlueskyChannel('bluesky', s, SecretSource()).check().message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert live.handle in done.stdout

    assert live.stats()["createSession"] - before == 1
    assert stat.S_IMODE(live.session_file.stat().st_mode) == 0o600
    saved = live.session_file.read_text()
    assert os.environ[PASSWORD_ENV] not in saved
    assert "refresh_jwt" in saved


@pytest.mark.bluesky
def test_an_expiring_session_is_refreshed_not_created_again(
    live: LiveBluesky, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time_machine

    live.own_account(monkeypatch)
    assert live.channel.check().ok
    kept = json.loads(live.session_file.read_text())
    before = live.stats()
    # Three hours later the access token (two hours) has expired; the refresh token has not.
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=3), tick=True):
        assert live.build().check().ok
    after = live.stats()
    # The SDK may refresh once more: the server's new token expires two hours after the
    # server's clock, which this test set three hours back.
    assert after["refreshSession"] > before["refreshSession"]
    assert after["createSession"] == before["createSession"]
    # The refreshed tokens are what the next process finds.
    assert json.loads(live.session_file.read_text())["refresh_jwt"] != kept["refresh_jwt"]


@pytest.mark.bluesky
def test_a_wrong_app_password_pauses_the_channel_without_showing_it(
    live: LiveBluesky, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wxyz-wxyz-wxyz-wxyz")
    with pytest.raises(AuthExpired) as caught:
        live.channel.check()
    assert "wxyz" not in caught.value.message
    assert PASSWORD_ENV in caught.value.message
    assert not live.session_file.exists()


# ---------------------------------------------------------------- scripted answers


def jwt(expires: datetime) -> str:
    """A token shaped as the PDS's (the client reads its expiry; it never checks signatures)."""
    import base64

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    claims = {
        "scope": "com.atproto.appPass",
        "sub": "did:plc:asso",
        "exp": int(expires.timestamp()),
    }
    return f"{part({'typ': 'at+jwt', 'alg': 'HS256'})}.{part(claims)}.c2lnbmF0dXJl"


class ScriptedPDS:
    """A loopback server answering as a PDS does, with scripted answers to putRecord."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.calls: list[str] = []
        #: (status, headers, body) for each putRecord in turn; "hang" never answers in time.
        self.put_answers: list[tuple[int, dict[str, str], dict[str, Any]] | str] = []
        self.refresh_answer: tuple[int, dict[str, Any]] | None = None
        self.login_answer: tuple[int, dict[str, Any]] | None = None
        pds = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                method = self.path.removeprefix("/xrpc/")
                pds.calls.append(method)
                status, headers, body = pds.answer(method)
                if status == 0:
                    return  # "hang": the client's read timeout ends it
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"content-type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def session(self) -> dict[str, Any]:
        now = datetime.now(UTC)
        return {
            "did": "did:plc:asso",
            "handle": "asso.test",
            "accessJwt": jwt(now + timedelta(hours=2)),
            "refreshJwt": jwt(now + timedelta(days=90)),
            "active": True,
        }

    def answer(self, method: str) -> tuple[int, dict[str, str], dict[str, Any]]:
        import time

        if method == "com.atproto.server.createSession":
            status, body = self.login_answer or (200, self.session())
            return status, {}, body
        if method == "com.atproto.server.refreshSession":
            status, body = self.refresh_answer or (200, self.session())
            return status, {}, body
        scripted = self.put_answers.pop(0) if self.put_answers else None
        if scripted == "hang":
            time.sleep(2)
            return 0, {}, {}
        if isinstance(scripted, tuple):
            return scripted
        uri = "at://did:plc:asso/app.bsky.feed.post/3mabcdefghijk"
        return 200, {}, {"uri": uri, "cid": "bafyreib2rxk3rh6kzwq", "commit": {"rev": "3m"}}


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedPDS]:
    import threading

    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")
    pds = ScriptedPDS()
    thread = threading.Thread(target=pds.server.serve_forever, daemon=True)
    thread.start()
    yield pds
    pds.server.shutdown()
    pds.server.server_close()


def publish_on(pds: ScriptedPDS, tmp_path: Path) -> Receipt:
    channel = build(tmp_path, service=pds.url, handle="asso.test", timeout=0.5)
    item = Item(id=1, kind="scoop", title="Permanence juridique : mardi 14h")
    delivery = Delivery(
        id=1,
        key="1-bluesky",
        item=item,
        channel="bluesky",
        role="post",
        due_at=DUE,
        state="sending",
    )
    return channel.publish(Ledger(delivery).job(channel.render(item, context())))


def test_a_rate_limit_waits_until_the_reset_the_server_names(
    scripted: ScriptedPDS, tmp_path: Path
) -> None:
    reset = int((datetime.now(UTC) + timedelta(minutes=7)).timestamp())
    headers = {"ratelimit-limit": "5000", "ratelimit-remaining": "0", "ratelimit-reset": str(reset)}
    body = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
    scripted.put_answers = [(429, headers, body)]
    with pytest.raises(RateLimited) as caught:
        publish_on(scripted, tmp_path)
    assert caught.value.retry_at == datetime.fromtimestamp(reset, UTC)


@pytest.mark.parametrize(
    "answer",
    [
        (500, {}, {"error": "InternalServerError", "message": "Internal Server Error"}),
        (502, {}, {"error": "UpstreamFailure", "message": "Upstream Failure"}),
        "hang",
    ],
    ids=["500", "502", "read-timeout"],
)
def test_a_server_error_or_no_answer_to_putrecord_is_ambiguous(
    scripted: ScriptedPDS, tmp_path: Path, answer: Any
) -> None:
    scripted.put_answers = [answer]
    with pytest.raises(Ambiguous):
        publish_on(scripted, tmp_path)


def test_an_invalid_request_is_permanent_with_the_servers_words(
    scripted: ScriptedPDS, tmp_path: Path
) -> None:
    body = {"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record"}
    scripted.put_answers = [(400, {}, body)]
    with pytest.raises(Permanent, match=r"Invalid app\.bsky\.feed\.post record"):
        publish_on(scripted, tmp_path)


def test_a_refused_access_token_is_refreshed_and_the_post_sent_once_more(
    scripted: ScriptedPDS, tmp_path: Path
) -> None:
    expired = {"error": "ExpiredToken", "message": "Token has expired"}
    scripted.put_answers = [(400, {}, expired)]
    receipt = publish_on(scripted, tmp_path)
    assert receipt.remote_id.endswith("/3mabcdefghijk")
    assert scripted.calls == [
        "com.atproto.server.createSession",
        "com.atproto.repo.putRecord",
        "com.atproto.server.refreshSession",
        "com.atproto.repo.putRecord",
    ]


def test_when_refresh_and_login_both_fail_the_channel_pauses(
    scripted: ScriptedPDS, tmp_path: Path
) -> None:
    scripted.put_answers = [(401, {}, {"error": "InvalidToken", "message": "Token is invalid"})]
    publish_on(scripted, tmp_path)  # a session is saved
    scripted.put_answers = [(401, {}, {"error": "InvalidToken", "message": "Token is invalid"})]
    scripted.refresh_answer = (400, {"error": "ExpiredToken", "message": "Token has been revoked"})
    scripted.login_answer = (
        401,
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
    )
    with pytest.raises(AuthExpired, match="BLUESKY_APP_PASSWORD") as caught:
        publish_on(scripted, tmp_path)
    assert "abcd-efgh" not in caught.value.message
