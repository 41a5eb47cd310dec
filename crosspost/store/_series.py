"""Recurring events in the ledger: a series row and the items of its occurrences."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from crosspost.clock import utcnow
from crosspost.models import SeriesRow
from crosspost.store._core import StoreBase


@dataclass(frozen=True)
class Series:
    """A recurring event as the officer described it."""

    id: int
    rule: str
    start_local: str
    until_local: str | None
    fields: dict[str, Any]
    generated_until: datetime
    #: Occurrence date -> (item id, item status) for every occurrence made so far.
    occurrences: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def exceptions(self) -> tuple[str, ...]:
        """Dates taken out of the series (deleted); cancelled ones keep their item."""
        return tuple(self.fields.get("except", ()))


class SeriesMixin(StoreBase):
    """Series: made with their first occurrences, extended, edited (read in _reports)."""

    def add_series(
        self,
        *,
        rule: str,
        start_local: str,
        until_local: str | None,
        fields: dict[str, Any],
        generated_until: datetime,
    ) -> int:
        with self._session() as session:
            row = SeriesRow(
                rule=rule,
                start_local=start_local,
                until_local=until_local,
                fields=fields,
                generated_until=generated_until,
            )
            session.add(row)
            session.flush()
            return row.id

    def set_series(
        self,
        series_id: int,
        *,
        fields: dict[str, Any] | None = None,
        generated_until: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {"updated_at": utcnow()}
        if fields is not None:
            values["fields"] = fields
        if generated_until is not None:
            values["generated_until"] = generated_until
        with self._session() as session:
            session.execute(update(SeriesRow).where(SeriesRow.id == series_id).values(**values))


def except_occurrence(session: Session, series_id: int, occurrence: str) -> None:
    """Take a date out of its series for good (its item was deleted)."""
    row = session.get(SeriesRow, series_id)
    if row is None:
        return
    taken = list(row.fields.get("except", ()))
    if occurrence not in taken:
        row.fields = {**row.fields, "except": sorted([*taken, occurrence])}
