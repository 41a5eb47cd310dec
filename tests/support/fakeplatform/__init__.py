"""A local fake of X, the Facebook Graph API, Mastodon, WordPress and Mobilizon, for crash
and load tests.

One loopback HTTP server answers every platform with its real wire format,
so the real adapters, pointed at it through their api_base settings, run unchanged.
It records every create (tweet, feed post, photo, Mastodon status, WordPress post) with its receive
time and idempotency key, adds latency, and fails on request::

    with FakePlatformServer(latency_ms=50) as fake:
        fake.inject("lost_answer", platform="twitter")
        ...  # run the engine against fake.url
        assert fake.count("twitter") == 1

Other processes use ``python -m tests.support.fakeplatform --port 8765 --latency 50ms``
and the ``/_fake/`` HTTP API (see control.py). A refused connection is
``fake.refuse(seconds)`` or a fault of kind "refuse".
"""

from tests.support.fakeplatform.faults import Fault
from tests.support.fakeplatform.records import Create, Exchange
from tests.support.fakeplatform.server import FakePlatformServer
from tests.support.fakeplatform.settings import Settings

__all__ = ["Create", "Exchange", "FakePlatformServer", "Fault", "Settings"]
