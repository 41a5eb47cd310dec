"""The embedded static blog: files a Hugo or Jekyll site, a browser and a feed reader accept."""

from __future__ import annotations

import errno
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import frontmatter
import pytest
import time_machine
from pydantic import ValidationError

from channels.base import Permanent, PublishJob, Receipt, RenderContext, Transient
from channels.registry import adapter_class
from channels.static_blog import StaticBlogChannel, StaticBlogSettings
from channels.static_blog.errors import OS_ERRORS, classify_os_error
from channels.static_blog.feed import FEED_LIMIT
from channels.static_blog.summary import without_html
from crosspost.domain import Delivery, Item
from crosspost.secrets import SecretSource
from crosspost.text import slugify

PARIS = ZoneInfo("Europe/Paris")
A = "{http://www.w3.org/2005/Atom}"
# A PNG signature is enough: the blog copies images, it never decodes them.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def make_channel(tmp_path: Path, **table: Any) -> StaticBlogChannel:
    """The channel as the config loader builds it from a `[channels.blog]` table."""
    settings = StaticBlogSettings.model_validate(
        {"type": "static-blog", **table}, context={"base_dir": tmp_path}
    )
    return StaticBlogChannel("blog", settings, SecretSource())


def make_item(**fields: Any) -> Item:
    values: dict[str, Any] = {"id": 1, "kind": "article", "title": "Café réparation"}
    values.update(fields)
    return Item(**values)


def new_key() -> str:
    return uuid.uuid4().hex


def make_job(channel: StaticBlogChannel, item: Item, key: str, role: str = "post") -> PublishJob:
    """What the engine hands the channel: render, then the job for that delivery."""
    delivery = Delivery(
        id=1,
        key=key,
        item=item,
        channel=channel.name,
        role=role,
        due_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        state="sending",
    )
    rendered = channel.render(item, RenderContext(timezone=PARIS, role=role))
    return PublishJob(delivery, rendered, idempotency_key=key)


def publish(channel: StaticBlogChannel, item: Item, key: str | None = None) -> Receipt:
    return channel.publish(make_job(channel, item, key or new_key()))


def post_files(channel: StaticBlogChannel) -> list[Path]:
    """The generator's source files (front matter, then the body as sanitised HTML)."""
    return sorted((channel.root / channel.layout.posts_dir).glob("*.html"))


def read_feed(channel: StaticBlogChannel) -> ET.Element:
    return ET.parse(channel.root / "feed.xml").getroot()


def feed_titles(channel: StaticBlogChannel) -> list[str]:
    return [e.findtext(f"{A}title", "") for e in read_feed(channel).iter(f"{A}entry")]


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "uploads" / "Affiche Atelier.PNG"
    path.parent.mkdir()
    path.write_bytes(PNG)
    return path


# ---------------------------------------------------------------- settings


