"""Sessions, conditional transitions and row-to-domain conversion shared by the store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Self

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, aliased

from crosspost.domain import Attempt, Delivery, Item
from crosspost.errors import Conflict, DatabaseBusy
from crosspost.models import DeliveryRow, ItemRow, utcnow
from crosspost.redact import redact_optional
from crosspost.states import IllegalTransition, State, allowed


@dataclass(frozen=True)
class DeliveryFilter:
    """What `list`, exports and reports ask for; None means 'any'."""

    states: tuple[str, ...] | None = None
    channels: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    item_ids: tuple[int, ...] | None = None
    limit: int | None = None


class StoreBase:
    """A ledger connection: sessions and the one conditional transition."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    @classmethod
    def open(cls, url: str, *, migrate: bool = True, **engine_kwargs: Any) -> Self:
        from crosspost.db import ensure_schema, make_engine

        engine = make_engine(url, **engine_kwargs)
        if migrate:
            with busy_guard():
                ensure_schema(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """A transaction that writes.

        On SQLite it takes the write lock up front (BEGIN IMMEDIATE): a transaction
        that reads first and writes later cannot wait for the lock (SQLite refuses
        at once to avoid a deadlock), so every writer must start as a writer.
        """
        bind = self.engine
        if self.is_sqlite:
            bind = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        with busy_guard(), Session(bind, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """A transaction that only reads: it never blocks, nor waits for, a writer (WAL)."""
        with busy_guard(), Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    # ------------------------------------------------------------ state changes

    def move(self, delivery_id: int, old: State, new: State, **values: Any) -> bool:
        """Conditional transition; False if the delivery was no longer in `old`."""
        if not allowed(old, new):
            raise IllegalTransition(old, new)
        with self._session() as session:
            return _move(session, delivery_id, old, new, **values)


# ---------------------------------------------------------------- helpers (SQL side)


@contextmanager
def busy_guard() -> Iterator[None]:
    """Turns SQLite's 'database is locked' (after the busy timeout) into a clear message."""
    try:
        yield
    except OperationalError as exc:
        if "locked" in str(exc.orig) or "busy" in str(exc.orig):
            raise DatabaseBusy(
                "the database is busy: another crosspost process kept it locked too long; "
                "nothing was changed, try again in a moment"
            ) from None
        raise


def _move(session: Session, delivery_id: int, old: State, new: State, **values: Any) -> bool:
    if "last_error" in values:
        values["last_error"] = redact_optional(values["last_error"])
    result = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id == delivery_id, DeliveryRow.state == old.value)
        .values(state=new.value, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def _move_row(session: Session, row: DeliveryRow, old: State, new: State) -> None:
    """Transition an already loaded row, refusing if it changed underneath."""
    if not allowed(old, new):
        raise IllegalTransition(old, new)
    session.flush()
    if not _move(session, row.id, old, new):
        raise Conflict(
            f"{row.channel}: the delivery changed while we were working on it "
            "(a publisher picked it up); look again with `crosspost show`"
        )
    session.refresh(row)


def _apply_filter(query: Any, where: DeliveryFilter) -> Any:
    if where.states:
        query = query.where(DeliveryRow.state.in_(where.states))
    if where.channels:
        query = query.where(DeliveryRow.channel.in_(where.channels))
    if where.kinds:
        query = query.where(ItemRow.kind.in_(where.kinds))
    if where.due_from is not None:
        query = query.where(DeliveryRow.due_at >= where.due_from)
    if where.due_to is not None:
        query = query.where(DeliveryRow.due_at < where.due_to)
    if where.item_ids:
        query = query.where(DeliveryRow.item_id.in_(where.item_ids))
    if where.limit:
        query = query.limit(where.limit)
    return query


def _parents_of(session: Session, rows: Iterable[DeliveryRow]) -> dict[int, DeliveryRow]:
    ids = {r.waits_for_id for r in rows if r.waits_for_id is not None}
    if not ids:
        return {}
    parent = aliased(DeliveryRow)
    return {p.id: p for p in session.scalars(select(parent).where(parent.id.in_(ids)))}


def _parent(parents: dict[int, DeliveryRow], row: DeliveryRow) -> DeliveryRow | None:
    return parents.get(row.waits_for_id) if row.waits_for_id is not None else None


def _item(row: ItemRow) -> Item:
    return Item(
        id=row.id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        link=row.link,
        image_path=row.image_path,
        image_alt=row.image_alt,
        tags=tuple(row.tags or ()),
        event_start=row.event_start,
        event_end=row.event_end,
        location=row.location,
        requested_at=row.requested_at,
        deadline=row.deadline,
        step_texts=dict(row.step_texts or {}),
        series_id=row.series_id,
        occurrence=row.occurrence,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _delivery(
    row: DeliveryRow,
    item: Item,
    parent: DeliveryRow | None,
    *,
    with_attempts: bool = False,
) -> Delivery:
    attempts: tuple[Attempt, ...] = ()
    if with_attempts:
        attempts = tuple(
            Attempt(
                number=a.number,
                started_at=a.started_at,
                ended_at=a.ended_at,
                outcome=a.outcome,
                error_class=a.error_class,
                error_message=a.error_message,
                worker=a.worker,
                detail=a.detail,
            )
            for a in row.attempt_rows
        )
    return Delivery(
        id=row.id,
        key=row.key,
        item=item,
        channel=row.channel,
        role=row.role,
        due_at=row.due_at,
        state=row.state,
        step=row.step,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        claimed_by=row.claimed_by,
        lease_until=row.lease_until,
        remote_id=row.remote_id,
        remote_url=row.remote_url,
        published_at=row.published_at,
        dry_run=row.dry_run,
        last_error=row.last_error,
        progress=row.progress,
        waits_for_id=row.waits_for_id,
        waits_for_channel=parent.channel if parent is not None else None,
        announced_url=parent.remote_url if parent is not None else None,
        announced_key=parent.key if parent is not None else None,
        announced_remote_id=parent.remote_id if parent is not None else None,
        attempt_history=attempts,
    )


def _schedule_announcements(session: Session, parent: DeliveryRow, published_at: datetime) -> None:
    """Announcements of `parent` become due once it is out, keeping their offset."""
    children = session.scalars(
        select(DeliveryRow).where(
            DeliveryRow.waits_for_id == parent.id, DeliveryRow.state == State.PENDING.value
        )
    ).all()
    for child in children:
        offset = max(child.due_at - parent.due_at, timedelta(0))
        child.next_attempt_at = max(child.due_at, published_at + offset)
