"""Markdown export for a wiki or a board report."""

from __future__ import annotations

import io
from datetime import date

from crosspost.calendar.markdown import write_markdown
from crosspost.calendar.rows import channel_labels
from crosspost.store import DeliveryFilter
from tests.calendar.conftest import Ledger, paris


def _export(ledger: Ledger) -> str:
    out = io.StringIO()
    where = DeliveryFilter(due_from=paris("2026-11-30"), due_to=paris("2026-12-14"))
    write_markdown(
        ledger.rows("2026-11-30", "2026-12-14"),
        out,
        title="Les Amis du Vélo: editorial calendar",
        first_day=date(2026, 11, 30),
        last_day=date(2026, 12, 13),
        zone_name="Europe/Paris",
        counts=ledger.store.count_by_channel_state(where),
        labels=channel_labels(ledger.settings),
    )
    return out.getvalue()


def test_totals_then_one_table_per_week(ledger: Ledger) -> None:
    done = ledger.add("blog", "2026-12-01 09:00", "Bilan")
    ledger.publish(done, "https://blog.example/bilan")
    failed = ledger.add("twitter", "2026-12-03 12:30", "Atelier")
    ledger.fail(failed, "403 | duplicate")
    ledger.add("twitter", "2026-12-08 12:30", "Vide-grenier *géant* | [gratuit]")
    text = _export(ledger)
    assert text.startswith(
        "# Les Amis du Vélo: editorial calendar\n\n"
        "From Monday 30 November 2026 to Sunday 13 December 2026; times in Europe/Paris.\n\n"
        "| Channel | Planned | Published | Needs attention | Cancelled | Total |\n"
        "|---|---:|---:|---:|---:|---:|\n"
        "| Blog | 0 | 1 | 0 | 0 | 1 |\n"
        "| X | 1 | 0 | 1 | 0 | 2 |\n"
    )
    assert "\n## Week of Monday 30 November 2026\n" in text
    link = "[link](<https://blog.example/bilan>)"
    assert f"| Tue 1 Dec | 09:00 | Blog | scoop | Bilan | published ({link}) |" in text
    assert "| Thu 3 Dec | 12:30 | X | scoop | Atelier | **failed**: 403 \\| duplicate |" in text
    assert "\n## Week of Monday 7 December 2026\n" in text
    # Marks in a title are shown as typed, and a | does not open a new column.
    assert "| Vide-grenier \\*géant\\* \\| \\[gratuit\\] | pending |" in text


def test_an_empty_period_says_so(ledger: Ledger) -> None:
    assert _export(ledger).endswith("\nNothing is planned in this period.\n")
