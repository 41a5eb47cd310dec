"""The channel contract: the same behaviour tests over every adapter and the fake channel.

Each adapter has detailed tests of its own (test_twitter.py and the others, with
`responses`). This suite checks only what the engine and the officer rely on from
*any* channel, running every test over one parametrized fixture, `channel`:

- "twitter", "facebook", "wordpress", "mastodon" and "mobilizon" talk to one in-process
  FakePlatformServer, which accepts only the credentials set here;
- "bluesky" talks to the real local PDS (scripts/bluesky-test-pds.sh), on an account
  made for each test, through tests.support.pdsproxy, which loses answers, answers 502
  and 429 and refuses connections as told (skipped without a PDS, failed in CI);
- "static-blog" writes into a temporary directory;
- "fake" is tests.support.fakechannel.FakeChannel.

Channels are built as the app builds them: the `[channels.NAME]` table validated by
the adapter's Settings, then `channels.registry.build()`. The `backend` fixture is
what sits behind the channel under test (a platform of the fake server, the blog's
directory, the fake's memory): it tells what the platform holds and scripts its
failures. Where a channel has no such failure (a file write has no answer to lose),
the test is skipped with the reason.

Where an adapter breaks the contract today, the case is listed in BREACHES and runs
as a strict xfail: once the adapter is fixed, the case passes, strict xfail fails the
run, and the entry must go.
"""

from __future__ import annotations

import dataclasses
import json
import re
import traceback
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

import pytest

from channels import registry
from channels.base import (
    Ambiguous,
    AuthExpired,
    Channel,
    Problem,
    PublishJob,
    RateLimited,
    RenderContext,
    Rendered,
    Transient,
)
from channels.bluesky.settings import MAX_IMAGE_BYTES as BSKY_IMAGE_LIMIT
from crosspost.domain import Delivery, Item
from crosspost.redact import redact
from crosspost.secrets import SecretSource
from tests.support.fakechannel import FakePlatform, fake_platform
from tests.support.fakeplatform import FakePlatformServer
from tests.support.fakeplatform.mobilizon import mobilizon_of
from tests.support.pds import Account, new_account, pds_url
from tests.support.pdsproxy import PDSProxy

PARIS = ZoneInfo("Europe/Paris")
MB = 1024 * 1024

# Credentials: distinctive values, so that a leak shows up in a plain substring search.
X_SECRETS = {
    "X_API_KEY": "xck-7c1e-CONTRACT-SECRET",
    "X_API_SECRET": "xcs-40d9-CONTRACT-SECRET",
    "X_ACCESS_TOKEN": "xat-2b86-CONTRACT-SECRET",
    "X_ACCESS_TOKEN_SECRET": "xas-e15f-CONTRACT-SECRET",
}
FB_SECRETS = {"FB_PAGE_TOKEN": "EAAfb-5d2a-CONTRACT-SECRET"}
WP_SECRETS = {"WP_APP_PASSWORD": "wpap-9b3f-CONTRACT-SECRET"}
MASTODON_SECRETS = {"MASTODON_ACCESS_TOKEN": "masto-71aa-CONTRACT-SECRET"}
MZ_SECRETS = {
    "MOBILIZON_EMAIL": "mz-3e1a-CONTRACT-SECRET@asso.example.org",
    "MOBILIZON_PASSWORD": "mzpw-8c2d-CONTRACT-SECRET",
}
#: What the revoked-credentials case sets instead: no more shown than the good ones.
REVOKED = "revoked-0c4e-CONTRACT-SECRET"
SECRET_VALUES = {
    **{
        value: name
        for name, value in (
            X_SECRETS | FB_SECRETS | WP_SECRETS | MASTODON_SECRETS | MZ_SECRETS
        ).items()
    },
    REVOKED: "a revoked credential",
}
WP_USER = "officer"

