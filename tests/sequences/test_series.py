"""Recurring events: one item per date, each with its sequence, across both clock changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from tests.conftest import Cli

SEQUENCE = """
series_horizon = "240d"

[sequences.event]
announce = "-14d"
reminders = ["-1d"]
"""


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel("2026-12-02T10:00:00Z", tick=False) as traveller:
        yield traveller


@pytest.fixture
def events(workspace: Path) -> Path:
    config = workspace / "crosspost.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(SEQUENCE.split("\n[")[0] + "\n" + text + "\n[" + SEQUENCE.split("\n[", 1)[1],
                      encoding="utf-8")  # fmt: skip
    return workspace


def _deliveries(cli: Cli) -> list[dict[str, object]]:
    listed = cli("list", "--json").json()
    assert isinstance(listed, list)
    return listed


def _starts(cli: Cli) -> dict[int, str]:
    out = {}
    for delivery in _deliveries(cli):
        shown = cli("show", str(delivery["item_id"]), "--json").json()
        assert isinstance(shown, dict)
        out[int(shown["item"]["id"])] = str(shown["item"]["event_start"])
    return out


@pytest.mark.parametrize(
    "rule",
    [
        "chaque premier samedi à 14h de janvier à juin",
        "every first Saturday at 14:00 from January to June",
    ],
)
def test_a_simple_form_makes_one_event_per_date_at_local_time(
    events: Path, cli: Cli, rule: str
) -> None:
    result = cli("add", "--kind", "event", "--title", "Repair café", "--repeat", rule,
                 "--location", "Maison des associations")  # fmt: skip
    assert "Queued series 1: 6 dates of «Repair café» (FREQ=MONTHLY;BYDAY=1SA)" in result.out
    starts = sorted(set(_starts(cli).values()))
    # 14:00 in Paris each time: 13:00 UTC in winter, 12:00 UTC after the March change.
    assert starts == [
        "2027-01-02T13:00:00Z", "2027-02-06T13:00:00Z", "2027-03-06T13:00:00Z",
        "2027-04-03T12:00:00Z", "2027-05-01T12:00:00Z", "2027-06-05T12:00:00Z",
    ]  # fmt: skip
    april = [d for d in _deliveries(cli) if str(d["due_at_local"]).startswith("2027-04-02")]
    assert [d["step"] for d in april] == ["-1d"]
    assert april[0]["due_at_local"] == "2027-04-02T14:00:00+02:00"  # D-1 at 14:00 local


def test_an_rrule_and_the_october_change(
    events: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    clock.move_to("2027-09-01T10:00:00Z")
    cli("add", "--kind", "event", "--title", "Conseil d'administration",
        "--event-start", "2027-10-23 18:00", "--event-end", "2027-10-23 20:00",
        "--repeat", "FREQ=WEEKLY;BYDAY=SA;COUNT=3")  # fmt: skip
    starts = sorted(set(_starts(cli).values()))
    # 18:00 in Paris: before and after the clocks go back on 31 October.
    assert starts == ["2027-10-23T16:00:00Z", "2027-10-30T16:00:00Z", "2027-11-06T17:00:00Z"]
    shown = cli("show", "3", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["event_end"] == "2027-11-06T19:00:00Z"  # 20:00 local, 2 hours


def test_the_horizon_moves_on_and_exceptions_are_kept(
    events: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    config = events / "crosspost.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('"240d"', '"70d"'),
                      encoding="utf-8")  # fmt: skip
    cli("add", "--kind", "event", "--title", "Repair café",
        "--repeat", "chaque premier samedi à 14h de janvier à juin")  # fmt: skip
    assert len(set(_starts(cli))) == 2  # January and February within 70 days
    cli("cancel", "2")  # no café on 6 February
    clock.move_to("2027-02-01T10:00:00Z")
    cli("run", "--once", ok=False)  # the daemon's housekeeping queues March and April
    starts = _starts(cli)
    assert sorted(starts.values())[-1] == "2027-04-03T12:00:00Z"
    shown = cli("show", "2", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["status"] == "cancelled"
    result = cli("edit", "3", "--series", "--title", "Repair café & couture")
    assert "Series 1 updated" in result.out
    titles = {}
    for item_id in (1, 2, 3, 4):
        shown = cli("show", str(item_id), "--json").json()
        assert isinstance(shown, dict)
        titles[item_id] = shown["item"]["title"]
    assert titles == {
        1: "Repair café",  # past
        2: "Repair café",  # cancelled: the exception stays as it was
        3: "Repair café & couture",
        4: "Repair café & couture",
    }
    cli("delete", "4", "--yes")
    clock.move_to("2027-03-01T10:00:00Z")
    cli("run", "--once", ok=False)
    occurrences = sorted(_starts(cli).values())
    assert "2027-04-03T12:00:00Z" not in occurrences  # deleted: never made again
    assert "2027-05-01T12:00:00Z" in occurrences
    shown = cli("show", str(max(_starts(cli))), "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["title"] == "Repair café & couture"  # new dates from the edited series


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--repeat", "chaque samedi"), "at what time?"),
        (("--repeat", "chaque premier samedi à 14h"), "never ends"),
        (("--repeat", "tous les jours de pluie à 14h de janvier à juin"), "not a rule"),
        (("--repeat", "FREQ=MONTHLY;BYDAY=1SA"), "needs --event-start"),
        (("--repeat", "FREQ=MONTHLY;BYDAY=1SA", "--event-start", "2027-01-02 14:00"), "never ends"),
        (("--repeat", "FREQ=SOMETIMES", "--event-start", "2027-01-02 14:00"), "is not an RRULE"),
        (("--repeat", "chaque samedi à 14h de janvier à juin", "--at", "now"), "at: a recurring"),
    ],
)
def test_wrong_rules_are_refused_and_nothing_is_written(
    events: Path, cli: Cli, args: tuple[str, ...], expected: str
) -> None:
    result = cli("add", "--kind", "event", "--title", "Atelier", *args, ok=False)
    assert expected in result.err
    assert cli("list", "--json").json() == []
