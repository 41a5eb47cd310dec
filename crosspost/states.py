"""The delivery state machine: every state and every allowed transition, listed once."""

from __future__ import annotations

import enum


class State(enum.StrEnum):
    """Where one delivery (an item on one channel) stands."""

    #: Waiting for its due time (or for the delivery it announces).
    PENDING = "pending"
    #: Leased by a publisher process; nothing has been sent yet.
    CLAIMED = "claimed"
    #: An attempt is under way: the request may reach the platform at any moment.
    SENDING = "sending"
    #: The platform holds the post; remote id and URL are recorded.
    PUBLISHED = "published"
    #: Given up, with the reason; `crosspost retry` queues it again.
    FAILED = "failed"
    #: The request may have reached the platform but we do not know: never resent blindly.
    UNKNOWN = "unknown"
    #: Withdrawn by the officer before it went out.
    CANCELLED = "cancelled"
    #: Found too long after its due time; reported rather than posted late.
    SKIPPED_LATE = "skipped_late"


#: Every allowed move, with what causes it. Anything else is refused.
TRANSITIONS: dict[tuple[State, State], str] = {
    (State.PENDING, State.CLAIMED): "a publisher leases it",
    (State.PENDING, State.CANCELLED): "the officer cancels it",
    (State.PENDING, State.SKIPPED_LATE): "first seen later than max_lateness",
    (State.PENDING, State.FAILED): "the delivery it announces failed for good",
    (State.CLAIMED, State.SENDING): "an attempt starts",
    (State.CLAIMED, State.PENDING): "released: shutdown, rate limit, paused channel, expired lease",
    (State.CLAIMED, State.SKIPPED_LATE): "too late when the publisher looked",
    (State.SENDING, State.PUBLISHED): "the platform answered with a receipt",
    (
        State.SENDING,
        State.PENDING,
    ): "a transient error, rate limit or expired credentials: retry later",
    (State.SENDING, State.FAILED): "a permanent error or too many attempts",
    (State.SENDING, State.UNKNOWN): "the outcome was lost (timeout, 5xx, crash while sending)",
    (State.UNKNOWN, State.PUBLISHED): "found on the platform, or resolved by the officer",
    (State.UNKNOWN, State.PENDING): "not found after the settling delay, or forced retry",
    (State.UNKNOWN, State.FAILED): "the officer gives up on it",
    (State.UNKNOWN, State.CANCELLED): "the officer cancels it",
    (State.FAILED, State.PENDING): "the officer retries it",
    (State.FAILED, State.PUBLISHED): "the officer posted it by hand and resolves it",
    (State.SKIPPED_LATE, State.PENDING): "the officer sends it anyway",
    (State.SKIPPED_LATE, State.CANCELLED): "the officer cancels it",
    (State.CANCELLED, State.PENDING): "the officer routes the item to this channel again",
}

#: Nothing more will happen to these.
DONE: frozenset[State] = frozenset({State.PUBLISHED, State.CANCELLED})

#: Stopped until the officer (or the reconciler, for `unknown`) decides.
NEEDS_ATTENTION: frozenset[State] = frozenset({State.FAILED, State.UNKNOWN, State.SKIPPED_LATE})

#: States in which a publisher holds the delivery.
IN_FLIGHT: frozenset[State] = frozenset({State.CLAIMED, State.SENDING})


def allowed(old: State, new: State) -> bool:
    """Whether `old -> new` is a move the state machine permits."""
    return (old, new) in TRANSITIONS


def parse(value: str) -> State:
    """`value` as a State; a name the state machine does not list is refused."""
    try:
        return State(value)
    except ValueError:
        raise UnknownState(value) from None


class IllegalTransition(Exception):
    """A move the state machine does not list."""

    def __init__(self, old: State, new: State) -> None:
        super().__init__(f"a delivery cannot go from {old.value} to {new.value}")
        self.old = old
        self.new = new


class UnknownState(ValueError):
    """A delivery state the state machine does not list (a typo, a state from elsewhere)."""

    def __init__(self, value: object) -> None:
        known = ", ".join(state.value for state in State)
        super().__init__(f"there is no delivery state {value!r}; the states are {known}")
        self.value = value
