"""The workspace's own copy of each image, so moving or deleting the original loses nothing.

An item's picture is copied into `media/` beside crosspost.toml when the item is
queued (add, edit --image, import), under a name made of its content's SHA-256:
`media/3f2a9c0d41e5b7a8.jpg`. The item then points at the copy. The same picture
added twice is one file; a file is never rewritten once there.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from crosspost.errors import InputError
from crosspost.files import copy_file
from crosspost.i18n import _

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.domain import NewItem

#: The folder, relative to the one holding crosspost.toml.
MEDIA_DIR = "media"
#: Hex digits of the SHA-256 in a copy's name: 64 bits, no collision in any workspace.
NAME_LENGTH = 16


def media_dir(settings: Settings) -> Path:
    """Where the workspace keeps its images."""
    return settings.base_dir / MEDIA_DIR


def keep(source: Path, folder: Path) -> Path:
    """The workspace copy of `source` (made now if it is not there yet)."""
    try:
        with source.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise InputError(
            _("image: cannot read {source} ({reason})").format(
                source=source, reason=exc.strerror or exc
            )
        ) from None
    target = folder / f"{digest[:NAME_LENGTH]}{source.suffix.lower()}"
    if target.is_file():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Copied beside the target, then renamed: a reader never sees half a picture.
        copy_file(source, target, prefix=".incoming-")
    except OSError as exc:
        raise InputError(
            _("image: cannot copy {name} into {folder} ({reason})").format(
                name=source.name, folder=folder, reason=exc.strerror or exc
            )
        ) from None
    return target


def keep_image(item: NewItem, settings: Settings) -> NewItem:
    """`item` pointing at the workspace copy of its image (unchanged without one)."""
    if not item.image_path:
        return item
    copy = keep(Path(item.image_path), media_dir(settings))
    return replace(item, image_path=str(copy))
