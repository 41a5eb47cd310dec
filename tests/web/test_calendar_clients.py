"""A real calendar client subscribes: Debian's vdirsyncer syncs the agenda feed of
`crosspost serve` into a folder that khal reads, twice, without duplicates.

Skipped when vdirsyncer or khal is missing (`apt-get install vdirsyncer khal`),
unless CROSSPOST_REQUIRE_CALENDAR_CLIENTS=1, which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.web.test_serve import queue_examples, token_for


@pytest.fixture
def clients() -> None:
    missing = [tool for tool in ("vdirsyncer", "khal") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CROSSPOST_REQUIRE_CALENDAR_CLIENTS") == "1":
            pytest.fail(f"CROSSPOST_REQUIRE_CALENDAR_CLIENTS=1 but {', '.join(missing)} missing")
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install vdirsyncer khal)")


def _run(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=60, input="y\n" * 5
    )
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.usefixtures("clients")
def test_vdirsyncer_subscribes_twice_without_duplicates_and_khal_reads_it(
    served: str, cli: Cli, tmp_path: Path
) -> None:
    queue_examples(cli)
    cli("add", "--kind", "event", "--title", "Assemblée générale 2027",
        "--event-start", "2027-01-16 10:00", "--event-end", "2027-01-16 12:00",
        "--location", "Maison des associations", "--at", "2026-12-10 09:00")  # fmt: skip
    token = token_for(cli)
    home = tmp_path / "client"
    folder = home / "calendars" / "agenda"
    folder.mkdir(parents=True)
    vdir_config = home / "vdirsyncer.conf"
    vdir_config.write_text(
        f"""[general]
status_path = "{home / "status"}/"

[pair agenda]
a = "crosspost"
b = "local"
collections = null
conflict_resolution = "a wins"

[storage crosspost]
type = "http"
url = "{served}/t/{token}/agenda.ics"

[storage local]
type = "filesystem"
path = "{folder}/"
fileext = ".ics"
""",
        encoding="utf-8",
    )
    khal_config = home / "khal.conf"
    khal_config.write_text(
        f"""[calendars]
[[agenda]]
path = {folder}/
type = calendar

[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = Europe/Paris
default_timezone = Europe/Paris
""",
        encoding="utf-8",
    )
    env = os.environ | {
        "VDIRSYNCER_CONFIG": str(vdir_config),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "TZ": "Europe/Paris",
        "LC_ALL": "C.UTF-8",
    }
    _run("vdirsyncer", "discover", env=env)
    _run("vdirsyncer", "sync", env=env)
    first = sorted(p.name for p in folder.glob("*.ics"))
    assert len(first) == 2
    _run("vdirsyncer", "sync", env=env)
    assert sorted(p.name for p in folder.glob("*.ics")) == first

    def listed() -> str:
        return _run(
            "khal", "-c", str(khal_config), "list", "--format", "{start} {title}",
            "2026-12-01", "2027-02-01", env=env,
        )  # fmt: skip

    shown = listed()
    assert shown.count("Repair café : vélos & grille-pain 🔧") == 1
    assert "2026-12-12 14:00 Repair café" in shown
    assert "2027-01-16 10:00 Assemblée générale 2027" in shown
    # The officer renames the event: after the next sync the client has the new title and
    # not the old one beside it. (vdirsyncer 0.19's http storage keys a feed's events by
    # their content, not their UID: the renamed event is a new file, the old one deleted.)
    cli("edit", "1", "--title", "Repair café de Noël : vélos & grille-pain")
    _run("vdirsyncer", "sync", env=env)
    assert len(list(folder.glob("*.ics"))) == 2
    shown = listed()
    assert "2026-12-12 14:00 Repair café de Noël : vélos & grille-pain" in shown
    assert "Repair café : vélos" not in shown