SCOOP = Item(
    id=1,
    kind="scoop",
    title="Permanence juridique gratuite",
    body="Tous les **mardis** de 14h à 17h, sans rendez-vous.",
    link="https://asso.example.org/permanence",
    tags=("droit", "quartier"),
)
EVENT = Item(
    id=2,
    kind="event",
    title="Fête de quartier",
    body="Jeux, musique et buffet partagé.",
    event_start=datetime(2026, 12, 12, 13, 0, tzinfo=UTC),
    event_end=datetime(2026, 12, 12, 17, 0, tzinfo=UTC),
    location="Place du Marché, Lyon",
)
ARTICLE = Item(
    id=3,
    kind="article",
    title="Notre rapport annuel est en ligne",
    body="Une année de permanences, de fêtes et de chantiers partagés.",
)
ANNOUNCED_URL = "https://blog.asso.example.org/2026/rapport-annuel"
#: Longer than one tweet and than the fake's `max_length`: something to say everywhere.
LONG_BODY = " ".join(f"Point {n} de notre compte rendu d'assemblée générale." for n in range(1, 9))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- what sits behind a channel


class Backend(ABC):
    """What sits behind one channel under test: what it holds, and how to make it fail."""

    kind: ClassVar[str]
    #: Credential variables the channel reads, with the values its platform accepts.
    secrets: dict[str, str] = {}  # noqa: RUF012 (never changed: a backend sets its own)
    #: The platform's own largest image (bytes), where the adapter checks it.
    image_limit: ClassVar[int | None] = None
    #: Why there is no image limit to exceed, when there is none.
    no_image_limit: ClassVar[str] = ""
    #: The markers of its cases (a backend that needs a server of ours names it).
    marks: ClassVar[tuple[pytest.MarkDecorator, ...]] = ()

    def __init__(self, server: FakePlatformServer, base_dir: Path) -> None:
        self.server = server
        self.base_dir = base_dir

    @abstractmethod
    def table(self) -> dict[str, Any]:
        """The `[channels.NAME]` table an officer would write (without `type`)."""

    def build(self, **changes: Any) -> Channel:
        """The channel as the app builds it; the registry wraps dry-run mode."""
        table = {"type": self.kind, "timeout": 5, **self.table(), **changes}
        settings = registry.adapter_class(self.kind).Settings.model_validate(
            table, context={"base_dir": self.base_dir}
        )
        return registry.build(self.kind, settings, SecretSource(None))

    @abstractmethod
    def post_ids(self) -> list[str]:
        """The remote id of every post the platform holds."""

    @abstractmethod
    def untouched(self) -> bool:
        """Whether nothing at all reached the platform: no request, no file."""

    def close(self) -> None:  # noqa: B027 (most backends start nothing)
        """Once the test is over: stop what the backend started."""

    def lose_next_answer(self) -> None:
        """The next post is made, but its answer never reaches the channel."""
        pytest.skip(f"{self.kind} has no answer that can be lost")

    def fail_next(self, kind: Literal["5xx", "429"]) -> None:
        """The platform's next post is answered with a server error or a rate limit."""
        pytest.skip(f"{self.kind} has no server to answer {kind}")

    @contextmanager
    def refusing(self) -> Iterator[None]:
        """Connections to the platform are refused while inside."""
        pytest.skip(f"{self.kind} opens no connection")
        yield  # pragma: no cover


class ServerBackend(Backend):
    """A platform of the shared FakePlatformServer, named as the channel type."""

    def post_ids(self) -> list[str]:
        return [c.post_id or c.id for c in self.server.creates if c.platform == self.kind]

    def untouched(self) -> bool:
        return not self.server.requests

    def lose_next_answer(self) -> None:
        self.server.inject("lost_answer", platform=self.kind)

    def fail_next(self, kind: Literal["5xx", "429"]) -> None:
        self.server.inject(kind, platform=self.kind)

    @contextmanager
    def refusing(self) -> Iterator[None]:
        self.server.inject("refuse")
        try:
            yield
        finally:
            self.server.resume()


