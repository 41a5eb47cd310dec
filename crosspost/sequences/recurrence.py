"""A recurring event's rule: an RRULE, or what an officer writes, -> its local start times.

    FREQ=MONTHLY;BYDAY=1SA
    chaque premier samedi à 14h de janvier à juin
    tous les mardis à 18h30
    every first Saturday at 14:00 from January to June

Occurrences are expanded by dateutil's rrule on the local wall clock, then placed in
the zone, so a 14:00 event is at 14:00 in winter and in summer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crosspost.errors import InputError
from crosspost.i18n import N_, _
from crosspost.sequences.offsets import wall_clock

_WEEKDAYS = {
    "lundi": "MO", "mardi": "TU", "mercredi": "WE", "jeudi": "TH", "vendredi": "FR",
    "samedi": "SA", "dimanche": "SU", "monday": "MO", "tuesday": "TU", "wednesday": "WE",
    "thursday": "TH", "friday": "FR", "saturday": "SA", "sunday": "SU",
}  # fmt: skip
_ORDINALS = {
    "premier": 1, "1er": 1, "deuxieme": 2, "second": 2, "2e": 2, "troisieme": 3, "3e": 3,
    "quatrieme": 4, "4e": 4, "dernier": -1, "first": 1, "third": 3, "fourth": 4, "last": -1,
}  # fmt: skip
_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_SIMPLE = re.compile(
    r"^(?:chaque|tous les|toutes les|every|each)\s+"
    r"(?:(?P<ordinal>\w+)\s+)?(?P<day>[a-z]+?)s?"
    r"(?:\s+(?:a|at)\s+(?P<hour>\d{1,2})\s*(?:[h:]\s*(?P<minute>\d{2})?)?)?"
    r"(?:\s+(?:de|du mois de|from)\s+(?P<first>[a-z]+)\s+(?:a|au mois de|to|until)\s+"
    r"(?P<last>[a-z]+)(?:\s+(?P<year>\d{4}))?)?$"
)
EXAMPLES = N_(
    '"FREQ=MONTHLY;BYDAY=1SA", "chaque premier samedi à 14h de janvier à juin" '
    'or "every Tuesday at 18:30"'
)


@dataclass(frozen=True)
class Recurrence:
    """An RRULE (without DTSTART) and where it starts, on the local wall clock."""

    rule: str
    #: The first possible start (local wall time); the rule's own days decide the rest.
    start: datetime
    #: The last day an occurrence may fall on (from the rule's UNTIL or the simple form).
    until: date | None = None

    def occurrences(self, zone: ZoneInfo, after: datetime, before: datetime) -> list[datetime]:
        """The aware UTC starts strictly after `after` and up to `before`."""
        from dateutil.rrule import rrulestr

        rule = rrulestr(self.rule, dtstart=self.start, ignoretz=True)
        low = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
        high = before.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
        out = []
        for naive in rule.between(low, high, inc=True):
            if self.until is not None and naive.date() > self.until:
                break
            moment = wall_clock(naive.date(), naive.time(), zone)
            if after < moment <= before:
                out.append(moment)
        return out


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def parse_recurrence(
    text: str, *, event_start: datetime | None, zone: ZoneInfo, now: datetime
) -> Recurrence:
    """An RRULE or a simple form; `event_start` (local time of the first one) when given."""
    cleaned = text.strip()
    if not cleaned:
        raise InputError(_("expected a rule like {examples}").format(examples=_(EXAMPLES)))
    if "=" in cleaned:
        return _rrule(cleaned, event_start, zone)
    return _simple(cleaned, event_start, zone, now)


def _rrule(text: str, event_start: datetime | None, zone: ZoneInfo) -> Recurrence:
    from dateutil.rrule import rrulestr

    rule = text.upper().removeprefix("RRULE:")
    if "DTSTART" in rule:
        raise InputError(_("give the first date with --event-start, not DTSTART in the rule"))
    if event_start is None:
        raise InputError(_("an RRULE needs --event-start: the date and time of the first one"))
    start = event_start.astimezone(zone).replace(tzinfo=None)
    try:
        parsed = rrulestr(rule, dtstart=start, ignoretz=True)
    except (ValueError, TypeError) as exc:
        raise InputError(
            _("{text!r} is not an RRULE ({problem}); expected e.g. {examples}").format(
                text=text, problem=exc, examples=_(EXAMPLES)
            )
        ) from None
    until = getattr(parsed, "_until", None)
    if getattr(parsed, "_count", None) is None and until is None:
        raise InputError(
            _(
                "{text!r} never ends; add UNTIL=20270630 or COUNT=6 so the series has a last date"
            ).format(text=text)
        )
    return Recurrence(rule, start, until.date() if until else None)


def _simple(text: str, event_start: datetime | None, zone: ZoneInfo, now: datetime) -> Recurrence:
    plain = _plain(text).replace("à", "a")
    match = _SIMPLE.match(plain)
    day = _WEEKDAYS.get(match.group("day")) if match else None
    if match is None or day is None:
        raise InputError(
            _("{text!r} is not a rule Crosspost understands; expected {examples}").format(
                text=text, examples=_(EXAMPLES)
            )
        )
    ordinal_word = match.group("ordinal")
    ordinal = _ORDINALS.get(ordinal_word) if ordinal_word else None
    if ordinal_word and ordinal is None:
        raise InputError(
            _(
                "{text!r}: {word!r} is not premier, deuxième, troisième, quatrième, "
                "dernier (first, second, third, fourth, last)"
            ).format(text=text, word=ordinal_word)
        )
    local_now = now.astimezone(zone)
    given = event_start.astimezone(zone) if event_start is not None else None
    hour = match.group("hour")
    if hour is not None:
        try:
            clock = time(int(hour), int(match.group("minute") or 0))
        except ValueError:
            raise InputError(
                _("{text!r}: {clock} is not a time").format(
                    text=text, clock=f"{hour}h{match.group('minute') or ''}"
                )
            ) from None
    elif given is not None:
        clock = given.time().replace(tzinfo=None)
    else:
        raise InputError(
            _('{text!r}: at what time? e.g. "{text} à 14h" or --event-start').format(text=text)
        )
    first_day = given.date() if given is not None else local_now.date()
    until = None
    if match.group("first"):
        first, last = (_MONTHS.get(match.group(k)) for k in ("first", "last"))
        if first is None or last is None:
            raise InputError(
                _("{text!r}: expected month names, e.g. de janvier à juin").format(text=text)
            )
        year = int(match.group("year") or 0) or _next_year(first, last, local_now.date())
        start_year = year if first <= last else year - 1
        first_day = max(first_day, date(start_year, first, 1))
        until = _month_end(year, last)
    freq = "MONTHLY" if ordinal is not None else "WEEKLY"
    rule = f"FREQ={freq};BYDAY={ordinal or ''}{day}"
    if until is None:
        raise InputError(
            _('{text!r} never ends; say until when, e.g. "{text} de janvier à juin"').format(
                text=text
            )
        )
    return Recurrence(rule, datetime.combine(first_day, clock), until)


def _next_year(first: int, last: int, today: date) -> int:
    """The year of the range's last month: this year's range if not over, else next."""
    end = today.year if first <= last else today.year + (1 if today.month >= first else 0)
    if _month_end(end, last) < today:
        end += 1
    return end


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)
