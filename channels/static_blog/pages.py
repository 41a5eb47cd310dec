"""The readable HTML pages: one per post, and the index."""

from __future__ import annotations

import html
from datetime import datetime

#: Marks the pages we generate, so a hand-written index.html is never overwritten.
GENERATOR = "Crosspost"

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