class XBackend(ServerBackend):
    kind = "twitter"
    secrets = X_SECRETS
    image_limit = 5 * MB  # POST /2/media/upload, media_category=tweet_image

    def table(self) -> dict[str, Any]:
        url = self.server.url
        return {"api_base": url, "upload_base": url, "username": self.server.settings.x_username}


class FacebookBackend(ServerBackend):
    kind = "facebook"
    secrets = FB_SECRETS
    image_limit = 4 * MB  # Page photos

    def table(self) -> dict[str, Any]:
        return {"api_base": self.server.url, "page_id": self.server.settings.page_id}


class WordPressBackend(ServerBackend):
    kind = "wordpress"
    secrets = WP_SECRETS
    no_image_limit = "WordPress's limit is the site's upload_max_filesize, unknown in advance"

    def table(self) -> dict[str, Any]:
        return {"site_url": self.server.url, "username": WP_USER}


class MastodonBackend(ServerBackend):
    kind = "mastodon"
    secrets = MASTODON_SECRETS
    image_limit = 16 * MB  # configuration.media_attachments.image_size_limit of Mastodon 4.3

    def table(self) -> dict[str, Any]:
        return {"instance_url": self.server.url}


class MobilizonBackend(ServerBackend):
    kind = "mobilizon"
    secrets = MZ_SECRETS
    image_limit = 10 * MB  # the instance's upload_limit, as shipped

    def __init__(self, server: FakePlatformServer, base_dir: Path) -> None:
        super().__init__(server, base_dir)
        instance = mobilizon_of(server)
        for account in instance.accounts.values():
            account.email = MZ_SECRETS["MOBILIZON_EMAIL"]
            account.password = MZ_SECRETS["MOBILIZON_PASSWORD"]
        # The paging case creates 121 events within seconds; Mobilizon allows 60 a minute.
        instance.rate_limits["createEvent"] = 1000

    def table(self) -> dict[str, Any]:
        group = next(iter(mobilizon_of(self.server).groups.values()))
        return {"instance_url": self.server.url, "group": group.preferred_username}


class BlueskyBackend(Backend):
    """The real PDS, on an account of this test's own, behind a proxy that fails on demand."""

    kind = "bluesky"
    marks = (pytest.mark.bluesky,)
    image_limit = BSKY_IMAGE_LIMIT  # the blob maxSize of app.bsky.embed.images

    def __init__(self, server: FakePlatformServer, base_dir: Path) -> None:
        super().__init__(server, base_dir)
        self.account: Account = new_account(pds_url())
        password = self.account.app_password
        self.secrets = {"BLUESKY_APP_PASSWORD": password}
        SECRET_VALUES[password] = "BLUESKY_APP_PASSWORD"  # checked by assert_no_secret too
        self.proxy = PDSProxy(self.account.url).start()

    def close(self) -> None:
        self.proxy.stop()

    def table(self) -> dict[str, Any]:
        # The session file defaults beside crosspost.toml: in this test's directory.
        return {"handle": self.account.handle, "service": self.proxy.url}

    def post_ids(self) -> list[str]:
        # In the order they were written: createdAt is each delivery's due time, while
        # record keys of one second sort by the delivery key's hash.
        records = sorted(self.account.records(), key=lambda r: r["value"]["createdAt"])
        return [r["uri"] for r in records]

    def untouched(self) -> bool:
        return not self.proxy.requests

    def lose_next_answer(self) -> None:
        self.proxy.inject("lost_answer")

    def fail_next(self, kind: Literal["5xx", "429"]) -> None:
        self.proxy.inject(kind)

    @contextmanager
    def refusing(self) -> Iterator[None]:
        with self.proxy.refusing():
            yield


