"""The item fields as written in files and CSV headers (hyphens and case do not matter)."""

from __future__ import annotations

FIELDS = (
    "kind",
    "title",
    "body",
    "link",
    "image",
    "alt",
    "tags",
    "event_start",
    "event_end",
    "location",
    "deadline",
    "at",
    "channels",
    "steps",
    "variants",
)
ALIASES = {
    "channel": "channels",
    "tag": "tags",
    "start": "event_start",
    "end": "event_end",
    "step": "steps",
    "step_text": "steps",
    "step_texts": "steps",
    "text_for": "variants",
    "variant": "variants",
}

__all__ = ["ALIASES", "FIELDS"]
