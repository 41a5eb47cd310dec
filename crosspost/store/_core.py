"""Sessions, the one state writer, the one delivery insert, shared query parts and
row-to-domain conversion."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Self, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    Table,
    Update,
    bindparam,
    exists,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from crosspost.clock import utcnow
from crosspost.domain import Delivery, PlannedDelivery
from crosspost.errors import Conflict
from crosspost.ledger import DeliveryFilter as DeliveryFilter
from crosspost.ledger import announcement_links, delivery_row, to_delivery, to_item
from crosspost.models import ChannelStateRow, DeliveryRow, ItemRow
from crosspost.redact import redact_optional
from crosspost.states import IllegalTransition, State, allowed, parse
from crosspost.store._group import GroupWriter

T = TypeVar("T")

#: Row -> domain conversions, shared with the SQLite reader (crosspost/ledger.py).
_item = to_item
_delivery = to_delivery


class StoreBase:
    """A ledger connection: sessions and the one conditional transition."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        #: How messages name the database (password masked).
        self.shown_url = engine.url.render_as_string(hide_password=True)
        #: What writing transactions run on: on SQLite, BEGIN IMMEDIATE (built once:
        #: an options engine per transaction cost more than some of the statements).
        self._writer_bind = (
            engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else engine
        )
        #: SQLite has one writer at a time. Threads of this process take turns here,
        #: woken the moment the writer before them commits, instead of in SQLite's
        #: busy handler, which retries after sleeps of up to 100 ms: under a burst of
        #: 32 publishing threads those sleeps were the worst latenesses (bench/).
        #: Other processes (an officer's command) still meet the busy timeout.
        #: Re-entrant, so a write nested in another, if one ever is, fails as before.
        self._write_turn: threading.RLock | None = threading.RLock() if self.is_sqlite else None
        #: The publication path's writes, committed in groups by one thread (_group.py).
        self._group = GroupWriter(self._write)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True, **engine_kwargs: Any) -> Self:
        from crosspost.db import ensure_schema, make_engine

        engine = make_engine(url, **engine_kwargs)
        if migrate:
            try:
                with busy_guard(url):
                    ensure_schema(engine)
            except BaseException:
                engine.dispose()
                raise
        return cls(engine)

    def close(self) -> None:
        self._group.close()
        self.engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """A transaction that writes.

        On SQLite it takes the write lock up front (BEGIN IMMEDIATE): a transaction
        that reads first and writes later cannot wait for the lock (SQLite refuses
        at once to avoid a deadlock), so every writer must start as a writer.
        """
        with (
            self._turn(),
            busy_guard(self.shown_url),
            Session(self._writer_bind, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A writing transaction on a bare connection, for the publication path's
        prepared statements: what an ORM session adds there is only its cost."""
        with self._turn(), busy_guard(self.shown_url), self._writer_bind.begin() as connection:
            yield connection

    def _grouped(self, work: Callable[[Connection], T]) -> T:
        """`work` (statements only) in a group commit; its result once committed."""
        return self._group.run(work)

    @contextmanager
    def _turn(self) -> Iterator[None]:
        if self._write_turn is None:
            yield
            return
        with self._write_turn:
            yield

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """A transaction that only reads: it never blocks, nor waits for, a writer (WAL)."""
        with (
            busy_guard(self.shown_url),
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    # ------------------------------------------------------------ state changes

    def move(self, delivery_id: int, old: State, new: State, **values: Any) -> bool:
        """Conditional transition; False if the delivery was no longer in `old`."""
        with self._session() as session:
            return _move(session, delivery_id, old, new, **values) == 1


# ---------------------------------------------------------------- helpers (SQL side)


@contextmanager
def busy_guard(url: str) -> Iterator[None]:
    """Turns the database's errors that are the officer's to fix into a clear message:
    SQLite's 'database is locked' (after the busy timeout), a server out of reach, a
    read-only or full file (crosspost/db_errors.py). Others (a bug) pass unchanged."""
    try:
        yield
    except DBAPIError as exc:
        from crosspost.db_errors import explain

        problem = explain(exc, url)
        if problem is None:
            raise
        raise problem from None


def transition(
    sources: State | Collection[State], target: State, *where: Any, **values: Any
) -> Update:
    """The one statement that writes `deliveries.state`: a conditional UPDATE.

    It moves only the rows still in one of `sources` (and matching `where`) to
    `target`, so a caller learns from the row count whether another process moved
    them first. Every move is checked against `TRANSITIONS` when the statement is
    built (once, at import, for the publication path's prepared statements).
    """
    leaving = _states(sources)
    target = parse(target)
    for old in leaving:
        if not allowed(old, target):
            raise IllegalTransition(old, target)
    in_source = (
        DeliveryRow.state == next(iter(leaving))
        if len(leaving) == 1
        else DeliveryRow.state.in_(sorted(leaving))
    )
    if "last_error" in values and isinstance(values["last_error"], str):
        values["last_error"] = redact_optional(values["last_error"])
    return (
        update(DeliveryRow)
        .where(in_source, *where)
        .values(state=target, **values)
        .execution_options(synchronize_session=False)
    )


def _move(
    session: Session,
    which: int | Collection[int] | ColumnElement[bool],
    sources: State | Collection[State],
    target: State,
    **values: Any,
) -> int:
    """Run `transition` on the deliveries `which` names (an id, ids or a condition).

    Returns how many rows moved: 0 if another process moved them first.
    """
    if isinstance(which, int):
        where: ColumnElement[bool] = DeliveryRow.id == which
    elif isinstance(which, ColumnElement):
        where = which
    else:
        where = DeliveryRow.id.in_(list(which))
    values.setdefault("updated_at", utcnow())
    result = session.execute(transition(sources, target, where, **values))
    return int(getattr(result, "rowcount", 0))


def _states(values: State | Collection[State]) -> frozenset[State]:
    if isinstance(values, str):
        return frozenset({parse(values)})
    return frozenset(parse(v) for v in values)


def _move_row(session: Session, row: DeliveryRow, old: State, new: State) -> None:
    """Transition an already loaded row, refusing if it changed underneath."""
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


def _schedule_announcements(session: Session, parent: DeliveryRow, published_at: datetime) -> None:
    """Announcements of `parent` become due once it is out, keeping their offset."""
    children = session.scalars(
        select(DeliveryRow).where(
            DeliveryRow.waits_for_id == parent.id, DeliveryRow.state == State.PENDING
        )
    ).all()
    for child in children:
        offset = max(child.due_at - parent.due_at, timedelta(0))
        child.next_attempt_at = max(child.due_at, published_at + offset)


# Built once: SQL expressions are immutable, and building this one (an alias and its
# column adaptation) cost more than running the whole claim (bench/RESULTS.md).
@functools.cache
def _parent_published() -> Any:
    """Deliveries that wait for nothing, or whose announced post is out."""
    parent = aliased(DeliveryRow)
    return or_(
        DeliveryRow.waits_for_id.is_(None),
        exists().where(
            parent.id == DeliveryRow.waits_for_id,
            parent.state == State.PUBLISHED,
        ),
    )


@functools.cache
def _not_paused() -> Any:
    return ~exists().where(
        ChannelStateRow.channel == DeliveryRow.channel,
        ChannelStateRow.paused_reason.is_not(None),
    )


@functools.cache
def _load_query(*, claimed: bool) -> Select[Any]:
    deliveries = _table(DeliveryRow)
    query = (
        select(deliveries)
        .where(deliveries.c.id.in_(bindparam("ids", expanding=True)))
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
    )
    if claimed:
        query = query.where(deliveries.c.claimed_by == bindparam("claimed_by"))
    return query


def _load(session: Session, ids: Sequence[int], *, claimed_by: str | None = None) -> list[Delivery]:
    """The deliveries `ids` with their items and the posts they announce, on SQLAlchemy
    Core: the rows are read once and become domain objects, so the ORM's identity map
    and instances were only cost (a claim's largest part, bench/RESULTS.md, issue 15)."""
    connection = session.connection()
    query = _load_query(claimed=claimed_by is not None)
    rows = connection.execute(query, {"ids": list(ids), "claimed_by": claimed_by}).all()
    if not rows:
        return []
    items = {
        row.id: _item(row)
        for row in connection.execute(_items_by_id(), {"ids": sorted({r.item_id for r in rows})})
    }
    wanted = sorted({r.waits_for_id for r in rows if r.waits_for_id is not None})
    parents = (
        {row.id: row for row in connection.execute(_parents_by_id(), {"ids": wanted})}
        if wanted
        else {}
    )
    return [
        _delivery(
            row,
            items[row.item_id],
            parents.get(row.waits_for_id) if row.waits_for_id is not None else None,
        )
        for row in rows
    ]


@functools.cache
def _items_by_id() -> Select[Any]:
    items = _table(ItemRow)
    return select(items).where(items.c.id.in_(bindparam("ids", expanding=True)))


@functools.cache
def _parents_by_id() -> Select[Any]:
    """What a delivery says of the post it announces (see to_delivery)."""
    deliveries = _table(DeliveryRow)
    columns = (deliveries.c[n] for n in ("id", "channel", "key", "remote_id", "remote_url"))
    return select(*columns).where(deliveries.c.id.in_(bindparam("ids", expanding=True)))


def _insert_deliveries(
    session: Session, plans: Sequence[tuple[int, Sequence[PlannedDelivery]]], now: datetime
) -> None:
    """The one way deliveries enter the ledger (add, import, an edit routing more channels):
    pending, due at their time, each announcement pointing at the post it announces.

    One multi-row INSERT (Core: the rows need no identity map), ids back in order. An
    announcement of a delivery outside `plans` is linked by the caller.
    """
    values = [delivery_row(item_id, p, now) for item_id, plan in plans for p in plan]
    if not values:
        return
    deliveries = _table(DeliveryRow)
    connection = session.connection()
    ids = iter(
        connection.execute(
            insert(deliveries).returning(deliveries.c.id, sort_by_parameter_order=True), values
        ).scalars()
    )
    links = announcement_links(plans, ids)
    if links:
        connection.execute(
            update(deliveries)
            .where(deliveries.c.id == bindparam("child"))
            .values(waits_for_id=bindparam("parent")),
            links,
        )


def _table(model: type[ItemRow] | type[DeliveryRow]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table