class BlogBackend(Backend):
    kind = "static-blog"
    no_image_limit = "the static blog copies images of any size"

    @property
    def root(self) -> Path:
        return self.base_dir / "site"

    def table(self) -> dict[str, Any]:
        return {"path": "site"}  # relative to the directory holding crosspost.toml

    def post_ids(self) -> list[str]:
        # Hugo layout: content/posts/<slug>.html, and the slug is the remote id.
        return sorted(file.stem for file in self.root.glob("content/posts/*.html"))

    def untouched(self) -> bool:
        return not self.root.exists() or not any(self.root.iterdir())


class FakeBackend(Backend):
    kind = "fake"
    no_image_limit = "the fake channel ignores images"

    @property
    def memory(self) -> FakePlatform:
        return fake_platform(self.kind)  # the channel is named after its type

    def table(self) -> dict[str, Any]:
        return {"max_length": 280}

    def post_ids(self) -> list[str]:
        return [receipt.remote_id for receipt in self.memory.posts]

    def untouched(self) -> bool:
        return not self.memory.requests

    def lose_next_answer(self) -> None:
        self.memory.fail_next(Ambiguous("the answer was lost"), posted_anyway=True)

    def fail_next(self, kind: Literal["5xx", "429"]) -> None:
        if kind == "5xx":
            self.memory.fail_next(Ambiguous("the fake platform answered 503"))
        else:
            retry_at = datetime.now(UTC) + timedelta(minutes=1)
            self.memory.fail_next(RateLimited("the fake platform says wait", retry_at))

    @contextmanager
    def refusing(self) -> Iterator[None]:
        self.memory.fail_next(Transient("the fake platform refused the connection"))
        yield


BACKENDS: dict[str, type[Backend]] = {
    backend.kind: backend
    for backend in (
        XBackend,
        FacebookBackend,
        WordPressBackend,
        MastodonBackend,
        MobilizonBackend,
        BlueskyBackend,
        BlogBackend,
        FakeBackend,
    )
}

#: Where an adapter breaks the contract today: (test, channel type) -> what it does instead.
BREACHES: dict[tuple[str, str], str] = {}


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server() -> Iterator[FakePlatformServer]:
    """One fake X, Graph API, WordPress and Mastodon for the module, accepting only our
    credentials."""
    with FakePlatformServer(
        seed=5,
        x_tokens=[X_SECRETS["X_ACCESS_TOKEN"]],
        graph_tokens=[FB_SECRETS["FB_PAGE_TOKEN"]],
        wp_users={WP_USER: WP_SECRETS["WP_APP_PASSWORD"]},
        mastodon_tokens=[MASTODON_SECRETS["MASTODON_ACCESS_TOKEN"]],
    ) as fake:
        yield fake


@pytest.fixture(params=[pytest.param(kind, marks=b.marks) for kind, b in BACKENDS.items()])
def backend(
    request: pytest.FixtureRequest,
    server: FakePlatformServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Backend]:
    """What sits behind the channel of each type, its credentials in the environment."""
    server.reset()
    backend = BACKENDS[request.param](server, tmp_path)
    for name, value in backend.secrets.items():
        monkeypatch.setenv(name, value)
    try:
        yield backend
    finally:
        backend.close()
        server.reset()


@pytest.fixture
def channel(backend: Backend) -> Channel:
    """A ready channel of each type, built as the app builds it."""
    return backend.build()


@pytest.fixture(autouse=True)
def _known_breach(request: pytest.FixtureRequest) -> None:
    callspec = getattr(request.node, "callspec", None)
    kind = callspec.params.get("backend") if callspec is not None else None
    reason = BREACHES.get((request.node.originalname, str(kind)))
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


# ---------------------------------------------------------------- helpers


def postable(channel: Channel, item: Item) -> Item:
    """`item` as a channel that takes some kinds only (Mobilizon: events) is given it: an
    event with the item's title, text, link and image."""
    only = getattr(registry.adapter_class(channel.settings.type), "only_kinds", None)
    if not only or item.kind in only:
        return item
    start = item.event_start or EVENT.event_start
    return replace(item, kind=only[0], event_start=start, event_end=item.event_end)


