"""The real Bluesky PDS of the live tests (scripts/bluesky-test-pds.sh): where it is, fresh
accounts on it, and what an account holds, read from the PDS itself (never through the
channel under test).

Every test that needs isolation makes its own account: its posts, and the sessions the
PDS counts for it, are then its own (createSession is limited per account on Bluesky).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

#: The collection of posts.
POSTS = "app.bsky.feed.post"


def pds_url() -> str:
    """The local PDS's URL; skips the test when none is set, fails it in CI."""
    url = os.environ.get("CROSSPOST_TEST_BSKY_URL")
    if not url:
        if os.environ.get("CROSSPOST_REQUIRE_BLUESKY") == "1":
            pytest.fail("CROSSPOST_REQUIRE_BLUESKY=1 but CROSSPOST_TEST_BSKY_URL is unset")
        pytest.skip('no local Bluesky PDS (eval "$(bash scripts/bluesky-test-pds.sh)")')
    return url.rstrip("/")


@dataclass(frozen=True)
class Account:
    """An account made for one test, with an app password as an officer would make one."""

    url: str
    handle: str
    did: str
    app_password: str

    def __repr__(self) -> str:
        return f"Account(handle={self.handle!r}, did={self.did!r}, <app password hidden>)"

    def records(self) -> list[dict[str, Any]]:
        """Every post of the account (listRecords, all pages), oldest key first."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while True:
                params: dict[str, Any] = {
                    "repo": self.did,
                    "collection": POSTS,
                    "limit": 100,
                    "reverse": "true",
                }
                if cursor:
                    params["cursor"] = cursor
                answer = client.get("/xrpc/com.atproto.repo.listRecords", params=params)
                answer.raise_for_status()
                page = answer.json()
                found += page["records"]
                cursor = page.get("cursor")
                if not cursor or not page["records"]:
                    return found

    def sessions(self) -> dict[str, int]:
        """How many sessions the PDS gave this account: createSession, refreshSession."""
        answer = httpx.get(f"{self.url}/_crosspost/stats", params={"did": self.did}, timeout=30)
        answer.raise_for_status()
        return dict(answer.json())


def new_account(url: str, prefix: str = "c") -> Account:
    """A fresh account on the PDS at `url` (no invite needed) and an app password for it."""
    handle = f"{prefix}{uuid.uuid4().hex[:12]}.test"
    password = uuid.uuid4().hex
    body = {"handle": handle, "email": f"{handle}@example.org", "password": password}
    with httpx.Client(base_url=url, timeout=30) as client:
        created = client.post("/xrpc/com.atproto.server.createAccount", json=body)
        created.raise_for_status()
        session = created.json()
        app_password = client.post(
            "/xrpc/com.atproto.server.createAppPassword",
            json={"name": "crosspost"},
            headers={"authorization": f"Bearer {session['accessJwt']}"},
        )
        app_password.raise_for_status()
    return Account(url, handle, str(session["did"]), str(app_password.json()["password"]))
