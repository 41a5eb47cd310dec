"""Graph API answers as Facebook sends them, for tests that run the Facebook channel end to end.

Error bodies follow https://developers.facebook.com/docs/graph-api/guides/error-handling.
Code 190 with a token Graph cannot parse quotes the token back in its message
("Malformed access token EAAB..."), which is what the redaction tests rely on.
"""

from __future__ import annotations

from typing import Any

import responses

PAGE_ID = "1234567890"
GRAPH = "https://graph.facebook.com/v25.0"
FEED_URL = f"{GRAPH}/{PAGE_ID}/feed"
PAGE_URL = f"{GRAPH}/{PAGE_ID}"
POSTS_URL = f"{GRAPH}/{PAGE_ID}/posts"
#: Looks like a real Page token, so a leak is easy to spot.
TOKEN = "EAAGm0PX4ZCpsBAKZCredactMEplease0123456789abcdef"

HEADERS = {"facebook-api-version": "v25.0", "x-fb-trace-id": "Fh3kq2Ue9Zb"}


def config(secrets_file: str = "secrets.env") -> str:
    """A crosspost.toml with one Facebook Page for scoops, its token in `secrets_file`."""
    return f"""\
timezone = "Europe/Paris"
secrets_file = "{secrets_file}"

[channels.facebook]
type = "facebook"
page_id = "{PAGE_ID}"

[[routes]]
kind = "scoop"
to = ["facebook"]
"""


def malformed_token(token: str) -> dict[str, Any]:
    """Graph's answer to a token it cannot parse: code 190, the token quoted back."""
    return {
        "error": {
            "message": f"Malformed access token {token}",
            "type": "OAuthException",
            "code": 190,
            "fbtrace_id": "AXn3hQ1W8ZbUo5o2sVh6Pqk",
        }
    }


def answer_page(rsps: responses.RequestsMock) -> None:
    """`channels check`: the Page reads fine, the token is the Page's (GET /me is the Page)
    and was granted what posting needs (GET /debug_token)."""
    page = {"id": PAGE_ID, "name": "Les Amis du Quartier"}
    rsps.add("GET", PAGE_URL, json=page, headers=HEADERS)
    rsps.add("GET", f"{GRAPH}/me", json=page, headers=HEADERS)
    scopes = ["pages_show_list", "pages_read_engagement", "pages_manage_posts"]
    debug = {"data": {"type": "PAGE", "is_valid": True, "profile_id": PAGE_ID, "scopes": scopes}}
    rsps.add("GET", f"{GRAPH}/debug_token", json=debug, headers=HEADERS)


def answer_feed(rsps: responses.RequestsMock, post: str = "122105671358347281") -> None:
    rsps.add("POST", FEED_URL, json={"id": f"{PAGE_ID}_{post}"}, headers=HEADERS)
