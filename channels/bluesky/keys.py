"""Record keys (TIDs) and createdAt chosen once per delivery: every try sends the same bytes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

#: The base32-sortable alphabet of TIDs (atproto spec, "Record Key" / "TID").
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_PATTERN = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
#: Microseconds of spread within the due second, leaving room for a thread's parts.
_SPREAD = 900_000


@dataclass(frozen=True)
class KeyBase:
    """Where a delivery's record keys start: part i is `tid(micros + i, clock)`."""

    micros: int
    clock: int

    def rkey(self, part: int) -> str:
        return tid(self.micros + part, self.clock)


def tid(micros: int, clock: int) -> str:
    """A TID: 53 bits of microseconds since 1970 and 10 bits of clock id, in 13 characters."""
    if not 0 <= micros < 2**53 or not 0 <= clock < 2**10:
        raise ValueError("a TID holds 53 bits of microseconds and 10 bits of clock id")
    value = (micros << 10) | clock
    return "".join(TID_ALPHABET[(value >> (5 * shift)) & 31] for shift in range(12, -1, -1))


def key_base(idempotency_key: str, due_at: datetime) -> KeyBase:
    """The record keys of a delivery, from its key and due time, the same on every try.

    The due second gives the time; the key's hash gives the clock id and a spread of
    microseconds inside that second, so deliveries due at the same minute get distinct
    keys (about 1 in 900 million that two collide).
    """
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    second = int(due_at.timestamp())
    return KeyBase(micros=second * 1_000_000 + (digest >> 10) % _SPREAD, clock=digest & 0x3FF)


def created_at(moment: datetime) -> str:
    """An atproto datetime: UTC, milliseconds, 'Z'."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
