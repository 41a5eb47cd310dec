"""[sequences.KIND] mistakes are refused with the key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.config import parse_settings
from crosspost.errors import ConfigError

BASE = """
timezone = "Europe/Paris"
[channels.facebook]
type = "fake"
[[routes]]
kind = "event"
to = ["facebook"]
"""


def _load(extra: str) -> object:
    return parse_settings((BASE + extra).encode(), Path("/tmp/crosspost.toml"))


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            '[sequences.event]\nreminders = ["-3x"]',
            "sequences.event.reminders: '-3x' is not a step offset",
        ),
        ('[sequences.event]\nreminders = ["+1d"]', "come before"),
        ('[sequences.event]\nreminders = ["-1d", "J-1"]', "-1d given twice"),
        ('[sequences.event]\nrecap = "+1d"', "recap_to: missing"),
        ('[sequences.event]\nrecap = "+1d"\nrecap_to = "nobody"', "no channel named 'nobody'"),
        ('[sequences.concert]\nreminders = ["-1d"]', "sequences.concert: unknown kind"),
        ("[sequences.event.channels.blog]\nreminders = []", "channels.blog: no channel named"),
        ('[sequences.event.templates]\n"-1d" = "Demain : {titre}"', "unknown field {titre}"),
        ('[sequences.event.templates]\n"la veille" = "Demain"', "or cancelled, closed, recap"),
        ('[sequences.event]\nmorning = "25:00"', "sequences.event.morning"),
        ("[sequences.event]\nannounce = 14", "expected a quoted offset"),
    ],
)
def test_mistakes_name_the_key(extra: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(extra)
    assert expected in str(caught.value)


def test_a_valid_sequence_reads_per_channel() -> None:
    settings = _load(
        '[sequences.event]\nannounce = "-2w"\nreminders = ["J-3", "-1d 18:00", "matin"]\n'
        "[sequences.event.channels.facebook]\ncancel_notice = false\n"
    )
    sequence = settings.sequence("event")  # type: ignore[attr-defined]
    steps = sequence.on("facebook")
    assert [r.name for r in steps.reminders] == ["-3d", "-1d 18:00", "morning"]
    assert steps.announce.name == "-14d"
    assert steps.cancel_notice is False
    assert settings.sequence("scoop") is None  # type: ignore[attr-defined]
    assert [r.name for r in settings.sequence("job").default.reminders] == ["-3d 10:00"]  # type: ignore[attr-defined]
