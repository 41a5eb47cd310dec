"""The ICS export, parsed back with icalendar as a calendar application would read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from icalendar import Calendar, Event

from crosspost.calendar.ics import write_ics
from crosspost.config import parse_settings
from crosspost.domain import NewItem, PlannedDelivery
from crosspost.store import Store
from tests.calendar.conftest import Ledger, paris


def _parse(data: bytes) -> tuple[Calendar, list[Event]]:
    calendar = Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


def _by_uid(events: list[Event]) -> dict[str, Event]:
    return {str(e["UID"]): e for e in events}


def test_one_event_per_delivery_in_the_configured_zone(ledger: Ledger) -> None:
    delivery = ledger.add("facebook", "2026-12-12 10:00", "Repair café", kind="event",
                          event_start=paris("2026-12-12 14:00"))  # fmt: skip
    calendar, [event] = _parse(ledger.export(write_ics))
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    assert calendar.get_missing_tzids() == set()
    assert str(calendar["X-WR-CALNAME"]) == "Les Amis du Vélo: editorial calendar"
    assert "METHOD" not in calendar  # a feed to subscribe to, not an invitation
    assert event["UID"] == f"{delivery.key}@crosspost"
    assert event["SUMMARY"] == "[Facebook] Repair café"
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Paris"
    assert (start.hour, start.minute) == (10, 0)
    assert event.decoded("DTEND") - start == timedelta(minutes=15)
    assert event["STATUS"] == "TENTATIVE"
    assert [str(c) for c in event.categories] == ["event", "Facebook"]
    assert event["TRANSP"] == "TRANSPARENT"  # a post never makes the officer look busy


def test_reexports_update_the_same_events_instead_of_adding_copies(ledger: Ledger) -> None:
    first = ledger.add("twitter", "2026-12-01 12:30", "Premier")
    ledger.add("blog", "2026-12-02 09:00", "Second")
    before = ledger.export(write_ics)
    assert ledger.export(write_ics) == before  # nothing changed: the very same bytes
    with time_machine.travel(paris("2026-11-25 08:00"), tick=False):
        ledger.store.reschedule(first.item.id, paris("2026-12-03 12:30"))
    _, old_events = _parse(before)
    _, new_events = _parse(ledger.export(write_ics))
    old, new = _by_uid(old_events), _by_uid(new_events)
    assert old.keys() == new.keys()  # same UIDs: a subscribed calendar moves the event
    uid = f"{first.key}@crosspost"
    assert new[uid]["SEQUENCE"] > old[uid]["SEQUENCE"]
    assert new[uid].decoded("LAST-MODIFIED") == paris("2026-11-25 08:00")
    assert new[uid].decoded("DTSTAMP") == new[uid].decoded("LAST-MODIFIED")
    assert new[uid].decoded("DTSTART").day == 3
    other = next(u for u in old if u != uid)
    assert new[other].to_ical() == old[other].to_ical()


def test_times_stay_right_across_daylight_saving_changes(ledger: Ledger) -> None:
    # Paris: clocks go back on 25 October 2026 (03:00 -> 02:00) and forward on 28 March 2027.
    ledger.add("twitter", "2027-03-27 12:00", "Hiver")
    ledger.add("twitter", "2027-03-29 12:00", "Été")
    ledger.add("twitter", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "02:30, la première")
    ledger.add("twitter", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "02:30, la seconde")
    data = ledger.export(write_ics, start="2026-10-01", end="2027-04-30")
    calendar, events = _parse(data)
    instants = {str(e["SUMMARY"]): e.decoded("DTSTART").astimezone(UTC) for e in events}
    assert instants == {
        "[X] Hiver": datetime(2027, 3, 27, 11, 0, tzinfo=UTC),
        "[X] Été": datetime(2027, 3, 29, 10, 0, tzinfo=UTC),
        "[X] 02:30, la première": datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        "[X] 02:30, la seconde": datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    }
    # Wall-clock times are written with the zone, except the repeated hour's second
    # occurrence, which a TZID time cannot name (RFC 5545 reads it as the first).
    text = data.decode()
    assert "DTSTART;TZID=Europe/Paris:20270327T120000" in text
    assert "DTSTART;TZID=Europe/Paris:20270329T120000" in text
    assert "DTSTART;TZID=Europe/Paris:20261025T023000" in text
    assert "DTSTART:20261025T013000Z" in text
    # The VTIMEZONE alone (not this machine's zone database) gives the same instants,
    # so applications that only read the file agree.
    [vtimezone] = calendar.timezones
    rules = vtimezone.to_tz(lookup_tzid=False)
    assert datetime(2027, 3, 27, 12, 0, tzinfo=rules).astimezone(UTC).hour == 11
    assert datetime(2027, 3, 29, 12, 0, tzinfo=rules).astimezone(UTC).hour == 10
    assert datetime(2026, 10, 24, 12, 0, tzinfo=rules).astimezone(UTC).hour == 10
    assert datetime(2026, 10, 26, 12, 0, tzinfo=rules).astimezone(UTC).hour == 11


def test_states_show_as_calendar_statuses(ledger: Ledger) -> None:
    published = ledger.add("blog", "2026-12-01 09:00", "En ligne")
    ledger.publish(published, "https://blog.example/en-ligne")
    failed = ledger.add("twitter", "2026-12-01 12:30", "Raté")
    ledger.fail(failed, "403: duplicate content")
    cancelled = ledger.add("facebook", "2026-12-02 10:00", "Annulé")
    ledger.store.cancel(cancelled.item.id)
    _, events = _parse(ledger.export(write_ics))
    by_title = {str(e["SUMMARY"]): e for e in events}
    online = by_title["[Blog] En ligne"]
    assert online["STATUS"] == "CONFIRMED"
    assert online["URL"] == "https://blog.example/en-ligne"
    assert "Online at: https://blog.example/en-ligne" in online["DESCRIPTION"]
    missed = by_title["[X] Raté (failed)"]
    assert missed["STATUS"] == "TENTATIVE"
    assert "Note: 403: duplicate content" in missed["DESCRIPTION"]
    assert by_title["[Facebook] Annulé"]["STATUS"] == "CANCELLED"
    assert by_title["[Facebook] Annulé"]["X-CROSSPOST-STATE"] == "cancelled"


def test_description_escapes_commas_semicolons_newlines_and_keeps_accents(
    ledger: Ledger,
) -> None:
    body = "Apportez : vélos, grille-pains; lampes.\nCafé offert à l'accueil — été comme hiver."
    ledger.add("facebook", "2026-12-05 10:00", "Repair café; vélos, ça roule", body=body)
    data = ledger.export(write_ics)
    # Content lines are folded at 75 octets, never inside a UTF-8 character.
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    data.decode("utf-8")
    unfolded = data.decode().replace("\r\n ", "")
    assert "SUMMARY:[Facebook] Repair café\\; vélos\\, ça roule\r\n" in unfolded
    assert "Apportez : vélos\\, grille-pains\\; lampes.\\nCafé offert" in unfolded
    _, [event] = _parse(data)
    description = str(event["DESCRIPTION"])
    # The fake channel renders title, then body: the text comes back exactly.
    assert description.startswith(f"Repair café; vélos, ça roule\n\n{body}\n\nState: pending")
    assert str(event["SUMMARY"]) == "[Facebook] Repair café; vélos, ça roule"


def test_an_announcement_says_its_link_is_to_come(ledger: Ledger) -> None:
    [item_id] = ledger.store.add_items([(
        _article(), [PlannedDelivery("blog", paris("2026-12-03 09:00")),
                     PlannedDelivery("twitter", paris("2026-12-03 09:30"),
                                     role="announce", waits_for="blog")],
    )])  # fmt: skip
    _, events = _parse(ledger.export(write_ics))
    announce = next(e for e in events if str(e["SUMMARY"]).startswith("[X]"))
    assert "[link to the blog post]" in str(announce["DESCRIPTION"])
    assert "link-to-come.invalid" not in str(announce["DESCRIPTION"])
    assert ledger.store.get_item(item_id).item.title == "Bilan"


def _article() -> NewItem:
    return NewItem(kind="article", title="Bilan", requested_at=paris("2026-12-03 09:00"))


def test_a_blog_delivery_is_described_by_its_text_not_its_front_matter(
    db_url: str, tmp_path: Path
) -> None:
    settings = parse_settings(
        b'timezone = "Europe/Paris"\n[channels.blog]\ntype = "static-blog"\n'
        b'[[routes]]\nkind = "article"\nto = ["blog"]\n',
        tmp_path / "crosspost.toml",
    )
    store = Store.open(db_url)
    try:
        body = "Grâce à **vous**, 1 200 objets : voir https://example.org/bilan-2026"
        with time_machine.travel(paris("2026-11-20 10:00"), tick=False):
            ledger = Ledger(store, settings)
            ledger.add("blog", "2026-12-03 09:00", "Notre bilan 2026", kind="article", body=body)
            _, [event] = _parse(ledger.export(write_ics))
    finally:
        store.close()
    description = str(event["DESCRIPTION"])
    assert description.startswith(
        "Notre bilan 2026\n\nGrâce à vous, 1 200 objets : voir "
        "https://example.org/bilan-2026\n\nState: pending"
    )
    for front_matter in ("---", "slug:", "{key}", "summary:", "date:"):
        assert front_matter not in description
