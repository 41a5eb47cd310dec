"""The calendar exports in French: words for people translated, machine names unchanged."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import time_machine
from icalendar import Calendar

from crosspost.calendar.csvfile import COLUMNS, write_csv
from crosspost.calendar.ics import write_ics
from crosspost.calendar.markdown import write_markdown
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.language import using
from crosspost.states import State
from tests.calendar.conftest import LABELLED, Ledger, paris
from tests.calendar.test_html import _page
from tests.conftest import Cli

NNBSP = "\u202f"


def _history(ledger: Ledger) -> None:
    done = ledger.add("blog", "2026-12-01 09:00", "Bilan de l'AG : merci !")
    ledger.publish(done, "https://blog.example/bilan?utm_source=x&utm_medium=y_z")
    failed = ledger.add("twitter", "2026-12-03 12:30", "Atelier vélo 🚲")
    ledger.fail(failed, "403 Forbidden")
    # Two posts of an event's sequence: the day before, and the morning of.
    item = NewItem(kind="event", title="Chorale de Noël", requested_at=paris("2026-12-07 18:00"))
    steps = [
        PlannedDelivery("facebook", paris("2026-12-07 18:00"), step="-1d"),
        PlannedDelivery("facebook", paris("2026-12-08 09:00"), step="morning"),
    ]
    ledger.store.add_items([(item, steps)])


def test_the_html_calendar_speaks_french(ledger: Ledger) -> None:
    _history(ledger)
    with using("fr"):
        html = _page(ledger, "2026-11-28", "2027-01-02", typography="fr")
    assert '<html lang="fr">' in html
    assert "<h2>Décembre 2026</h2>" in html
    assert "<h2>Novembre 2026</h2>" not in html  # 28-30 November open December's grid
    assert '<span class="num">30 nov.</span>' in html
    assert "<th>lun.</th>" in html
    assert "<th>dim.</th>" in html
    assert "Semaine par semaine" in html
    # "Semaine du lundi 7 décembre": this year's date without its year.
    assert "<h3>Semaine du lundi 7 décembre</h3>" in html
    assert "<h3>Semaine du lundi 30 novembre</h3>" in html
    assert "<th>Jour</th><th>Heure</th><th>Canal</th><th>Type</th><th>Titre</th>" in html
    assert "✓ publiée</td>" in html
    assert "✗ en échec</td>" in html
    assert "○ prévue</td>" in html
    assert "Chorale de Noël (J-1)" in html
    assert "Chorale de Noël (le matin même)" in html
    # French typography: a narrow no-break space before the colon, times as "12 h 30".
    assert f"Bilan de l&#x27;AG{NNBSP}: merci{NNBSP}!" in html
    assert '<td class="t">12\u00a0h\u00a030</td>' in html
    words = re.sub(r"<[^>]+>", " ", html.split("</style>", 1)[1])
    for english in ("Week", "planned", "published", "failed", "sending", "Mon", "more", " to "):
        assert english not in words


def test_a_crowded_french_day_says_how_many_more(ledger: Ledger) -> None:
    for minute in range(7):
        ledger.add("twitter", f"2026-12-04 10:{minute:02d}", f"Annonce {minute}")
    with using("fr"):
        html = _page(ledger)
    assert '<li class="more">+ 2 autres</li>' in html


def test_the_markdown_report_speaks_french(ledger: Ledger) -> None:
    _history(ledger)
    out = io.StringIO()
    with using("fr"):
        write_markdown(
            ledger.rows(),
            out,
            title="Les Amis du Vélo : calendrier éditorial",
            first_day=ledger.rows()[0].local.date(),
            last_day=ledger.rows()[-1].local.date(),
            zone_name="Europe/Paris",
            counts={("blog", State.PUBLISHED): 1, ("twitter", State.FAILED): 1},
            labels={"blog": "Blog", "twitter": "X", "facebook": "Facebook"},
        )
    text = out.getvalue()
    assert "Du mardi 1er décembre 2026 au mardi 8 décembre 2026 ; heures de Europe/Paris." in text
    assert "| Canal | Prévues | Publiées | À regarder | Annulées | Total |" in text
    assert "## Semaine du lundi 30 novembre" in text
    assert "| Jour | Heure | Canal | Type | Titre | État |" in text
    assert "publiée ([lien](<https://blog.example/bilan?utm_source=x&utm_medium=y_z>))" in text
    assert "**en échec** : 403 Forbidden" in text


def test_ics_summaries_and_descriptions_in_french(ledger: Ledger) -> None:
    _history(ledger)
    with using("fr"):
        data = ledger.export(write_ics)
    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "Les Amis du Vélo : calendrier éditorial"
    events = {str(e["SUMMARY"]): str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT")}
    assert "[X] Atelier vélo 🚲 (en échec)" in events
    assert "[Facebook] Chorale de Noël (J-1)" in events
    published = events["[Blog] Bilan de l'AG : merci !"]
    assert "État : publiée" in published
    assert "En ligne : https://blog.example/bilan?utm_source=x&utm_medium=y_z" in published
    assert "Remarque : 403 Forbidden" in events["[X] Atelier vélo 🚲 (en échec)"]
    # The machine fields stay as they are: a script reads the same state in any language.
    states = {str(e["X-CROSSPOST-STATE"]) for e in calendar.walk("VEVENT")}
    assert states == {"published", "failed", "pending"}


def test_csv_labels_for_people_in_french_and_fixed_names_on_request(ledger: Ledger) -> None:
    _history(ledger)
    with using("fr"):
        people, machine = io.StringIO(newline=""), io.StringIO(newline="")
        write_csv(ledger.rows(), people, delimiter=";")
        write_csv(ledger.rows(), machine, delimiter=";", labels=False)
    header, *lines = list(csv.reader(io.StringIO(people.getvalue()), delimiter=";"))
    assert header[:7] == ["Date", "Heure", "Canal", "Nom du canal", "Type", "Titre", "État"]
    assert len(header) == len(COLUMNS)
    names, *same = list(csv.reader(io.StringIO(machine.getvalue()), delimiter=";"))
    assert names == list(COLUMNS)
    # Only the first line changes: every value is the same, states included.
    assert lines == same
    assert [line[6] for line in lines] == ["published", "failed", "pending", "pending"]


def test_the_calendar_command_in_french(workspace: Path, cli: Cli) -> None:
    (workspace / "crosspost.toml").write_text('language = "fr"\n' + LABELLED, encoding="utf-8")
    tmp_path = workspace
    with time_machine.travel(paris("2026-11-29 17:00"), tick=False):
        cli("add", "--kind", "scoop", "--title", "Atelier : vélo", "--at", "2026-12-03 12:30")
    done = cli("calendar", "--from", "2026-12-01", "--to", "2026-12-31", "--format", "csv",
               "-o", "agenda.csv")  # fmt: skip
    assert done.out == "1 publication écrite dans agenda.csv (du 2026-12-01 au 2026-12-31).\n"
    assert (tmp_path / "agenda.csv").read_text(encoding="utf-8").startswith("Date,Heure,Canal,")
    cli("calendar", "--from", "2026-12-01", "--format", "csv", "--header", "names",
        "-o", "machine.csv")  # fmt: skip
    assert (tmp_path / "machine.csv").read_text(encoding="utf-8").startswith(",".join(COLUMNS))
    table = cli("calendar", "--from", "2026-12-01", "--to", "2026-12-31").out
    assert "Les Amis du Vélo : calendrier éditorial" in table
    assert "prévue" in table
    assert "pending" not in table
    refused = cli("calendar", "--format", "pdf", ok=False)
    assert refused.code != 0
    assert "format : un de table, ics, csv, html, markdown est attendu (reçu 'pdf')" in (
        refused.err + refused.out
    )
    refused = cli("calendar", "--format", "ics", "--header", "names", ok=False)
    assert "header : --header ne vaut que pour --format csv" in refused.err + refused.out