def render(channel: Channel, item: Item, **context: Any) -> Rendered:
    return channel.render(postable(channel, item), RenderContext(timezone=PARIS, **context))


def job(
    rendered: Rendered,
    item: Item,
    *,
    save: Callable[[dict[str, Any]], None] = lambda _progress: None,
) -> PublishJob:
    """What the engine hands the channel for a new delivery of `item`, due now."""
    key = uuid.uuid4().hex
    delivery = Delivery(
        id=item.id,
        key=key,
        item=item,
        channel=rendered.channel,
        role="post",
        due_at=datetime.now(UTC),
        state="sending",
    )
    return PublishJob(delivery, rendered, idempotency_key=key, save_progress=save)


def assert_no_secret(*shown: object) -> None:
    """No credential value in what the officer, the ledger or a log may show."""
    for thing in shown:
        if isinstance(thing, BaseException):
            text = "".join(traceback.format_exception(thing))  # with its causes, as logged
        else:
            text = repr(thing)
            if dataclasses.is_dataclass(thing) and not isinstance(thing, type):
                text += json.dumps(dataclasses.asdict(thing), default=str)
        # Platforms quote tokens back (Graph: "Malformed access token <token>"), so an
        # adapter's message may hold one; what is stored, logged or printed passes through
        # the one redaction (crosspost/redact.py), fed by every secret the channel read.
        text = redact(text)
        leaked = [name for value, name in SECRET_VALUES.items() if value in text]
        assert not leaked, f"{type(thing).__name__} shows the value of {', '.join(leaked)}"


def assert_sentence(message: str) -> None:
    """A message an officer can read: words, no stray blanks, no unfilled template."""
    assert message, "empty message"
    assert message == message.strip(), f"stray blanks around {message!r}"
    assert len(message.split()) >= 3, f"not a sentence: {message!r}"
    assert not re.search(r"\{\w*\}", message), f"unfilled template in {message!r}"


def assert_plain_json(request: dict[str, Any]) -> None:
    """The request survives the ledger and a preview unchanged: plain JSON."""
    assert json.loads(json.dumps(request)) == request


def write_png(path: Path, size: int) -> str:
    """A file of `size` bytes that starts like a PNG (sparse: quick to make)."""
    with path.open("wb") as handle:
        handle.write(PNG_SIGNATURE)
        handle.truncate(size)
    return str(path)


# ---------------------------------------------------------------- 1. render


def test_render_scoop_shows_the_title_as_a_plain_request(channel: Channel) -> None:
    rendered = render(channel, SCOOP)

    assert rendered.channel == channel.name
    assert SCOOP.title in rendered.text
    assert rendered.parts
    assert_plain_json(rendered.request)
    assert_no_secret(rendered)


def test_render_event_says_when_and_where_in_french(channel: Channel) -> None:
    rendered = render(channel, EVENT)

    assert EVENT.title in rendered.text
    # 13:00 UTC is 14h00 in Paris in December.
    assert "samedi 12 décembre 2026" in rendered.text.lower()
    assert "14h00" in rendered.text
    assert "Place du Marché, Lyon" in rendered.text
    assert_plain_json(rendered.request)
    assert_no_secret(rendered)


def test_render_announcement_links_the_announced_post(channel: Channel) -> None:
    rendered = render(channel, ARTICLE, role="announce", announced_url=ANNOUNCED_URL)

    assert ARTICLE.title in rendered.text
    # Bluesky links it as the app shows a link, a card under the text
    # (app.bsky.embed.external), whose title is the post's: the text stays the words.
    card = rendered.request.get("card") or {}
    assert ANNOUNCED_URL in rendered.text or card.get("uri") == ANNOUNCED_URL
    assert_plain_json(rendered.request)
    assert_no_secret(rendered)


# ---------------------------------------------------------------- 2. publish


