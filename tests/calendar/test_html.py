"""The HTML page: self-contained, readable, and rendered by a real browser without a request."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from crosspost.calendar.html import Page, write_html
from crosspost.calendar.rows import channel_labels
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.states import State
from crosspost.store import Store
from tests.calendar.conftest import LABELLED, Ledger, paris
from tests.conftest import Cli


def _page(
    ledger: Ledger, first: str = "2026-12-01", last: str = "2026-12-31", typography: str = "none"
) -> str:
    from datetime import date
    from io import StringIO

    from crosspost.policy import load_policy

    page = Page(
        title="Les Amis du Vélo: editorial calendar",
        first_day=date.fromisoformat(first),
        last_day=date.fromisoformat(last),
        zone_name="Europe/Paris",
        generated="on 9 December 2026 at 10:00",
        today=date(2026, 12, 9),
        labels=channel_labels(ledger.settings),
        quiet_times=bool(load_policy(ledger.settings).quiet),
        typography=typography,
    )
    end = (date.fromisoformat(last) + timedelta(days=1)).isoformat()
    out = StringIO()
    write_html(ledger.rows(first, end), out, page=page)
    return out.getvalue()


def test_the_page_fetches_nothing_and_says_so_in_its_policy(ledger: Ledger) -> None:
    done = ledger.add("blog", "2026-12-01 09:00", "Bilan")
    ledger.publish(done, "https://blog.example/bilan")
    html = _page(ledger)
    # Nothing to fetch: no script, image, frame, stylesheet link, font or CSS url().
    for needle in ("<script", "<img", "<iframe", "<link", "src=", "url(", "@import", "<object"):
        assert needle not in html.lower()
    # The only links are to posts already online; following one is the reader's choice.
    assert re.findall(r'href="([^"]+)"', html) == ["https://blog.example/bilan"]
    # The policy allows this page's own stylesheet (by hash) and nothing else.
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert csp[1].startswith(f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'")


def test_titles_are_text_never_markup(ledger: Ledger) -> None:
    ledger.add("twitter", "2026-12-02 12:30", '<script>alert("x")</script> & «Noël»')
    html = _page(ledger)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; «Noël»" in html


def test_the_grid_shows_each_state_at_a_glance(ledger: Ledger) -> None:
    done = ledger.add("blog", "2026-12-01 09:00", "Bilan")
    ledger.publish(done)
    failed = ledger.add("twitter", "2026-12-01 12:30", "Atelier")
    ledger.fail(failed, "403 Forbidden")
    ledger.add("facebook", "2026-12-02 10:00", "Chorale")
    html = _page(ledger)
    december = html.split("<h2>December 2026</h2>", 1)[1].split("</section>", 1)[0]
    # Five week rows: 30 November to 3 January; the neighbouring months' days are greyed.
    assert december.split("<tbody>", 1)[1].count("<tr>") == 5
    assert december.count('<td class="out">') == 4
    assert '<td class="today"><span class="num">9</span>' in december
    assert 'class="e ch-0 st-published"' in december
    assert '<span class="s">✓</span> 09:00 <b>Blog</b> Bilan' in december
    assert 'class="e ch-1 st-failed"' in december
    assert '<span class="s">○</span> 10:00 <b>Facebook</b> Chorale' in december
    # The week list carries what the grid has no room for: the reason of a failure.
    assert '✗ failed</td><td class="detail">403 Forbidden</td>' in html


def test_a_crowded_day_keeps_its_cell_readable(ledger: Ledger) -> None:
    for minute in range(8):
        ledger.add("twitter", f"2026-12-04 10:{minute:02d}", f"Annonce {minute}")
    html = _page(ledger)
    grid, weeks = html.split('<section class="weeks">', 1)
    assert grid.count('<li class="e ') == 5
    assert '<li class="more">+ 3 more</li>' in grid
    assert weeks.count("<td>Annonce ") == 8


# ---------------------------------------------------------------- in a real browser

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CROSSPOST_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (CROSSPOST_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return found


def _render(chromium: str, page: Path, profile: Path, *extra: str) -> tuple[str, list[str]]:
    """Open `page` in a fresh profile; (console output, URLs the page itself requested)."""
    netlog = profile.with_suffix(".netlog.json")
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}",
         *extra, page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    log = json.loads(netlog.read_text(encoding="utf-8"))
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    requested = [
        event["params"]["url"]
        for event in log["events"]
        if names.get(event["type"]) == "URL_REQUEST_START_JOB"
        and "url" in event.get("params", {})
        # The browser's own background calls (updates, accounts) have no origin; a page's
        # requests carry it ("null" for a file:// page).
        and event["params"].get("initiator") != "not an origin"
    ]
    return done.stderr, requested


def _december(store: Store) -> None:
    """A plausible month for a small association: three channels, every state."""

    def add(channel: str, due: str, title: str, kind: str = "scoop") -> int:
        at = paris(due)
        item = NewItem(kind=kind, title=title, requested_at=at)
        [item_id] = store.add_items([(item, [PlannedDelivery(channel, at)])])
        return store.get_item(item_id).deliveries[0].id

    def publish(delivery_id: int, url: str) -> None:
        store.move(delivery_id, State.PENDING, State.CLAIMED)
        store.move(delivery_id, State.CLAIMED, State.SENDING)
        store.move(delivery_id, State.SENDING, State.PUBLISHED, published_at=paris("2026-12-01"),
                   remote_url=url)  # fmt: skip

    past = [
        ("blog", "2026-12-01 09:00", "Bilan de l'assemblée générale", "article"),
        ("twitter", "2026-12-01 12:30", "Bilan de l'AG : merci à tous !", "scoop"),
        ("facebook", "2026-12-02 18:00", "Repair café : appel aux bénévoles", "event"),
        ("twitter", "2026-12-03 12:30", "Atelier vélo du samedi", "scoop"),
        ("facebook", "2026-12-04 10:00", "Photos de la bourse aux jouets", "scoop"),
        ("twitter", "2026-12-05 10:00", "Collecte de jouets : dernier jour", "scoop"),
        ("blog", "2026-12-07 09:00", "Portrait : Josette, 30 ans de bénévolat", "article"),
        ("twitter", "2026-12-08 12:30", "Offre d'emploi : coordinateur·rice", "job"),
    ]
    for number, (channel, due, title, kind) in enumerate(past, start=1):
        publish(add(channel, due, title, kind), f"https://{channel}.example/{number}")
    failed = add("facebook", "2026-12-08 18:00", "Chorale de Noël", "event")
    store.move(failed, State.PENDING, State.CLAIMED)
    store.move(failed, State.CLAIMED, State.SENDING)
    store.move(failed, State.SENDING, State.FAILED, last_error="The page token has expired")
    cancelled = add("blog", "2026-12-10 09:00", "Sortie au marché (annulée)")
    store.move(cancelled, State.PENDING, State.CANCELLED)
    upcoming = [
        ("twitter", "2026-12-10 12:30", "Permanence juridique gratuite"),
        ("facebook", "2026-12-11 18:00", "Repair café samedi !"),
        ("twitter", "2026-12-12 10:00", "Repair café : c'est aujourd'hui"),
        ("facebook", "2026-12-12 14:00", "Repair café en direct"),
        ("blog", "2026-12-14 09:00", "Nos comptes 2026 en toute transparence"),
        ("twitter", "2026-12-15 12:30", "Vide-grenier du 20 décembre"),
        ("facebook", "2026-12-16 18:00", "Goûter des bénévoles"),
        ("twitter", "2026-12-17 12:30", "Adhésions 2027 ouvertes"),
        ("twitter", "2026-12-19 10:00", "Marché de Noël : venez nous voir"),
        ("facebook", "2026-12-19 11:00", "Marché de Noël : le stand"),
        ("blog", "2026-12-21 09:00", "Lettre d'information de décembre"),
        ("twitter", "2026-12-22 12:30", "Fermeture pendant les fêtes"),
        ("facebook", "2026-12-23 18:00", "Joyeuses fêtes !"),
        ("twitter", "2026-12-29 12:30", "Vœux 2027 du bureau"),
        ("blog", "2026-12-30 09:00", "Rétrospective 2026 en images"),
    ]
    for channel, due, title in upcoming:
        add(channel, due, title)


@pytest.mark.browser
def test_the_month_renders_in_chromium_without_a_single_request(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    chromium = _chromium()
    (tmp_path / "crosspost.toml").write_text(LABELLED, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    store = Store.open(f"sqlite:///{tmp_path / 'crosspost.db'}")
    with time_machine.travel(paris("2026-11-20 10:00"), tick=False):
        _december(store)
    store.close()
    with time_machine.travel(paris("2026-12-09 10:00"), tick=False):
        cli("calendar", "--format", "html", "--from", "2026-12-01", "--to", "2026-12-31",
            "-o", "december.html")  # fmt: skip
    page = tmp_path / "december.html"

    # The detector works: a page that loads an image and a stylesheet is caught.
    control = tmp_path / "control.html"
    control.write_text(
        '<!doctype html><img src="https://blog.example/pixel.png">'
        '<link rel="stylesheet" href="http://cdn.example/x.css">',
        encoding="utf-8",
    )
    _, caught = _render(chromium, control, tmp_path / "profile-control", "--dump-dom")
    assert sorted(caught) == ["http://cdn.example/x.css", "https://blog.example/pixel.png"]

    artifacts = Path(request.config.rootpath) / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "calendar-month.png"
    shot.unlink(missing_ok=True)
    console, requested = _render(
        chromium, page, tmp_path / "profile-screen", "--window-size=1600,1100",
        f"--screenshot={shot}",
    )  # fmt: skip
    assert requested == []
    # The stylesheet applied under the page's own policy: no violation reported.
    assert "Content Security Policy" not in console
    assert shot.stat().st_size > 20_000

    pdf = artifacts / "calendar-month.pdf"
    pdf.unlink(missing_ok=True)
    console, requested = _render(
        chromium, page, tmp_path / "profile-print", "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
    )  # fmt: skip
    assert requested == []
    content = pdf.read_bytes()
    # The month on A4 landscape (842 x 595 points), the week list on A4 portrait.
    boxes = re.findall(rb"/MediaBox \[0 0 (\d+)\.?\d* (\d+)\.?\d*\]", content)
    assert (b"841", b"594") in boxes
    assert (b"594", b"841") in boxes


# ---------------------------------------------------------------- months and quiet times

QUIET_POLICY = '\n[policy]\nquiet = ["sun", "22:00-07:00"]\n\n[policy.blog]\nquiet = ["sat"]\n'


@pytest.fixture
def quiet_ledger(ledger: Ledger, tmp_path: Path) -> Ledger:
    """The same ledger, under a policy with quiet times (Sundays and nights; Saturdays on the
    blog only)."""
    from crosspost.config import parse_settings

    settings = parse_settings((LABELLED + QUIET_POLICY).encode(), tmp_path / "crosspost.toml")
    return Ledger(ledger.store, settings)


def test_a_range_from_28_december_opens_on_january_with_those_days_in_it(ledger: Ledger) -> None:
    ledger.add("twitter", "2026-12-29 12:30", "Vœux 2027 du bureau")
    ledger.add("blog", "2027-01-07 09:00", "Offre d'emploi : coordinateur·rice")
    html = _page(ledger, "2026-12-28", "2027-01-31")
    assert "<h2>December 2026</h2>" not in html
    january = html.split("<h2>January 2027</h2>", 1)[1].split("</section>", 1)[0]
    # The four December days open January's first row, in range and named with their month.
    first_row = january.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert '<td><span class="num">28 Dec</span></td>' in first_row
    assert "Vœux 2027 du bureau" in first_row
    assert 'class="out"' not in january
    assert january.count("<tr>") == 6  # the head and five weeks


def test_posts_in_a_quiet_time_are_marked_with_a_symbol_and_words(quiet_ledger: Ledger) -> None:
    ledger = quiet_ledger
    ledger.add("twitter", "2026-12-06 10:00", "Brunch du dimanche")  # Sunday
    ledger.add("facebook", "2026-12-08 23:30", "Compte rendu du CA")  # the night
    ledger.add("blog", "2026-12-12 09:00", "Repair café : c'est aujourd'hui")  # blog's Saturday
    ledger.add("twitter", "2026-12-12 09:00", "Repair café : rendez-vous")  # X: not quiet
    cancelled = ledger.add("twitter", "2026-12-13 11:00", "Sortie annulée")
    assert ledger.store.move(cancelled.id, State.PENDING, State.CANCELLED)
    rows = {row.title: row.quiet for row in ledger.rows()}
    assert rows == {
        "Brunch du dimanche": "sun",
        "Compte rendu du CA": "22:00-07:00",
        "Repair café : c'est aujourd'hui": "sat",
        "Repair café : rendez-vous": None,
        "Sortie annulée": "sun",
    }
    html = _page(ledger)
    legend, grid = html.split("</header>", 1)
    grid, weeks = grid.split('<section class="weeks">', 1)
    assert '<span class="q"><i>☾</i></span> in a quiet time</li>' in legend
    # In the grid: the moon before the channel, and the words in the entry's tooltip.
    assert grid.count('<span class="q"><i>☾</i></span>') == 3
    assert (
        '<span class="s">○</span> 10:00 <span class="q"><i>☾</i></span> <b>X</b> Brunch du dimanche'
        in grid
    )
    assert 'title="X: Brunch du dimanche (planned) ☾ quiet time (sun)"' in grid
    # In the week list: the words, readable on a black-and-white print. A cancelled post
    # will not go out: nothing to warn about.
    assert weeks.count("☾</i> quiet time (") == 3
    assert "☾</i> quiet time (22:00-07:00)</span></td>" in weeks
    assert 'rendez-vous</td><td class="st">○ planned</td>' in weeks
    assert 'annulée</td><td class="st">⊘ cancelled</td>' in weeks


def test_without_quiet_times_the_legend_has_no_moon(ledger: Ledger) -> None:
    ledger.add("twitter", "2026-12-06 10:00", "Brunch du dimanche")
    html = _page(ledger)
    assert "☾" not in html
    assert all(row.quiet is None for row in ledger.rows())
