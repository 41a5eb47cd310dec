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

from typing import TYPE_CHECKING

from channels.lazy import lazy_exports

if TYPE_CHECKING:
    from channels.static_blog.channel import StaticBlogChannel
    from channels.static_blog.settings import StaticBlogSettings


__getattr__ = lazy_exports(
    __name__, {"StaticBlogChannel": "channel", "StaticBlogSettings": "settings"}
)


__all__ = ["StaticBlogChannel", "StaticBlogSettings"]
