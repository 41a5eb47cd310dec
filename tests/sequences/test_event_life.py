"""One event's life through the CLI: announced, recalled, moved, cancelled (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from tests.conftest import Cli
from tests.support.fakechannel import fake_platform

SEQUENCE = """
[channels.officer]
type = "fake"

[sequences.event]
announce = "-14d"
reminders = ["-3d", "-1d", "morning"]
recap = "+1d"
recap_to = "officer"

[sequences.event.templates]
"-3d" = "Dans 3 jours : {title}, {location}"
"""


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel("2026-10-01T10:00:00Z", tick=False) as traveller:
        yield traveller


@pytest.fixture
def events(workspace: Path) -> Path:
    config = workspace / "crosspost.toml"
    config.write_text(config.read_text(encoding="utf-8") + SEQUENCE, encoding="utf-8")
    return workspace


def _steps(cli: Cli, item_id: int = 1) -> dict[str, dict[str, object]]:
    shown = cli("show", str(item_id), "--json").json()
    assert isinstance(shown, dict)
    return {f"{d['channel']} {d['step']}".strip(): d for d in shown["deliveries"]}


def _texts(channel: str) -> list[str]:
    return [str(p.detail["text"]).split("\n")[0] for p in fake_platform(channel).posts if p.detail]


def _fete(cli: Cli, *extra: str) -> None:
    cli(
        "add", "--kind", "event", "--title", "Fête du quartier",
        "--event-start", "2026-10-25 18:00", "--location", "Salle des fêtes", *extra,
    )  # fmt: skip


def test_an_event_announces_itself_and_recalls_itself_at_local_times(
    events: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    # Sunday 25 October 2026, 18:00 CET: the clocks go back that very night.
    _fete(cli)
    steps = _steps(cli)
    due = {name: step["due_at_local"] for name, step in steps.items()}
    assert due == {
        "facebook": "2026-10-11T18:00:00+02:00",
        "facebook -3d": "2026-10-22T18:00:00+02:00",
        "facebook -1d": "2026-10-24T18:00:00+02:00",
        "facebook morning": "2026-10-25T09:00:00+01:00",
        "officer recap": "2026-10-26T18:00:00+01:00",
    }
    for moment in (
        "2026-10-11T16:00:00Z",
        "2026-10-22T16:00:00Z",
        "2026-10-24T16:00:00Z",
        "2026-10-25T08:00:00Z",
        "2026-10-26T17:00:00Z",
    ):
        clock.move_to(moment)
        cli("run", "--once")
    assert _texts("facebook") == [
        "Fête du quartier",
        "Dans 3 jours : Fête du quartier, Salle des fêtes",
        "Demain : Fête du quartier",
        "Ce soir : Fête du quartier",
    ]
    assert _texts("officer") == [
        "Bilan à écrire : Fête du quartier (dimanche 25 octobre) : photos, chiffres, mercis"
    ]
    assert {s["state"] for s in _steps(cli).values()} == {"published"}


def test_a_reminder_whose_time_has_passed_is_skipped_not_posted_late(
    events: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    clock.move_to("2026-10-23T10:00:00Z")  # the announcement and D-3 are already past
    result = cli(
        "add", "--kind", "event", "--title", "Fête du quartier",
        "--event-start", "2026-10-25 18:00",
    )  # fmt: skip
    assert "facebook -3d: skipped, its time has passed (2026-10-22 18:00 CEST)" in result.out
    steps = _steps(cli)
    assert set(steps) == {"facebook", "facebook -1d", "facebook morning", "officer recap"}
    assert steps["facebook"]["due_at"] == "2026-10-23T10:00:00Z"  # announced at once
    cli("run", "--once")
    assert _texts("facebook") == ["Fête du quartier"]


def test_moving_the_event_moves_its_pending_posts(
    events: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    _fete(cli)
    clock.move_to("2026-10-11T16:00:00Z")
    cli("run", "--once")  # announced
    result = cli("edit", "1", "--event-start", "2026-11-08 18:00")
    assert "facebook -1d" in result.out
    assert "moved" in result.out
    steps = _steps(cli)
    assert steps["facebook"]["state"] == "published"
    assert steps["facebook"]["due_at_local"] == "2026-10-11T18:00:00+02:00"  # out: left as is
    assert steps["facebook -3d"]["due_at_local"] == "2026-11-05T18:00:00+01:00"
    assert steps["facebook -1d"]["due_at_local"] == "2026-11-07T18:00:00+01:00"
    assert steps["facebook morning"]["due_at_local"] == "2026-11-08T09:00:00+01:00"
    assert steps["officer recap"]["due_at_local"] == "2026-11-09T18:00:00+01:00"
    clock.move_to("2026-10-24T16:00:00Z")  # the old D-1: nothing goes out
    cli("run", "--once")
    assert _texts("facebook") == ["Fête du quartier"]


def test_moving_an_event_not_yet_announced_moves_its_announcement_too(
    events: Path, cli: Cli
) -> None:
    _fete(cli)
    cli("edit", "1", "--event-start", "2026-11-01 18:00")
    assert _steps(cli)["facebook"]["due_at_local"] == "2026-10-18T18:00:00+02:00"


def test_cancelling_an_announced_event_cancels_its_reminders_and_says_so(
    events: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    _fete(cli)
    clock.move_to("2026-10-11T16:00:00Z")
    cli("run", "--once")
    result = cli("cancel", "1")
    assert "cancellation notice" in result.out
    steps = _steps(cli)
    assert steps["facebook -1d"]["state"] == "cancelled"
    assert steps["officer recap"]["state"] == "cancelled"
    assert steps["facebook cancelled"]["state"] == "pending"
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["status"] == "cancelled"
    cli("run", "--once")
    assert _texts("facebook") == ["Fête du quartier", "Annulé : Fête du quartier"]
    again = cli("cancel", "1")  # typed twice: one notice
    assert "cancellation notice" not in again.out
    assert len([s for s in _steps(cli) if s.endswith("cancelled")]) == 1


def test_cancelling_before_anything_went_out_posts_no_notice(events: Path, cli: Cli) -> None:
    _fete(cli)
    cli("cancel", "1")
    assert {s["state"] for s in _steps(cli).values()} == {"cancelled"}
    assert "facebook cancelled" not in _steps(cli)


def test_no_notice_when_the_officer_says_so(
    events: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    _fete(cli)
    clock.move_to("2026-10-11T16:00:00Z")
    cli("run", "--once")
    cli("cancel", "1", "--no-notice")
    assert "facebook cancelled" not in _steps(cli)


def test_an_item_words_its_own_steps(
    events: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    wording = "-1d=Demain soir à {time} : {title} 🎉 https://ex.org/?utm_source=fb&utm_medium=so"
    _fete(cli, "--at", "2026-10-24 17:30", "--step-text", wording)
    clock.move_to("2026-10-24T16:00:00Z")
    cli("run", "--once")
    assert sorted(_texts("facebook")) == [
        "Demain soir à 18h : Fête du quartier 🎉 https://ex.org/?utm_source=fb&utm_medium=so",
        "Fête du quartier",
    ]


def test_a_wrong_step_wording_is_refused_and_nothing_is_written(events: Path, cli: Cli) -> None:
    result = cli(
        "add", "--kind", "event", "--title", "Fête", "--event-start", "2026-10-25 18:00",
        "--step-text", "-1d=Demain : {titre}", ok=False,
    )  # fmt: skip
    assert result.code != 0
    assert "unknown field {titre}" in result.err
    assert "{title}" in result.err
    listed = cli("list", "--json").json()
    assert listed == []


def test_an_explicit_time_still_decides_the_announcement(events: Path, cli: Cli) -> None:
    _fete(cli, "--at", "2026-10-02 12:30")
    assert _steps(cli)["facebook"]["due_at_local"] == "2026-10-02T12:30:00+02:00"
    assert _steps(cli)["facebook -1d"]["due_at_local"] == "2026-10-24T18:00:00+02:00"


def test_kinds_without_a_sequence_are_one_post_as_before(events: Path, cli: Cli) -> None:
    cli("add", "--kind", "scoop", "--title", "Nouveau local", "--at", "2026-10-02 10:00")
    assert set(_steps(cli)) == {"twitter"}


def test_publish_now_and_reschedule_move_only_the_announcement(events: Path, cli: Cli) -> None:
    _fete(cli)
    cli("reschedule", "1", "--at", "2026-10-05 10:00")
    steps = _steps(cli)
    assert steps["facebook"]["due_at_local"] == "2026-10-05T10:00:00+02:00"
    assert steps["facebook -1d"]["due_at_local"] == "2026-10-24T18:00:00+02:00"


def test_a_march_event_keeps_its_reminders_at_local_times(
    events: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    # Sunday 28 March 2027 18:00 CEST: the clocks jumped forward that night.
    clock.move_to("2027-03-01T10:00:00Z")
    cli(
        "add", "--kind", "event", "--title", "Printemps des poètes",
        "--event-start", "2027-03-28 18:00",
    )  # fmt: skip
    due = {name: step["due_at"] for name, step in _steps(cli).items()}
    assert due["facebook -1d"] == "2027-03-27T17:00:00Z"  # 18:00 CET
    assert due["facebook morning"] == "2027-03-28T07:00:00Z"  # 09:00 CEST
    assert due["facebook -3d"] == "2027-03-25T17:00:00Z"
    clock.move_to("2027-03-27T17:00:00Z")
    cli("run", "--once", ok=False)  # the announcement of 14 March is long past: skipped
    assert "Demain : Printemps des poètes" in _texts("facebook")


def test_a_channel_can_have_a_shorter_sequence(events: Path, cli: Cli) -> None:
    config = events / "crosspost.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('kind = "event"\nto = ["facebook"]',
        'kind = "event"\nto = ["facebook", "blog"]')
        + '\n[sequences.event.channels.blog]\nreminders = []\nannounce = "-21d"\n',
        encoding="utf-8",
    )  # fmt: skip
    _fete(cli)
    steps = _steps(cli)
    assert {name for name in steps if name.startswith("blog")} == {"blog"}
    assert steps["blog"]["due_at_local"] == "2026-10-04T18:00:00+02:00"
    assert "facebook -1d" in steps


def test_at_next_places_the_announcement_and_keeps_the_reminders(events: Path, cli: Cli) -> None:
    config = events / "crosspost.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[policy.facebook]\nslots = ["tue 12:30"]\n',
        encoding="utf-8",
    )
    _fete(cli, "--at", "next")
    steps = _steps(cli)
    assert steps["facebook"]["due_at_local"] == "2026-10-06T12:30:00+02:00"  # next Tuesday
    assert steps["facebook -3d"]["due_at_local"] == "2026-10-22T18:00:00+02:00"
    assert steps["facebook -1d"]["due_at_local"] == "2026-10-24T18:00:00+02:00"
    assert "facebook morning" in steps


def test_an_event_cancelled_after_its_blog_post_rewrites_that_post(
    events: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    config = events / "crosspost.toml"
    text = config.read_text(encoding="utf-8").replace(
        '[channels.blog]\ntype = "fake"',
        '[channels.blog]\ntype = "static-blog"\npath = "site"\nsite_url = "https://asso.example/"',
    )
    text = text.replace(
        'kind = "event"\nto = ["facebook"]', 'kind = "event"\nto = ["blog", "facebook"]'
    )
    config.write_text(
        text + "\n[sequences.event.channels.blog]\nreminders = []\n", encoding="utf-8"
    )
    _fete(cli)
    clock.move_to("2026-10-11T16:00:00Z")
    cli("run", "--once")
    cli("cancel", "1")
    clock.move_to("2026-10-11T16:01:00Z")
    cli("run", "--once")
    steps = _steps(cli)
    assert steps["blog cancelled"]["state"] == "published"
    assert steps["blog cancelled"]["role"] == "update"
    assert steps["blog cancelled"]["url"] == steps["blog"]["url"]
    [post] = (events / "site" / "content" / "posts").iterdir()
    assert "Annulé : Fête du quartier" in post.read_text(encoding="utf-8")
    assert _texts("facebook")[-1] == "Annulé : Fête du quartier"
