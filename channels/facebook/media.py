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
from channels.facebook.settings import MAX_IMAGE_BYTES
from channels.media import HEAD_BYTES, sniff_image, too_large
from crosspost.i18n import _

#: The image types Facebook Page photos accept.
ACCEPTED = {"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"}


def image_type(head: bytes) -> str | None:
    """The MIME type of an accepted image from its first bytes, or None."""
    kind = sniff_image(head)
    return kind if kind in ACCEPTED else None


def _unsupported_name(path: Path, head: bytes) -> str:
    if sniff_image(head) == "image/webp":
        return "WebP"
    if head[4:8] == b"ftyp":
        return "HEIC/AVIF"
    return path.suffix.lstrip(".").upper() or "not an image Facebook knows"


def image_problems(path: Path) -> list[Problem]:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as error:
        said = _("cannot read the image {path}: {why}")
        return [Problem("error", said.format(path=path, why=error.strerror or error))]
    hint = _(": resize or compress it")
    problems = too_large(size, MAX_IMAGE_BYTES, platform="Facebook", hint=hint)
    if image_type(head) is None:
        problems.append(
            Problem(
                "error",
                _(
                    "image {name} is {kind}; Facebook accepts JPEG, PNG, GIF, BMP or TIFF: "
                    "export it as JPEG"
                ).format(name=path.name, kind=_unsupported_name(path, head)),
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
        mime = image_type(handle.read(HEAD_BYTES))
        if mime is None:
            raise Permanent(f"image {path.name} is not a JPEG, PNG, GIF, BMP or TIFF")
        handle.seek(0)
        yield (path.name, handle, mime)
