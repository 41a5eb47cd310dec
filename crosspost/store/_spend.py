"""What paying channels spent: the month's total, reservations before a send, the bill.

A budget check and the reservation of the post's cost happen in one writing
transaction, so two publishers (threads, or daemons on PostgreSQL) cannot both see
room for the last post: SQLite serialises writers (BEGIN IMMEDIATE); on PostgreSQL
the channel's row of channel_states is locked first (SELECT ... FOR UPDATE).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from crosspost.budget import HELD_PREFIX, Month, Verdict, from_micros, judge, to_micros
from crosspost.clock import utcnow
from crosspost.models import ChannelStateRow, SpendRow, UTCDateTime
from crosspost.store._core import StoreBase

RESERVED = "reserved"

# Every X post is billed as it is answered: these run once per publication, so they
# are built once and run on a bare connection (bench/RESULTS.md, issue 15).
_RESERVATION = (
    select(SpendRow.id, SpendRow.micros)
    .where(SpendRow.delivery_id == bindparam("delivery_id"), SpendRow.what == RESERVED)
    .limit(1)
)
_DROP_RESERVATION = delete(SpendRow).where(SpendRow.id == bindparam("spend_id"))
_SHRINK_RESERVATION = (
    update(SpendRow)
    .where(SpendRow.id == bindparam("spend_id"))
    .values(micros=SpendRow.micros - bindparam("drawn"))
)
_NEW_SPEND = insert(SpendRow).values(
    channel=bindparam("channel"),
    delivery_id=bindparam("delivery_id"),
    at=bindparam("at"),
    what=bindparam("what"),
    units=bindparam("units"),
    micros=bindparam("micros"),
)

# PostgreSQL: a post's charge in one statement, drawn from its reservation in the same
# one (see _publishing.py on why statements count there, and why "p_" parameters).
_HELD = (
    select(SpendRow.id, SpendRow.micros)
    .where(SpendRow.delivery_id == bindparam("p_delivery"), SpendRow.what == RESERVED)
    .limit(1)
    .cte("held")
)
_SPEND_DRAWING_IN_ONE = (
    insert(SpendRow)
    .values(
        channel=bindparam("p_channel"),
        delivery_id=bindparam("p_delivery"),
        at=bindparam("p_at", type_=UTCDateTime()),
        what=bindparam("p_what"),
        units=bindparam("p_units"),
        micros=bindparam("p_micros"),
    )
    .add_cte(_HELD)
    .add_cte(
        delete(SpendRow)
        .where(SpendRow.id.in_(select(_HELD.c.id).where(_HELD.c.micros <= bindparam("p_micros"))))
        .cte("dropped")
    )
    .add_cte(
        update(SpendRow)
        .where(SpendRow.id.in_(select(_HELD.c.id).where(_HELD.c.micros > bindparam("p_micros"))))
        .values(micros=SpendRow.micros - bindparam("p_micros"))
        .cte("shrunk")
    )
)


class SpendMixin(StoreBase):
    def reserve_spend(
        self,
        channel: str,
        delivery_id: int,
        cost: Decimal,
        budget: Decimal,
        month: Month,
        *,
        now: datetime | None = None,
    ) -> Verdict:
        """Reserve `cost` for `delivery_id` if the month's spend leaves room for it."""
        with self._session() as session:
            self._lock_channel(session, channel)
            # A resend of the same delivery replaces its own earlier reservation.
            session.execute(
                delete(SpendRow).where(
                    SpendRow.delivery_id == delivery_id, SpendRow.what == RESERVED
                )
            )
            spent = self._month_micros(session, channel, month)
            verdict = judge(cost, from_micros(spent), budget, month)
            if verdict.fits:
                session.add(
                    SpendRow(
                        channel=channel,
                        delivery_id=delivery_id,
                        at=now or utcnow(),
                        what=RESERVED,
                        units=1,
                        micros=to_micros(cost),
                    )
                )
            return verdict

    def record_spend(
        self,
        channel: str,
        delivery_id: int | None,
        what: str,
        units: int,
        amount: Decimal,
        *,
        at: datetime | None = None,
    ) -> None:
        """What the platform charged for a request it answered (a post it created, posts
        read back). A post's charge comes out of its delivery's reservation, so that it is
        never counted twice; what is left of the reservation is settled once the send's
        outcome is known."""
        self._grouped(self._spend_write(channel, delivery_id, what, units, amount, at=at))

    def _spend_write(
        self,
        channel: str,
        delivery_id: int | None,
        what: str,
        units: int,
        amount: Decimal,
        *,
        at: datetime | None = None,
    ) -> Callable[[Connection], None]:
        """record_spend's statements, to run in a group commit (alone or with others)."""
        micros = to_micros(amount)
        values = {
            "channel": channel,
            "delivery_id": delivery_id,
            "at": at or utcnow(),
            "what": what,
            "units": units,
            "micros": micros,
        }

        def write(connection: Connection) -> None:
            drawing = delivery_id is not None and what != "read"
            if drawing and not self.is_sqlite:
                one = {f"p_{key}": value for key, value in values.items()}
                one["p_delivery"] = delivery_id
                connection.execute(_SPEND_DRAWING_IN_ONE, one)
                return
            if drawing:
                assert delivery_id is not None
                _draw_on_reservation(connection, delivery_id, micros)
            connection.execute(_NEW_SPEND, values)

        return write

    def confirm_spend(self, delivery_id: int) -> None:
        """A lost answer's post was found: its reservation becomes what it cost."""
        with self._session() as session:
            session.execute(
                update(SpendRow)
                .where(SpendRow.delivery_id == delivery_id, SpendRow.what == RESERVED)
                .values(what="post (answer lost)")
            )

    def release_spend(self, delivery_ids: Iterable[int]) -> None:
        """Drop the reservations of sends whose outcome is known: what they created was
        charged as it happened (record_spend), and the rest was never created."""
        ids = list(delivery_ids)
        if not ids:
            return
        with self._session() as session:
            session.execute(
                delete(SpendRow).where(SpendRow.delivery_id.in_(ids), SpendRow.what == RESERVED)
            )

    def month_spend(
        self, month: Month, channels: Iterable[str] | None = None
    ) -> dict[str, Decimal]:
        """Each channel's spend in `month` (reservations included: they may be out)."""
        query = (
            select(SpendRow.channel, func.sum(SpendRow.micros))
            .where(SpendRow.at >= month.start, SpendRow.at < month.end)
            .group_by(SpendRow.channel)
        )
        if channels is not None:
            query = query.where(SpendRow.channel.in_(list(channels)))
        with self._read() as session:
            return {name: from_micros(int(total or 0)) for name, total in session.execute(query)}

    def spend_lines(self, month: Month, channel: str) -> dict[str, tuple[int, Decimal]]:
        """The month's bill of one channel by kind of charge: units and amount."""
        query = (
            select(SpendRow.what, func.sum(SpendRow.units), func.sum(SpendRow.micros))
            .where(SpendRow.channel == channel, SpendRow.at >= month.start, SpendRow.at < month.end)
            .group_by(SpendRow.what)
        )
        with self._read() as session:
            return {
                what: (int(units or 0), from_micros(int(micros or 0)))
                for what, units, micros in session.execute(query)
            }

    # ------------------------------------------------------------ helpers

    def _month_micros(self, session: Session, channel: str, month: Month) -> int:
        total = session.execute(
            select(func.coalesce(func.sum(SpendRow.micros), 0)).where(
                SpendRow.channel == channel, SpendRow.at >= month.start, SpendRow.at < month.end
            )
        ).scalar_one()
        return int(total)

    def _lock_channel(self, session: Session, channel: str) -> None:
        """Serialise budget checks of one channel across processes (PostgreSQL)."""
        if self.is_sqlite:
            return  # BEGIN IMMEDIATE already holds the database's write lock
        # Here, not at the top: every command imports the store, few need this dialect.
        from sqlalchemy.dialects import postgresql

        session.execute(
            postgresql.insert(ChannelStateRow)
            .values(channel=channel)
            .on_conflict_do_nothing(index_elements=["channel"])
        )
        session.execute(
            select(ChannelStateRow.channel)
            .where(ChannelStateRow.channel == channel)
            .with_for_update()
        )

    def held_for_budget(self, channel: str) -> int:
        """How many of `channel`'s posts wait for the next month's budget."""
        from crosspost.models import DeliveryRow
        from crosspost.states import State

        query = select(func.count()).where(
            DeliveryRow.channel == channel,
            DeliveryRow.state == State.PENDING,
            DeliveryRow.last_error.like(f"{HELD_PREFIX}%"),
        )
        with self._read() as session:
            return int(session.execute(query).scalar_one())


def _draw_on_reservation(connection: Connection, delivery_id: int, micros: int) -> None:
    reserved = connection.execute(_RESERVATION, {"delivery_id": delivery_id}).first()
    if reserved is None:
        return
    spend_id, held = reserved
    if held <= micros:
        connection.execute(_DROP_RESERVATION, {"spend_id": spend_id})
    else:
        connection.execute(_SHRINK_RESERVATION, {"spend_id": spend_id, "drawn": micros})
