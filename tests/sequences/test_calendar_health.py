"""The calendar shows events at their own dates with their sequence; health counts the
events not yet announced."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from icalendar import Calendar

from channels.base import Permanent
from tests.conftest import Cli
from tests.support.fakechannel import fake_platform

SEQUENCE = """
[sequences.event]
announce = "-14d"
reminders = ["-3d", "-1d", "morning"]
"""


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel("2026-12-01T10:00:00Z", tick=False) as traveller:
        yield traveller


@pytest.fixture
def events(workspace: Path, cli: Cli) -> Path:
    config = workspace / "crosspost.toml"
    config.write_text(config.read_text(encoding="utf-8") + SEQUENCE, encoding="utf-8")
    cli("add", "--kind", "event", "--title", "Fête de Noël : goûter & contes",
        "--event-start", "2026-12-19 18:00", "--location", "Salle Jean-Moulin")  # fmt: skip
    cli("add", "--kind", "event", "--title", "Assemblée générale",
        "--event-start", "2027-01-09 14:00", "--repeat", "FREQ=MONTHLY;COUNT=1")  # fmt: skip
    return workspace


def test_the_html_calendar_shows_the_event_on_its_day_and_each_post_of_its_sequence(
    events: Path, cli: Cli
) -> None:
    page = cli("calendar", "--format", "html", "--from", "2026-12-01", "--to", "2027-01-31").out
    assert "★ 18:00 <b>Fête de Noël : goûter &amp; contes</b>" in page
    assert "★ 14:00 <b>Assemblée générale</b>" in page
    for label in ("(D-3)", "(D-1)", "(morning of)"):
        assert f"Fête de Noël : goûter &amp; contes {label}" in page
    cli("cancel", "1")
    page = cli("calendar", "--format", "html", "--from", "2026-12-01", "--to", "2027-01-31").out
    assert '<li class="ev cancelled"' in page


def test_the_agenda_has_each_event_at_its_own_date_and_moves_with_it(
    events: Path, cli: Cli
) -> None:
    def agenda() -> dict[str, str]:
        raw = cli("calendar", "--format", "ics", "--agenda", "--from", "2026-12-01",
                  "--to", "2027-02-01").out  # fmt: skip
        calendar = Calendar.from_ical(raw)
        return {
            str(e["SUMMARY"]): e.decoded("DTSTART").isoformat() for e in calendar.walk("VEVENT")
        }

    assert agenda() == {
        "Fête de Noël : goûter & contes": "2026-12-19T18:00:00+01:00",
        "Assemblée générale": "2027-01-09T14:00:00+01:00",
    }
    cli("edit", "1", "--event-start", "2026-12-20 17:00")
    assert agenda()["Fête de Noël : goûter & contes"] == "2026-12-20T17:00:00+01:00"
    feed = cli("calendar", "--format", "ics", "--from", "2026-12-01", "--to", "2027-02-01").out
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(feed).walk("VEVENT")]
    assert "[facebook] Fête de Noël : goûter & contes (D-1)" in summaries


def test_health_counts_the_events_not_yet_announced(
    events: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    report = cli("health", "--ahead", "6", "--json", ok=False).json()
    assert isinstance(report, dict)
    assert report["events"]["upcoming"] == 2
    assert [e["item_id"] for e in report["events"]["not_announced"]] == [1, 2]
    assert report["events"]["not_announced"][0]["announce_due"] == "2026-12-05T17:00:00Z"
    clock.move_to("2026-12-05T17:00:00Z")
    cli("run", "--once")
    report = cli("health", "--ahead", "6", "--json", ok=False).json()
    assert isinstance(report, dict)
    assert [e["item_id"] for e in report["events"]["not_announced"]] == [2]
    clock.move_to("2026-12-26T13:00:00Z")  # the assembly's announcement: refused
    fake_platform("facebook").fail_next(Permanent("(#200) The user hasn't authorized"))
    cli("run", "--once", ok=False)
    text = cli("health", "--ahead", "6", ok=False).out
    assert "Events: 1 upcoming event, 1 not announced yet." in text
    assert "«Assemblée générale» starts Saturday 9 January 2027 at 14:00" in text
    assert "nothing queued announces it; queue a post again (`crosspost retry 2`" in text
