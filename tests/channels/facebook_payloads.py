"""Graph API answers as Facebook sends them: bodies, statuses and headers, for the adapter tests.

Error bodies follow https://developers.facebook.com/docs/graph-api/guides/error-handling
({"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}); the
messages are the ones Facebook really returns for these codes.
"""

from __future__ import annotations

from typing import Any

PAGE_ID = "1234567890"
PAGE_NAME = "Les Amis du Quartier"
#: Looks like a real Page token, so a leak would be easy to spot.
TOKEN = "EAAGm0PX4ZCpsBAKZCtestPAGEtoken0123456789abcdef"

#: Headers every Graph answer carries.
GRAPH_HEADERS = {
    "facebook-api-version": "v21.0",
    "x-fb-rev": "1019278734",
    "x-fb-trace-id": "Fh3kq2Ue9Zb",
    "Strict-Transport-Security": "max-age=15552000; preload",
}

FEED_CREATED = {"id": f"{PAGE_ID}_122105671358347281"}
PHOTO_CREATED = {"id": "122105672004347281", "post_id": f"{PAGE_ID}_122105672076347281"}
PAGE = {"id": PAGE_ID, "name": PAGE_NAME}


def error(
    code: int,
    message: str,
    *,
    type_: str = "OAuthException",
    subcode: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A Graph API error body."""
    body: dict[str, Any] = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        body["error_subcode"] = subcode
    body.update(extra)
    body["fbtrace_id"] = "AXn3hQ1W8ZbUo5o2sVh6Pqk"
    return {"error": body}


#: (code, HTTP status, body, expected error class name) for every row of the adapter's table.
ERROR_CASES: list[tuple[int, int, dict[str, Any], str]] = [
    (190, 400, error(190, "Error validating access token: Session has expired on Friday, "
     "04-Dec-26 10:00:00 PST. The current time is Saturday, 05-Dec-26 01:12:19 PST.",
     subcode=463), "AuthExpired"),
    (102, 400, error(102, "Session key invalid or no longer valid"), "AuthExpired"),
    (4, 403, error(4, "(#4) Application request limit reached", is_transient=True),
     "RateLimited"),
    (17, 400, error(17, "(#17) User request limit reached", subcode=2446079,
     is_transient=True), "RateLimited"),
    (32, 400, error(32, "(#32) Page request limit reached", is_transient=True),
     "RateLimited"),
    (341, 400, error(341, "(#341) Feed action request limit reached", is_transient=True),
     "RateLimited"),
    (613, 400, error(613, "(#613) Calls to this api have exceeded the rate limit."),
     "RateLimited"),
    (80001, 400, error(80001, "(#80001) There have been too many calls to this Page account. "
     "Wait a bit and try again. For more info, please refer to "
     "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
     subcode=2446079, is_transient=True), "RateLimited"),
    (1, 500, error(1, "An unknown error has occurred.", is_transient=False), "Ambiguous"),
    (2, 500, error(2, "An unexpected error has occurred. Please retry your request later.",
     is_transient=True), "Ambiguous"),
    (506, 400, error(506, "(#506) Duplicate status message", is_transient=False),
     "Duplicate"),
    (368, 400, error(368, "It looks like you were misusing this feature by going too fast. "
     "You\u2019ve been blocked from using it.\n\nLearn more about blocks in the Help Center.",
     subcode=1390008, is_transient=False,
     error_user_title="You Can't Use This Feature Right Now",
     error_user_msg="It looks like you were misusing this feature by going too fast."),
     "RateLimited"),
    (10, 403, error(10, "(#10) Application does not have permission for this action"),
     "Permanent"),
    (200, 403, error(200, "(#200) If posting to a page, requires both pages_read_engagement "
     "and pages_manage_posts as an admin with sufficient administrative permission"),
     "Permanent"),
    (294, 403, error(294, "(#294) Managing advertisements requires the extended permission "
     "ads_management and an application that is allowed to manage advertisements"),
     "Permanent"),
    (100, 400, error(100, "Unsupported post request. Object with ID '1234567890' does not "
     "exist, cannot be loaded due to missing permissions, or does not support this operation. "
     "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
     type_="GraphMethodException", subcode=33), "Permanent"),
]  # fmt: skip

#: Usage headers of a rate-limited Page token (BUC limits) and of an app at its limit.
BUC_USAGE = {
    "X-Business-Use-Case-Usage": (
        f'{{"{PAGE_ID}":[{{"type":"pages","call_count":100,"total_cputime":12,'
        '"total_time":14,"estimated_time_to_regain_access":19}]}'
    )
}
APP_USAGE = {"X-App-Usage": '{"call_count":100,"total_cputime":7,"total_time":9}'}

#: What Facebook's edge answers when the backend is unreachable.
BAD_GATEWAY_HTML = (
    '<!DOCTYPE html><html lang="en"><head><title>Error</title></head><body>'
    "<h1>Sorry, something went wrong.</h1><p>We're working on it and we'll get it fixed "
    "as soon as we can.</p></body></html>"
)


NEXT_CURSOR = "QVFIUkZANSm5MTWtX"


def posts(*entries: tuple[str, str, str], after: str | None = NEXT_CURSOR) -> dict[str, Any]:
    """GET /{page-id}/posts?fields=id,message,created_time,permalink_url: (id, message, time).

    `after` is the cursor of the next page; None makes this the last page (no `next`).
    """
    cursors = {"before": "QVFIUmxtbVZAYOHZAJ", "after": after or "QVFIUkxhc3Q"}
    paging: dict[str, Any] = {"cursors": cursors}
    if after is not None:
        paging["next"] = f"https://graph.facebook.com/v21.0/{PAGE_ID}/posts?limit=25&after={after}"
    return {
        "data": [
            {
                "id": post_id,
                "message": message,
                "created_time": created,
                "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/pfbid0{post_id[-6:]}",
            }
            for post_id, message, created in entries
        ],
        "paging": paging,
    }


#: GET /debug_token?input_token=<a Page token>, as Graph answers it (Graph API Explorer app).
DEBUG_PAGE_TOKEN = {
    "data": {
        "app_id": "138566025676",
        "type": "PAGE",
        "application": "Graph API Explorer",
        "data_access_expires_at": 1798761600,
        "expires_at": 0,
        "is_valid": True,
        "issued_at": 1764547200,
        "profile_id": PAGE_ID,
        "scopes": [
            "pages_show_list",
            "pages_read_engagement",
            "pages_manage_posts",
            "public_profile",
        ],
        "granular_scopes": [
            {"scope": "pages_show_list", "target_ids": [PAGE_ID]},
            {"scope": "pages_read_engagement", "target_ids": [PAGE_ID]},
            {"scope": "pages_manage_posts", "target_ids": [PAGE_ID]},
        ],
        "user_id": "10229412345678901",
    }
}
#: GET /me with a person's (user) token: the person, not the Page.
PERSON = {"id": "10229412345678901", "name": "Camille Martin"}
