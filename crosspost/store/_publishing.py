"""The publisher's side of the ledger: claim, attempt, record, release, reap, reconcile.

The order of writes is what makes "exactly once" hold across crashes:
1. claim (pending -> claimed, with a lease) in one atomic statement;
2. commit `sending` and an attempt row BEFORE calling the platform;
3. commit the receipt or the classified error AFTER the call.
A crash between 2 and 3 leaves `sending` with an expired lease: the reaper
turns it into `unknown`, never back into `pending`, so it is not resent blindly.
"""

from __future__ import annotations

import functools
import socket
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    String,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from crosspost.clock import utcnow
from crosspost.domain import Delivery
from crosspost.models import AttemptRow, ChannelStateRow, DeliveryRow, UTCDateTime, WorkerRow
from crosspost.redact import redact, redact_optional
from crosspost.states import IN_FLIGHT, State
from crosspost.store._core import (
    StoreBase,
    _load,
    _move,
    _not_paused,
    _parent_published,
    _schedule_announcements,
    transition,
)

# ---------------------------------------------------------------- the publication path
# Every delivery runs the statements below. Building one (and its cache key) cost
# more than running it on SQLite, so they are built once, with bind parameters, and
# run on the session's connection, which also skips the ORM's per-statement set-up.
# The SQL is the same as before; the profile and figures are in bench/RESULTS.md.


@functools.cache
def _claim_candidates(*, for_update: bool, by_item: bool) -> Select[int]:
    query = (
        select(DeliveryRow.id)
        .where(
            DeliveryRow.state == State.PENDING,
            DeliveryRow.next_attempt_at <= bindparam("now"),
            _parent_published(),
            _not_paused(),
        )
        .order_by(DeliveryRow.next_attempt_at, DeliveryRow.id)
        .limit(bindparam("limit"))
    )
    if by_item:
        query = query.where(DeliveryRow.item_id == bindparam("item_id"))
    if for_update:
        query = query.with_for_update(skip_locked=True)
    return query


_CLAIM = transition(
    State.PENDING,
    State.CLAIMED,
    DeliveryRow.id.in_(bindparam("ids", expanding=True)),
    claimed_by=bindparam("worker"),
    lease_until=bindparam("lease_until"),
    updated_at=bindparam("now"),
)


_TO_SENDING = transition(
    State.CLAIMED,
    State.SENDING,
    DeliveryRow.id == bindparam("delivery_id"),
    DeliveryRow.claimed_by == bindparam("worker"),
    attempts=DeliveryRow.attempts + 1,
    updated_at=bindparam("now"),
)
_START_SENDING = _TO_SENDING.returning(DeliveryRow.attempts)
_NEW_ATTEMPT = (
    insert(AttemptRow)
    .values(
        delivery_id=bindparam("delivery_id"),
        number=bindparam("number"),
        worker=bindparam("worker"),
        started_at=bindparam("now"),
    )
    .returning(AttemptRow.id)
)
_SAVE_PROGRESS = (
    update(DeliveryRow)
    .where(
        DeliveryRow.id == bindparam("delivery_id"), DeliveryRow.claimed_by == bindparam("worker")
    )
    .values(progress=bindparam("progress"))
)
_SAVE_PROGRESS_UNKNOWN = (
    update(DeliveryRow)
    .where(DeliveryRow.id == bindparam("delivery_id"), DeliveryRow.state == State.UNKNOWN)
    .values(progress=bindparam("progress"))
)
_PUBLISHED = transition(
    State.SENDING,
    State.PUBLISHED,
    DeliveryRow.id == bindparam("delivery_id"),
    updated_at=bindparam("updated_at"),
    remote_id=bindparam("remote_id"),
    remote_url=bindparam("remote_url"),
    published_at=bindparam("published_at"),
    dry_run=bindparam("dry_run"),
    last_error=None,
    lease_until=None,
    next_attempt_at=None,
)
_END_ATTEMPT = (
    update(AttemptRow)
    .where(AttemptRow.id == bindparam("attempt_id"))
    .values(
        ended_at=bindparam("now"),
        outcome=bindparam("outcome"),
        error_class=bindparam("error_class"),
        error_message=bindparam("message"),
        detail=bindparam("detail"),
    )
)
_HAS_PENDING_ANNOUNCEMENTS = (
    select(DeliveryRow.id)
    .where(
        DeliveryRow.waits_for_id == bindparam("delivery_id"),
        DeliveryRow.state == State.PENDING,
    )
    .limit(1)
)


