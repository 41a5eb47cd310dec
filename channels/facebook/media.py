"""The photo as the Pages API takes it, and what stops it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from channels.base import (
    Permanent,
    Problem,
)
from channels.facebook.settings import _MB, MAX_IMAGE_BYTES

#: Leading bytes of the image types Facebook Page photos accept, and their MIME type.
IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def image_type(head: bytes) -> str | None:
    """The MIME type of an accepted image from its first bytes, or None."""
    return next((mime for magic, mime in IMAGE_SIGNATURES if head.startswith(magic)), None)


def _unsupported_name(path: Path, head: bytes) -> str:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp":
        return "HEIC/AVIF"
    return path.suffix.lstrip(".").upper() or "not an image Facebook knows"


def image_problems(path: Path) -> list[Problem]:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as error:
        return [Problem("error", f"cannot read the image {path}: {error.strerror or error}")]
    problems = []
    if size > MAX_IMAGE_BYTES:
        problems.append(
            Problem(
                "error",
                f"image is {size / _MB:.1f} MB; Facebook accepts up to {MAX_IMAGE_BYTES // _MB} MB"
                ": resize or compress it",
            )
        )
    if image_type(head) is None:
        problems.append(
            Problem(
                "error",
                f"image {path.name} is {_unsupported_name(path, head)}; Facebook accepts "
                "JPEG, PNG, GIF, BMP or TIFF: export it as JPEG",
            )
        )
    return problems


@contextmanager
def image_part(path: Path) -> Iterator[tuple[str, BinaryIO, str]]:
    """The photo as a multipart part (file name, open file, MIME type)."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise Permanent(f"cannot read the image {path}: {error.strerror or error}") from None
    with handle:
        mime = image_type(handle.read(16))
        if mime is None:
            raise Permanent(f"image {path.name} is not a JPEG, PNG, GIF, BMP or TIFF")
        handle.seek(0)
        yield (path.name, handle, mime)
