"""The static blog's folder built by the real Hugo and Jekyll, as the officer's site is.

Run with:  bash scripts/static-site-generators.sh && pytest -m generators
Skipped when a generator is not installed, unless CROSSPOST_REQUIRE_GENERATORS=1
(CI sets it so a missing generator fails loudly instead of passing quietly).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin
from zoneinfo import ZoneInfo

import pytest
import time_machine

from channels.base import PublishJob, Receipt, RenderContext
from channels.static_blog import StaticBlogChannel, StaticBlogSettings
from crosspost.domain import Delivery, Item
from crosspost.secrets import SecretSource

pytestmark = pytest.mark.generators

PARIS = ZoneInfo("Europe/Paris")
SITE_URL = "https://assoc.example/asso/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TITLE = "Fête de l'été 🎉 : crème brûlée"
FAMILY = "👨‍👩‍👧"
#: Raw HTML in a body, as pasted from a web page or sent by a compromised account.
BODY = (
    f"Œufs, crème brûlée et café pour la famille {FAMILY}.\n\n"
    "Bonjour <script>alert(1)</script> à tous\n\n"
    '<img src="x.png" onerror="alert(2)">\n\n'
    "[Cliquez](javascript:alert(3)) ou [lisez](https://assoc.example/?utm_source=x&utm_medium=y)"
    "\n\n{{% raw %}} {{< youtube x >}} {% include x.html %} {{ site.title }}\n\n"
    '<a href="javascript:alert(4)" onclick="alert(5)">ici</a>\n\n'
    "![affiche](javascript:alert(6))\n"
    '{: onclick="alert(7)"}'
)

# A theme as careless as many: Hugo renders raw HTML (`unsafe`), permalinks are dated,
# and the Jekyll layout prints the summary unescaped.
HUGO_CONFIG = f"""\
baseURL = "{SITE_URL}"
title = "Les nouvelles"
[markup.goldmark.renderer]
unsafe = true
[permalinks]
posts = "/:year/:month/:slug/"
"""
HUGO_SINGLE = """\
<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>
<h1>{{ .Title }}</h1>
{{ with .Params.image }}<img src="{{ . | absURL }}" alt="{{ $.Params.image_alt }}">{{ end }}
<p class="summary">{{ .Summary }}</p>
{{ .Content }}
</body></html>
"""
HUGO_LIST = """\
<!DOCTYPE html><html><body>
{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ .Summary }}{{ end }}
</body></html>
"""
JEKYLL_CONFIG = """\
title: Les nouvelles
url: https://assoc.example
baseurl: /asso
defaults:
  - scope: {path: "", type: posts}
    values: {layout: post}
"""
JEKYLL_POST = """\
<!DOCTYPE html><html><head><title>{{ page.title | escape }}</title></head><body>
<h1>{{ page.title | escape }}</h1>
{% if page.image %}<img src="{{ page.image | relative_url }}" alt="{{ page.image_alt }}">{% endif %}
<p class="summary">{{ page.summary }}</p>
{{ content }}
</body></html>
"""


def generator(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CROSSPOST_REQUIRE_GENERATORS") == "1":
            pytest.fail(f"{name} is required (CROSSPOST_REQUIRE_GENERATORS=1) but not installed")
        pytest.skip(f"{name} is not installed (bash scripts/static-site-generators.sh)")
    return path


def officer_site(root: Path, layout: str) -> None:
    """What the officer adds to the folder: the generator's config and a theme."""
    files = (
        {"hugo.toml": HUGO_CONFIG, "layouts/_default/single.html": HUGO_SINGLE}
        | {"layouts/_default/list.html": HUGO_LIST}
        if layout == "hugo"
        else {"_config.yml": JEKYLL_CONFIG, "_layouts/post.html": JEKYLL_POST}
    )
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def build(root: Path, layout: str, out: Path) -> None:
    if layout == "hugo":
        command = [generator("hugo"), "--quiet", "--source", str(root), "--destination", str(out)]
    else:
        command = [generator("jekyll"), "build", "--quiet", "-s", str(root), "-d", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    # Neither conflicting pages nor missing layouts: the officer sees a clean build.
    assert "Conflict" not in done.stdout + done.stderr
    assert "WARN" not in done.stdout + done.stderr


@dataclass
class Page(HTMLParser):
    """What a browser would run and load from one built page."""

    scripts: list[str] = field(default_factory=list)
    handlers: list[str] = field(default_factory=list)
    script_urls: list[str] = field(default_factory=list)
    #: alt -> src of every image
    images: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(str(attrs))
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}={value}")
            if value and "javascript:" in value.replace(" ", "").lower():
                self.script_urls.append(f"{tag} {name}={value}")
        if tag == "img":
            values = dict(attrs)
            self.images[values.get("alt") or ""] = values.get("src") or ""


