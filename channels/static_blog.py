"""The embedded blog: posts for Hugo or Jekyll, readable HTML pages and an Atom feed.

It needs no account, so `crosspost init` and the demo publish somewhere real.
Everything lives under one directory (`path`), which is the site itself:

    index.html                      every post, newest first (regenerated)
    feed.xml                        Atom feed of the 50 latest posts (regenerated)
    posts/<slug>/index.html         the readable page of each post
    content/posts/<slug>.html       Hugo source (layout "hugo")
    static/images/<slug>.<ext>      its image, served by Hugo at images/<slug>.<ext>
    _posts/<YYYY-MM-DD>-<slug>.html Jekyll source (layout "jekyll")
    assets/images/<slug>.<ext>      its image, served by Jekyll as is

The generators' sources hold the body as sanitised HTML, not Markdown: Jekyll's
kramdown renders raw HTML, `javascript:` links and `{: onclick=...}` attributes,
and Hugo renders raw HTML as soon as a theme sets `unsafe = true`, while both
copy an HTML body as it is. Every `{` is written as `&#123;` so that neither
Hugo shortcodes nor Liquid tags typed by the officer run. Each post carries its
address (`url:` for Hugo, `permalink:` for Jekyll), so the generator builds
`posts/<slug>/` whatever the site's permalink settings, and that is the URL
announced. With Jekyll and a web `site_url`, Jekyll builds that page itself, so
Crosspost writes no readable page there (it would collide with Jekyll's).

Images are copied into the static folder rather than into Hugo page bundles so
that both layouts, and the plain HTML pages, share one simple rule.

The post files are the source of truth: the feed and the index are rebuilt
from them after every publish, under a per-site lock, and every file is written
to a temporary file beside it and then renamed, so a reader never sees half a file.
Markdown posts written by earlier versions (`.md`) are still read and replaced.
"""

from __future__ import annotations

import errno
import html
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationInfo, field_validator

from channels.base import (
    Channel,
    ChannelError,
    ChannelSettings,
    CheckResult,
    Permanent,
    Problem,
    PublishJob,
    Receipt,
    RenderContext,
    Rendered,
    Transient,
)
from channels.text import (
    capitalise,
    event_when,
    markdown_to_html,
    markdown_to_plain,
    slugify,
)
from crosspost.domain import Item

log = logging.getLogger(__name__)

#: Stands for the delivery key in what render() shows: render() does not know the
#: delivery, publish() puts the first 8 characters of its key in its place.
KEY_PLACEHOLDER = "{key}"
KEY_LENGTH = 8
#: How many posts the Atom feed carries; readers only need the recent ones.
FEED_LIMIT = 50
SUMMARY_LENGTH = 200
#: Marks the pages we generate, so a hand-written index.html is never overwritten.
GENERATOR = "Crosspost"
ATOM = "http://www.w3.org/2005/Atom"
LOCK_NAME = ".crosspost.lock"

#: Suffixes of the post files we read: ours, and the Markdown of earlier versions.
POST_SUFFIXES = (".html", ".md")

#: Why a write failed -> what the engine does. Publishing is idempotent (same file
#: rewritten in place), so retrying is always safe; only what cannot get better by
#: itself is Permanent.
OS_ERRORS: dict[int, type[ChannelError]] = {
    errno.EACCES: Permanent,
    errno.EPERM: Permanent,
    errno.EROFS: Permanent,
    errno.EEXIST: Permanent,  # the site path is a file, not a directory
    errno.ENOTDIR: Permanent,
    errno.EISDIR: Permanent,
    errno.ENAMETOOLONG: Permanent,
    errno.ENOSPC: Transient,
    errno.EIO: Transient,
    errno.EAGAIN: Transient,
    errno.EBUSY: Transient,
}


def classify_os_error(exc: OSError, root: Path) -> ChannelError:
    """The channel error an operating-system failure while writing the site stands for."""
    kind = OS_ERRORS.get(exc.errno or 0, Transient)
    return kind(f"cannot write the blog in {root}: {exc.strerror or exc}")


# ---------------------------------------------------------------- settings


