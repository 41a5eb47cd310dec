"""One publisher: claim due deliveries, attempt each once, record what happened.

No APScheduler here: the daemon decides *when* to call `dispatch`, cron mode
calls `run_until_idle`. The ledger is the only state that matters; this object
holds only what is in flight right now.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from channels.base import Channel, ChannelError, PublishJob
from crosspost.clock import utcnow
from crosspost.config import Settings
from crosspost.domain import Delivery
from crosspost.errors import ConfigError, CrosspostError
from crosspost.i18n import _, ngettext
from crosspost.states import State
from crosspost.store import Store
from crosspost.wording import short_duration, state_name
from schedules import heap, spending
from schedules.log import EventLog
from schedules.pauses import Pauses
from schedules.reconciler import Reconciler, is_setup_problem, render, settling_delay
from schedules.retry import decide, describe

Clock = Callable[[], datetime]

#: Per-channel limit windows, by setting name.
LIMIT_WINDOWS = {"per_15min": timedelta(minutes=15), "per_day": timedelta(days=1)}


def new_worker_id(mode: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{mode}:{uuid.uuid4().hex[:6]}"


@dataclass
class Tally:
    """What one run did, for the exit status of `run --once` and the demo."""

    published: int = 0
    failed: int = 0
    unknown: int = 0
    retrying: int = 0
    skipped: int = 0
    deferred: int = 0
    #: Held back by a channel's monthly budget.
    held: int = 0
    #: Handed to the officer: the engine cannot settle them by itself.
    attention: int = 0
    by_channel: Counter[str] = field(default_factory=Counter)
    #: Channel -> the config or credential problem, found before sending, that paused it.
    config_problems: dict[str, str] = field(default_factory=dict)

    @property
    def troubled(self) -> bool:
        """Something failed, is unknown or waits for the officer (`run --once` exits 4)."""
        return bool(self.failed or self.unknown or self.skipped or self.attention)


class Publisher:
    """Claims, attempts and records deliveries on a bounded pool of threads."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        mode: str,
        log: EventLog,
        workers: int | None = None,
        clock: Clock = utcnow,
        on_idle_slot: Callable[[bool], None] | None = None,
        rng: random.Random | None = None,
        ahead: timedelta = timedelta(0),
        settle_heap: bool = False,
    ) -> None:
        self.settings = settings
        self.store = store
        self.log = log
        self.clock = clock
        self.worker_id = new_worker_id(mode)
        self.mode = mode
        self.size = workers or settings.publisher.workers
        #: Claim what falls due this much ahead; each thread then waits for its post's
        #: instant, so the claim's transaction and the hand-off to a thread are paid
        #: before the minute, not after it (the daemon; cron mode claims what is due).
        self.ahead = ahead
        #: Freeze what a channel's first publication loaded (its SDK): a daemon's.
        self.settle_heap = settle_heap
        self.tally = Tally()
        self.rng = rng or random.Random()
        self._pool = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="publish")
        self._in_flight: set[int] = set()
        #: The running attempts, to wait on (a slot freeing, the end of the grace period).
        self._futures: set[Future[bool]] = set()
        self._lock = threading.Lock()
        self._dispatch_lock = threading.Lock()
        self._stopping = threading.Event()
        #: Done when stop() is called: wakes whoever waits for a slot.
        self._stopped: Future[None] = Future()
        self._on_idle_slot = on_idle_slot
        self.pauses = Pauses(store, log, self.tally)
        self.reconciler = Reconciler(
            settings,
            store,
            log,
            clock=clock,
            tally=self.tally,
            pauses=self.pauses,
            stopping=self._stopping,
        )

    # ------------------------------------------------------------ claiming

    @property
    def in_flight(self) -> int:
        with self._lock:
            return len(self._in_flight)

    def free_slots(self) -> int:
        return 0 if self._stopping.is_set() else self.size - self.in_flight

    def dispatch(self, *, item_id: int | None = None) -> int:
        """Claim what is due, up to the free threads, and start publishing it."""
        with self._dispatch_lock:
            started = 0
            while not self._stopping.is_set():
                free = self.free_slots()
                if free <= 0:
                    break
                now = self.clock()
                claimed = self.store.claim_due(
                    self.worker_id,
                    now,
                    limit=free,
                    lease=self.settings.publisher.lease,
                    item_id=item_id,
                    ahead=self.ahead,
                )
                if not claimed:
                    break
                accepted = self._within_limits(claimed, now)
                for delivery in accepted:
                    with self._lock:
                        self._in_flight.add(delivery.id)
                        future = self._pool.submit(self._run_one, delivery)
                        self._futures.add(future)
                    future.add_done_callback(self._finished)
                    started += 1
                if not accepted:
                    break  # all deferred to later: nothing more to do now
                if len(claimed) < free:
                    # Fewer than asked: nothing else was due at `now`. Asking again
                    # would be one more (empty) write transaction per wake-up; what
                    # falls due next is for the re-armed wake (bench/RESULTS.md).
                    break
            return started

    def _within_limits(self, claimed: list[Delivery], now: datetime) -> list[Delivery]:
        """Defer (release with a later time) what would exceed a channel's posting limits."""
        accepted: list[Delivery] = []
        batch = [d.id for d in claimed]
        for channel, group in _by_channel(claimed).items():
            room, free_at = self._room(channel, now, batch)
            accepted.extend(group[:room])
            for delivery in group[room:]:
                assert free_at is not None
                if self.store.release(delivery.id, self.worker_id, now, next_attempt_at=free_at):
                    self.tally.deferred += 1
                    self.log.deferred(delivery, free_at)
        return accepted

    def _room(self, channel: str, now: datetime, batch: list[int]) -> tuple[int, datetime | None]:
        """How many more posts `channel` may take now, and when the next slot frees."""
        settings = self.settings.channels.get(channel)
        room = 1 << 30
        free_at: datetime | None = None
        if settings is None:
            return room, None
        for name, window in LIMIT_WINDOWS.items():
            limit = getattr(settings, name)
            if limit is None:
                continue
            used = self.store.count_published_since(channel, now - window, besides=batch)
            left = max(limit - used, 0)
            if left < room:
                room = left
                oldest = self.store.oldest_published_since(channel, now - window)
                free_at = (oldest + window) if oldest else now + window
                # Never "free now": that would claim and defer the same post in a loop.
                free_at = max(free_at, now + timedelta(seconds=1))
        return room, free_at

    def _finished(self, future: Future[bool]) -> None:
        with self._lock:
            self._futures.discard(future)
        if self._on_idle_slot is not None and not self._stopping.is_set():
            # Told whether the attempt may have changed what is due (see _run_one).
            self._on_idle_slot(future.exception() is not None or future.result())

    # ------------------------------------------------------------ one delivery

    def _run_one(self, delivery: Delivery) -> bool:
        """Attempt `delivery`; False only after a plain publication, which makes nothing
        due (no announcement, no retry, no claim given back): no need to look again."""
        try:
            return self._attempt(delivery)
        except Exception as error:  # our own bug or the database: never lose the delivery
            self.log.internal(delivery, error)
            # Before `sending` this releases the claim; after it, the lease expires and
            # the reaper makes it unknown, which is the honest state.
            self.store.release(delivery.id, self.worker_id, self.clock())
        finally:
            with self._lock:
                self._in_flight.discard(delivery.id)
        return True

    def _until_due(self, delivery: Delivery) -> bool:
        """Wait for the instant of a post claimed ahead; False if stopping meanwhile."""
        wait = ((delivery.next_attempt_at or delivery.due_at) - self.clock()).total_seconds()
        if wait <= 0:
            return True
        # Never longer than it was claimed ahead (a clock frozen in a test, or stepped).
        return not self._stopping.wait(min(wait, self.ahead.total_seconds()))

    def _attempt(self, delivery: Delivery) -> bool:
        """One attempt; whether it may have changed what is due (_run_one)."""
        now = self.clock()
        late_by = now - (delivery.next_attempt_at or delivery.due_at)
        if delivery.attempts == 0 and late_by > self.settings.max_lateness:
            message = _(
                "found {late} after its time (the limit is {limit}): not posted late without you"
            ).format(late=short_duration(late_by), limit=short_duration(self.settings.max_lateness))
            if self.store.skip_late(delivery.id, self.worker_id, now, message):
                self.tally.skipped += 1
                self.log.skipped(delivery, message)
            return True
        if delivery.channel in self.pauses:
            # Claimed in the same batch as the post that found the credentials expired.
            self.store.release(delivery.id, self.worker_id, now)
            return True
        try:
            channel = self.settings.adapter(delivery.channel)
            rendered = render(self.settings, channel, delivery)
            errors = [p.message for p in channel.validate(rendered) if p.level == "error"]
        except (ChannelError, CrosspostError) as error:
            if is_setup_problem(self.settings, delivery.channel, error):
                self._setup_problem(delivery, None, error)
                return True
            errors = [str(error)]
        if errors:
            message = "; ".join(errors)
            if self.store.fail_claimed(delivery.id, self.worker_id, now, message):
                self.tally.failed += 1
                self.log.failed(delivery, message)
            return True
        verdict = spending.reserve(self.store, self.settings, channel, delivery, rendered, now)
        if verdict is not None and not verdict.fits:
            message = verdict.hold_message(channel.label)
            if self.store.hold(delivery.id, self.worker_id, now, verdict.month.end, message):
                self.tally.held += 1
                self.log.held(delivery, message)
            return True
        # Committed before the post's instant when it was claimed ahead: the wait for
        # the ledger's write is then paid during the wait for the minute, not after it
        # (bench/RESULTS.md). Nothing is sent before it, as ever.
        attempt_id = self.store.start_attempt(delivery.id, self.worker_id, now)
        if attempt_id is None:
            self.store.release_spend([delivery.id])
            self.log.lost_claim(delivery)
            return True
        if not self._until_due(delivery):
            why = _("not sent: the publisher stopped before its time")
            self._give_back(delivery, attempt_id, why, reserved=verdict is not None)
            return True
        if delivery.channel in self.pauses:
            # A sibling post found the channel's credentials expired while this one waited.
            why = _("not sent: its channel was paused before its time")
            self._give_back(delivery, attempt_id, why, reserved=verdict is not None)
            return True
        parts = spending.PostedParts(self.store, delivery, self.worker_id, self.clock)
        job = PublishJob(
            delivery=delivery,
            rendered=rendered,
            idempotency_key=delivery.key,
            save_progress=lambda progress: self.store.save_progress(
                delivery.id, self.worker_id, progress
            ),
            charge=spending.charger(self.store, delivery, self.clock),
            save_posted=parts,
        )
        try:
            # An update (a job offer closed) rewrites the post it points to.
            send = channel.update if delivery.role == "update" else channel.publish
            receipt = send(job)
        except ConfigError as error:
            # Our own checks (secrets file, missing value) raise these, and they run
            # before the adapter sends anything: nothing is online, the post waits.
            parts.flush()
            self._setup_problem(delivery, attempt_id, error)
            if verdict is not None:
                self.store.release_spend([delivery.id])
            return True
        except Exception as error:
            parts.flush()  # what went out before the error is kept first
            state = self._record_error(delivery, attempt_id, error, channel)
            if verdict is not None and state is not State.UNKNOWN:
                # Known outcome: what X created was billed as it answered, the rest was not.
                self.store.release_spend([delivery.id])
            return True
        if self.settle_heap:
            heap.settle(f"sent on {type(channel).__name__}")
        done = self.clock()
        recorded = self.store.record_published(
            delivery.id,
            attempt_id,
            done,
            remote_id=receipt.remote_id,
            url=receipt.url,
            # The ledger's clock, so limits and reports compare like with like.
            published_at=done,
            dry_run=receipt.dry_run,
            detail=receipt.detail,
            # The last part's progress and charge, in the receipt's transaction.
            with_part=parts.held(),
        )
        if verdict is not None:
            # Each post was billed as X answered (the last with the receipt, just now):
            # what is left of the reservation goes.
            self.store.release_spend([delivery.id])
        if recorded:
            self.tally.published += 1
            self.tally.by_channel[delivery.channel] += 1
            self.log.published(delivery, receipt.url or receipt.remote_id, receipt.dry_run)
        # Its announcements may be due the moment it is out: _finished() looks again as
        # soon as this returns, with this thread's slot already free.
        return not recorded or recorded.announcements

    def _give_back(self, delivery: Delivery, attempt_id: int, why: str, *, reserved: bool) -> None:
        """An attempt begun ahead of its instant and not sent (`why`): the post is pending
        again, at its own time, and the try is not counted."""
        self.store.record_outcome(
            delivery.id,
            attempt_id,
            self.clock(),
            new_state=State.PENDING,
            outcome="not_sent",
            error_class=None,
            message=why,
            next_attempt_at=delivery.next_attempt_at or delivery.due_at,
            uncount=True,
        )
        if reserved:
            self.store.release_spend([delivery.id])

    def _setup_problem(self, delivery: Delivery, attempt_id: int | None, error: Exception) -> None:
        """Found before anything was sent: the post stays pending, its channel pauses."""
        now = self.clock()
        message = str(error)
        if attempt_id is None:
            self.store.release(delivery.id, self.worker_id, now)
        else:
            self.store.record_outcome(
                delivery.id,
                attempt_id,
                now,
                new_state=State.PENDING,
                outcome="not_sent",
                error_class=type(error).__name__,
                message=message,
                next_attempt_at=now,
                uncount=True,
            )
        self.pauses.setup_problem(delivery.channel, message, now)

    def _record_error(
        self, delivery: Delivery, attempt_id: int, error: Exception, channel: Channel
    ) -> State:
        """Record a failed attempt as retry.decide() says; the state it leaves."""
        now = self.clock()
        publisher = self.settings.publisher
        decision = decide(
            error,
            attempts=delivery.attempts + 1,
            max_attempts=publisher.max_attempts,
            now=now,
            base=publisher.retry_base,
            cap=publisher.retry_cap,
            settling=channel.settle,
            rng=self.rng,
        )
        message = describe(error)
        if decision.pause_channel:
            self.pauses.hold(delivery.channel)
        moved = self.store.record_outcome(
            delivery.id,
            attempt_id,
            now,
            new_state=decision.state,
            outcome=decision.outcome,
            error_class=type(error).__name__,
            message=message,
            next_attempt_at=decision.next_attempt_at,
            uncount=decision.uncount,
        )
        if decision.pause_channel:
            self.pauses.credentials_expired(delivery.channel, message, now)
        if not moved:
            return decision.state
        if decision.state is State.FAILED:
            self.tally.failed += 1
            self.log.failed(delivery, message)
        elif decision.state is State.UNKNOWN:
            self.tally.unknown += 1
            self.log.unknown(delivery, message)
        elif not decision.pause_channel:
            self.tally.retrying += 1
            assert decision.next_attempt_at is not None
            self.log.retrying(delivery, decision.next_attempt_at, message)
        return decision.state

    # ------------------------------------------------------------ housekeeping

    def reap(self) -> None:
        with self._lock:
            alive = set(self._in_flight)
        released, unknown = self.store.reap_expired(
            self.clock(),
            alive=alive,
            settle={name: settling_delay(self.settings, name) for name in self.settings.channels},
            default_settle=Channel.settling_delay,
        )
        self.tally.unknown += unknown
        if released or unknown:
            self.log.reaped(released, unknown)

    def reconcile(self) -> int:
        """Settle `unknown` deliveries by asking each platform whether the post exists."""
        return self.reconciler.run()

    def resume_paused_channels(self) -> None:
        """Credentials renewed? A successful check resumes the channel, nothing to re-queue."""
        for pause in self.store.paused_channels():
            try:
                result = self.settings.adapter(pause.channel).check()
            except Exception as error:
                self.log.still_paused(pause.channel, describe(error))
                continue
            if result.ok and self.store.resume_channel(pause.channel, self.clock()):
                self.pauses.resumed(pause.channel)
                self.log.resumed(pause.channel)

    def heartbeat(self) -> None:
        now = self.clock()
        self.store.heartbeat(self.worker_id, now)
        self.store.extend_leases(self.worker_id, now + self.settings.publisher.lease)

    # ------------------------------------------------------------ life cycle

    def start(self) -> None:
        self.store.register_worker(self.worker_id, self.mode, self.clock())

    def stop(self, grace: timedelta | None = None) -> None:
        """Stop claiming, let in-flight calls finish (bounded), give back the rest."""
        self._stopping.set()
        if not self._stopped.done():
            self._stopped.set_result(None)
        with self._lock:
            running = set(self._futures)
        wait(running, timeout=(grace or self.settings.publisher.shutdown_grace).total_seconds())
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self.in_flight:
            self.log.abandoned(self.in_flight)
        try:
            self.store.unregister_worker(self.worker_id)
        except Exception as error:  # the database may be what is failing
            self.log.warning(_("could not unregister this publisher: {error}").format(error=error))

    def close_deadlines(self) -> int:
        """Job offers past their deadline: nothing more of them goes out, blogs say closed."""
        from crosspost.sequences.notices import closing_notices

        now = self.clock()
        closed = self.store.close_expired(now, closing_notices(self.settings, now))
        for item_id, changes in closed:
            moved = ", ".join(f"{c.channel} {state_name(c.new_state or '')}" for c in changes)
            self.log.info(
                _("item {id}: deadline passed, {changes}").format(
                    id=item_id, changes=moved or _("nothing pending")
                )
            )
        return len(closed)

    def extend_series(self) -> int:
        """Recurring events: queue the dates that came within the horizon."""
        from crosspost.sequences.series import extend_series

        made = extend_series(self.settings, self.store, self.clock())
        if made:
            self.log.info(
                ngettext(
                    "recurring events: {count} more date queued",
                    "recurring events: {count} more dates queued",
                    made,
                ).format(count=made)
            )
        return made

    def housekeeping(self) -> None:
        """What time alone changes: deadlines passed, recurring dates come within reach."""
        self.close_deadlines()
        self.extend_series()

    def run_until_idle(self, *, item_id: int | None = None) -> Tally:
        """Cron mode: publish everything due now (and what becomes due meanwhile), then stop."""
        self.reap()
        self.reconcile()
        self.housekeeping()
        while not self._stopping.is_set():
            started = self.dispatch(item_id=item_id)
            if started == 0 and self.in_flight == 0:
                break
            self._wait_for_a_slot()
        return self.tally

    def _wait_for_a_slot(self) -> None:
        """Until one of the running attempts ends (or stop() is called)."""
        with self._lock:
            running: set[Future[Any]] = {f for f in self._futures if not f.done()}
        if running:
            wait(running | {self._stopped}, return_when=FIRST_COMPLETED)


def _by_channel(deliveries: list[Delivery]) -> dict[str, list[Delivery]]:
    groups: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        groups.setdefault(delivery.channel, []).append(delivery)
    return groups
