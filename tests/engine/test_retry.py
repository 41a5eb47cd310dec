"""Retry delays: exponential and capped, spread over their whole range by jitter."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest

from schedules.retry import backoff

BASE = timedelta(seconds=30)
CAP = timedelta(minutes=10)


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 30.0), (2, 60.0), (3, 120.0), (9, 600.0)])
def test_retries_spread_over_the_upper_half_of_their_ceiling(attempt: int, ceiling: float) -> None:
    """Many deliveries hit by one outage must not all come back in the same instant."""
    rng = random.Random(2026)
    draws = [backoff(attempt, BASE, CAP, rng).total_seconds() for _ in range(20_000)]

    assert all(ceiling / 2 <= d <= ceiling for d in draws)
    # To the millisecond, no single delay holds more than a tiny share of the retries.
    most_common, count = Counter(round(d, 3) for d in draws).most_common(1)[0]
    assert count / len(draws) < 0.001, f"{count} retries at {most_common} s"
    # And they fill the range: each tenth of it gets its share.
    tenths = Counter(min(int((d - ceiling / 2) / (ceiling / 20)), 9) for d in draws)
    assert sorted(tenths) == list(range(10))
    assert min(tenths.values()) > len(draws) / 10 * 0.8