class StaticBlogSettings(ChannelSettings):
    """`[channels.NAME]` for type "static-blog"."""

    #: Directory of the site; relative to the directory holding crosspost.toml.
    path: Path = Field(default=Path("site"), validate_default=True)
    #: Where the site is served; by default its file:// URI, so links work from disk.
    site_url: str = Field(default="", validate_default=True)
    title: str = "Blog"
    author: str = "Crosspost"
    layout: Literal["hugo", "jekyll"] = "hugo"

    @field_validator("path")
    @classmethod
    def _resolve_path(cls, value: Path, info: ValidationInfo) -> Path:
        context = info.context if isinstance(info.context, dict) else {}
        base = Path(context.get("base_dir") or Path.cwd())
        path = value.expanduser()
        return (path if path.is_absolute() else base / path).resolve()

    @field_validator("site_url")
    @classmethod
    def _default_site_url(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            path = info.data.get("path")
            if not isinstance(path, Path):
                return value  # path itself is invalid and reported
            value = path.as_uri()
        if not re.match(r"(https?|file)://", value):
            raise ValueError("site_url must start with https://, http:// or file://")
        return value if value.endswith("/") else value + "/"


# ---------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Layout:
    """Where a static site generator expects posts and images, and how it names them."""

    posts_dir: str
    image_dir: str
    #: How the front matter refers to an image file, as the generator serves it.
    image_ref: str
    dated_names: bool
    #: The front matter key that fixes the page's address, whatever the site's settings.
    address_key: str

    def post_file(self, slug: str, date: datetime) -> str:
        name = f"{date:%Y-%m-%d}-{slug}.html" if self.dated_names else f"{slug}.html"
        return f"{self.posts_dir}/{name}"

    def pattern(self, key: str) -> str:
        """Glob of the post files whose slug ends with this delivery's key."""
        return f"*-{key[:KEY_LENGTH]}*"


LAYOUTS: dict[str, Layout] = {
    # Hugo serves static/ at the root; a relative reference respects a baseURL path.
    "hugo": Layout("content/posts", "static/images", "images/", False, address_key="url"),
    # Jekyll copies assets/ as is; absolute_url adds site.url and site.baseurl.
    "jekyll": Layout("_posts", "assets/images", "/assets/images/", True, address_key="permalink"),
}


def page_path(slug: str) -> str:
    """Where every layout builds a post, from the site's root: the URL we announce."""
    return f"posts/{slug}/"


# ---------------------------------------------------------------- posts on disk


@dataclass(frozen=True)
class Post:
    """A post as read back from its Markdown file."""

    file: Path
    key: str
    slug: str
    title: str
    published: datetime
    updated: datetime
    summary: str
    body: str
    image: str | None
    image_alt: str

    @property
    def image_file(self) -> str | None:
        """The image's file name in the layout's image directory."""
        return self.image.rsplit("/", 1)[-1] if self.image else None

    @property
    def body_html(self) -> str:
        """The body as safe HTML, sanitised again: the file may have been edited by hand."""
        # Python-Markdown passes HTML blocks through, so one call serves both formats.
        return markdown_to_html(self.body)


def _as_datetime(value: object) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_post(file: Path) -> Post | None:
    """The post in `file`, or None if it is not one Crosspost wrote (or is unreadable)."""
    import frontmatter

    try:
        doc = frontmatter.load(file)
        meta = doc.metadata
        if not meta.get("crosspost_key"):
            return None
        published = _as_datetime(meta["date"])
        return Post(
            file=file,
            key=str(meta["crosspost_key"]),
            slug=str(meta["slug"]),
            title=str(meta.get("title", "")),
            published=published,
            updated=_as_datetime(meta.get("lastmod", published)),
            summary=str(meta.get("summary", "")),
            body=doc.content,
            image=str(meta["image"]) if meta.get("image") else None,
            image_alt=str(meta.get("image_alt") or ""),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # One hand-edited file must not stop the blog; it is left out of the feed.
        log.warning("skipping %s: %s", file, exc)
        return None


def _newest_first(posts: list[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: (p.published, p.slug), reverse=True)


# ---------------------------------------------------------------- writing safely


_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


@contextmanager
def site_lock(root: Path) -> Iterator[None]:
    """Serialises writers of one site: threads by a lock, processes by flock on a file."""
    with _LOCKS_GUARD:
        thread_lock = _LOCKS.setdefault(root, threading.Lock())
    with thread_lock, open(root / LOCK_NAME, "a+b") as handle:
        if sys.platform != "win32":
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        yield


def _replace_from_temp(target: Path, fill: Callable[[Path], object]) -> None:
    """Writes through `fill(temp_path)` then renames over `target`: all or nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        fill(Path(temp))
        # On disk before the rename, so a power cut cannot leave an empty post behind.
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        # mkstemp makes the file private; a web server must be able to read the site.
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_atomic(target: Path, text: str) -> None:
    """Replaces `target` with `text` (UTF-8) so readers see the old or the new file."""
    _replace_from_temp(target, lambda temp: temp.write_text(text, encoding="utf-8"))


def copy_atomic(source: Path, target: Path) -> None:
    _replace_from_temp(target, lambda temp: shutil.copyfile(source, temp))


def _is_ours_or_absent(file: Path) -> bool:
    if not file.exists():
        return True
    with open(file, encoding="utf-8", errors="replace") as handle:
        return GENERATOR in handle.read(4096)


# ---------------------------------------------------------------- the channel


class StaticBlogChannel(Channel):
    """Publishes articles as files of a static site: Markdown, HTML pages and an Atom feed."""

    Settings = StaticBlogSettings
    default_label = "Blog"
    supports_lookup = True
    supports_update = True
    #: A file is there or not as soon as the write returns.
    settling_delay: ClassVar[timedelta] = timedelta(0)

    @property
    def blog(self) -> StaticBlogSettings:
        assert isinstance(self.settings, StaticBlogSettings)
        return self.settings

    @property
    def layout(self) -> Layout:
        return LAYOUTS[self.blog.layout]

    @property
    def root(self) -> Path:
        return self.blog.path

    # ------------------------------------------------------------ render

    def render(self, item: Item, context: RenderContext) -> Rendered:
        # As an announcement (the blog announcing a post made elsewhere), the post
        # carries a link to it; otherwise it is the item itself.
        now = datetime.now(context.timezone).replace(microsecond=0)
        slug = f"{slugify(item.title)}-{KEY_PLACEHOLDER}"
        body = self._body(item, context.timezone)
        if context.role == "announce" and context.announced_url:
            body = f"{body}\n\n[Lire la publication]({context.announced_url})".strip()
        front = self._front_matter(item, slug, now, context.timezone)
        text = post_file_text(front, body)
        request: dict[str, Any] = {
            "path": self.layout.post_file(slug, now),
            "front_matter": front,
            "body": body,
            # What publish() and validate() need beyond the file itself.
            "image_source": item.image_path,
            "timezone": context.timezone.key,
        }
        warnings = () if not item.image_path or item.image_alt else (self._no_alt(),)
        return Rendered(self.name, text, (text,), request, warnings=warnings)

    def _body(self, item: Item, zone: ZoneInfo) -> str:
        """The Markdown body: event details first (themes ignore custom fields), then the text."""
        paragraphs: list[str] = []
        if item.event_start is not None:
            when = capitalise(event_when(item.event_start, item.event_end, zone))
            paragraphs.append(f"**Quand :** {when}")
        if item.location:
            paragraphs.append(f"**Où :** {item.location}")
        if item.body.strip():
            paragraphs.append(item.body.strip())
        if item.link:
            paragraphs.append(f"[Plus d'informations]({item.link})")
        return "\n\n".join(paragraphs)

    def _front_matter(
        self, item: Item, slug: str, date: datetime, zone: ZoneInfo
    ) -> dict[str, Any]:
        summary = _summary(item, zone) or item.title
        front: dict[str, Any] = {
            "title": item.title,
            "date": date.isoformat(),
            "slug": slug,
            self.layout.address_key: "/" + page_path(slug),
            "tags": list(item.tags),
            "summary": summary,
            "description": summary,
        }
        if item.image_path:
            image = f"{self.layout.image_ref}{slug}{_image_suffix(item.image_path)}"
            front["image"] = image
            front["image_alt"] = item.image_alt or ""
            if self.blog.layout == "hugo":
                front["images"] = [image]  # what Hugo's built-in OpenGraph template reads
        if item.event_start is not None:
            front["event_start"] = item.event_start.astimezone(zone).isoformat()
            if item.event_end is not None:
                front["event_end"] = item.event_end.astimezone(zone).isoformat()
        if item.location:
            front["location"] = item.location
        return front

    def _no_alt(self) -> str:
        return (
            f"{self.label}: the image has no alt text; people using a screen reader "
            "will not know what it shows (add image_alt)"
        )

    # ------------------------------------------------------------ validate

    def validate(self, rendered: Rendered) -> list[Problem]:
        problems = super().validate(rendered)
        source = rendered.request.get("image_source")
        if source and not Path(source).is_file():
            problems.append(Problem("error", f"{self.label}: the image {source} does not exist"))
        return problems

    # ------------------------------------------------------------ publish

    def publish(self, job: PublishJob) -> Receipt:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with site_lock(self.root):
                return self._publish_locked(job)
        except OSError as exc:
            raise classify_os_error(exc, self.root) from exc

    def update(self, job: PublishJob) -> Receipt:
        """Rewrite the post of another delivery in place: same slug, date and address."""
        target = job.delivery.announced_key
        if not target:
            raise Permanent(f"{self.label}: no post to update")
        try:
            with site_lock(self.root):
                if self._existing(target) is None:
                    raise Permanent(f"{self.label}: the post to update is no longer in {self.root}")
                return self._publish_locked(replace(job, idempotency_key=target))
        except OSError as exc:
            raise classify_os_error(exc, self.root) from exc

    def _publish_locked(self, job: PublishJob) -> Receipt:
        request = job.rendered.request
        zone = ZoneInfo(str(request["timezone"]))
        key = job.idempotency_key
        now = datetime.now(zone).replace(microsecond=0)
        existing = self._existing(key)
        # A rewrite keeps the first slug and date: links already shared stay valid.
        date = existing.published.astimezone(zone) if existing else now
        slug = existing.slug if existing else self._slug(request, key, date)
        front = self._final_front_matter(request, slug, date, now, key)

        image_rel = self._copy_image(request.get("image_source"), front)
        if self._writes_readable_pages:
            write_atomic(
                self.root / page_path(slug) / "index.html",
                self._post_page(front, request, image_rel, zone),
            )
        post_file = self.root / self.layout.post_file(slug, date)
        write_atomic(post_file, post_file_text(front, str(request["body"])))
        if existing and existing.file != post_file:
            existing.file.unlink(missing_ok=True)
        self._regenerate(zone)
        return Receipt(
            remote_id=slug,
            url=self._post_url(slug),
            published_at=date.astimezone(UTC),
            detail={"path": post_file.relative_to(self.root).as_posix()},
        )

    def _slug(self, request: dict[str, Any], key: str, date: datetime) -> str:
        """Title and key prefix; the whole key if another post already has that name."""
        template = str(request["front_matter"]["slug"])
        slug = template.replace(KEY_PLACEHOLDER, key[:KEY_LENGTH])
        file = self.root / self.layout.post_file(slug, date)
        # A Markdown post of an earlier version holds the name (and the address) too.
        if any(file.with_suffix(suffix).exists() for suffix in POST_SUFFIXES):
            slug = template.replace(KEY_PLACEHOLDER, key)
        return slug

    def _final_front_matter(
        self, request: dict[str, Any], slug: str, date: datetime, now: datetime, key: str
    ) -> dict[str, Any]:
        """The rendered front matter with the real slug, dates and delivery key."""
        front = dict(request["front_matter"])
        placeholder_slug = str(front["slug"])
        front["slug"] = slug
        front[self.layout.address_key] = "/" + page_path(slug)
        front["date"] = date.isoformat()
        if "image" in front:
            front["image"] = str(front["image"]).replace(placeholder_slug, slug)
        if "images" in front:
            front["images"] = [str(i).replace(placeholder_slug, slug) for i in front["images"]]
        front["lastmod"] = now.isoformat()
        # The feed is rebuilt from the files: they must say which delivery they are.
        front["crosspost_key"] = key
        return front

    def _copy_image(self, source: str | None, front: dict[str, Any]) -> str | None:
        """Copies the image beside the site; its path relative to the site root."""
        if not source:
            return None
        if not Path(source).is_file():
            raise Permanent(f"{self.label}: the image {source} does not exist")
        name = str(front["image"]).rsplit("/", 1)[-1]
        relative = f"{self.layout.image_dir}/{name}"
        copy_atomic(Path(source), self.root / relative)
        return relative

    def _post_page(
        self, front: dict[str, Any], request: dict[str, Any], image_rel: str | None, zone: ZoneInfo
    ) -> str:
        date = datetime.fromisoformat(front["date"])
        image = (
            figure_html("../../" + image_rel, str(front.get("image_alt") or ""))
            if image_rel
            else ""
        )
        return post_page_html(
            blog_title=self.blog.title,
            title=str(front["title"]),
            date=date,
            when=event_when(date, None, zone),
            image_html=image,
            body_html=markdown_to_html(str(request["body"])),
        )

    @property
    def _writes_readable_pages(self) -> bool:
        # Jekyll copies posts/ into the site it builds, where the post's own page
        # (its permalink) has the same address: the copy would collide with it.
        return self.blog.layout != "jekyll" or self.blog.site_url.startswith("file:")

    def _post_url(self, slug: str) -> str:
        # From disk a directory does not open its index.html by itself.
        page = "index.html" if self.blog.site_url.startswith("file:") else ""
        return f"{self.blog.site_url}{page_path(slug)}{page}"

    # ------------------------------------------------------------ feed and index

    def _regenerate(self, zone: ZoneInfo) -> None:
        """Rebuilds index.html and feed.xml from the Markdown files (caller holds the lock)."""
        posts = _newest_first(self._posts())
        index = self.root / "index.html"
        if _is_ours_or_absent(index):
            write_atomic(index, self._index_page(posts, zone))
        else:
            log.warning("%s was not written by Crosspost; leaving it alone", index)
        feed = self.root / "feed.xml"
        if _is_ours_or_absent(feed):
            write_atomic(feed, self._feed(posts[:FEED_LIMIT]))
        else:
            log.warning("%s was not written by Crosspost; leaving it alone", feed)

    def _posts(self) -> list[Post]:
        folder = self.root / self.layout.posts_dir
        if not folder.is_dir():
            return []
        return [post for file in _post_files(folder, "*") if (post := read_post(file))]

    def _existing(self, key: str) -> Post | None:
        folder = self.root / self.layout.posts_dir
        if not folder.is_dir():
            return None
        for file in _post_files(folder, self.layout.pattern(key)):
            post = read_post(file)
            # Eight hex characters can collide: the full key in the file decides.
            if post is not None and post.key == key:
                return post
        return None

    def _index_page(self, posts: list[Post], zone: ZoneInfo) -> str:
        entries = [
            (
                p.title,
                f"posts/{p.slug}/index.html",
                p.published,
                event_when(p.published, None, zone),
                p.summary,
            )
            for p in posts
        ]
        return index_page_html(self.blog.title, entries)

    def _feed(self, posts: list[Post]) -> str:
        return atom_feed(
            title=self.blog.title,
            author=self.blog.author,
            site_url=self.blog.site_url,
            entries=[self._feed_entry(p) for p in posts],
        )

    def _feed_entry(self, post: Post) -> FeedEntry:
        content = post.body_html
        if post.image_file:
            src = f"{self.blog.site_url}{self.layout.image_dir}/{post.image_file}"
            content = figure_html(src, post.image_alt) + content
        return FeedEntry(
            id=entry_id(post.key),
            title=post.title,
            url=self._post_url(post.slug),
            published=post.published,
            updated=post.updated,
            summary=post.summary,
            content_html=content,
        )

    # ------------------------------------------------------------ lookup and check

    def find_existing(self, job: PublishJob) -> Receipt | None:
        post = self._existing(job.idempotency_key)
        if post is None:
            return None
        return Receipt(
            remote_id=post.slug,
            url=self._post_url(post.slug),
            published_at=post.published.astimezone(UTC),
            detail={"path": post.file.relative_to(self.root).as_posix()},
        )

    def check(self) -> CheckResult:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root):
                pass
        except OSError as exc:
            return CheckResult(
                False, f"cannot write the blog in {self.root}: {exc.strerror or exc}"
            )
        return CheckResult(True, f"writes to {self.root}, served at {self.blog.site_url}")


# ---------------------------------------------------------------- pure helpers


def _post_files(folder: Path, pattern: str) -> list[Path]:
    return sorted(f for f in folder.glob(pattern) if f.suffix in POST_SUFFIXES)


def post_file_text(front: dict[str, Any], body_markdown: str) -> str:
    """The generator's source file: the front matter, then the body as sanitised HTML."""
    import frontmatter

    # As an entity `{` looks the same in the page, but starts no shortcode or Liquid tag.
    body = markdown_to_html(body_markdown).replace("{", "&#123;")
    return frontmatter.dumps(frontmatter.Post(body, **front), sort_keys=False) + "\n"


def without_html(text: str) -> str:
    """`text` with HTML tags (and the insides of scripts) removed, the rest as typed.

    Summaries are plain text, but Hugo renders them as Markdown and themes print
    them unescaped: a tag left in the officer's text would run there.
    """
    if "<" not in text:
        return text
    import nh3

    # `&` escaped first, so that runs like `&region` are not read as entities.
    return html.unescape(nh3.clean(text.replace("&", "&amp;"), tags=set()))


def _image_suffix(image_path: str) -> str:
    return Path(image_path).suffix.lower() or ".img"


def _summary(item: Item, zone: ZoneInfo) -> str:
    """One line for feeds and search engines: when and where for an event, then the text."""
    lead = ""
    if item.event_start is not None:
        lead = capitalise(event_when(item.event_start, item.event_end, zone))
    if item.location:
        lead = f"{lead}, {item.location}" if lead else item.location
    text = " ".join(without_html(markdown_to_plain(item.body)).split())
    plain = f"{lead}. {text}" if lead and text else lead or text
    if len(plain) <= SUMMARY_LENGTH:
        return plain
    return plain[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def entry_id(key: str) -> str:
    """A permanent Atom id from the delivery key: its UUID, else a UUID derived from it."""
    try:
        return uuid.UUID(hex=key).urn
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_OID, f"crosspost:{key}").urn


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    summary: str
    content_html: str


def atom_feed(title: str, author: str, site_url: str, entries: list[FeedEntry]) -> str:
    """An RFC 4287 feed document; ElementTree does the escaping."""
    from xml.etree import ElementTree as ET

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, tag, attrs)
        element.text = text
        return element

    # Attributes (rel, href) are never namespaced in Atom, so the namespace is declared
    # once on the root instead of qualifying every name.
    feed = ET.Element("feed", xmlns=ATOM)
    # The site's URL names the feed: stable as long as the site does not move.
    add(feed, "id", uuid.uuid5(uuid.NAMESPACE_URL, site_url).urn)
    add(feed, "title", title)
    newest = max((e.updated for e in entries), default=datetime.now(UTC).replace(microsecond=0))
    add(feed, "updated", newest.isoformat())
    add(add(feed, "author"), "name", author)
    add(feed, "link", rel="self", type="application/atom+xml", href=f"{site_url}feed.xml")
    add(feed, "link", rel="alternate", type="text/html", href=site_url)
    add(feed, "generator", GENERATOR)
    for entry in entries:
        node = add(feed, "entry")
        add(node, "id", entry.id)
        add(node, "title", entry.title)
        add(node, "updated", entry.updated.isoformat())
        add(node, "published", entry.published.isoformat())
        add(node, "link", rel="alternate", type="text/html", href=entry.url)
        add(node, "summary", entry.summary)
        add(node, "content", entry.content_html, type="html")
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'


_CSS = (
    "body{font:17px/1.6 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;"
    "color:#222;background:#fff}a{color:#0a58ca}header a{color:inherit;text-decoration:none;"
    "font-weight:bold}time,.summary{color:#555}img{max-width:100%;height:auto}"
    "figure{margin:1.5rem 0}ul.posts{list-style:none;padding:0}ul.posts li{margin:1.5rem 0}"
)


def _page(title: str, head_extra: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{GENERATOR}">\n'
        f"<title>{html.escape(title)}</title>\n{head_extra}<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def figure_html(src: str, alt: str) -> str:
    return f'<figure><img src="{html.escape(src)}" alt="{html.escape(alt)}"></figure>\n'


def post_page_html(
    blog_title: str, title: str, date: datetime, when: str, image_html: str, body_html: str
) -> str:
    """The readable page of one post; it links back to the index and the feed."""
    feed = '<link rel="alternate" type="application/atom+xml" href="../../feed.xml">\n'
    body = (
        f'<header><a href="../../index.html">{html.escape(blog_title)}</a></header>\n'
        f"<article>\n<h1>{html.escape(title)}</h1>\n"
        f'<p><time datetime="{date.isoformat()}">Publié le {html.escape(when)}</time></p>\n'
        f"{image_html}{body_html}\n</article>"
    )
    return _page(f"{title} · {blog_title}", feed, body)


def index_page_html(blog_title: str, entries: list[tuple[str, str, datetime, str, str]]) -> str:
    """The home page: every post, newest first, as (title, href, date, date in words, summary)."""
    items = "\n".join(
        f'<li><a href="{html.escape(href)}">{html.escape(title)}</a><br>'
        f'<time datetime="{date.isoformat()}">{html.escape(when)}</time>'
        f'<p class="summary">{html.escape(summary)}</p></li>'
        for title, href, date, when, summary in entries
    )
    listing = (
        f'<ul class="posts">\n{items}\n</ul>' if entries else "<p>Aucun article pour l'instant.</p>"
    )
    feed = '<link rel="alternate" type="application/atom+xml" href="feed.xml">\n'
    body = (
        f"<header><h1>{html.escape(blog_title)}</h1></header>\n{listing}\n"
        '<footer><a href="feed.xml">Flux Atom</a></footer>'
    )
    return _page(blog_title, feed, body)
