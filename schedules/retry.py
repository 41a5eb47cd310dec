"""Backoff and error classification policy: pure functions, no I/O."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from channels.base import (
    Ambiguous,
    AuthExpired,
    ChannelError,
    Duplicate,
    Permanent,
    RateLimited,
    Transient,
)
from crosspost.errors import CrosspostError
from crosspost.states import State


def backoff(attempt: int, base: timedelta, cap: timedelta, rng: random.Random) -> timedelta:
    """Delay before retry number `attempt` (1-based): exponential, capped, 'equal jitter'.

    Jitter spreads the retries of many deliveries hit by one outage, so they do
    not all come back in the same second; half the ceiling is kept as a floor so
    a retry never comes back at once. (Clamping a full-jitter draw to that floor
    would put half of all retries on exactly the same instant.)
    """
    ceiling = min(cap.total_seconds(), base.total_seconds() * (2 ** max(attempt - 1, 0)))
    return timedelta(seconds=ceiling / 2 + rng.uniform(0, ceiling / 2))


@dataclass(frozen=True)
class Decision:
    """What to do with a delivery after one attempt went wrong."""

    state: State
    outcome: str
    next_attempt_at: datetime | None
    #: Don't count this attempt against max_attempts (waiting is not failing).
    uncount: bool = False
    #: The channel's credentials must be renewed before anything else is sent.
    pause_channel: bool = False


def decide(
    error: BaseException,
    *,
    attempts: int,
    max_attempts: int,
    now: datetime,
    base: timedelta,
    cap: timedelta,
    settling: timedelta,
    rng: random.Random,
) -> Decision:
    """The table of what each error class means for the delivery."""
    if isinstance(error, RateLimited):
        return Decision(State.PENDING, error.outcome, max(error.retry_at, now), uncount=True)
    if isinstance(error, AuthExpired):
        return Decision(State.PENDING, error.outcome, now, uncount=True, pause_channel=True)
    if isinstance(error, Duplicate):
        # Perhaps our own earlier post whose answer was lost: look before deciding.
        return Decision(State.UNKNOWN, error.outcome, now + settling)
    if isinstance(error, Permanent):
        return Decision(State.FAILED, error.outcome, None)
    if isinstance(error, Transient):
        if attempts >= max_attempts:
            return Decision(State.FAILED, error.outcome, None)
        return Decision(State.PENDING, error.outcome, now + backoff(attempts, base, cap, rng))
    if isinstance(error, Ambiguous):
        return Decision(State.UNKNOWN, error.outcome, now + settling)
    # A bug in an adapter: the request may have gone out, so treat it as unknown.
    return Decision(State.UNKNOWN, "ambiguous", now + settling)


def describe(error: BaseException) -> str:
    """The officer's words for an error: ours and the adapters' as they are, others named."""
    if isinstance(error, ChannelError):
        return error.message
    if isinstance(error, CrosspostError):
        return str(error)
    return f"unexpected {type(error).__name__}: {error}"
