"""`crosspost add`: from flags and from Markdown files; what the officer sees and what is stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from tests.conftest import Cli

# Sunday 29 November 2026, 17:00 in Paris.
NOW = "2026-11-29T16:00:00Z"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_event_from_flags_is_routed_and_shown_in_local_time(workspace: Path, cli: Cli) -> None:
    result = cli(
        "add",
        "--kind", "event",
        "--title", "Repair café",
        "--event-start", "2026-12-12 14:00",
        "--event-end", "2026-12-12 18:00",
        "--location", "Maison des associations",
        "--at", "2026-12-05 10:00",
    )  # fmt: skip
    assert "Queued item 1: event «Repair café»" in result.out
    assert "facebook" in result.out
    assert "2026-12-05 10:00 CET" in result.out
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["event_start"] == "2026-12-12T13:00:00Z"
    assert shown["item"]["location"] == "Maison des associations"
    [delivery] = shown["deliveries"]
    assert delivery["channel"] == "facebook"
    assert delivery["due_at"] == "2026-12-05T09:00:00Z"
    assert delivery["state"] == "pending"


def test_article_creates_announcements_waiting_for_the_blog(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "article", "--title", "Bilan 2026", "--body", "Un **long** texte.",
        "--at", "+1d")  # fmt: skip
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    by_channel = {d["channel"]: d for d in shown["deliveries"]}
    assert set(by_channel) == {"blog", "twitter", "facebook"}
    blog = by_channel["blog"]
    assert blog["due_at"] == "2026-11-30T16:00:00Z"
    for name in ("twitter", "facebook"):
        assert by_channel[name]["role"] == "announce"
        assert by_channel[name]["waits_for"] == blog["id"]
        assert by_channel[name]["waits_for_channel"] == "blog"
        assert by_channel[name]["due_at"] == "2026-11-30T16:30:00Z"


def test_markdown_file_with_front_matter(workspace: Path, cli: Cli) -> None:
    (workspace / "affiche.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    source = workspace / "repair.md"
    source.write_text(
        "---\n"
        "kind: event\n"
        "event_start: 2026-12-12 14:00\n"
        "location: Maison des associations\n"
        "tags: [réparation, zéro-déchet]\n"
        "image: affiche.png\n"
        "alt: Une affiche avec un grille-pain\n"
        "at: 2026-12-05\n"
        "---\n"
        "# Repair café de décembre\n\n"
        "Venez avec vos objets **cassés**.\n",
        encoding="utf-8",
    )
    cli("add", str(source))
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    item = shown["item"]
    assert item["title"] == "Repair café de décembre"
    assert item["body"] == "Venez avec vos objets **cassés**."
    assert item["tags"] == ["réparation", "zéro-déchet"]
    # The workspace's own copy of the picture (issue 9, item 16), not the original.
    copy = Path(item["image"])
    assert copy.parent == workspace / "media"
    assert copy.read_bytes() == (workspace / "affiche.png").read_bytes()
    # A date alone means the configured default time, 09:00 local.
    assert item["publish_at"] == "2026-12-05T08:00:00Z"


def test_flags_override_the_file(workspace: Path, cli: Cli) -> None:
    source = workspace / "scoop.md"
    source.write_text("---\nkind: scoop\ntitle: Ancien titre\n---\nTexte\n", encoding="utf-8")
    cli("add", str(source), "--title", "Nouveau titre", "--at", "now")
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["title"] == "Nouveau titre"


def test_channel_flag_overrides_routing(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "scoop", "--title", "Partout", "--channel", "blog",
        "--channel", "facebook", "--at", "now")  # fmt: skip
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert [d["channel"] for d in shown["deliveries"]] == ["blog", "facebook"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--kind", "evnt", "--title", "x"], "kind: expected one of event, scoop"),
        (["--kind", "scoop"], "title: missing"),
        (["--kind", "scoop", "--title", " "], "title: must not be empty"),
        (["--kind", "scoop", "--title", "x", "--link", "www.example.org"], "link: expected a web"),
        (["--kind", "event", "--title", "x"], "event_start: an event needs its date"),
        (["--kind", "scoop", "--title", "x", "--at", "bientôt"], "at: 'bientôt' is not a time"),
        (["--kind", "scoop", "--title", "x", "--at", "2026-11-28 10:00"], "is in the past"),
        (["--kind", "scoop", "--title", "x", "--image", "nope.png"], "image: no file at"),
        (["--kind", "scoop", "--title", "x", "--channel", "tiktok"], "no channel named 'tiktok'"),
        (["--kind", "job", "--title", "x"], "kind: no route sends 'job' items anywhere"),
        (["--kind", "scoop", "--title", "x" * 300], "twitter: post is 300/280 characters"),
        (
            ["--kind", "event", "--title", "x", "--event-start", "2026-12-12 18:00",
             "--event-end", "2026-12-12 14:00"],
            "event_end: the event ends before it starts",
        ),
    ],
)  # fmt: skip
def test_bad_input_is_refused_clearly_and_nothing_is_written(
    workspace: Path, cli: Cli, args: list[str], expected: str
) -> None:
    # Each case gives a time (`--at now` unless the time is what is wrong): only its own
    # problem is in question.
    timed = args if "--at" in args else [*args, "--at", "now"]
    result = cli("add", *timed, ok=False)
    assert result.code == 1
    assert expected in result.err
    assert "Traceback" not in result.err + result.out
    assert cli("list").out.strip() == "Nothing queued."


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Spring forward: 28 March 2027, 02:00 -> 03:00 in Paris.
        ("2027-03-28 02:30", "the clocks jump from 02:00 to 03:00"),
        # Fall back: 31 October 2027, 03:00 -> 02:00, so 02:30 happens twice.
        ("2027-10-31 02:30", "2027-10-31T02:30+02:00 or 2027-10-31T02:30+01:00"),
    ],
)
def test_dst_edges_are_refused_with_the_times_that_exist(
    workspace: Path, cli: Cli, at: str, expected: str
) -> None:
    result = cli("add", "--kind", "scoop", "--title", "x", "--at", at, ok=False)
    assert result.code == 1
    assert expected in result.err


def test_ambiguous_hour_is_accepted_with_an_offset(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "scoop", "--title", "x", "--at", "2027-10-31T02:30+01:00")
    [delivery] = cli("list", "--json").json()  # type: ignore[misc]
    assert delivery["due_at"] == "2027-10-31T01:30:00Z"


def test_usage_errors_exit_2(workspace: Path, cli: Cli) -> None:
    result = cli("add", "--no-such-flag", ok=False)
    assert result.code == 2


def test_missing_config_is_explained(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("list", ok=False)
    assert result.code == 1
    assert "no crosspost.toml found" in result.err
    assert "crosspost init" in result.err


def test_a_database_locked_by_another_process_is_reported_and_nothing_written(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    import crosspost.db
    from tests.conftest import CONFIG

    monkeypatch.chdir(tmp_path)
    (tmp_path / "crosspost.toml").write_text(CONFIG, encoding="utf-8")
    cli("list")  # creates the database
    monkeypatch.setattr(crosspost.db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(tmp_path / "crosspost.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing and does not let go
    try:
        result = cli("add", "--kind", "scoop", "--title", "x", "--at", "now", ok=False)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.code == 1
    assert "the database is busy" in result.err
    assert "Traceback" not in result.err
    assert cli("list").out.strip() == "Nothing queued."


DELIVERY_KEYS = {
    "id", "key", "item_id", "channel", "role", "step", "state", "due_at", "due_at_local",
    "next_attempt_at", "attempts", "remote_id", "url", "published_at", "dry_run",
    "last_error", "waits_for", "waits_for_channel",
}  # fmt: skip
ITEM_KEYS = {
    "id", "kind", "title", "body", "link", "image", "alt", "tags", "event_start", "event_end",
    "location", "deadline", "steps", "variants", "publish_at", "publish_at_local", "status",
    "created_at", "updated_at",
}  # fmt: skip


def test_json_shapes_are_the_documented_ones(workspace: Path, cli: Cli) -> None:
    """docs/json.md promises these keys to scripts; removing one breaks them."""
    added = cli("add", "--kind", "article", "--title", "Bilan", "--at", "now", "--json").json()
    assert isinstance(added, dict)
    assert set(added["item"]) == ITEM_KEYS
    assert all(set(d) == DELIVERY_KEYS for d in added["deliveries"])
    listed = cli("list", "--json").json()
    assert isinstance(listed, list)
    assert all(set(d) == DELIVERY_KEYS | {"kind", "title"} for d in listed)
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert set(shown) == {"item", "deliveries"}
    documented = (Path(__file__).parents[2] / "docs" / "json.md").read_text(encoding="utf-8")
    for key in DELIVERY_KEYS | ITEM_KEYS:
        assert f"`{key}`" in documented, f"{key} is not documented in docs/json.md"


def _ledger(cli: Cli) -> object:
    """Everything queued, to compare before and after a refusal."""
    return cli("list", "--json", "--status", "pending", "--status", "cancelled").json()


def test_no_time_is_refused_naming_the_field(workspace: Path, cli: Cli) -> None:
    result = cli("add", "--kind", "scoop", "--title", "Nous recrutons !", ok=False)
    assert result.code == 1
    assert "at: missing; say when to publish: now, +2h" in result.err
    assert "Traceback" not in result.err
    source = workspace / "sans-date.md"
    source.write_text("---\nkind: scoop\n---\n# Nous recrutons !\n", encoding="utf-8")
    result = cli("add", str(source), ok=False)
    assert result.code == 1
    assert "at: missing" in result.err
    assert cli("list").out.strip() == "Nothing queued."
    cli("add", str(source), "--at", "now")
    [delivery] = cli("list", "--json").json()  # type: ignore[misc]
    assert delivery["due_at"] == "2026-11-29T16:00:00Z"


def test_every_problem_of_an_item_is_listed_at_once(workspace: Path, cli: Cli) -> None:
    result = cli("add", "--kind", "évènement", "--title", "Fête", "--link", "www.example.org",
                 "--at", "2026-11-01 10:00", "--event-start", "bientôt", ok=False)  # fmt: skip
    assert result.code == 1
    for expected in (
        "4 problems, nothing written",
        "kind: expected one of event, scoop",
        "link: expected a web address",
        "at: 2026-11-01 10:00 is in the past",
        "event_start: 'bientôt' is not a time",
    ):
        assert expected in result.err
    assert cli("list").out.strip() == "Nothing queued."


def test_an_identical_item_is_refused_with_the_existing_id(workspace: Path, cli: Cli) -> None:
    args = ["add", "--kind", "scoop", "--title", "Permanence : samedi 10h-12h",
            "--body", "Inscription : https://example.org/?utm_source=x&utm_medium=social",
            "--at", "2026-12-05 10:00"]  # fmt: skip
    cli(*args)
    before = _ledger(cli)
    result = cli(*args, ok=False)
    assert result.code == 1
    assert "not queued: item 1 is the same scoop «Permanence : samedi 10h-12h»" in result.err
    assert "--allow-duplicate" in result.err
    assert _ledger(cli) == before
    # Another body, another time: not the same item.
    cli(*args[:-4], "--body", "Autre texte", "--at", "2026-12-05 10:00")
    cli(*args[:-1], "2026-12-12 10:00")
    # Said on purpose, it is queued.
    cli(*args, "--allow-duplicate")
    assert len(cli("list", "--json").json()) == 4  # type: ignore[arg-type]


def test_at_now_typed_twice_is_a_duplicate(
    workspace: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    cli("add", "--kind", "scoop", "--title", "Info", "--at", "now")
    clock.shift(40)
    result = cli("add", "--kind", "scoop", "--title", "Info", "--at", "now", ok=False)
    assert "not queued: item 1 is the same scoop «Info»" in result.err
    result = cli("add", "--kind", "scoop", "--title", "Info", "--at", "+2h", ok=False)
    assert "not queued: item 1" in result.err
    assert len(cli("list", "--json").json()) == 1  # type: ignore[arg-type]


def test_a_cancelled_item_is_no_duplicate(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "scoop", "--title", "Info", "--at", "2026-12-05 10:00")
    cli("cancel", "1")
    cli("add", "--kind", "scoop", "--title", "Info", "--at", "2026-12-05 10:00")
    shown = cli("show", "2", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["status"] == "active"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--event-start", "2026-11-28 14:00", "--at", "now"],
         "event_start: 2026-11-28 14:00 CET has already passed (it is now 2026-11-29 17:00 CET)"),
        (["--event-start", "2026-12-12 14:00", "--at", "2026-12-12 15:00"],
         "at: 2026-12-12 15:00 CET is after the event starts (2026-12-12 14:00 CET)"),
        (["--event-start", "2026-12-12 14:00", "--at", "+3w"],
         "at: 2026-12-20 17:00 CET is after the event starts"),
    ],
)  # fmt: skip
def test_events_are_announced_before_they_start(
    workspace: Path, cli: Cli, args: list[str], expected: str
) -> None:
    result = cli("add", "--kind", "event", "--title", "Repair café", *args, ok=False)
    assert result.code == 1
    assert expected in result.err
    assert "Traceback" not in result.err
    assert cli("list").out.strip() == "Nothing queued."


def test_an_event_announced_at_its_start_is_accepted(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "event", "--title", "Repair café", "--event-start", "2026-12-12 14:00",
        "--at", "2026-12-12 14:00")  # fmt: skip
    [delivery] = cli("list", "--json").json()  # type: ignore[misc]
    assert delivery["due_at"] == "2026-12-12T13:00:00Z"


def test_tags_given_with_commas_are_several_tags(workspace: Path, cli: Cli) -> None:
    cli("add", "--kind", "scoop", "--title", "Info", "--at", "+1h",
        "--tag", "réemploi, zéro déchet", "--tag", "#ESS,", "--tag", "réemploi")  # fmt: skip
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["tags"] == ["réemploi", "zéro déchet", "ESS"]


def test_a_markdown_file_that_does_not_exist_is_named(workspace: Path, cli: Cli) -> None:
    result = cli("add", "brouillon.md", "--at", "now", ok=False)
    assert result.code == 1
    assert "brouillon.md: cannot read this file (No such file or directory)" in result.err
