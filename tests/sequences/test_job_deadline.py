"""A job offer's deadline: a "last days" post, then nothing more, and the blog says closed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from tests.conftest import Cli
from tests.support.fakechannel import fake_platform

JOBS = """
[channels.site]
type = "static-blog"
path = "site"
site_url = "https://asso.example/"

[[routes]]
kind = "job"
to = ["site"]
announce = ["twitter"]

[sequences.job.channels.site]
reminders = []
"""


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel("2026-12-01T09:00:00Z", tick=False) as traveller:
        yield traveller


@pytest.fixture
def jobs(workspace: Path) -> Path:
    config = workspace / "crosspost.toml"
    config.write_text(config.read_text(encoding="utf-8") + JOBS, encoding="utf-8")
    return workspace


def _steps(cli: Cli, item_id: int = 1) -> dict[str, dict[str, object]]:
    shown = cli("show", str(item_id), "--json").json()
    assert isinstance(shown, dict)
    return {f"{d['channel']} {d['step']}".strip(): d for d in shown["deliveries"]}


def _offer(cli: Cli, *extra: str) -> None:
    cli(
        "add", "--kind", "job", "--title", "Chargé·e de mission « jeunesse » (CDD 6 mois)",
        "--body", "Candidatures : emploi@asso.example", "--at", "now", *extra,
    )  # fmt: skip


def test_a_job_offer_has_its_last_days_post_and_closes_at_its_deadline(
    jobs: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    _offer(cli, "--deadline", "2026-12-18")
    steps = _steps(cli)
    assert set(steps) == {"site", "twitter", "twitter -3d 10:00"}
    assert steps["twitter -3d 10:00"]["due_at_local"] == "2026-12-15T10:00:00+01:00"
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["deadline"] == "2026-12-18T22:59:00Z"  # until that evening
    cli("run", "--once")
    clock.move_to("2026-12-15T09:00:00Z")
    cli("run", "--once")
    texts = [
        str(p.detail["text"]).split("\n")[0] for p in fake_platform("twitter").posts if p.detail
    ]
    assert texts[-1] == (
        "Derniers jours pour postuler : Chargé·e de mission « jeunesse » (CDD 6 mois) "
        "(jusqu'au vendredi 18 décembre)"
    )
    [post] = (jobs / "site" / "content" / "posts").iterdir()
    assert "title: Chargé·e de mission" in post.read_text(encoding="utf-8")

    clock.move_to("2026-12-18T23:00:00Z")  # the deadline has passed
    cli("run", "--once")
    steps = _steps(cli)
    assert steps["site closed"]["state"] == "published"
    assert steps["site closed"]["url"] == steps["site"]["url"]  # the same post, rewritten
    rewritten = list((jobs / "site" / "content" / "posts").iterdir())
    assert len(rewritten) == 1
    assert "Candidatures closes : Chargé·e de mission" in rewritten[0].read_text(encoding="utf-8")
    assert "Candidatures closes" in (jobs / "site" / "index.html").read_text(encoding="utf-8")
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["status"] == "closed"
    cli("run", "--once")  # a second pass changes nothing
    assert len(_steps(cli)) == 4


def test_after_the_deadline_every_pending_post_is_cancelled(
    jobs: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    _offer(cli, "--deadline", "2026-12-18 12:00", "--at", "2026-12-17 10:00")
    clock.move_to("2026-12-18T11:30:00Z")  # its time and the deadline have both passed
    cli("run", "--once", ok=False)
    states = {name: step["state"] for name, step in _steps(cli).items()}
    assert states == {"site": "cancelled", "twitter": "cancelled"}  # -3d was already past
    assert fake_platform("twitter").posts == []


def test_a_deadline_is_checked_like_every_time(jobs: Path, cli: Cli) -> None:
    past = cli("add", "--kind", "job", "--title", "Stage", "--at", "now",
               "--deadline", "2026-11-30", ok=False)  # fmt: skip
    assert "deadline: 2026-11-30 23:59 CET has already passed" in past.err
    wrong = cli("add", "--kind", "job", "--title", "Stage", "--at", "now",
                "--deadline", "fin décembre", ok=False)  # fmt: skip
    assert "deadline: 'fin décembre' is not a time" in wrong.err
    late = cli("add", "--kind", "job", "--title", "Stage", "--at", "2026-12-20",
               "--deadline", "2026-12-18", ok=False)  # fmt: skip
    assert "at: 2026-12-20 09:00 CET is after the deadline" in late.err
    assert cli("list", "--json").json() == []


def test_a_deadline_comes_from_a_csv_column_and_front_matter(jobs: Path, cli: Cli) -> None:
    (jobs / "offres.csv").write_text(
        "kind;title;at;deadline\njob;Animateur·rice BAFA;now;2026-12-20\n", encoding="utf-8"
    )
    cli("import", "offres.csv")
    (jobs / "offre.md").write_text(
        "---\nkind: job\ntitle: Service civique\nat: now\ndeadline: 2026-12-22\n---\nMissions…\n",
        encoding="utf-8",
    )
    cli("add", "offre.md")
    assert _steps(cli, 1)["twitter -3d 10:00"]["due_at_local"] == "2026-12-17T10:00:00+01:00"
    assert _steps(cli, 2)["twitter -3d 10:00"]["due_at_local"] == "2026-12-19T10:00:00+01:00"


def test_a_blog_post_removed_by_hand_is_not_recreated_to_close_it(
    jobs: Path, cli: Cli, clock: time_machine.Coordinates
) -> None:
    _offer(cli, "--deadline", "2026-12-18")
    cli("run", "--once")
    for post in (jobs / "site" / "content" / "posts").iterdir():
        post.unlink()
    clock.move_to("2026-12-19T08:00:00Z")
    cli("run", "--once", ok=False)
    closed = _steps(cli)["site closed"]
    assert closed["state"] == "failed"
    assert "the post to update is no longer in" in str(closed["last_error"])
    assert list((jobs / "site" / "content" / "posts").iterdir()) == []
