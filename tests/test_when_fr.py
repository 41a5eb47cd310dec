"""French ways of writing a time, a day and a duration, and their refusals in French.

The clock is frozen on Wednesday 2 December 2026, 15:00 in Paris: every day word
("demain", "lundi", "samedi prochain") and every date without its year is read
from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crosspost.clock import utcnow
from crosspost.errors import InputError
from crosspost.language import using
from crosspost.when import (
    is_day_only,
    is_next_slot,
    is_relative,
    parse_clock,
    parse_duration,
    parse_moment,
    parse_publish_time,
)

PARIS = ZoneInfo("Europe/Paris")
#: Wednesday 2 December 2026, 15:00 in Paris.
NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def read(text: str) -> datetime:
    return parse_moment(text, PARIS, now=utcnow())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/12/2026 14h", paris(2026, 12, 12, 14, 0)),
        ("12/12 14h30", paris(2026, 12, 12, 14, 30)),
        ("12/12 14 h 30", paris(2026, 12, 12, 14, 30)),
        ("12/12 14:30", paris(2026, 12, 12, 14, 30)),
        ("le 12/12 à 14h", paris(2026, 12, 12, 14, 0)),
        ("12/12", paris(2026, 12, 12, 9, 0)),  # a day alone: the default time
        ("3/1", paris(2027, 1, 3, 9, 0)),  # 3 January: this year's has passed
        ("2/12 16h", paris(2026, 12, 2, 16, 0)),  # today is not passed yet
        ("14h", paris(2026, 12, 2, 14, 0)),
        ("18H", paris(2026, 12, 2, 18, 0)),
        ("à 18h15", paris(2026, 12, 2, 18, 15)),
        ("midi", paris(2026, 12, 2, 12, 0)),
        ("demain 9h", paris(2026, 12, 3, 9, 0)),
        ("Demain à 9h", paris(2026, 12, 3, 9, 0)),
        ("demain midi", paris(2026, 12, 3, 12, 0)),
        ("après-demain", paris(2026, 12, 4, 9, 0)),
        ("apres-demain 20h", paris(2026, 12, 4, 20, 0)),
        ("Après demain 8h", paris(2026, 12, 4, 8, 0)),
        ("aujourd\u2019hui 17h", paris(2026, 12, 2, 17, 0)),
        ("aujourd'hui 17h", paris(2026, 12, 2, 17, 0)),
        ("lundi 10h", paris(2026, 12, 7, 10, 0)),
        ("LUNDI 10H", paris(2026, 12, 7, 10, 0)),
        ("mercredi 10h", paris(2026, 12, 9, 10, 0)),  # never today: next week's
        ("samedi prochain", paris(2026, 12, 5, 9, 0)),
        ("samedi prochain à 14h", paris(2026, 12, 5, 14, 0)),
        ("jeudi", paris(2026, 12, 3, 9, 0)),
        ("samedi 12 décembre à 14 h", paris(2026, 12, 12, 14, 0)),
        ("12 decembre 14h", paris(2026, 12, 12, 14, 0)),
        ("1er février", paris(2027, 2, 1, 9, 0)),
        ("14 juillet 2027 22h", paris(2027, 7, 14, 22, 0)),  # summer time: UTC+2
        ("samedi 12/12/2026 14h", paris(2026, 12, 12, 14, 0)),
        ("2026-12-12 14h", paris(2026, 12, 12, 14, 0)),
        ("maintenant", NOW),
        ("Maintenant", NOW),
        ("dans 2h", NOW + timedelta(hours=2)),
        ("dans 3 jours", NOW + timedelta(days=3)),
        ("dans 1h30", NOW + timedelta(minutes=90)),
        ("+30min", NOW + timedelta(minutes=30)),
        ("+3j", NOW + timedelta(days=3)),
        ("+1sem", NOW + timedelta(weeks=1)),
        ("tomorrow 9:00", paris(2026, 12, 3, 9, 0)),
        # The English and ISO forms are unchanged.
        ("2026-12-03 14:30", paris(2026, 12, 3, 14, 30)),
        ("2026-12-03T14:30+01:00", paris(2026, 12, 3, 14, 30)),
    ],
)
def test_french_forms(text: str, expected: datetime) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30min", timedelta(minutes=30)),
        ("30 min", timedelta(minutes=30)),
        ("30mn", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1h30", timedelta(minutes=90)),
        ("1 h 30", timedelta(minutes=90)),
        ("3j", timedelta(days=3)),
        ("2 jours", timedelta(days=2)),
        ("1 jour", timedelta(days=1)),
        ("1sem", timedelta(weeks=1)),
        ("3 semaines", timedelta(weeks=3)),
        ("2 heures", timedelta(hours=2)),
        ("1j12h", timedelta(hours=36)),
        ("-1j", timedelta(days=-1)),
        ("45s", timedelta(seconds=45)),
    ],
)
def test_french_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9h", (9, 0)), ("12h30", (12, 30)), ("12 h 30", (12, 30)), ("09:00", (9, 0)),
     ("midi", (12, 0)), ("Midi", (12, 0))],
)  # fmt: skip
def test_clocks(text: str, expected: tuple[int, int]) -> None:
    clock = parse_clock(text)
    assert (clock.hour, clock.minute) == expected


# ---------------------------------------------------------------- refusals


def refusal(text: str, language: str = "fr") -> str:
    with using(language), pytest.raises(InputError) as caught:  # type: ignore[arg-type]
        read(text)
    return str(caught.value)


def test_unknown_words_list_the_forms_in_french() -> None:
    message = refusal("bientôt")
    assert message.startswith("« bientôt » n'est pas une heure que Crosspost comprend ; ")
    for form in ("maintenant", "dans 2h", "14h", "demain 9h", "après-demain", "lundi 10h",
                 "samedi prochain", "12/12 14h30 (jour/mois)", "12/12/2026 14h"):  # fmt: skip
        assert form in message


def test_unknown_words_list_the_forms_in_english() -> None:
    message = refusal("soon", "en")
    assert message.startswith("'soon' is not a time Crosspost understands; expected now, +2h")
    assert "12/12 14:30 (day/month)" in message


def test_day_month_is_never_month_day() -> None:
    """12/03 is 12 March; a month 13 is refused as such, not swapped."""
    assert read("12/03 10h") == paris(2027, 3, 12, 10, 0)
    assert refusal("12/13") == (
        "« 12/13 » : il n'y a pas de mois 13 ; une date s'écrit jour/mois (12/03 est le 12 mars)"
    )
    assert "there is no month 13; a date is written day/month" in refusal("12/13", "en")


@pytest.mark.parametrize(
    ("text", "french"),
    [
        ("31/02", "« 31/02 » : le 31/02 n'existe pas dans le calendrier (jour/mois)"),
        ("29/02/2027", "« 29/02/2027 » : le 29/02 n'existe pas dans le calendrier (jour/mois)"),
        ("12/12/26", "« 12/12/26 » : écrivez l'année en entier, p. ex. 12/12/2026"),
        ("lundi 12/12/2026", "« lundi 12/12/2026 » : le 12/12/2026 est un samedi, pas un lundi"),
        ("demain 25h", "« demain 25h » : « 25h » n'est pas une heure de la journée ; les heures "
         "vont de 0 à 23 et les minutes de 00 à 59 (p. ex. 14h30 ou 14:30)"),
        ("14h75", "« 14h75 » : « 14h75 » n'est pas une heure de la journée ; les heures "
         "vont de 0 à 23 et les minutes de 00 à 59 (p. ex. 14h30 ou 14:30)"),
        ("dans deux heures", "« dans deux heures » : « deux heures » n'est pas une durée ; "
         "attendu un nombre et une unité, comme +30min, dans 2h, dans 1h30 ou dans 3j"),
    ],
)  # fmt: skip
def test_refusals_say_what_is_wrong(text: str, french: str) -> None:
    assert refusal(text) == french


def test_a_duration_refusal_lists_the_french_units() -> None:
    with using("fr"), pytest.raises(InputError) as caught:
        parse_duration("1 mois")
    assert str(caught.value) == (
        "« 1 mois » n'est pas une durée ; attendu un nombre et une unité, "
        "comme 30min, 2h, 1h30, 3j ou 1sem"
    )


def test_past_clock_says_how_to_write_in_two_hours() -> None:
    """`--at 2h` is two o'clock: at 15:00 it has passed, and "in two hours" is shown."""
    with using("fr"), pytest.raises(InputError) as caught:
        parse_publish_time("2h", PARIS, now=utcnow())
    assert str(caught.value) == (
        "2026-12-02 02:00 est déjà passé (il est 2026-12-02 15:00 en Europe/Paris) ; "
        "donnez une heure à venir, ou --at maintenant pour publier tout de suite "
        "(2h veut dire 2 heures de l'horloge ; dans 2 heures s'écrit +2h ou « dans 2h »)"
    )
    assert parse_publish_time("maintenant", PARIS, now=utcnow()) == NOW


