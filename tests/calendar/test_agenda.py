"""The public agenda: one event per event item, at its own date, time and place."""

from __future__ import annotations

import io

from icalendar import Calendar

from crosspost.calendar.agenda import write_agenda
from crosspost.domain import NewItem, PlannedDelivery
from tests.calendar.conftest import Ledger, paris


def _agenda(ledger: Ledger, start: str = "2026-12-01", end: str = "2027-01-01") -> Calendar:
    out = io.BytesIO()
    entries = ledger.store.iter_agenda(paris(start), paris(end))
    write_agenda(entries, out, settings=ledger.settings, start=paris(start), end=paris(end))
    return Calendar.from_ical(out.getvalue())


def test_each_event_item_appears_once_at_its_own_time_and_place(ledger: Ledger) -> None:
    # Announced on two channels, a week before: still one event in the agenda.
    item = NewItem(
        kind="event",
        title="Repair café",
        body="Venez avec vos objets **cassés**, on répare ensemble.",
        requested_at=paris("2026-12-05 10:00"),
        event_start=paris("2026-12-12 14:00"),
        event_end=paris("2026-12-12 18:00"),
        location="Maison des associations, 3 rue Haute",
    )
    plan = [PlannedDelivery(c, paris("2026-12-05 10:00")) for c in ("facebook", "twitter")]
    [item_id] = ledger.store.add_items([(item, plan)])
    first, second = ledger.store.get_item(item_id).deliveries
    ledger.publish(first, "https://facebook.example/repair")
    ledger.publish(second, "https://x.example/repair")
    ledger.add("twitter", "2026-12-05 10:00", "Sans date")  # a scoop: not in the agenda
    ledger.add("facebook", "2026-11-01 10:00", "Loto", kind="event",
               event_start=paris("2027-01-09 15:00"))  # fmt: skip
    [event] = _agenda(ledger).walk("VEVENT")
    assert event["SUMMARY"] == "Repair café"
    assert event["UID"] == f"event-{first.key}@crosspost"
    assert event.decoded("DTSTART") == paris("2026-12-12 14:00")
    assert event.decoded("DTEND") == paris("2026-12-12 18:00")
    assert str(event.decoded("DTSTART").tzinfo) == "Europe/Paris"
    assert event["LOCATION"] == "Maison des associations, 3 rue Haute"
    assert event["STATUS"] == "CONFIRMED"
    assert event["URL"] == "https://facebook.example/repair"
    assert str(event["DESCRIPTION"]) == (
        "Venez avec vos objets cassés, on répare ensemble.\n\nhttps://facebook.example/repair"
    )


def test_a_cancelled_event_stays_in_the_feed_marked_cancelled(ledger: Ledger) -> None:
    delivery = ledger.add("facebook", "2026-12-05 10:00", "Chorale", kind="event",
                          event_start=paris("2026-12-19 20:00"))  # fmt: skip
    before = _agenda(ledger).walk("VEVENT")[0]
    ledger.store.cancel(delivery.item.id)
    [after] = _agenda(ledger).walk("VEVENT")
    assert after["STATUS"] == "CANCELLED"
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] >= before["SEQUENCE"]
