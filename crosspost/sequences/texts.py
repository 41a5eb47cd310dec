"""The wording of each post of a sequence: "Demain : {title}", "Ce soir : {title}"...

These are the association's posts, so the built-in wording is French (the language
of the officers Crosspost serves); every one of them can be replaced in
crosspost.toml (`templates`) or for one item (`--step-text`).
"""

from __future__ import annotations

from datetime import datetime
from string import Formatter
from zoneinfo import ZoneInfo

from crosspost.errors import InputError
from crosspost.i18n import _
from crosspost.sequences.offsets import StepOffset

#: What a template may use, with an example of each (shown when a name is wrong).
FIELDS = {
    "title": "Fête du quartier",
    "date": "samedi 12 décembre",
    "time": "14h",
    "location": "Salle des fêtes",
    "deadline": "vendredi 18 décembre",
    "days": "3",
}
#: Steps that are not offsets.
CANCELLED = "cancelled"
CLOSED = "closed"
RECAP = "recap"

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def french_day(moment: datetime, zone: ZoneInfo) -> str:
    """'samedi 12 décembre' (the 1st is '1er', as French writes it)."""
    local = moment.astimezone(zone)
    number = "1er" if local.day == 1 else str(local.day)
    return f"{_DAYS[local.weekday()]} {number} {_MONTHS[local.month - 1]}"


def french_time(moment: datetime, zone: ZoneInfo) -> str:
    """'14h', '18h30'."""
    local = moment.astimezone(zone)
    return f"{local.hour}h{local.minute:02d}" if local.minute else f"{local.hour}h"


def check_template(template: str, where: str) -> str:
    """Refuse a template naming a field that does not exist (before anything is queued)."""
    try:
        names = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise InputError(
            _("{where}: {problem} in {template!r} (write {{{{ and }}}} for braces)").format(
                where=where, problem=exc, template=template
            )
        ) from None
    unknown = sorted(name for name in names if name not in FIELDS)
    if unknown or "" in names:
        raise InputError(
            _(
                "{where}: unknown field {{{field}}} in {template!r}; expected some of {fields}"
            ).format(
                where=where,
                field=(unknown or [""])[0],
                template=template,
                fields=", ".join("{" + f + "}" for f in FIELDS),
            )
        )
    if not template.strip():
        raise InputError(
            _("{where}: empty wording; leave the step out instead").format(where=where)
        )
    return template


def default_template(
    kind: str, step: str, offset: StepOffset | None, start: datetime | None, zone: ZoneInfo
) -> str:
    """The built-in wording of a step, from what the step is."""
    if step == CANCELLED:
        return "Annulé : {title}"
    if step == CLOSED:
        return "Candidatures closes : {title}"
    if step == RECAP:
        return "Bilan à écrire : {title} ({date}) : photos, chiffres, mercis"
    if kind == "job":
        if offset is not None and offset.days == -1:
            return "Dernier jour pour postuler : {title}"
        return "Derniers jours pour postuler : {title} (jusqu'au {deadline})"
    if offset is None:
        return "{title}"
    if offset.morning:
        hour = start.astimezone(zone).hour if start is not None else 0
        if hour >= 18:
            return "Ce soir : {title}"
        if hour >= 12:
            return "Cet après-midi : {title}"
        return "Aujourd'hui : {title}"
    if offset.exact is not None:
        minutes = int(-offset.exact.total_seconds() // 60)
        if minutes % 60 == 0:
            hours = minutes // 60
            return f"Dans {hours} heure{'s' if hours > 1 else ''} : {{title}}"
        return f"Dans {minutes} minutes : {{title}}"
    if offset.days == -1:
        return "Demain : {title}"
    if offset.days == -7:
        return "Dans une semaine : {title}"
    return "Dans {days} jours : {title}"


def fill(
    template: str,
    *,
    title: str,
    start: datetime | None,
    location: str | None,
    deadline: datetime | None,
    days: int,
    zone: ZoneInfo,
) -> str:
    """The template with the item's values; a value the item lacks reads as nothing."""
    values = {
        "title": title,
        "date": french_day(start, zone) if start else "",
        "time": french_time(start, zone) if start else "",
        "location": location or "",
        "deadline": french_day(deadline, zone) if deadline else "",
        "days": str(abs(days)),
    }
    return " ".join(template.format(**values).split())
