"""The long-running publisher: APScheduler decides when to look, the ledger decides what.

Jobs (APScheduler 3, in-memory job store, nothing in it that matters):
- wake:        a date job re-armed for the exact due time of the next delivery;
- watch:       every second, an indexed look at that next due time, so a delivery
               queued from another terminal re-arms `wake` at once;
- sweep:       the safety net, every `publisher.sweep`;
- reaper:      expired leases of crashed publishers;
- reconciler:  unknown outcomes, asked to each platform;
- heartbeat:   this process is alive, its in-flight claims too;
- maintenance: daily credentials check, which also resumes paused channels;
- feeds:       members' feeds pulled every `feeds.pull_every` (new entries: drafts).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from crosspost.clock import utcnow
from crosspost.config import Settings
from crosspost.errors import CrosspostError
from crosspost.i18n import _, ngettext
from crosspost.store import Store
from schedules import heap
from schedules.engine import Publisher
from schedules.log import EventLog, quiet_libraries

#: A wall clock that moves this far from the monotonic clock has been stepped.
CLOCK_STEP = timedelta(seconds=2)

#: The wake runs this long before the next due time and claims what falls due until
#: then; each thread waits for its post's instant. The wake's own delay (APScheduler's
#: thread, the claim's transaction, the hand-off) is then spent before the minute
#: rather than after it. At 200 posts/s that is ten posts a claim, fewer than the
#: threads (bench/RESULTS.md).
CLAIM_AHEAD = timedelta(milliseconds=50)
#: Wakes are at least this far apart while posts keep falling due, so that each claim
#: takes what falls due in that time, not one post each: every post would otherwise
#: pay a wake and a claim of its own. Half of CLAIM_AHEAD, so that a post is still
#: claimed before its instant.
WAKE_PACE = CLAIM_AHEAD / 2


class AlreadyRunning(CrosspostError):
    """A second daemon on the same SQLite file."""


class SingleDaemonLock:
    """One daemon per SQLite file: a second one is refused, clearly.

    PostgreSQL needs no such lock: claims there use FOR UPDATE SKIP LOCKED and
    any number of daemons can share the queue.
    """

    def __init__(self, database_url: str) -> None:
        from sqlalchemy.engine import make_url

        # The file's path, also from a URI URL (sqlite:///file:PATH?mode=ro&uri=true).
        path = (make_url(database_url).database or "").removeprefix("file:")
        self.path = Path(f"{path}.daemon.lock")
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.path.open("a+", encoding="utf-8")
        except OSError as error:
            from crosspost.errors import DatabaseUnavailable

            raise DatabaseUnavailable(
                _(
                    "the daemon cannot write its lock file {path} ({reason}): the ledger's "
                    "folder must be writable by the user running `crosspost run`"
                ).format(path=self.path, reason=error.strerror or error)
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or _("another process")
            handle.close()
            raise AlreadyRunning(
                _(
                    "a crosspost daemon is already publishing from this database ({holder}); "
                    "stop it first. Cron runs (`crosspost run --once`) may still run beside "
                    "it; for several daemons, use PostgreSQL"
                ).format(holder=holder)
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {utcnow():%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class Daemon:
    """Publishes every delivery at its time until asked to stop."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        log: EventLog,
        *,
        workers: int | None = None,
        watch_every: float = 1.0,
    ) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        quiet_libraries()

        self.settings = settings
        self.store = store
        self.log = log
        self.watch_every = watch_every
        self.publisher = Publisher(
            settings,
            store,
            mode="daemon",
            log=log,
            workers=workers,
            on_idle_slot=self.kick,
            ahead=CLAIM_AHEAD,
            settle_heap=True,
        )
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            # Heartbeats and the reaper get threads of their own: a burst of wake-ups
            # must never delay the lease renewals that keep in-flight posts ours.
            executors={
                "default": ThreadPoolExecutor(max_workers=4),
                "housekeeping": ThreadPoolExecutor(max_workers=2),
            },
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self._armed: datetime | None = None
        #: When the last wake started, to pace the next (WAKE_PACE).
        self._last_wake: datetime | None = None
        #: A wake is scheduled for this time (or earlier) and has not started yet.
        self._wake_pending: datetime | None = None
        #: arm() gave up for want of a free thread (or a wake was skipped): the next
        #: publication to finish must look, whatever it did.
        self._arm_owed = True
        self._arm_lock = threading.Lock()
        #: Jobs failing now: their last error and how many runs failed (_job_failed).
        self._failures: dict[str, tuple[str, int]] = {}
        self._failures_lock = threading.Lock()
        self._arming = threading.Lock()
        self._stop = threading.Event()
        self._stop_requested = threading.Event()
        self._lock = (
            SingleDaemonLock(settings.database_url)
            if settings.database_url.startswith("sqlite:///")
            else None
        )

    # ------------------------------------------------------------ jobs

    def wake(self) -> None:
        """The due time arrived (or a slot freed): publish what is due, then re-arm."""
        with self._arm_lock:
            self._wake_pending = None
            self._last_wake = utcnow()
        self.publisher.dispatch()
        self.arm()

    def kick(self, changed: bool = True) -> None:
        """Look again now (a publication finished, or the queue changed).

        `changed` False: a plain publication finished, which made nothing due. The wake
        already armed (and the watch, for other processes) covers what comes next,
        unless arm() still owes a look; a next_due per post was most of a kick's cost.
        """
        if not changed and not self._arm_owed:
            return
        now = utcnow()
        with self._arm_lock:
            # A wake not yet started will see this change too: at 200 posts/s,
            # one wake for a handful of kicks, not one each (bench/RESULTS.md).
            if self._wake_pending is not None and self._wake_pending <= now:
                return
        # Whatever the change made due (a freed slot for a backlog, announcements, a
        # retry, a release) shows in the next due time: arm() wakes at once if it is
        # due now, and a claim is paid for only then (bench/RESULTS.md).
        self.arm()

    def arm(self) -> None:
        """Point the wake job at the next due delivery."""
        if self.publisher.free_slots() <= 0:
            # Every thread is busy: nothing could start before the next one finishes
            # and kicks us, so the query can wait until then (a backlog, bench/).
            self._arm_owed = True
            return
        # One at a time, so that the last to look sets the wake, not the slowest.
        with self._arming:
            self._arm_owed = False
            try:
                upcoming = self.store.next_due()
            except Exception:
                self._arm_owed = True  # the next to finish looks again (and the watch)
                raise
            if upcoming is None:
                with self._arm_lock:
                    self._armed = None
                return
            now = utcnow()
            wake_at = upcoming - self.publisher.ahead
            with self._arm_lock:
                # Paced only while posts fall due on time: one already due (a backlog,
                # a freed thread) is claimed at once.
                if self._last_wake is not None and upcoming > now:
                    wake_at = max(wake_at, self._last_wake + WAKE_PACE)
            if wake_at <= now and self.publisher.free_slots() <= 0:
                # Every thread is busy: the next one to finish kicks us.
                self._arm_owed = True
                return
            with self._arm_lock:
                if self._wake_pending == wake_at:
                    return  # already set for then, and not yet run
            self._schedule_wake(wake_at)

    def _schedule_wake(self, when: datetime) -> None:
        # The wake job lives as long as the daemon and is only ever moved, never
        # removed and re-added: APScheduler removes a finished date job from its own
        # thread, which would race with a re-arm from ours.
        if self._stop.is_set():
            return
        from apscheduler.jobstores.base import JobLookupError

        with self._arm_lock:
            self._armed = when
            self._wake_pending = when
            with contextlib.suppress(JobLookupError):  # the scheduler is shutting down
                self.scheduler.modify_job("wake", next_run_time=when)

    def watch(self) -> None:
        """Cheap, indexed: has the next due time changed under us (another process)?"""
        upcoming = self.store.next_due()
        with self._arm_lock:
            armed = self._armed
        wake_at = None if upcoming is None else upcoming - self.publisher.ahead
        sooner = wake_at is not None and (armed is None or wake_at < armed)
        due_and_idle = (
            wake_at is not None and wake_at <= utcnow() and self.publisher.free_slots() > 0
        )
        if sooner or due_and_idle:
            self.arm()

    def sweep(self) -> None:
        self.publisher.dispatch()
        self.arm()

    def maintenance(self) -> None:
        self.publisher.resume_paused_channels()
        self.store.forget_workers_silent_since(utcnow() - timedelta(days=1))

    def pull_feeds(self) -> None:
        """Members' feeds: new entries become drafts (auto feeds: routed, then kicked)."""
        from crosspost.feeds.pull import describe, pull_feeds

        routed = False
        for outcome in pull_feeds(self.settings, self.store, now=utcnow()):
            if outcome.error is not None:
                self.log.warning(
                    _("feed {name}: could not be read: {error}").format(
                        name=outcome.feed.name, error=outcome.error
                    )
                )
                continue
            sync = outcome.sync
            if sync and (sync.created or sync.routed or sync.updated or sync.cancelled):
                self.log.emit(
                    "feed_pulled",
                    feed=outcome.feed.name,
                    drafts=len(sync.created),
                    routed=len(sync.routed),
                    updated=len(sync.updated),
                    cancelled=len(sync.cancelled),
                    message="; ".join(line.strip() for line in describe(outcome)),
                )
                routed = routed or bool(sync.routed)
        if routed:
            self.kick()

    def _wake_skipped(self, event: Any) -> None:
        """APScheduler skipped a wake (too many running): the next kick must schedule one."""
        if event.job_id == "wake":
            with self._arm_lock:
                self._wake_pending = None
                self._arm_owed = True

    def _guarded(self, job: Any) -> Any:
        name = getattr(job, "__name__", "job")

        def run() -> None:
            try:
                job()
            except Exception as error:  # a database hiccup must not kill the daemon
                self._job_failed(name, str(error))
            else:
                self._job_worked(name)

        run.__name__ = name
        return run

    def _job_failed(self, name: str, error: str) -> None:
        """Said once per job and error, not at every run (the watch runs each second):
        a database down for an hour is one line, then one when it is back."""
        with self._failures_lock:
            last, count = self._failures.get(name, ("", 0))
            self._failures[name] = (error, count + 1)
        if error != last:
            self.log.warning(_("{job} failed: {error}; will retry").format(job=name, error=error))

    def _job_worked(self, name: str) -> None:
        with self._failures_lock:
            failed = self._failures.pop(name, None)
        if failed is not None:
            self.log.info(
                ngettext(
                    "{job} works again, after {count} failed run",
                    "{job} works again, after {count} failed runs",
                    failed[1],
                ).format(job=name, count=failed[1])
            )

    # ------------------------------------------------------------ life cycle

    def start(self) -> None:
        if self._lock is not None:
            self._lock.acquire()
        try:
            self._start()
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise

    def _start(self) -> None:
        publisher = self.publisher
        publisher.start()
        # Catch up with what happened while no daemon ran.
        publisher.reap()
        publisher.resume_paused_channels()
        publisher.reconcile()
        publisher.housekeeping()
        every = self.settings.publisher.sweep.total_seconds()
        add = self.scheduler.add_job
        now = utcnow()
        add(self._guarded(self.sweep), "interval", seconds=every, id="sweep", next_run_time=now)
        # Re-armed to the exact due time by arm(); its own interval is only a fallback.
        add(
            self._guarded(self.wake),
            "interval",
            seconds=every,
            id="wake",
            next_run_time=now,
            max_instances=8,
        )
        add(self._guarded(self.watch), "interval", seconds=self.watch_every, id="watch")
        lease = self.settings.publisher.lease.total_seconds()
        # Leases are renewed three times per lease; expired ones are reaped within one.
        beat = min(10.0, lease / 3)
        reap = min(30.0, lease)
        housekeeping = {"executor": "housekeeping"}
        add(self._guarded(publisher.reap), "interval", seconds=reap, id="reaper", **housekeeping)
        add(self._guarded(publisher.reconcile), "interval", seconds=reap, id="reconciler")
        # Deadlines are checked on the sweep's beat: within a minute of passing.
        add(self._guarded(publisher.housekeeping), "interval", seconds=every, id="deadlines")
        add(
            self._guarded(publisher.heartbeat),
            "interval",
            seconds=beat,
            id="heartbeat",
            **housekeeping,
        )
        add(
            self._guarded(self.maintenance),
            "interval",
            hours=24,
            id="maintenance",
            next_run_time=now + timedelta(hours=24),
        )
        add(
            self._guarded(self.pull_feeds),
            "interval",
            seconds=self.settings.feeds.pull_every.total_seconds(),
            id="feeds",
            next_run_time=now,
        )
        from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED

        self.scheduler.add_listener(self._wake_skipped, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        # What start-up loaded stays for the life of the daemon (schedules/heap.py).
        heap.settle("start", collect=True)
        self.scheduler.start()
        threading.Thread(target=self._watch_clock, name="clock-watch", daemon=True).start()
        self.log.info(
            _("publishing from {where} with {threads} threads (worker {worker})").format(
                where=self._where(), threads=publisher.size, worker=publisher.worker_id
            )
        )

    def _where(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.settings.database_url).render_as_string(hide_password=True)

    def stop(self) -> None:
        """Stop claiming, let in-flight publications finish (bounded), release the rest."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._stop_requested.set()
        with contextlib.suppress(Exception):  # never started
            # Waits for running jobs (quick lookups): none may touch the ledger after stop.
            self.scheduler.shutdown(wait=True)
        self.publisher.stop()
        if self._lock is not None:
            self._lock.release()
        self.log.info(_("stopped"))

    def run_forever(self, *, install_signals: bool = True) -> None:
        """Block until SIGTERM/SIGINT (or stop() from another thread), then stop cleanly."""
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self._stop_requested.set())
        self.start()
        try:
            # A signal handler runs between two steps of this wait, which then returns.
            self._stop_requested.wait()
        finally:
            self.stop()

    def _watch_clock(self) -> None:
        """APScheduler times its interval jobs on the wall clock; if that clock is stepped
        (NTP, a VM resumed, an admin), re-arm everything rather than sleep through it."""
        offset = time.time() - time.monotonic()
        while not self._stop.wait(0.5):
            current = time.time() - time.monotonic()
            if abs(current - offset) > CLOCK_STEP.total_seconds():
                try:
                    self._clock_stepped(current - offset)
                except Exception as error:
                    self.log.warning(
                        _("re-arming after a clock step failed: {error}").format(error=error)
                    )
            offset = current

    def _clock_stepped(self, by_seconds: float) -> None:
        """Interval jobs are timed on the wall clock: re-arm them all from the new time."""
        stepped = (
            _("the system clock stepped back by {seconds} s")
            if by_seconds < 0
            else _("the system clock stepped forward by {seconds} s")
        ).format(seconds=f"{abs(by_seconds):.0f}")
        self.log.warning(
            _(
                "{stepped}; re-arming every timer (nothing is lost or repeated: the ledger decides)"
            ).format(stepped=stepped)
        )
        now = utcnow()
        for job in self.scheduler.get_jobs():
            if job.id != "wake":
                job.modify(next_run_time=now)
        self.arm()
