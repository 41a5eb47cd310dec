"""The editorial policy: config errors, slots, quiet times, `add --at next`, warnings."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crosspost.config import Settings, parse_settings
from crosspost.domain import PlannedDelivery
from crosspost.errors import ConfigError, InputError
from crosspost.policy import (
    ChannelPolicy,
    Load,
    load_policy,
    next_free_slot,
    parse_days,
    parse_quiet,
    place_next,
    time_warnings,
)
from tests.conftest import CONFIG, Cli

PARIS = ZoneInfo("Europe/Paris")

ISSUE_POLICY = """
[policy.twitter]
min_per_week = 3
max_per_day = 4
slots = ["tue 12:30", "thu 12:30", "sat 10:00"]

[policy.blog]
min_per_month = 2

[policy]
quiet = ["sun", "22:00-07:00"]
"""


def _settings(tmp_path: Path, policy: str = ISSUE_POLICY) -> Settings:
    return parse_settings((CONFIG + policy).encode(), tmp_path / "crosspost.toml")


def _paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


# ---------------------------------------------------------------- the settings


def test_the_policy_of_the_issue_loads(tmp_path: Path) -> None:
    policy = load_policy(_settings(tmp_path))
    twitter = policy.of("twitter")
    assert (twitter.min_per_week, twitter.max_per_day) == (3, 4)
    assert [(sorted(s.days), s.clock) for s in twitter.slots] == [
        ([1], time(12, 30)),
        ([3], time(12, 30)),
        ([5], time(10, 0)),
    ]
    assert policy.of("blog").min_per_month == 2
    # A channel without its own table still keeps the global quiet times.
    assert [q.text for q in policy.of("facebook").quiet] == ["sun", "22:00-07:00"]
    assert policy.of("facebook").quiet_at(_paris("2026-12-06 12:00")) is not None


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("[policy.tiktok]\nmin_per_week = 1", "policy.tiktok: no channel named 'tiktok'; declared"),
        ("[policy]\nmin_per_week = 3", "policy.min_per_week: unknown key; [policy] holds `quiet`"),
        ("[policy.twitter]\nmin_per_wek = 3", "policy.twitter.min_per_wek: unknown key"),
        (
            "[policy.twitter]\nmin_per_week = 0",
            "policy.twitter.min_per_week: expected a number of at least 1 (got 0)",
        ),
        (
            "[policy.blog]\nmin_per_month = 'often'",
            "policy.blog.min_per_month: expected a whole number, like 3 (got 'often')",
        ),
        (
            '[policy.twitter]\nslots = ["tue 12:30", "mardi soir"]',
            "policy.twitter.slots[2]: expected a time with optional days, like 'tue 12:30'",
        ),
        (
            '[policy.twitter]\nslots = ["tuesday 25:00"]',
            "policy.twitter.slots[1]: '25:00' is not a time of day",
        ),
        (
            '[policy]\nquiet = ["sun", "dimanche soir"]',
            "policy.quiet[2]: expected days (sun), a time range (22:00-07:00) or both",
        ),
        ('[policy]\nquiet = ["sunday-ish"]', "policy.quiet[1]: 'sunday-ish' is not a day"),
        (
            '[policy]\nquiet = ["sun"]\n[policy.twitter]\nslots = ["sat 10:00", "sun 10:00"]',
            "policy.twitter.slots[2]: 'sun 10:00' falls in the quiet time 'sun'",
        ),
        (
            "[policy.twitter]\nmin_per_week = 30\nmax_per_day = 4",
            "policy.twitter: min_per_week = 30 cannot be met with max_per_day = 4 (28 a week",
        ),
    ],
)
def test_a_bad_policy_names_the_file_the_key_and_what_was_expected(
    tmp_path: Path, policy: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _settings(tmp_path, policy)
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "crosspost.toml"))
    assert expected in message


def test_days_read_in_english_or_french_as_ranges_lists_and_groups() -> None:
    assert parse_days("sun") == {6}
    assert parse_days("mon-fri") == parse_days("weekdays") == {0, 1, 2, 3, 4}
    assert parse_days("fri-mon") == {4, 5, 6, 0}  # wraps round the week
    assert parse_days("tue,thu") == parse_days("mardi,jeudi") == {1, 3}
    assert parse_days("sam-dim") == parse_days("weekend") == {5, 6}


def test_day_names_with_or_without_accents_or_capitals() -> None:
    assert parse_days("Lundi") == parse_days("LUN") == {0}
    assert parse_days("Mercredi,Vendredi") == {2, 4}
    assert parse_days("lundi-vendredi") == parse_days("Lun-Ven") == {0, 1, 2, 3, 4}
    assert parse_days("Samedi,Dimanche") == parse_days("week-end") == {5, 6}


@pytest.mark.parametrize(
    ("text", "days", "clock"),
    [
        ("mardi 12h30", {1}, time(12, 30)),
        ("Mardi 12 h 30", {1}, time(12, 30)),
        ("lun-ven 9h", {0, 1, 2, 3, 4}, time(9, 0)),
        ("Samedi, Dimanche 10h", {5, 6}, time(10, 0)),
        ("12h30", set(range(7)), time(12, 30)),
        ("jeudi midi", {3}, time(12, 0)),
        ("tue 12:30", {1}, time(12, 30)),
    ],
)
def test_slots_written_the_french_way(text: str, days: set[int], clock: time) -> None:
    from crosspost.policy import parse_slot

    slot = parse_slot(text)
    assert (slot.days, slot.clock) == (days, clock)


def test_quiet_times_written_the_french_way() -> None:
    night = parse_quiet("22h à 7h")
    assert (night.start, night.end, night.days) == (time(22), time(7), set(range(7)))
    saturday = parse_quiet("Samedi 14 h - 18 h 30")
    assert (saturday.start, saturday.end, saturday.days) == (time(14), time(18, 30), {5})
    assert parse_quiet("sam 14h à 18h").covers(_paris("2026-12-05 17:59"))
    assert parse_quiet("Dimanche").covers(_paris("2026-12-06 12:00"))


def test_a_french_policy_loads(tmp_path: Path) -> None:
    policy = load_policy(
        _settings(
            tmp_path,
            '[policy.twitter]\nslots = ["mardi 12h30", "Jeudi 12h30", "samedi 10h"]\n'
            '[policy]\nquiet = ["dimanche", "22h-7h"]\n',
        )
    )
    twitter = policy.of("twitter")
    assert [(sorted(s.days), s.clock) for s in twitter.slots] == [
        ([1], time(12, 30)),
        ([3], time(12, 30)),
        ([5], time(10, 0)),
    ]
    assert twitter.quiet_at(_paris("2026-12-06 12:00")) is not None  # Sunday
    assert twitter.quiet_at(_paris("2026-12-07 06:59")) is not None  # before 7h
    assert twitter.quiet_at(_paris("2026-12-07 07:00")) is None


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            '[policy.twitter]\nslots = ["mardi soir"]',
            "policy.twitter.slots[1]: attendu une heure, précédée ou non de jours, "
            "comme « mardi 12h30 », « lun-ven 9h » ou « 12h30 »",
        ),
        (
            '[policy.twitter]\nslots = ["mardi 25h"]',
            "policy.twitter.slots[1]: « 25h » n'est pas une heure de la journée ; "
            "attendu 9h, 12h30 ou 09:00",
        ),
        (
            '[policy]\nquiet = ["dimanch"]',
            "policy.quiet[1]: « dimanch » n'est pas un jour ; attendu des jours comme dim, "
            "lun-ven, mardi,jeudi, samedi, weekdays ou weekend",
        ),
        (
            '[policy]\nquiet = ["dimanche soir"]',
            "policy.quiet[1]: attendu des jours (dimanche), une plage horaire (22h-7h) "
            "ou les deux, comme « samedi 14h-18h »",
        ),
    ],
)
def test_a_french_config_is_refused_in_french(tmp_path: Path, policy: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(
            ('language = "fr"\n' + CONFIG + policy).encode(), tmp_path / "crosspost.toml"
        )
    assert expected in str(caught.value)


def test_a_night_quiet_time_runs_past_midnight() -> None:
    friday_night = parse_quiet("fri 22:00-07:00")
    assert not friday_night.covers(_paris("2026-12-04 21:59"))  # Friday evening
    assert friday_night.covers(_paris("2026-12-04 22:00"))
    assert friday_night.covers(_paris("2026-12-05 06:59"))  # Saturday early morning
    assert not friday_night.covers(_paris("2026-12-05 07:00"))
    assert not friday_night.covers(_paris("2026-12-06 06:00"))  # Sunday: not after Friday


# ---------------------------------------------------------------- the next free slot


def _twitter(tmp_path: Path) -> ChannelPolicy:
    return load_policy(_settings(tmp_path)).of("twitter")


def test_next_slot_skips_taken_slots_and_full_days(tmp_path: Path) -> None:
    twitter = _twitter(tmp_path)
    # Wednesday 2 December 2026, 15:00 in Paris.
    now = _paris("2026-12-02 15:00").astimezone(UTC)
    load = Load(PARIS, [("twitter", _paris("2026-12-03 12:30"))])  # Thursday's slot is taken
    for hour in (8, 9, 10, 11):  # and Saturday already has its four posts
        load.add("twitter", _paris(f"2026-12-05 {hour:02d}:00"))
    found = next_free_slot(twitter, load, earliest=now, zone=PARIS, default_time=time(9))
    # Sunday is quiet: the next free slot is Tuesday's.
    assert found == _paris("2026-12-08 12:30")


def test_a_channel_without_slots_has_one_a_day_at_the_default_time(tmp_path: Path) -> None:
    blog = load_policy(_settings(tmp_path)).of("blog")
    now = _paris("2026-12-05 10:00").astimezone(UTC)  # Saturday, after 09:00
    found = next_free_slot(blog, Load(PARIS), earliest=now, zone=PARIS, default_time=time(9))
    assert found == _paris("2026-12-07 09:00")  # Sunday is quiet


def test_a_slot_lost_to_the_spring_forward_gap_is_skipped(tmp_path: Path) -> None:
    settings = _settings(tmp_path, '[policy.twitter]\nslots = ["sun 02:30", "sun 03:30"]')
    twitter = load_policy(settings).of("twitter")
    # 28 March 2027: Paris jumps from 02:00 to 03:00.
    now = _paris("2027-03-27 12:00").astimezone(UTC)
    found = next_free_slot(twitter, Load(PARIS), earliest=now, zone=PARIS, default_time=time(9))
    assert found == _paris("2027-03-28 03:30")
    assert found.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_announcements_keep_their_delay_after_the_post(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    now = _paris("2026-12-05 11:00").astimezone(UTC)  # Saturday
    plan = [
        PlannedDelivery("blog", now),
        PlannedDelivery("twitter", now + timedelta(minutes=30), role="announce", waits_for="blog"),
    ]
    publish_at, placed = place_next(settings, plan, Load(PARIS), now=now)
    blog, twitter = placed
    assert publish_at == blog.due_at == _paris("2026-12-07 09:00")  # Monday
    assert twitter.due_at == _paris("2026-12-08 12:30")  # its first slot after 09:30 Monday
    assert twitter.waits_for == "blog"


def test_an_event_is_never_slotted_after_it_starts(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    now = _paris("2026-12-08 13:00").astimezone(UTC)  # Tuesday, after the slot
    plan = [PlannedDelivery("twitter", now)]
    with pytest.raises(InputError, match=r"no free slot on twitter before the event starts"):
        place_next(settings, plan, Load(PARIS), now=now, before=_paris("2026-12-10 12:00"))


def test_warnings_name_what_a_chosen_time_breaks(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    now = _paris("2026-12-01 10:00").astimezone(UTC)
    load = Load(PARIS, [("twitter", _paris(f"2026-12-05 {h:02d}:00")) for h in (8, 9, 10, 11)])
    plan = [PlannedDelivery("twitter", _paris("2026-12-05 11:00").astimezone(UTC))]
    assert time_warnings(settings, plan, load, now=now) == [
        "twitter: another post is already planned at Saturday 5 December at 11:00",
        "twitter: this makes 5 posts on Saturday 5 December (the policy allows 4 a day)",
    ]
    night = [PlannedDelivery("facebook", _paris("2026-12-02 23:15").astimezone(UTC))]
    assert time_warnings(settings, night, Load(PARIS), now=now) == [
        "facebook: Wednesday 2 December at 23:15 falls in a quiet time (22:00-07:00)"
    ]


# ---------------------------------------------------------------- `add` with a policy


@pytest.fixture
def policy_workspace(workspace: Path) -> Path:
    with (workspace / "crosspost.toml").open("a", encoding="utf-8") as config:
        config.write(ISSUE_POLICY)
    return workspace


@time_machine.travel(_paris("2026-12-05 11:00"), tick=False)  # a Saturday
def test_add_at_next_fills_the_queue_slot_by_slot(policy_workspace: Path, cli: Cli) -> None:
    first = cli("add", "--kind", "scoop", "--title", "Un", "--at", "next")
    assert "twitter      2026-12-08 12:30 CET" in first.out
    assert first.err == ""
    cli("add", "--kind", "scoop", "--title", "Deux", "--at", "next")
    cli("add", "--kind", "scoop", "--title", "Trois", "--at", "next")
    due = [d["due_at_local"] for d in cli("list", "--json").json()]  # type: ignore[union-attr]
    assert due == [
        "2026-12-08T12:30:00+01:00",
        "2026-12-10T12:30:00+01:00",
        "2026-12-12T10:00:00+01:00",
    ]
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["publish_at"] == "2026-12-08T11:30:00Z"


@time_machine.travel(_paris("2026-12-05 11:00"), tick=False)
def test_add_warns_about_a_quiet_time_but_queues_the_item(policy_workspace: Path, cli: Cli) -> None:
    result = cli("add", "--kind", "scoop", "--title", "Dimanche", "--at", "2026-12-06 10:00")
    assert "Warning: twitter: Sunday 6 December at 10:00 falls in a quiet time (sun)" in result.err
    assert "Queued item 1" in result.out


@time_machine.travel(_paris("2026-12-05 11:00"), tick=False)
def test_add_without_a_policy_says_nothing_more(workspace: Path, cli: Cli) -> None:
    result = cli("add", "--kind", "scoop", "--title", "Dimanche", "--at", "2026-12-06 10:00")
    assert result.err == ""
    slotted = cli("add", "--kind", "scoop", "--title", "Lundi", "--at", "next")
    # No slots anywhere: one a day at default_time (09:00); Sunday is not quiet here.
    assert "2026-12-06 09:00 CET" in slotted.out