def read_page(file: Path) -> Page:
    page = Page()
    page.feed(file.read_text("utf-8"))
    return page


def built_file(out: Path, url: str) -> Path:
    """The file of the built site that serves `url` (a directory serves its index.html)."""
    assert url.startswith(SITE_URL), url
    path = unquote(url.removeprefix(SITE_URL).split("?")[0])
    return out / (path + "index.html" if path.endswith("/") or not path else path)


def publish(channel: StaticBlogChannel, item: Item) -> Receipt:
    key = uuid.uuid4().hex
    now = datetime.now(UTC)
    delivery = Delivery(1, key, item, "blog", "post", due_at=now, state="sending")
    rendered = channel.render(item, RenderContext(timezone=PARIS))
    return channel.publish(PublishJob(delivery, rendered, idempotency_key=key))


@pytest.mark.parametrize("layout", ["hugo", "jekyll"])
def test_the_built_site_serves_the_announced_post_safely(tmp_path: Path, layout: str) -> None:
    # Time is not frozen: both generators leave out posts dated in the future.
    root = tmp_path / "site"
    settings = StaticBlogSettings.model_validate(
        {"type": "static-blog", "path": str(root), "site_url": SITE_URL, "layout": layout},
        context={"base_dir": tmp_path},
    )
    channel = StaticBlogChannel("blog", settings, SecretSource())
    photo = tmp_path / "Affiche été.PNG"
    photo.write_bytes(PNG)
    item = Item(
        id=1,
        kind="article",
        title=TITLE,
        body=BODY,
        tags=("fête", "quartier"),
        image_path=str(photo),
        image_alt="L'affiche de la fête",
    )
    officer_site(root, layout)
    receipt = publish(channel, item)
    assert receipt.url is not None

    out = tmp_path / "public"
    build(root, layout, out)

    pages = sorted(out.rglob("*.html"))
    assert pages
    for file in pages:
        page = read_page(file)
        assert (page.scripts, page.handlers, page.script_urls) == ([], [], []), file
        assert "alert(1)" not in file.read_text("utf-8")

    # The URL announced on the other channels is a page of the built site.
    post = built_file(out, receipt.url)
    assert post.is_file(), sorted(p.relative_to(out).as_posix() for p in pages)
    text = unescape(post.read_text("utf-8"))
    assert TITLE in text
    assert f"Œufs, crème brûlée et café pour la famille {FAMILY}." in text
    assert "https://assoc.example/?utm_source=x&utm_medium=y" in text
    # Typed braces are shown, not run as shortcodes or Liquid.
    assert "{{% raw %}} {{< youtube x >}} {% include x.html %} {{ site.title }}" in text

    # The image the page shows is served by the built site, byte for byte.
    src = read_page(post).images["L'affiche de la fête"]
    assert built_file(out, urljoin(receipt.url, src)).read_bytes() == PNG


def test_a_jekyll_build_in_the_second_a_post_is_written_keeps_it_on_the_site(
    tmp_path: Path,
) -> None:
    # 23:30 UTC is already tomorrow in Paris: the post's file is named after
    # tomorrow, which Jekyll reads as midnight on this UTC machine. A front-matter
    # date equal to the build's first second made Jekyll take that midnight instead,
    # a date in the future, and leave the post out of the site.
    root = tmp_path / "site"
    settings = StaticBlogSettings.model_validate(
        {"type": "static-blog", "path": str(root), "site_url": SITE_URL, "layout": "jekyll"},
        context={"base_dir": tmp_path},
    )
    channel = StaticBlogChannel("blog", settings, SecretSource())
    item = Item(id=1, kind="article", title=TITLE, body=BODY)
    officer_site(root, "jekyll")
    with time_machine.travel(datetime(2026, 12, 2, 23, 30, 0, 400_000, tzinfo=UTC), tick=False):
        receipt = publish(channel, item)
    assert receipt.url is not None

    # The build starts within that same second: a clock a hundred times slower.
    out = tmp_path / "public"
    command = [generator("jekyll"), "build", "--quiet", "-s", str(root), "-d", str(out)]
    clock = [generator("faketime"), "-f", "@2026-12-02 23:30:00 x0.01"]
    done = subprocess.run(
        clock + command,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ | {"TZ": "UTC"},
    )
    assert done.returncode == 0, done.stdout + done.stderr

    post = built_file(out, receipt.url)
    assert post.is_file(), sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert TITLE in unescape(post.read_text("utf-8"))
