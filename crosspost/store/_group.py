"""Group commits: the publication path's writes of many threads, a few transactions.

At 200 posts a second, 32 threads each committing four small transactions a post
spent more CPU on beginning, committing and taking turns than on the statements
(bench/RESULTS.md). One writer thread runs them instead: what the threads hand it
while a transaction commits goes into the next one, so a lone write waits for
nothing and a burst shares its commits.

What exactly-once needs is unchanged: a caller gets its answer only once the
transaction holding its write has committed, so `sending` and the attempt row are
durable before the platform is called, and the receipt before the post counts as
published. A group that fails is rolled back whole and each of its writes is run
again in a transaction of its own, so an error reaches only the caller it belongs
to. Each write is statements on the connection and nothing else, which is what
makes running it again after a rollback harmless.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")

#: Writes in one transaction at most (a backlog's burst is cut into groups this size).
MAX_GROUP = 64
#: The writer thread ends after this long with nothing to write (a new one starts on
#: the next write): an idle daemon, a test's store, keep no thread waiting.
IDLE_EXIT_S = 5.0


class _Write(Generic[T]):
    __slots__ = ("done", "error", "result", "work")

    def __init__(self, work: Callable[[Connection], T]) -> None:
        self.work = work
        self.done = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None


class GroupWriter:
    """Runs writes handed by any thread in shared transactions, on one thread."""

    def __init__(self, begin: Callable[[], AbstractContextManager[Connection]]) -> None:
        #: A writing transaction (the store's `_write`: the write turn, BEGIN IMMEDIATE).
        self._begin = begin
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._queue: deque[_Write[Any]] = deque()
        self._thread: threading.Thread | None = None
        self._closed = False
        #: Transactions committed and writes they held, for the benchmarks.
        self.groups = 0
        self.writes = 0

    def run(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in a committed transaction; its result once that has committed."""
        write = _Write(work)
        with self._lock:
            if self._closed:
                alone = True
            else:
                alone = False
                self._queue.append(write)
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._loop, name="ledger-writer", daemon=True
                    )
                    self._thread.start()
                else:
                    self._ready.notify()
        if alone:  # closing: the caller's own transaction, as before group commits
            self._alone(write)
        else:
            write.done.wait()
        if write.error is not None:
            raise write.error
        return write.result  # type: ignore[return-value]

    def close(self) -> None:
        """Let queued writes finish, then stop the thread; later writes run alone."""
        with self._lock:
            self._closed = True
            thread = self._thread
            self._ready.notify()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)

    def _loop(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    if self._closed or (not self._ready.wait(IDLE_EXIT_S) and not self._queue):
                        self._thread = None
                        return
                group = [self._queue.popleft() for _ in range(min(MAX_GROUP, len(self._queue)))]
            self._commit(group)

    def _commit(self, group: list[_Write[Any]]) -> None:
        if len(group) == 1:
            self._alone(group[0])
            return
        try:
            with self._begin() as connection:
                results = [write.work(connection) for write in group]
        except BaseException:
            # Rolled back whole: each write again on its own, its error its caller's.
            for write in group:
                self._alone(write)
            return
        self.groups += 1
        self.writes += len(group)
        for write, result in zip(group, results, strict=True):
            write.result = result
            write.done.set()

    def _alone(self, write: _Write[Any]) -> None:
        try:
            try:
                self._once(write)
            except Exception as error:
                if not _connection_lost(error):
                    raise
                # The server dropped the connection (a restart) and SQLAlchemy emptied
                # the pool: once more, on a new connection. Each write is conditional
                # statements (a state it moves from), so running it again after a
                # commit whose answer was lost moves nothing twice.
                self._once(write)
        except BaseException as error:
            write.error = error
        finally:
            write.done.set()

    def _once(self, write: _Write[Any]) -> None:
        with self._begin() as connection:
            write.result = write.work(connection)
        self.groups += 1
        self.writes += 1


def _connection_lost(error: BaseException) -> bool:
    """The database dropped the connection under the write (the store's busy_guard may
    have turned the driver's error into the officer's message: it is the context)."""
    for cause in (error, error.__context__):
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
    return False