# PostgreSQL runs each write of the publication path as one statement (data-modifying
# CTEs, which SQLite lacks): its writes go through the one group-commit thread, whose
# every round trip to the server waits for the GIL again among 32 publishing threads,
# so statements, not rows, were its ceiling (bench/RESULTS.md, issue 15). Same rows,
# same conditions as the statements above; PostgreSQL runs a data-modifying CTE to
# completion whether or not the main query reads it. Their parameters are named after
# no column ("p_..."): an UPDATE given a parameter named like one of its table's
# columns would also SET that column.
_STARTED = (
    transition(
        State.CLAIMED,
        State.SENDING,
        DeliveryRow.id == bindparam("p_delivery"),
        DeliveryRow.claimed_by == bindparam("p_worker"),
        attempts=DeliveryRow.attempts + 1,
        updated_at=bindparam("p_now", type_=UTCDateTime()),
    )
    .returning(DeliveryRow.id, DeliveryRow.attempts)
    .cte("started")
)
_START_ATTEMPT_IN_ONE = (
    insert(AttemptRow)
    .from_select(
        ["delivery_id", "number", "worker", "started_at", "outcome"],
        select(
            _STARTED.c.id,
            _STARTED.c.attempts,
            bindparam("p_worker", type_=String()),
            bindparam("p_now", type_=UTCDateTime()),
            literal("sending", String()),
        ),
    )
    .returning(AttemptRow.id)
    .add_cte(_STARTED)
)
_PUBLISHED_ROW = (
    transition(
        State.SENDING,
        State.PUBLISHED,
        DeliveryRow.id == bindparam("p_delivery"),
        updated_at=bindparam("p_updated_at", type_=UTCDateTime()),
        remote_id=bindparam("p_remote_id"),
        remote_url=bindparam("p_remote_url"),
        published_at=bindparam("p_published_at", type_=UTCDateTime()),
        dry_run=bindparam("p_dry_run"),
        last_error=None,
        lease_until=None,
        next_attempt_at=None,
    )
    .returning(DeliveryRow.id)
    .cte("published_row")
)
_PUBLISHED_ATTEMPT = (
    update(AttemptRow)
    .where(AttemptRow.id == bindparam("p_attempt"))
    .values(
        ended_at=bindparam("p_now", type_=UTCDateTime()),
        outcome="published",
        detail=bindparam("p_detail", type_=AttemptRow.__table__.c.detail.type),
    )
    .cte("published_attempt")
)
_RECORD_PUBLISHED_IN_ONE = select(
    select(func.count()).select_from(_PUBLISHED_ROW).scalar_subquery(),
    exists().where(
        DeliveryRow.waits_for_id == bindparam("p_delivery"),
        DeliveryRow.state == State.PENDING,
    ),
).add_cte(_PUBLISHED_ATTEMPT)


def _end_attempt(
    connection: Connection,
    attempt_id: int,
    now: datetime,
    outcome: str,
    error_class: str | None,
    message: str | None,
    detail: dict[str, Any] | None,
) -> None:
    connection.execute(
        _END_ATTEMPT,
        {
            "attempt_id": attempt_id,
            "now": now,
            "outcome": outcome,
            "error_class": error_class,
            "message": redact_optional(message),
            "detail": detail,
        },
    )


@dataclass(frozen=True)
class Recorded:
    """What recording a receipt did: true if the delivery moved to published."""

    moved: bool
    #: Announcements of this post were waiting for it: they are due from now on.
    announcements: bool = False

    def __bool__(self) -> bool:
        return self.moved