def test_publish_makes_exactly_one_post_and_says_where(channel: Channel, backend: Backend) -> None:
    receipt = channel.publish(job(render(channel, SCOOP), SCOOP))

    assert receipt.remote_id
    assert receipt.url is not None
    assert receipt.url.startswith(("https://", "http://", "file://"))
    assert not receipt.dry_run
    assert receipt.published_at.tzinfo is not None
    assert backend.post_ids() == [receipt.remote_id]
    assert_no_secret(receipt)


# ---------------------------------------------------------------- 3. find_existing


def test_find_existing_finds_the_published_post(channel: Channel, backend: Backend) -> None:
    if not channel.supports_lookup:
        pytest.skip(f"{channel.settings.type} cannot look for its posts")
    delivery = job(render(channel, SCOOP), SCOOP)
    published = channel.publish(delivery)

    found = channel.find_existing(delivery)

    assert found is not None
    assert found.remote_id == published.remote_id
    assert backend.post_ids() == [published.remote_id]
    assert_no_secret(found)


def test_find_existing_is_none_for_a_delivery_never_published(
    channel: Channel, backend: Backend
) -> None:
    channel.publish(job(render(channel, SCOOP), SCOOP))  # the platform is not empty

    assert channel.find_existing(job(render(channel, EVENT), EVENT)) is None
    assert len(backend.post_ids()) == 1


# ---------------------------------------------------------------- 4. accepted, answer lost


def test_lost_answer_is_ambiguous_and_the_post_is_found(channel: Channel, backend: Backend) -> None:
    backend.lose_next_answer()
    rendered = render(channel, SCOOP)
    saved: dict[str, Any] = {}
    attempt = job(rendered, SCOOP, save=saved.update)

    # Never Transient (it would be sent again) nor Permanent (the officer told it failed).
    with pytest.raises(Ambiguous) as caught:
        channel.publish(attempt)
    assert_no_secret(caught.value)
    assert len(backend.post_ids()) == 1  # the platform did make it

    # The engine looks before anything else, with the progress the ledger kept.
    delivery = replace(attempt.delivery, progress=saved or None)
    found = channel.find_existing(replace(attempt, delivery=delivery))

    assert found is not None
    assert backend.post_ids() == [found.remote_id]
    assert_no_secret(found)


def test_a_lost_post_is_found_under_more_posts_than_a_platform_page(
    channel: Channel, backend: Backend
) -> None:
    # Platforms list a page at a time (Graph 25, WordPress 10, X up to 100): posts
    # sent after a lost answer must not push it out of the lookup's sight.
    backend.lose_next_answer()
    saved: dict[str, Any] = {}
    attempt = job(render(channel, SCOOP), SCOOP, save=saved.update)
    with pytest.raises(Ambiguous):
        channel.publish(attempt)
    for n in range(120):
        other = replace(SCOOP, id=100 + n, title=f"Brève n°{n} : la permanence du mardi")
        channel.publish(job(render(channel, other), other))

    delivery = replace(attempt.delivery, progress=saved or None)
    found = channel.find_existing(replace(attempt, delivery=delivery))

    assert found is not None
    assert found.remote_id == backend.post_ids()[0]
    assert len(backend.post_ids()) == 121


# ---------------------------------------------------------------- 5. platform failures


def test_refused_connection_is_transient_and_posts_nothing(
    channel: Channel, backend: Backend
) -> None:
    rendered = render(channel, SCOOP)

    with backend.refusing(), pytest.raises(Transient) as caught:
        channel.publish(job(rendered, SCOOP))

    assert backend.post_ids() == []
    assert_sentence(caught.value.message)
    assert_no_secret(caught.value)


def test_server_error_after_sending_is_ambiguous(channel: Channel, backend: Backend) -> None:
    backend.fail_next("5xx")
    attempt = job(render(channel, SCOOP), SCOOP)

    with pytest.raises(Ambiguous) as caught:
        channel.publish(attempt)

    assert_sentence(caught.value.message)
    assert_no_secret(caught.value)
    # The platform made nothing: looking says so, and the engine may send it again.
    assert backend.post_ids() == []
    if channel.supports_lookup:
        assert channel.find_existing(attempt) is None


