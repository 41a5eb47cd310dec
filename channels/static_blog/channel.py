"""The static blog channel: render, validate, publish (files, pages, feed), find_existing, check."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from channels.base import (
    Channel,
    CheckResult,
    Permanent,
    Problem,
    PublishJob,
    Receipt,
    RenderContext,
    Rendered,
)
from channels.static_blog.disk import copy_atomic, is_ours_or_absent, site_lock, write_atomic
from channels.static_blog.errors import classify_os_error
from channels.static_blog.feed import FEED_LIMIT, FeedEntry, atom_feed, entry_id
from channels.static_blog.pages import figure_html, index_page_html, post_page_html
from channels.static_blog.posts import (
    KEY_LENGTH,
    KEY_PLACEHOLDER,
    LAYOUTS,
    POST_SUFFIXES,
    Layout,
    Post,
    image_suffix,
    newest_first,
    page_path,
    post_file_text,
    post_files,
    read_post,
)
from channels.static_blog.settings import StaticBlogSettings
from channels.static_blog.summary import summary_of
from crosspost.domain import Item
from crosspost.i18n import _
from crosspost.text import (
    capitalise,
    event_when,
    markdown_to_html,
    slugify,
)

# Named after the package: the channel type is what people filter logs by.
log = logging.getLogger("channels.static_blog")


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
        summary = summary_of(item, zone) or item.title
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
            image = f"{self.layout.image_ref}{slug}{image_suffix(item.image_path)}"
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
            said = _("{channel}: the image {path} does not exist")
            problems.append(Problem("error", said.format(channel=self.label, path=source)))
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
        if existing:
            date = existing.published.astimezone(zone)
        elif self.layout.dates_a_second_early:
            date = now - timedelta(seconds=1)
        else:
            date = now
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
        posts = newest_first(self._posts())
        index = self.root / "index.html"
        if is_ours_or_absent(index):
            write_atomic(index, self._index_page(posts, zone))
        else:
            log.warning("%s was not written by Crosspost; leaving it alone", index)
        feed = self.root / "feed.xml"
        if is_ours_or_absent(feed):
            write_atomic(feed, self._feed(posts[:FEED_LIMIT]))
        else:
            log.warning("%s was not written by Crosspost; leaving it alone", feed)

    def _posts(self) -> list[Post]:
        folder = self.root / self.layout.posts_dir
        if not folder.is_dir():
            return []
        return [post for file in post_files(folder, "*") if (post := read_post(file))]

    def _existing(self, key: str) -> Post | None:
        folder = self.root / self.layout.posts_dir
        if not folder.is_dir():
            return None
        for file in post_files(folder, self.layout.pattern(key)):
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
            said = _("cannot write the blog in {folder}: {why}")
            return CheckResult(False, said.format(folder=self.root, why=exc.strerror or exc))
        said = _("writes to {folder}, served at {url}")
        return CheckResult(True, said.format(folder=self.root, url=self.blog.site_url))