# ---------------------------------------------------------------- both daylight-saving nights


def test_the_spring_gap_is_refused_in_french() -> None:
    """The last Sunday of March 2027 (28 March): 02:00 becomes 03:00 in Paris."""
    assert refusal("28/03/2027 2h30") == (
        "le 28/03/2027 à 02:30 n'existe pas en Europe/Paris : cette nuit-là, les horloges "
        "passent de 02:00 à 03:00 ; choisissez une heure avant 02:00 ou à partir de 03:00"
    )
    # Said with the weekday and the month's name, without the year: the same night.
    assert refusal("dimanche 28 mars 2h").startswith("le 28/03/2027 à 02:00 n'existe pas")
    assert read("28/03 1h59") == datetime(2027, 3, 28, 0, 59, tzinfo=UTC)
    assert read("28/03 3h") == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_the_autumn_hour_asks_which_with_an_offset() -> None:
    """The last Sunday of October 2027 (31 October): 03:00 becomes 02:00, so 02:30 is twice."""
    assert refusal("31/10/2027 2h30") == (
        "le 31/10/2027 à 02:30 arrive deux fois en Europe/Paris (les horloges reculent d'une "
        "heure cette nuit-là) : 02:30 CEST (UTC+0200) ou 02:30 CET (UTC+0100) ; dites laquelle "
        "avec son décalage, p. ex. 2027-10-31T02:30+02:00 ou 2027-10-31T02:30+01:00"
    )
    # The offsets it offers are accepted, and name the two instants an hour apart.
    first = read("2027-10-31T02:30+02:00")
    second = read("2027-10-31T02:30+01:00")
    assert second - first == timedelta(hours=1)
    assert "happens twice in Europe/Paris" in refusal("31/10 2h30", "en")


# ---------------------------------------------------------------- how a time was said


@pytest.mark.parametrize(
    ("text", "relative"),
    [("maintenant", True), ("dans 2h", True), ("demain 9h", True), ("lundi", True),
     ("14h", True), ("prochain", True), ("12/12/2026 14h", False), ("12/12 14h", False),
     ("bientôt", False)],
)  # fmt: skip
def test_day_words_are_counted_from_today(text: str, relative: bool) -> None:
    """Typed again tomorrow, "demain 9h" names another day: duplicates are found by content."""
    assert is_relative(text) is relative


@pytest.mark.parametrize(
    ("text", "day_only"),
    [("12/12", True), ("demain", True), ("samedi prochain", True), ("2026-12-05", True),
     ("12/12 14h", False), ("demain 9h", False), ("+2h", False)],
)  # fmt: skip
def test_a_day_without_its_hour_is_told(text: str, day_only: bool) -> None:
    assert is_day_only(text, PARIS, now=utcnow()) is day_only


@pytest.mark.parametrize("text", ["next", "prochain", "Prochain créneau", " NEXT "])
def test_next_slot_words(text: str) -> None:
    assert is_next_slot(text)