def test_relative_path_is_resolved_against_the_config_directory(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    assert channel.root == tmp_path / "site"
    assert channel.blog.site_url == (tmp_path / "site").as_uri() + "/"
    assert channel.label == "Blog"


def test_site_url_gets_its_trailing_slash_and_must_be_a_web_or_file_url(tmp_path: Path) -> None:
    assert make_channel(tmp_path, site_url="https://assoc.example").blog.site_url == (
        "https://assoc.example/"
    )
    with pytest.raises(ValidationError, match="site_url"):
        make_channel(tmp_path, site_url="ftp://assoc.example/")
    with pytest.raises(ValidationError, match="layout"):
        make_channel(tmp_path, layout="gatsby")


def test_the_type_is_registered_like_any_plugin() -> None:
    assert adapter_class("static-blog") is StaticBlogChannel


# ---------------------------------------------------------------- slugs


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Café réparation", "cafe-reparation"),
        ("Cœur d'été : fête à l'Hôtel-de-Ville !", "coeur-d-ete-fete-a-l-hotel-de-ville"),
        ("  Ça   marche  ", "ca-marche"),
        ("!!!", "post"),
        ("年会", "post"),
    ],
)
def test_slugs_are_ascii_with_accents_folded(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_long_titles_make_slugs_cut_between_words() -> None:
    slug = slugify("Assemblée générale extraordinaire " * 5)
    assert len(slug) <= 60
    assert not slug.endswith("-")
    assert slug.startswith("assemblee-generale-extraordinaire-assemblee")


# ---------------------------------------------------------------- render


def test_render_shows_the_post_file_with_the_key_still_to_come(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    item = make_item(body="Venez *nombreux*.", tags=("atelier",))
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False):
        rendered = channel.render(item, RenderContext(timezone=PARIS))
    assert rendered.request["path"] == "content/posts/cafe-reparation-{key}.html"
    assert rendered.request["body"] == "Venez *nombreux*."
    assert rendered.request["front_matter"]["date"] == "2026-12-01T10:00:00+01:00"
    post = frontmatter.loads(rendered.text)
    assert post.content == "<p>Venez <em>nombreux</em>.</p>"
    assert post["url"] == "/posts/cafe-reparation-{key}/"
    assert post["title"] == "Café réparation"
    assert post["tags"] == ["atelier"]
    assert rendered.parts == (rendered.text,)
    assert channel.validate(rendered) == []


def test_an_announcement_on_the_blog_links_the_announced_post(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    item = make_item(body="Texte.")
    context = RenderContext(timezone=PARIS, role="announce", announced_url="https://x.example/1")
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False):
        announce = channel.render(item, context)
        post = channel.render(item, RenderContext(timezone=PARIS))
    assert '<a href="https://x.example/1" rel="noopener">Lire la publication</a>' in announce.text
    assert "https://x.example/1" not in post.text


def test_validate_warns_without_alt_text_and_stops_without_the_image(
    tmp_path: Path, photo: Path
) -> None:
    channel = make_channel(tmp_path)
    context = RenderContext(timezone=PARIS)
    no_alt = channel.validate(channel.render(make_item(image_path=str(photo)), context))
    assert [(p.level, "alt text" in p.message) for p in no_alt] == [("warning", True)]

    missing = tmp_path / "gone.jpg"
    item = make_item(image_path=str(missing), image_alt="Une affiche")
    problems = channel.validate(channel.render(item, context))
    assert [(p.level, str(missing) in p.message) for p in problems] == [("error", True)]


def test_publishing_with_a_missing_image_is_refused(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    item = make_item(image_path=str(tmp_path / "gone.jpg"), image_alt="Une affiche")
    with pytest.raises(Permanent, match=r"gone\.jpg does not exist"):
        publish(channel, item)
    assert post_files(channel) == []


# ---------------------------------------------------------------- the Markdown file


def test_an_event_post_carries_every_front_matter_field(tmp_path: Path, photo: Path) -> None:
    channel = make_channel(tmp_path, site_url="https://assoc.example/")
    item = make_item(
        kind="event",
        body="Apportez vos **grille-pain** en panne.",
        tags=("réparation", "quartier"),
        image_path=str(photo),
        image_alt="Un grille-pain ouvert",
        event_start=datetime(2026, 12, 12, 13, tzinfo=UTC),
        event_end=datetime(2026, 12, 12, 17, tzinfo=UTC),
        location="Salle des fêtes, 3 rue Haute",
        link="https://assoc.example/inscription",
    )
    key = new_key()
    with time_machine.travel(datetime(2026, 12, 1, 9, 30, 12, 345678, tzinfo=UTC), tick=False):
        receipt = publish(channel, item, key)

    slug = f"cafe-reparation-{key[:8]}"
    post = frontmatter.load(channel.root / "content" / "posts" / f"{slug}.html")
    assert post["title"] == "Café réparation"
    assert post["date"] == "2026-12-01T10:30:12+01:00"
    assert datetime.fromisoformat(post["date"]).utcoffset() == timedelta(hours=1)
    assert post["slug"] == slug
    assert post["tags"] == ["réparation", "quartier"]
    assert post["summary"] == (
        "Samedi 12 décembre 2026 de 14h00 à 18h00, Salle des fêtes, 3 rue Haute. "
        "Apportez vos grille-pain en panne."
    )
    assert post["description"] == post["summary"]
    assert post["image"] == f"images/{slug}.png"
    assert post["image_alt"] == "Un grille-pain ouvert"
    assert post["event_start"] == "2026-12-12T14:00:00+01:00"
    assert post["event_end"] == "2026-12-12T18:00:00+01:00"
    assert post["location"] == "Salle des fêtes, 3 rue Haute"
    assert post["crosspost_key"] == key
    # Themes ignore unknown fields, so the event details are in the text too.
    assert "<strong>Où :</strong> Salle des fêtes, 3 rue Haute" in post.content
    assert "Apportez vos <strong>grille-pain</strong> en panne." in post.content
    assert (
        '<a href="https://assoc.example/inscription" rel="noopener">Plus d\'informations</a>'
        in post.content
    )
    assert post["url"] == f"/posts/{slug}/"

    assert receipt.remote_id == slug
    assert receipt.url == f"https://assoc.example/posts/{slug}/"
    assert receipt.published_at == datetime(2026, 12, 1, 9, 30, 12, tzinfo=UTC)
    assert not receipt.dry_run


def test_accents_survive_in_the_file_the_page_and_the_feed(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    item = make_item(title="Fête de l'été à Noël", body="Œufs, crème brûlée et café.")
    receipt = publish(channel, item)
    assert receipt.remote_id.startswith("fete-de-l-ete-a-noel-")

    (file,) = post_files(channel)
    raw = file.read_text(encoding="utf-8")
    assert "title: Fête de l'été à Noël" in raw  # readable UTF-8, not \xE9 escapes
    assert frontmatter.load(file).content == "<p>Œufs, crème brûlée et café.</p>"
    page = (channel.root / "posts" / receipt.remote_id / "index.html").read_text("utf-8")
    assert "Œufs, crème brûlée et café." in page
    assert feed_titles(channel) == ["Fête de l'été à Noël"]


def test_a_long_text_is_summarised_at_a_word_boundary(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    body = "Le **conseil** a voté le budget participatif. " * 10
    summary = channel.render(make_item(body=body), RenderContext(PARIS)).request["front_matter"][
        "summary"
    ]
    assert summary.startswith("Le conseil a voté le budget participatif. Le conseil")
    assert summary.endswith("…")
    assert len(summary) <= 201
    assert not summary.endswith(" …")


def test_publishing_the_same_delivery_twice_leaves_one_post(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    key = new_key()
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False):
        first = publish(channel, make_item(body="Version 1"), key)
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=UTC), tick=False):
        # The officer fixed the title in between: the link already shared must not break.
        second = publish(channel, make_item(title="Café réparation (complet)"), key)

    assert (second.remote_id, second.url) == (first.remote_id, first.url)
    (file,) = post_files(channel)
    post = frontmatter.load(file)
    assert post["title"] == "Café réparation (complet)"
    assert post["date"] == "2026-12-01T10:00:00+01:00"
    assert post["lastmod"] == "2026-12-02T10:00:00+01:00"
    assert feed_titles(channel) == ["Café réparation (complet)"]
    assert [p.name for p in (channel.root / "posts").iterdir()] == [first.remote_id]
    # Temporary files are renamed over their target, none is left behind.
    assert not list(channel.root.rglob("*.tmp"))


def test_jekyll_posts_are_named_by_date_and_slug(tmp_path: Path, photo: Path) -> None:
    channel = make_channel(tmp_path, layout="jekyll")
    key = new_key()
    item = make_item(image_path=str(photo), image_alt="Affiche")
    # 23:30 UTC on 31 December is already 1 January in Paris: the local day names the file.
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        receipt = publish(channel, item, key)
        publish(channel, item, key)

    slug = f"cafe-reparation-{key[:8]}"
    assert [p.name for p in post_files(channel)] == [f"2027-01-01-{slug}.html"]
    assert (channel.root / "_posts").is_dir()
    post = frontmatter.load(post_files(channel)[0])
    assert post["image"] == f"/assets/images/{slug}.png"
    assert post["permalink"] == f"/posts/{slug}/"
    assert "url" not in post
    assert (channel.root / "assets" / "images" / f"{slug}.png").read_bytes() == PNG
    assert receipt.detail == {"path": f"_posts/2027-01-01-{slug}.html"}


def test_the_image_is_copied_beside_the_post_and_shown_everywhere(
    tmp_path: Path, photo: Path
) -> None:
    channel = make_channel(tmp_path, site_url="https://assoc.example/")
    item = make_item(image_path=str(photo), image_alt='Affiche "atelier" <rouge>')
    receipt = publish(channel, item)
    slug = receipt.remote_id

    copied = channel.root / "static" / "images" / f"{slug}.png"
    assert copied.read_bytes() == PNG
    assert oct(copied.stat().st_mode & 0o777) == oct(0o644)  # a web server can read it
    post = frontmatter.load(post_files(channel)[0])
    assert post["image"] == f"images/{slug}.png"
    assert post["images"] == [f"images/{slug}.png"]

    page = (channel.root / "posts" / slug / "index.html").read_text("utf-8")
    assert (
        f'<img src="../../static/images/{slug}.png" '
        'alt="Affiche &quot;atelier&quot; &lt;rouge&gt;">' in page
    )
    assert (channel.root / "posts" / slug / "../../static/images" / f"{slug}.png").exists()
    content = read_feed(channel).find(f"{A}entry/{A}content")
    assert content is not None
    assert f'src="https://assoc.example/static/images/{slug}.png"' in (content.text or "")


# ---------------------------------------------------------------- HTML pages


def test_the_post_page_escapes_the_title_and_sanitises_the_body(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    item = make_item(
        title="Tom & Jerry <script>alert(1)</script>",
        body="Bonjour <script>alert(2)</script> **tout le monde**",
    )
    with time_machine.travel(datetime(2026, 12, 12, 13, tzinfo=UTC), tick=False):
        receipt = publish(channel, item)

    assert receipt.url is not None
    assert receipt.url.startswith("file://")
    assert receipt.url.endswith(f"/posts/{receipt.remote_id}/index.html")
    page = (channel.root / "posts" / receipt.remote_id / "index.html").read_text("utf-8")
    assert "<h1>Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page
    assert "<script>" not in page
    assert "<strong>tout le monde</strong>" in page
    assert "Publié le samedi 12 décembre 2026 à 14h00" in page
    assert "http" not in page.replace("http-equiv", "")  # no external assets


def test_the_index_lists_posts_newest_first(tmp_path: Path) -> None:
    channel = make_channel(tmp_path, title="Les nouvelles du quartier")
    for day, title in [(3, "Mercredi"), (1, "Lundi"), (2, "Mardi")]:
        with time_machine.travel(datetime(2026, 6, day, 8, tzinfo=UTC), tick=False):
            publish(channel, make_item(title=title))

    index = (channel.root / "index.html").read_text("utf-8")
    assert "<h1>Les nouvelles du quartier</h1>" in index
    positions = [index.index(f">{title}</a>") for title in ("Mercredi", "Mardi", "Lundi")]
    assert positions == sorted(positions)
    assert 'href="posts/mardi-' in index


def test_a_hand_written_index_is_left_alone(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    channel.root.mkdir()
    (channel.root / "index.html").write_text("<h1>Notre site</h1>", encoding="utf-8")
    publish(channel, make_item())
    assert (channel.root / "index.html").read_text("utf-8") == "<h1>Notre site</h1>"
    assert feed_titles(channel) == ["Café réparation"]


# ---------------------------------------------------------------- Atom feed


def test_the_feed_has_what_rfc_4287_requires_newest_first(tmp_path: Path) -> None:
    channel = make_channel(tmp_path, site_url="https://assoc.example/", author="Les Amis")
    keys = {}
    for day, title in [(1, "Premier"), (3, "Troisième & dernier"), (2, "Deuxième")]:
        keys[title] = new_key()
        with time_machine.travel(datetime(2026, 6, day, 8, tzinfo=UTC), tick=False):
            publish(channel, make_item(title=title, body=f"Texte {day}"), keys[title])

    feed = read_feed(channel)
    assert feed.tag == f"{A}feed"
    assert (feed.findtext(f"{A}id") or "").startswith("urn:uuid:")
    assert feed.findtext(f"{A}title") == "Blog"
    assert feed.findtext(f"{A}updated") == "2026-06-03T10:00:00+02:00"
    assert feed.findtext(f"{A}author/{A}name") == "Les Amis"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links == {
        "self": "https://assoc.example/feed.xml",
        "alternate": "https://assoc.example/",
    }

    entries = feed.findall(f"{A}entry")
    assert [e.findtext(f"{A}title") for e in entries] == [
        "Troisième & dernier",
        "Deuxième",
        "Premier",
    ]
    last = entries[0]
    assert last.findtext(f"{A}id") == f"urn:uuid:{uuid.UUID(keys['Troisième & dernier'])}"
    assert last.findtext(f"{A}published") == "2026-06-03T10:00:00+02:00"
    assert last.findtext(f"{A}updated") == "2026-06-03T10:00:00+02:00"
    link = last.find(f"{A}link")
    assert link is not None
    assert link.get("rel") == "alternate"
    assert link.get("href", "").startswith("https://assoc.example/posts/troisieme-dernier-")
    assert last.findtext(f"{A}summary") == "Texte 3"
    content = last.find(f"{A}content")
    assert content is not None
    assert content.get("type") == "html"
    assert content.text == "<p>Texte 3</p>"
    # Escaped by the XML writer, not by hand: the raw file holds &amp; once.
    raw = (channel.root / "feed.xml").read_text("utf-8")
    assert "<title>Troisième &amp; dernier</title>" in raw
    assert "&lt;p&gt;Texte 3&lt;/p&gt;" in raw


def test_the_feed_keeps_the_latest_fifty_posts(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    for number in range(FEED_LIMIT + 3):
        with time_machine.travel(start + timedelta(hours=number), tick=False):
            publish(channel, make_item(title=f"Article {number}"))

    titles = feed_titles(channel)
    assert len(titles) == FEED_LIMIT
    assert titles[0] == f"Article {FEED_LIMIT + 2}"
    assert titles[-1] == "Article 3"
    assert len(post_files(channel)) == FEED_LIMIT + 3


def test_concurrent_publishes_keep_every_post_and_a_valid_feed(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    jobs = [make_job(channel, make_item(title=f"Article {n}"), new_key()) for n in range(20)]
    errors: list[BaseException] = []

    def worker(mine: list[PublishJob]) -> None:
        try:
            for job in mine:
                channel.publish(job)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(jobs[n::8],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(post_files(channel)) == 20
    assert sorted(feed_titles(channel)) == sorted(f"Article {n}" for n in range(20))
    assert len(list((channel.root / "posts").iterdir())) == 20


# ---------------------------------------------------------------- lookup and check


def test_find_existing_sees_only_this_deliverys_post(tmp_path: Path) -> None:
    channel = make_channel(tmp_path, site_url="https://assoc.example/")
    item = make_item()
    job = make_job(channel, item, new_key())
    assert channel.find_existing(job) is None

    receipt = channel.publish(job)
    found = channel.find_existing(job)
    assert found is not None
    assert (found.remote_id, found.url, found.published_at) == (
        receipt.remote_id,
        receipt.url,
        receipt.published_at,
    )
    # Same title, same first 8 characters of key: still another delivery.
    twin = make_job(channel, item, job.idempotency_key[:8] + "0" * 24)
    assert channel.find_existing(twin) is None
    twin_receipt = channel.publish(twin)
    assert twin_receipt.remote_id == f"cafe-reparation-{twin.idempotency_key}"
    assert channel.find_existing(twin) == twin_receipt
    assert channel.find_existing(job) == found
    assert len(post_files(channel)) == 2
    assert StaticBlogChannel.supports_lookup
    assert StaticBlogChannel.settling_delay == timedelta(0)


def test_check_creates_the_directory(tmp_path: Path) -> None:
    channel = make_channel(tmp_path, path="public/blog")
    result = channel.check()
    assert result.ok
    assert (tmp_path / "public" / "blog").is_dir()
    assert str(tmp_path / "public" / "blog") in result.message


def test_a_site_path_that_is_a_file_fails_check_and_publish(tmp_path: Path) -> None:
    (tmp_path / "site").write_text("not a directory", encoding="utf-8")
    channel = make_channel(tmp_path)
    result = channel.check()
    assert not result.ok
    assert "cannot write the blog" in result.message
    with pytest.raises(Permanent, match="cannot write the blog"):
        publish(channel, make_item())


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        *OS_ERRORS.items(),
        (errno.ENOENT, Transient),  # unknown: retrying an idempotent write is safe
    ],
)
def test_write_failures_are_classified(code: int, expected: type[Exception]) -> None:
    error = classify_os_error(OSError(code, "boom"), Path("/srv/site"))
    assert type(error) is expected
    assert error.message == "cannot write the blog in /srv/site: boom"


# ---------------------------------------------------------------- what the generators get

#: Raw HTML an officer may paste (or a compromised account may send) in a body.
HOSTILE_BODY = (
    "Bonjour <script>alert(1)</script> à tous 🎉\n\n"
    '<img src="x.png" onerror="alert(2)">\n\n'
    "[Cliquez](javascript:alert(3)) · {{% raw %}} {{< youtube x >}} {% include x.html %}\n\n"
    '<div onclick="alert(4)">clic</div>'
)


@pytest.mark.parametrize("layout", ["hugo", "jekyll"])
def test_the_post_file_holds_the_body_as_sanitised_html(tmp_path: Path, layout: str) -> None:
    channel = make_channel(tmp_path, layout=layout)
    publish(channel, make_item(title="Fête d'été 🎉", body=HOSTILE_BODY))

    (file,) = post_files(channel)
    raw = file.read_text("utf-8")
    body = raw.split("\n---\n", 1)[1]
    for danger in ("<script", "onerror", "onclick", "javascript:", "alert(1)"):
        assert danger not in body, danger
    # No shortcode or Liquid tag can start: every brace is an entity.
    assert "{" not in body
    assert "&#123;% raw %}}" in body
    assert "<p>Bonjour  à tous 🎉</p>" in body
    assert frontmatter.loads(raw)["title"] == "Fête d'été 🎉"


def test_the_summary_carries_no_html_of_the_body(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    body = 'Tom & Jerry <script>alert(1)</script><img src=x onerror="alert(2)"> à 5 < 10 €'
    summary = channel.render(make_item(body=body), RenderContext(PARIS)).request["front_matter"][
        "summary"
    ]
    assert summary == "Tom & Jerry à 5 < 10 €"
    # Removing tags decodes no entity-like run the officer typed in a link.
    assert without_html("?a=1&region=ara&amp;x <b>gras</b>") == "?a=1&region=ara&amp;x gras"


def test_jekyll_builds_the_page_itself_when_the_site_is_on_the_web(tmp_path: Path) -> None:
    channel = make_channel(tmp_path, layout="jekyll", site_url="https://assoc.example/")
    receipt = publish(channel, make_item())
    assert receipt.url == f"https://assoc.example/posts/{receipt.remote_id}/"
    (file,) = post_files(channel)
    assert frontmatter.load(file)["permalink"] == f"/posts/{receipt.remote_id}/"
    # A copy of the page at the same address would collide with Jekyll's own.
    assert not (channel.root / "posts").exists()
    assert (channel.root / "index.html").exists()
    assert (channel.root / "feed.xml").exists()


def test_a_markdown_post_of_an_earlier_version_is_replaced_not_doubled(tmp_path: Path) -> None:
    channel = make_channel(tmp_path, site_url="https://assoc.example/")
    key = new_key()
    slug = f"cafe-reparation-{key[:8]}"
    old = channel.root / "content" / "posts" / f"{slug}.md"
    old.parent.mkdir(parents=True)
    old.write_text(
        f"---\ntitle: Café réparation\ndate: '2026-11-30T10:00:00+01:00'\nslug: {slug}\n"
        f"crosspost_key: {key}\n---\n\nAncien <b>texte</b>\n",
        encoding="utf-8",
    )
    job = make_job(channel, make_item(body="Nouveau texte"), key)
    found = channel.find_existing(job)
    assert found is not None
    assert found.url == f"https://assoc.example/posts/{slug}/"

    receipt = channel.publish(job)
    assert receipt.remote_id == slug
    assert not old.exists()
    (file,) = post_files(channel)
    post = frontmatter.load(file)
    assert post["date"] == "2026-11-30T10:00:00+01:00"
    assert post.content == "<p>Nouveau texte</p>"


def test_a_markdown_post_of_an_earlier_version_keeps_its_address(tmp_path: Path) -> None:
    channel = make_channel(tmp_path)
    key = new_key()
    slug = f"cafe-reparation-{key[:8]}"
    old = channel.root / "content" / "posts" / f"{slug}.md"
    old.parent.mkdir(parents=True)
    old.write_text(f"---\ntitle: Ancien\nslug: {slug}\ncrosspost_key: {key}\n---\nx\n", "utf-8")
    # Another delivery whose key starts alike must not be given the same address.
    twin = key[:8] + ("0" * 24 if key[8:] != "0" * 24 else "1" * 24)
    receipt = publish(channel, make_item(), twin)
    assert receipt.remote_id == f"cafe-reparation-{twin}"
    assert old.exists()
