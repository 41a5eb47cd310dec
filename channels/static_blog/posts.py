"""Where each layout keeps posts and images, and the post files: named, written, read back."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crosspost.text import markdown_to_html

# Named after the package: the channel type is what people filter logs by.
log = logging.getLogger("channels.static_blog")


#: Stands for the delivery key in what render() shows: render() does not know the
#: delivery, publish() puts the first 8 characters of its key in its place.
KEY_PLACEHOLDER = "{key}"
KEY_LENGTH = 8

#: Suffixes of the post files we read: ours, and the Markdown of earlier versions.
POST_SUFFIXES = (".html", ".md")
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
    #: Date new posts a second early. Jekyll takes a front-matter date equal to its
    #: build's first second for "no date" and puts the file name's date, at midnight,
    #: in its place (Document#modify_date): a post written in the second a build or
    #: `jekyll serve --watch` starts would move to midnight, or into the future (and
    #: out of the site) while Paris is a day ahead of the server's UTC. A second
    #: before the file exists is never the start of a build that can read it.
    dates_a_second_early: bool = False

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
    "jekyll": Layout(
        "_posts",
        "assets/images",
        "/assets/images/",
        True,
        address_key="permalink",
        dates_a_second_early=True,
    ),
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


def newest_first(posts: list[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: (p.published, p.slug), reverse=True)


def post_files(folder: Path, pattern: str) -> list[Path]:
    return sorted(f for f in folder.glob(pattern) if f.suffix in POST_SUFFIXES)


def post_file_text(front: dict[str, Any], body_markdown: str) -> str:
    """The generator's source file: the front matter, then the body as sanitised HTML."""
    import frontmatter

    # As an entity `{` looks the same in the page, but starts no shortcode or Liquid tag.
    body = markdown_to_html(body_markdown).replace("{", "&#123;")
    return frontmatter.dumps(frontmatter.Post(body, **front), sort_keys=False) + "\n"


def image_suffix(image_path: str) -> str:
    return Path(image_path).suffix.lower() or ".img"
