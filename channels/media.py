"""What an image really is, from its first bytes: a file's extension can lie.

Every adapter asks here before it uploads and says what it found: a PNG saved
as "affiche.jpg" is sent as image/png, and a WebP is named as one when refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from channels.base import Permanent, Problem
from crosspost.i18n import N_, _

#: How many leading bytes `sniff_image` needs.
HEAD_BYTES = 16

#: Leading bytes -> MIME type, for the types some platform accepts.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)

#: File extensions by MIME type, for the name a file is uploaded under.
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
    "image/webp": ".webp",
    "image/avif": ".avif",
}


def sniff_image(head: bytes) -> str | None:
    """The MIME type of an image from its first HEAD_BYTES bytes, or None if not one known."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:12] in (b"ftypavif", b"ftypavis"):  # an ISO BMFF box whose brand is AVIF
        return "image/avif"
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def sniff_file(path: str | Path) -> str | None:
    """The MIME type of the image in `path` (OSError if it cannot be read)."""
    with open(path, "rb") as handle:
        return sniff_image(handle.read(HEAD_BYTES))


def read_image(path: Path, noun: str = "image") -> bytes:
    """The bytes to upload; Permanent when the file cannot be read (it will not heal alone)."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise Permanent(f"{noun} {path} cannot be read: {error.strerror}") from None


def image_facts(path: str) -> dict[str, Any]:
    """What validate() and publish() need to know of the file: its real type and size,
    or why it cannot be read."""
    try:
        return {"media_type": sniff_file(path), "bytes": Path(path).stat().st_size}
    except OSError as exc:
        return {"unreadable": exc.strerror or type(exc).__name__}


MB = 1024 * 1024


def _amount(size: int, limit: int) -> tuple[str, str]:
    """`size` and `limit` as people read them: in MB when the limit is whole megabytes
    (unless the size would then look equal to it), else in bytes."""
    if limit % MB == 0 and f"{size / MB:.1f}" != f"{limit / MB:.1f}":
        return f"{size / MB:.1f} MB", f"{limit // MB} MB"
    return f"{size:,} bytes", f"{limit:,} bytes"


def too_large(size: int, limit: int, *, platform: str, hint: str = "") -> list[Problem]:
    """An error when an image of `size` bytes is over the platform's `limit`; `hint` says
    what to do (or which setting is the limit)."""
    if size <= limit:
        return []
    said, most = _amount(size, limit)
    return [
        Problem(
            "error",
            _("image is {size}; {platform} accepts up to {most}{hint}").format(
                size=said, platform=platform, most=most, hint=hint
            ),
        )
    ]


#: Said when an image has no description.
NO_ALT_TEXT = N_("the image has no alt text: people using screen readers will miss it")


def refusals(
    facts: Mapping[str, Any], *, platform: str, accepted: Mapping[str, str], unknown: str
) -> list[Problem]:
    """What in `facts` (from image_facts) the platform refuses: an unreadable file, or a type
    not in `accepted` (MIME type -> name); `unknown` names a file of no known type."""
    if "unreadable" in facts:
        said = _("image {file} cannot be read: {why}").format(
            file=facts["file"], why=facts["unreadable"]
        )
        return [Problem("error", said)]
    if facts["media_type"] in accepted:
        return []
    kind = facts["media_type"] or unknown
    names = ", ".join(accepted.values())
    said = _("image is {kind}; {platform} accepts {names} images")
    return [Problem("error", said.format(kind=kind, platform=platform, names=names))]
