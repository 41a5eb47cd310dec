"""The HTML calendar in a real browser (Debian's Chromium, driven by Selenium through
chromium-driver), checked by geometry: what a person sees on a projector, on an A4
print, and in French.

Skipped when chromium or chromedriver is missing, unless CROSSPOST_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from crosspost.domain import NewItem, PlannedDelivery
from crosspost.store import Store
from tests.calendar.conftest import LABELLED, paris
from tests.calendar.test_html import _december
from tests.conftest import Cli
from tests.support.browser import headless_chromium

pytestmark = pytest.mark.browser

#: A4 at the CSS 96 px per inch: 1 mm is 96 / 25.4 px.
MM = 96 / 25.4
#: The printable area of the month pages: A4 landscape less 9 mm margins.
LANDSCAPE = (297 - 18) * MM, (210 - 18) * MM
#: The width of the week list's pages: A4 portrait less 12 mm margins.
PORTRAIT_WIDTH = (210 - 24) * MM

QUIET = '\n[policy]\nquiet = ["sun", "22:00-07:00"]\n'

#: Long French titles, an emoji, a hashtag that cannot wrap, a kind of many letters.
CROWDED = (
    ("twitter", "2027-01-03 10:00", "Galette des rois des bénévoles 🎉 : inscrivez-vous", "event"),
    ("facebook", "2027-01-05 23:30",
     "Assemblée générale extraordinaire : ordre du jour détaillé et procurations", "event"),
    ("blog", "2027-01-07 09:00",
     "#RepairCaféDeFontaineSurLeLacEtDesEnvirons : l'offre d'emploi", "appel-à-bénévoles"),
    ("twitter", "2027-01-12 12:30", "Permanence « vélo-école » : c'est reparti !",
     "appel-à-bénévoles"),
)  # fmt: skip


@pytest.fixture
def browser() -> Iterator[Any]:
    # Pixels as CSS says them, no scrollbar eating the width: the geometry checks measure.
    yield from headless_chromium("--hide-scrollbars", "--force-device-scale-factor=1")


def _export(folder: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, *, french: bool) -> Path:
    """December's ledger and a crowded January, exported from 28 December to 31 January."""
    folder.mkdir()
    config = ('language = "fr"\n' if french else "") + LABELLED + QUIET
    (folder / "crosspost.toml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(folder)
    store = Store.open(f"sqlite:///{folder / 'crosspost.db'}")
    with time_machine.travel(paris("2026-11-20 10:00"), tick=False):
        _december(store)
        for channel, due, title, kind in CROWDED:
            item = NewItem(kind=kind, title=title, requested_at=paris(due))
            store.add_items([(item, [PlannedDelivery(channel, paris(due))])])
    store.close()
    with time_machine.travel(paris("2026-12-29 10:00"), tick=False):
        cli("calendar", "--format", "html", "--from", "2026-12-28", "--to", "2027-01-31",
            "-o", "calendar.html")  # fmt: skip
    return folder / "calendar.html"


def _open(driver: Any, page: Path, width: float, height: float = 1000) -> None:
    driver.set_window_size(int(width), int(height))
    driver.get(page.as_uri())
    # The window's outer size includes nothing in headless mode; check the layout width.
    inner = driver.execute_script("return document.documentElement.clientWidth")
    assert abs(inner - int(width)) <= 20


#: Every cell of the week list whose content spills out of it, onto its neighbour.
SPILLS = """
const spills = [];
for (const td of document.querySelectorAll('.list td')) {
  const range = document.createRange();
  range.selectNodeContents(td);
  const text = range.getBoundingClientRect(), cell = td.getBoundingClientRect();
  if (text.width && (text.right > cell.right + 0.5 || text.left < cell.left - 0.5)) {
    spills.push([td.cellIndex, td.textContent, Math.round(text.right - cell.right)]);
  }
}
const rows = document.querySelectorAll('.list tbody tr');
return [spills, rows.length];
"""

#: Per week-list row: the right edge of the kind's text and the left edge of the title's.
KIND_AND_TITLE = """
return Array.from(document.querySelectorAll('.list tbody tr')).map(tr => {
  const box = td => { const r = document.createRange(); r.selectNodeContents(td);
                      return r.getBoundingClientRect(); };
  return [tr.cells[3].textContent, box(tr.cells[3]).right, box(tr.cells[4]).left];
});
"""


@pytest.mark.parametrize(
    ("where", "width", "french"),
    [
        ("projector", 1600, False),
        ("A4 portrait", PORTRAIT_WIDTH, False),
        ("A4 portrait, in French", PORTRAIT_WIDTH, True),
    ],
)
def test_the_week_list_keeps_each_column_to_itself(
    where: str,
    width: float,
    french: bool,
    tmp_path: Path,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    browser: Any,
) -> None:
    page = _export(tmp_path / "export", cli, monkeypatch, french=french)
    _open(browser, page, width)
    spills, rows = browser.execute_script(SPILLS)
    assert rows == 6  # 28 December to 31 January: the posts of the range, each listed
    assert spills == [], f"{where}: text out of its cell"
    for kind, kind_right, title_left in browser.execute_script(KIND_AND_TITLE):
        assert kind_right <= title_left, f"{where}: the kind {kind!r} runs into the title"


def test_the_first_printed_page_holds_the_month_not_a_blank(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, browser: Any
) -> None:
    page = _export(tmp_path / "en", cli, monkeypatch, french=False)
    _open(browser, page, LANDSCAPE[0])
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    grids = browser.execute_script("""
      return Array.from(document.querySelectorAll('section.month')).map(s => {
        const box = s.getBoundingClientRect();
        return [s.querySelector('h2').textContent, box.bottom + window.scrollY,
                s.querySelectorAll('td:not(.out)').length, s.querySelectorAll('.e').length];
      });
    """)
    # One grid: 28-31 December open January instead of a four-day December of their own.
    assert [name for name, *_ in grids] == ["January 2027"]
    [(_, bottom, days, posts)] = grids
    assert days == 35  # 28 December to 31 January, every day in range
    assert posts >= 5
    # Header and the whole grid fit the first A4 landscape page.
    assert bottom <= LANDSCAPE[1], f"the grid ends {bottom / MM:.0f} mm down a 192 mm page"

    # The real print: A4 landscape pages for the grid, the first with the grid on it.
    printed = browser.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    pdf = tmp_path / "calendar.pdf"
    pdf.write_bytes(base64.b64decode(printed["data"]))
    if shutil.which("pdftotext") is None:
        if os.environ.get("CROSSPOST_REQUIRE_BROWSER") == "1":
            pytest.fail("CROSSPOST_REQUIRE_BROWSER=1 but pdftotext (poppler-utils) is missing")
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    assert "January 2027" in first
    assert "28 Dec" in first
    assert "31" in first.split("January 2027", 1)[1]
    assert "Vœux 2027" in first  # a post of the 29th, drawn in January's first row
    assert "Week by week" not in first


def test_a_french_calendar_reads_french_in_the_browser(
    tmp_path: Path,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    browser: Any,
    request: pytest.FixtureRequest,
) -> None:
    from selenium.webdriver.common.by import By

    page = _export(tmp_path / "fr", cli, monkeypatch, french=True)
    _open(browser, page, 1600, 1100)
    artifacts = Path(request.config.rootpath) / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "calendar-month-fr.png"
    shot.unlink(missing_ok=True)
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000

    assert browser.execute_script("return document.documentElement.lang") == "fr"
    text = browser.find_element(By.TAG_NAME, "body").text
    for french in ("Les Amis du Vélo : calendrier éditorial", "Janvier 2027", "28 déc.",
                   "lun.", "dim.", "Semaine par semaine", "Semaine du lundi 28 décembre",
                   "Semaine du lundi 4 janvier 2027", "Jour", "Heure", "Canal", "Titre",
                   "prévue", "en période de silence", "période de silence (sun)",
                   "Du lundi 28 décembre 2026 au dimanche 31 janvier 2027", "12 h 30"):  # fmt: skip
        assert french in text
    words = set(text.replace(".", " ").split())
    english = {"Week", "Mon", "Sun", "January", "December", "planned", "published",
               "failed", "cancelled", "more", "quiet", "to", "Day", "Time", "Channel",
               "Title", "State"}  # fmt: skip
    assert words.isdisjoint(english), words & english
