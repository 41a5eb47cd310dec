"""An item's picture is the workspace's own copy: the original may move, the post still goes out.

And `preview` shows that picture and the links the ledger already knows.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli


def png(path: Path, shade: int = 0) -> Path:
    """A real (tiny) PNG, which every channel's image sniffer accepts."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + bytes([200, 80, shade]) * 32 for _ in range(24))
    header = struct.pack(">IIBBBBB", 32, 24, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def show(cli: Cli, item_id: int) -> dict[str, Any]:
    """`crosspost show ID --json`."""
    shown = cli("show", str(item_id), "--json").json()
    assert isinstance(shown, dict)
    return shown


@pytest.fixture
def blog(tmp_path: Path, db_url: str, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`crosspost init`'s workspace (a local blog, four networks in dry-run) on each database."""
    root = tmp_path / "comms"
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    cli("init", str(root))
    monkeypatch.chdir(root)
    return root


def _article(folder: Path, image: str, alt: str = "Des bénévoles : l'atelier") -> Path:
    path = folder / "bilan.md"
    path.write_text(
        f"---\nkind: article\nat: +1d\nimage: {json.dumps(image)}\nalt: {json.dumps(alt)}\n---\n"
        "# Bilan de l'été\n\nGrâce à vous ! https://example.org/?utm_source=x&utm_medium=social\n",
        encoding="utf-8",
    )
    return path


def test_the_post_goes_out_with_its_image_after_the_original_is_deleted(
    blog: Path, cli: Cli, tmp_path: Path
) -> None:
    photos = tmp_path / "Téléchargements"
    photos.mkdir()
    original = png(photos / "Photo été.PNG")
    content = original.read_bytes()
    cli("add", str(_article(photos, "Photo été.PNG")))
    [copy] = (blog / "media").iterdir()
    assert re.fullmatch(r"[0-9a-f]{16}\.png", copy.name)
    assert copy.read_bytes() == content
    original.unlink()
    shown = show(cli, 1)
    assert shown["item"]["image"] == str(copy)
    assert shown["item"]["alt"] == "Des bénévoles : l'atelier"
    cli("publish", "1")
    states = {d["channel"]: d["state"] for d in show(cli, 1)["deliveries"]}
    # The article on the blog and its announcements on the four networks of the starter.
    assert states == dict.fromkeys(
        ("blog", "twitter", "facebook", "mastodon", "bluesky"), "published"
    )
    [served] = (blog / "site" / "static" / "images").iterdir()
    assert served.read_bytes() == content


def test_the_same_picture_twice_is_one_copy(blog: Path, cli: Cli, tmp_path: Path) -> None:
    png(tmp_path / "a.png")
    (tmp_path / "b.png").write_bytes((tmp_path / "a.png").read_bytes())
    cli("add", "--kind", "scoop", "--title", "Un", "--image", str(tmp_path / "a.png"),
        "--alt", "Un atelier", "--at", "+1d")  # fmt: skip
    cli("add", "--kind", "scoop", "--title", "Deux", "--image", str(tmp_path / "b.png"),
        "--alt", "Un atelier", "--at", "+2d")  # fmt: skip
    assert len(list((blog / "media").iterdir())) == 1
    first, second = show(cli, 1), show(cli, 2)
    assert first["item"]["image"] == second["item"]["image"]


def test_edit_image_and_import_keep_copies_too(blog: Path, cli: Cli, tmp_path: Path) -> None:
    cli("add", "--kind", "scoop", "--title", "Sans image", "--at", "2030-01-02 10:00")
    assert not (blog / "media").exists()
    new = png(tmp_path / "nouvelle.png", shade=90)
    cli("edit", "1", "--image", str(new), "--alt", "Le local rénové")
    item = show(cli, 1)["item"]
    assert Path(item["image"]).parent == blog / "media"
    new.unlink()
    sheet = tmp_path / "items.csv"
    png(tmp_path / "affiche.png", shade=30)
    sheet.write_text(
        "kind;title;at;image;alt\nscoop;Affiche;+2d;affiche.png;L'affiche du repair café\n",
        encoding="utf-8",
    )
    cli("import", str(sheet))
    (tmp_path / "affiche.png").unlink()
    assert len(list((blog / "media").iterdir())) == 2
    cli("publish", "1")
    cli("publish", "2")
    for number in (1, 2):
        assert {d["state"] for d in show(cli, number)["deliveries"]} == {"published"}


def test_a_refused_item_copies_nothing(blog: Path, cli: Cli, tmp_path: Path) -> None:
    png(tmp_path / "a.png")
    refused = cli("add", "--kind", "podcast", "--title", "x", "--image", str(tmp_path / "a.png"),
                  "--at", "+1d", ok=False)  # fmt: skip
    assert refused.code == 1
    assert not (blog / "media").exists()


# ---------------------------------------------------------------- preview


def test_preview_shows_the_image_its_size_and_alt_or_that_it_is_missing(
    blog: Path, cli: Cli, tmp_path: Path
) -> None:
    png(tmp_path / "photo.png")
    cli("add", str(_article(tmp_path, "photo.png")))
    [copy] = (blog / "media").iterdir()
    out = cli("preview", "1").out
    assert out.startswith(f"Image: {copy}, 1 kB, alt: «Des bénévoles : l'atelier»\n")
    [entry, *_] = cli("preview", "1", "--json").json()
    assert entry["image"] == {
        "path": str(copy),
        "size": copy.stat().st_size,
        "alt": "Des bénévoles : l'atelier",
        "exists": True,
    }
    copy.unlink()
    out = cli("preview", "1").out
    assert f"WARNING: the image {copy} is missing" in out
    assert "crosspost edit 1 --image FILE" in out


def test_preview_shows_the_blog_link_that_the_announcements_will_carry(
    blog: Path, cli: Cli
) -> None:
    cli("add", "--kind", "article", "--title", "Bilan : l'été", "--body", "Merci !", "--at", "+1d")
    before = cli("preview", "1").out
    assert "{key}" not in before
    assert "link-to-come.invalid" not in before
    predicted = re.findall(r"file://\S+/posts/bilan-l-ete-[0-9a-f]{8}/index\.html", before)
    # In the text on X, Facebook and Mastodon, and under Bluesky's post as its link card.
    assert len(predicted) == 4
    assert f"[link card: {predicted[-1]}]" in before
    [bluesky] = cli("preview", "1", "--channel", "bluesky", "--json").json()
    assert bluesky["card"] == predicted[-1]
    assert predicted[-1] not in bluesky["text"]
    cli("publish", "1")
    urls = {d["channel"]: d["url"] for d in show(cli, 1)["deliveries"]}
    assert predicted == [urls["blog"]] * 4
    after = cli("preview", "1").out
    assert after.count(urls["blog"]) == 4


def test_preview_says_plainly_when_the_link_cannot_be_known(workspace: Path, cli: Cli) -> None:
    # The fake blog gives its address only when it publishes.
    cli("add", "--kind", "article", "--title", "Bilan", "--at", "+1d")
    out = cli("preview", "1", "--channel", "twitter").out
    assert "(link of the article, known once it is published)" in out
    assert "link-to-come.invalid" not in out
    [twitter] = cli("preview", "1", "--channel", "twitter", "--json").json()
    assert twitter["link_known"] is False
    assert twitter["card"] is None