class PublishingMixin(StoreBase):
    """What the engine does to deliveries, each step its own committed transaction."""

    # ------------------------------------------------------------ looking

    # ------------------------------------------------------------ claiming

    def claim_due(
        self,
        worker: str,
        now: datetime,
        *,
        limit: int,
        lease: timedelta,
        item_id: int | None = None,
        exclude_channels: Sequence[str] = (),
        ahead: timedelta = timedelta(0),
    ) -> list[Delivery]:
        """Lease up to `limit` deliveries due by `now + ahead` for `worker`, atomically.

        PostgreSQL: FOR UPDATE SKIP LOCKED, so daemons never wait on each other.
        SQLite: BEGIN IMMEDIATE serialises claimers; the UPDATE re-checks the state.
        `ahead`: the daemon claims a little early and its threads wait for each post's
        instant (a claim is only a lease: nothing is sent before `start_attempt`).
        """
        if limit <= 0:
            return []
        with self._session() as session:
            candidates = _claim_candidates(
                for_update=not self.is_sqlite, by_item=item_id is not None
            )
            if exclude_channels:
                candidates = candidates.where(DeliveryRow.channel.not_in(exclude_channels))
            connection = session.connection()
            found = connection.execute(
                candidates, {"now": now + ahead, "limit": limit, "item_id": item_id}
            )
            ids = list(found.scalars())
            if not ids:
                return []
            connection.execute(
                _CLAIM, {"ids": ids, "worker": worker, "lease_until": now + lease, "now": now}
            )
            return _load(session, ids, claimed_by=worker)

    # ------------------------------------------------------------ one attempt

    def start_attempt(self, delivery_id: int, worker: str, now: datetime) -> int | None:
        """claimed -> sending and a new attempt row, committed before any network call.

        Returns the attempt id, or None if this worker no longer holds the claim.
        """
        params: dict[str, Any] = {"delivery_id": delivery_id, "worker": worker, "now": now}

        if not self.is_sqlite:
            one = {"p_delivery": delivery_id, "p_worker": worker, "p_now": now}
            return self._grouped(
                lambda connection: connection.execute(_START_ATTEMPT_IN_ONE, one).scalar()
            )

        def write(connection: Connection) -> int | None:
            number = connection.execute(_START_SENDING, params).scalar()
            if number is None:
                return None
            return int(connection.execute(_NEW_ATTEMPT, params | {"number": number}).scalar_one())

        # Returns once committed: nothing is sent before `sending` is durable.
        return self._grouped(write)

    def save_progress(self, delivery_id: int, worker: str | None, progress: dict[str, Any]) -> None:
        """Resume state (e.g. thread parts posted), committed at once.

        `worker` None is the reconciler, which may record parts it found on the
        platform for a delivery whose outcome is unknown.
        """
        self._grouped(self._progress_write(delivery_id, worker, progress))

    def _progress_write(
        self, delivery_id: int, worker: str | None, progress: dict[str, Any]
    ) -> Callable[[Connection], None]:
        """save_progress's statement, to run in a group commit (alone or with others)."""
        statement = _SAVE_PROGRESS if worker is not None else _SAVE_PROGRESS_UNKNOWN
        params = {"delivery_id": delivery_id, "worker": worker, "progress": progress}

        def write(connection: Connection) -> None:
            connection.execute(statement, params)

        return write

    def record_published(
        self,
        delivery_id: int,
        attempt_id: int,
        now: datetime,
        *,
        remote_id: str,
        url: str | None,
        published_at: datetime,
        dry_run: bool,
        detail: dict[str, Any] | None,
        with_part: Callable[[Connection], None] | None = None,
    ) -> Recorded:
        """sending -> published with the receipt, and the attempt ended.

        `with_part`: the last part's progress and charge (Store.posted_write), in this
        same transaction: one wait for a commit fewer per post. Should the process die
        before it commits, the post is found again on the platform as after a lost
        answer (the delivery goes unknown, the reconciler looks), as ever since then.
        """
        values = {
            "delivery_id": delivery_id,
            "updated_at": utcnow(),
            "remote_id": remote_id,
            "remote_url": url,
            "published_at": published_at,
            "dry_run": dry_run,
        }

        def write(connection: Connection) -> Recorded:
            if with_part is not None:
                with_part(connection)
            if self.is_sqlite:
                moved = connection.execute(_PUBLISHED, values).rowcount == 1
                _end_attempt(connection, attempt_id, now, "published", None, None, detail)
                waiting = connection.execute(
                    _HAS_PENDING_ANNOUNCEMENTS, {"delivery_id": delivery_id}
                )
                announced = moved and waiting.first() is not None
            else:
                one = {f"p_{key}": value for key, value in values.items()}
                one |= {"p_delivery": delivery_id, "p_attempt": attempt_id}
                one |= {"p_now": now, "p_detail": detail}
                count, waits = connection.execute(_RECORD_PUBLISHED_IN_ONE, one).one()
                moved = count == 1
                announced = moved and bool(waits)
            if announced:
                # Rare (an announced post): the ORM, in this same transaction.
                with Session(connection, expire_on_commit=False) as session:
                    parent = session.get(DeliveryRow, delivery_id)
                    assert parent is not None
                    # Our clock, not the platform's: announcements are timed by this ledger.
                    _schedule_announcements(session, parent, now)
                    session.flush()
            return Recorded(moved, announced)

        return self._grouped(write)

    def record_outcome(
        self,
        delivery_id: int,
        attempt_id: int,
        now: datetime,
        *,
        new_state: State,
        outcome: str,
        error_class: str | None,
        message: str,
        next_attempt_at: datetime | None = None,
        uncount: bool = False,
    ) -> bool:
        """sending -> pending / failed / unknown, with the reason kept on both rows."""
        values: dict[str, Any] = {
            "last_error": message,
            "next_attempt_at": next_attempt_at,
            "lease_until": None,
        }
        if new_state is State.PENDING:
            values["claimed_by"] = None
        if uncount:
            # Waiting for a rate limit or renewed credentials is not a failed try.
            values["attempts"] = DeliveryRow.attempts - 1
        with self._session() as session:
            moved = _move(session, delivery_id, State.SENDING, new_state, **values) == 1
            _end_attempt(session.connection(), attempt_id, now, outcome, error_class, message, None)
            return moved

    def fail_claimed(self, delivery_id: int, worker: str, now: datetime, message: str) -> bool:
        """A claimed delivery that cannot even be attempted (e.g. its channel vanished)."""
        attempt_id = self.start_attempt(delivery_id, worker, now)
        if attempt_id is None:
            return False
        return self.record_outcome(
            delivery_id,
            attempt_id,
            now,
            new_state=State.FAILED,
            outcome="permanent",
            error_class="Permanent",
            message=message,
        )

    def release(
        self, delivery_id: int, worker: str, now: datetime, next_attempt_at: datetime | None = None
    ) -> bool:
        """Give a claim back untouched (shutdown, channel limit reached): claimed -> pending."""
        values: dict[str, Any] = {}
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        return self._leave_claim(delivery_id, worker, now, State.PENDING, **values)

    def hold(
        self, delivery_id: int, worker: str, now: datetime, until: datetime, message: str
    ) -> bool:
        """Give a claim back to wait until `until`, saying why (the month's budget)."""
        return self._leave_claim(
            delivery_id, worker, now, State.PENDING, next_attempt_at=until, last_error=message
        )

    def skip_late(self, delivery_id: int, worker: str, now: datetime, message: str) -> bool:
        return self._leave_claim(
            delivery_id, worker, now, State.SKIPPED_LATE, next_attempt_at=None, last_error=message
        )

    def _leave_claim(
        self, delivery_id: int, worker: str, now: datetime, new: State, **values: Any
    ) -> bool:
        """claimed -> `new`, only if `worker` still holds the claim."""
        held = and_(DeliveryRow.id == delivery_id, DeliveryRow.claimed_by == worker)
        with self._session() as session:
            moved = _move(
                session, held, State.CLAIMED, new,
                claimed_by=None, lease_until=None, updated_at=now, **values,
            )  # fmt: skip
            return moved == 1

    def extend_leases(self, worker: str, until: datetime) -> int:
        """The heartbeat: keep this worker's in-flight claims alive.

        On PostgreSQL it never waits for a row another transaction of ours is writing:
        the group writer's commit (start_attempt, record_published...) locks several
        deliveries in its own order, and a heartbeat locking the same rows in another
        order deadlocked with it. PostgreSQL broke the tie only after its deadlock_timeout,
        1 s in which no post could start (a whole burst then ran a second late;
        bench/RESULTS.md). A row skipped is being moved by its publication, whose lease
        still has minutes to run; the next heartbeat extends it if it is still in flight.
        """
        mine = and_(DeliveryRow.claimed_by == worker, DeliveryRow.state.in_(sorted(IN_FLIGHT)))
        if not self.is_sqlite:  # SQLite has one writer at a time: nothing to skip
            free = (
                select(DeliveryRow.id)
                .where(mine)
                .order_by(DeliveryRow.id)
                .with_for_update(skip_locked=True)
            )
            mine = DeliveryRow.id.in_(free)
        with self._session() as session:
            result = session.execute(update(DeliveryRow).where(mine).values(lease_until=until))
            return int(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------ after a crash

    def reap_expired(
        self,
        now: datetime,
        *,
        alive: Collection[int] = (),
        settle: Mapping[str, timedelta] | None = None,
        default_settle: timedelta = timedelta(0),
    ) -> tuple[int, int]:
        """Expired leases: claimed -> pending (nothing was sent); sending -> unknown.

        `alive`: deliveries the caller itself has in flight. Their lease may have run
        out (a heartbeat delayed by a busy machine) but their attempt is still under
        way here; taking them back would let a second attempt start beside it.
        `settle`: each channel's settling delay (`default_settle` for others). An
        interrupted send is a lost answer: the post may still appear that long
        after the publisher died, and a lookup before then would find nothing and
        send it again. The death is only known to have happened before `now`, so
        the delay counts from here.
        Returns (released, made unknown).
        """
        keep = DeliveryRow.id.not_in(list(alive) or [-1])
        with self._session() as session:
            released = _move(
                session,
                and_(DeliveryRow.lease_until < now, keep),
                State.CLAIMED,
                State.PENDING,
                claimed_by=None,
                lease_until=None,
                updated_at=now,
            )
            stale = session.execute(
                select(DeliveryRow.id, DeliveryRow.channel).where(
                    DeliveryRow.state == State.SENDING,
                    DeliveryRow.lease_until < now,
                    keep,
                )
            ).all()
            delays = settle or {}
            for delivery_id, channel in stale:
                _move(
                    session,
                    delivery_id,
                    State.SENDING,
                    State.UNKNOWN,
                    lease_until=None,
                    next_attempt_at=now + delays.get(channel, default_settle),
                    last_error="the publisher stopped while sending (crash or kill); "
                    "the post may or may not be online",
                )
                session.execute(
                    update(AttemptRow)
                    .where(AttemptRow.delivery_id == delivery_id, AttemptRow.ended_at.is_(None))
                    .values(ended_at=now, outcome="crashed", error_class="Ambiguous")
                )
            return released, len(stale)

    def reconcile_found(
        self, delivery_id: int, now: datetime, *, remote_id: str, url: str | None,
        published_at: datetime,
    ) -> bool:  # fmt: skip
        with self._session() as session:
            moved = (
                _move(
                    session,
                    delivery_id,
                    State.UNKNOWN,
                    State.PUBLISHED,
                    remote_id=remote_id,
                    remote_url=url,
                    published_at=published_at,
                    last_error=None,
                    next_attempt_at=None,
                    claimed_by=None,
                )
                == 1
            )
            if moved:
                parent = session.get(DeliveryRow, delivery_id)
                assert parent is not None
                _schedule_announcements(session, parent, now)
            return moved

    def reconcile_absent(self, delivery_id: int, now: datetime, message: str) -> bool:
        """Not on the platform after the settling delay: safe to try again."""
        with self._session() as session:
            moved = _move(
                session,
                delivery_id,
                State.UNKNOWN,
                State.PENDING,
                next_attempt_at=now,
                claimed_by=None,
                last_error=message,
            )
            return moved == 1

    def reconcile_later(self, delivery_id: int, when: datetime | None, message: str) -> bool:
        """Keep it unknown; look again at `when` (None: the officer must decide)."""
        with self._session() as session:
            result = session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.state == State.UNKNOWN)
                .values(next_attempt_at=when, last_error=redact(message))
            )
            return bool(getattr(result, "rowcount", 0) == 1)

    # ------------------------------------------------------------ channels

    def pause_channel(self, channel: str, reason: str, now: datetime) -> None:
        """Pause `channel` (an upsert: several threads may find the same expired token)."""
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        insert = sqlite_insert if self.is_sqlite else pg_insert
        reason = redact(reason)
        statement = insert(ChannelStateRow).values(
            channel=channel, paused_reason=reason, paused_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=[ChannelStateRow.channel],
            set_={
                "paused_reason": reason,
                "paused_at": func.coalesce(ChannelStateRow.paused_at, now),
            },
        )
        with self._session() as session:
            session.execute(statement)

    def resume_channel(self, channel: str, now: datetime) -> bool:
        with self._session() as session:
            row = session.get(ChannelStateRow, channel)
            was_paused = row is not None and row.paused_reason is not None
            if row is None:
                session.add(ChannelStateRow(channel=channel, checked_at=now))
            else:
                row.paused_reason = None
                row.paused_at = None
                row.checked_at = now
            return was_paused

    # ------------------------------------------------------------ workers

    def register_worker(self, worker: str, mode: str, now: datetime) -> None:
        import os

        with self._session() as session:
            session.merge(
                WorkerRow(
                    id=worker,
                    mode=mode,
                    hostname=socket.gethostname(),
                    pid=os.getpid(),
                    started_at=now,
                    heartbeat_at=now,
                )
            )

    def heartbeat(self, worker: str, now: datetime) -> None:
        with self._session() as session:
            session.execute(
                update(WorkerRow).where(WorkerRow.id == worker).values(heartbeat_at=now)
            )

    def unregister_worker(self, worker: str) -> None:
        with self._session() as session:
            session.execute(delete(WorkerRow).where(WorkerRow.id == worker))

    def forget_workers_silent_since(self, before: datetime) -> int:
        with self._session() as session:
            result = session.execute(delete(WorkerRow).where(WorkerRow.heartbeat_at < before))
            return int(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------ status
