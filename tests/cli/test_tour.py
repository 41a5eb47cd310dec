"""The README's five-minute tour, pasted into a fresh terminal: every line must work."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def tour_blocks(readme: Path = README, heading: str = "## A five-minute tour") -> tuple[str, str]:
    """(the tour's shell block, the article.md it shows) as README.md has them."""
    text = readme.read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    section = section[: section.index("\n## ", 1)]
    shell = re.search(r"```sh\n(.*?)```", section, re.S)
    article = re.search(r"```markdown\n(.*?)```", section, re.S)
    assert shell, "the tour lost its shell block"
    assert article, "the tour lost its article.md"
    return shell.group(1), article.group(1)


def shim(folder: Path, pid_file: Path) -> Path:
    """A `crosspost` on PATH running this checkout; `crosspost run` leaves its pid."""
    folder.mkdir()
    script = folder / "crosspost"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = run ]; then echo $$ > "{pid_file}"; fi\n'
        f'PYTHONPATH="{ROOT}" exec "{sys.executable}" -m crosspost "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return folder


def daemon_is_up(comms: Path, env: dict[str, str]) -> bool:
    status = subprocess.run(
        ["crosspost", "status", "--json"], cwd=comms, env=env, capture_output=True, text=True
    )
    if status.returncode != 0:
        return False
    return any(
        p["alive"] and p["mode"] == "daemon" for p in json.loads(status.stdout)["publishers"]
    )


def _commands(shell: str) -> list[str]:
    """The tour's lines without their comments: what is typed."""
    lines = (re.sub(r"\s+#.*$", "", line).rstrip() for line in shell.splitlines())
    return [line for line in lines if line and not line.lstrip().startswith("#")]


def test_the_french_tour_types_the_same_commands() -> None:
    """README.fr.md explains in French, but its tour is the one this file runs."""
    shell, article = tour_blocks()
    french_shell, french_article = tour_blocks(ROOT / "README.fr.md", "## Le tour en cinq minutes")
    assert _commands(french_shell) == _commands(shell)
    assert french_article == article
    assert "(README.fr.md)" in README.read_text(encoding="utf-8")
    assert "(README.md)" in (ROOT / "README.fr.md").read_text(encoding="utf-8")


def test_the_article_of_the_tour_is_the_one_init_example_writes() -> None:
    _, article = tour_blocks()
    example = ROOT / "crosspost" / "example" / "article.md"
    assert example.read_text(encoding="utf-8") == article


def run_tour(tmp_path: Path, **environ: str) -> tuple[str, str]:
    """Type the README's tour in a fresh folder; Ctrl-C the daemon once it publishes."""
    shell, _ = tour_blocks()
    home = tmp_path / "home"
    home.mkdir()
    pid_file = tmp_path / "daemon.pid"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CROSSPOST_") and key != "PYTHONPATH"
    }
    env |= {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "PATH": f"{shim(tmp_path / 'bin', pid_file)}{os.pathsep}{env['PATH']}",
        "NO_COLOR": "1",
    }
    env |= environ
    tour = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", shell],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    comms = home / "comms"
    deadline = time.monotonic() + 120
    # Every line before `crosspost run` must succeed; then the daemon must be publishing.
    while not (pid_file.exists() and daemon_is_up(comms, env)):
        if tour.poll() is not None:
            out, err = tour.communicate()
            pytest.fail(
                f"the tour stopped before `crosspost run` (exit {tour.returncode}):\n{out}\n{err}"
            )
        assert time.monotonic() < deadline, "the daemon of the tour never started"
        time.sleep(0.3)
    # Ctrl-C, as the tour says: the daemon finishes what is in flight and exits cleanly.
    os.kill(int(pid_file.read_text()), signal.SIGINT)
    out, err = tour.communicate(timeout=60)
    assert tour.returncode == 0, f"{out}\n{err}"
    return out, err


@pytest.mark.slow
def test_the_readme_tour_runs_as_written_in_a_fresh_folder(tmp_path: Path) -> None:
    out, err = run_tour(tmp_path, LANG="C.UTF-8")
    assert "Error" not in err, err
    assert "Traceback" not in err, err
    assert "Queued item 3: article «Notre bilan 2026»" in out
    assert re.search(r"Image: .*/comms/media/[0-9a-f]{16}\.jpg, \d+ kB, alt: «Des bénévoles", out)
    # The announcements show the blog post's real address, not a made-up domain.
    assert "link-to-come.invalid" not in out
    assert re.search(r"file://\S*/comms/site/posts/notre-bilan-2026-[0-9a-f]{8}/index\.html", out)


#: What the tour printed in English before its French: none may come back under a French locale.
ENGLISH = (
    "Created ",
    "Example:",
    "Next:",
    "Queued item",
    "pending",
    "announces the",
    "Deliveries",
    "Image:",
    "ID  WHEN",
    "weighted characters",
    " characters",
    "graphemes",
    " matches (",
    "(kind ",
    "tagged",
    "announced on",
    "publishing from",
    "threads",
    "stopped",
    "Error",
    "Warning",
    "Traceback",
)


def _interface_lines(out: str) -> list[str]:
    """The tour's output without the posts themselves (the blog's front matter and HTML,
    the posts' text): what Crosspost says, not what the officer wrote."""
    lines, in_front_matter = [], False
    for line in out.splitlines():
        if line == "---":
            in_front_matter = not in_front_matter
            continue
        if in_front_matter or line.startswith("<p>"):
            continue
        lines.append(line)
    return lines


@pytest.mark.slow
def test_the_readme_tour_speaks_french_from_lang(tmp_path: Path) -> None:
    """LANG=fr_FR.UTF-8 and no `language` in crosspost.toml: every line of the tour is French."""
    out, err = run_tour(tmp_path, LANG="fr_FR.UTF-8")
    said = "\n".join(_interface_lines(out)) + "\n" + err
    english = [
        f"{word!r} in: {line}" for line in said.splitlines() for word in ENGLISH if word in line
    ]
    assert english == [], "\n".join(english)
    for sentence in (
        "Créé : crosspost.toml et la base de données",
        "Ensuite : crosspost add article.md",
        "Élément 3 mis en file : article «Notre bilan 2026»",
        "en attente   annonce la publication sur blog",
        "N°  QUAND",
        "Envois :",
        "caractères pondérés",
        "graphèmes",
        "«Notre bilan 2026» (type article, mots-clés bilan, réemploi)",
        "routes[3] s'applique (type article) : vers blog ; annoncé sur twitter",
        "info        publication depuis sqlite:",
        "info        arrêté",
    ):
        assert sentence in out, sentence
    assert re.search(r"Image : .*/comms/media/[0-9a-f]{16}\.jpg, \d+ ko, texte alt\. : «Des", out)