def test_rate_limit_says_when_to_try_again(channel: Channel, backend: Backend) -> None:
    backend.fail_next("429")
    before = datetime.now(UTC)

    with pytest.raises(RateLimited) as caught:
        channel.publish(job(render(channel, SCOOP), SCOOP))

    assert caught.value.retry_at > before
    assert backend.post_ids() == []
    assert_sentence(caught.value.message)
    assert_no_secret(caught.value)


# ---------------------------------------------------------------- 6. check


def test_check_passes_with_good_credentials(channel: Channel, backend: Backend) -> None:
    result = channel.check()

    assert result.ok, result.message
    assert result.message
    assert_no_secret(result)
    assert backend.post_ids() == []


def _check_failure(channel: Channel) -> str:
    """What check() tells the officer when it cannot pass: AuthExpired or ok=False."""
    try:
        result = channel.check()
    except AuthExpired as error:
        assert_no_secret(error)
        return error.message
    assert not result.ok, f"check passed: {result.message}"
    assert_no_secret(result)
    return result.message


def test_check_without_credentials_names_the_variables(
    channel: Channel, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not backend.secrets:
        pytest.skip(f"{backend.kind} needs no credentials")
    for name in backend.secrets:
        monkeypatch.delenv(name)

    message = _check_failure(channel)

    for name in backend.secrets:
        assert name in message


def test_check_with_revoked_credentials_names_the_variables(
    channel: Channel, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not backend.secrets:
        pytest.skip(f"{backend.kind} needs no credentials")
    for name in backend.secrets:
        monkeypatch.setenv(name, REVOKED)

    message = _check_failure(channel)

    for name in backend.secrets:
        assert name in message


# ---------------------------------------------------------------- 7. dry-run


def test_dry_run_sends_nothing_and_keeps_the_exact_request(
    channel: Channel, backend: Backend
) -> None:
    dry = backend.build(mode="dry-run")
    rendered = render(dry, SCOOP)

    receipt = dry.publish(job(rendered, SCOOP))

    assert receipt.dry_run
    assert receipt.detail is not None
    assert receipt.detail["would_send"] == rendered.request
    assert backend.untouched()
    assert backend.post_ids() == []
    assert_no_secret(receipt)


# ---------------------------------------------------------------- 8. validate


def test_validate_explains_each_problem_in_a_sentence(channel: Channel, tmp_path: Path) -> None:
    image = write_png(tmp_path / "affiche.png", 2048)
    renderings = [
        render(channel, replace(SCOOP, image_path=image)),  # no alt text
        render(channel, replace(SCOOP, body=LONG_BODY)),
        render(channel, ARTICLE, role="announce"),  # the announced post has no URL yet
    ]

    problems = [problem for rendered in renderings for problem in channel.validate(rendered)]

    assert problems, "nothing to say about a missing alt text, a long text or a missing link"
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.level in ("error", "warning")
        assert_sentence(problem.message)
    assert_no_secret(*problems)


def test_validate_refuses_an_image_over_the_platform_limit(
    channel: Channel, backend: Backend, tmp_path: Path
) -> None:
    limit = backend.image_limit
    if limit is None:
        pytest.skip(backend.no_image_limit)
    alt = "Affiche de la permanence juridique"
    fits = replace(SCOOP, image_path=write_png(tmp_path / "fits.png", limit), image_alt=alt)
    too_big = replace(SCOOP, image_path=write_png(tmp_path / "big.png", limit + 1), image_alt=alt)

    accepted = channel.validate(render(channel, fits))
    refused = channel.validate(render(channel, too_big))

    assert [p for p in accepted if p.level == "error"] == []
    errors = [p for p in refused if p.level == "error"]
    assert errors, f"an image of {limit + 1} bytes passes: {refused}"
    for error in errors:
        assert_sentence(error.message)
