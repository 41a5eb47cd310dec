"""Answers X really gives, as captured in public bug reports and X's API reference.

Bodies are X API v2 "problem details" (RFC 7807) or data envelopes; headers
are the ones X sends with them (lower-case, as requests exposes them).
"""

from __future__ import annotations

from typing import Any

TWEET_ID = "1880028106020515841"
SECOND_ID = "1880028106020515842"
THIRD_ID = "1880028106020515843"
MEDIA_ID = "1880028106020515840"
USER = {"id": "2244994945", "name": "Asso du Quartier", "username": "AssoQuartier"}


def created(tweet_id: str, text: str) -> dict[str, Any]:
    """201 from POST /2/tweets."""
    return {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}


def json_headers(**extra: str) -> dict[str, str]:
    """What X sends with every v2 answer, plus the given rate-limit headers."""
    return {
        "api-version": "2.120",
        "cache-control": "no-cache, no-store, max-age=0",
        "x-access-level": "read-write",
        "x-transaction-id": "e92f067a164a24a1",
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "99",
        "x-rate-limit-reset": "1773483300",
        **{name.replace("_", "-"): value for name, value in extra.items()},
    }


#: X's own content type for JSON answers, errors included (seen in captured 403s).
JSON = "application/json; charset=utf-8"
PROBLEM_JSON = "application/problem+json"

DUPLICATE = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
NOT_PERMITTED = {
    "detail": "You are not permitted to perform this action.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
OAUTH1_PERMISSIONS = {
    "title": "Forbidden",
    "detail": "Your client app is not configured with the appropriate oauth1 app permissions "
    "for this endpoint.",
    "type": "https://api.twitter.com/2/problems/oauth1-permissions",
    "status": 403,
}
CLIENT_NOT_ENROLLED = {
    "client_id": "27316216",
    "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys "
    "and tokens from a Twitter developer App that is attached to a Project. You can create a "
    "project via the developer portal.",
    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
    "title": "Client Forbidden",
    "required_enrollment": "Appropriate Level of API Access",
    "reason": "client-not-enrolled",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
}
FORBIDDEN_OTHER = {
    "detail": "You attempted to reply to a Tweet that is deleted or not visible to you.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
TOO_MANY = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}
INVALID_MEDIA = {
    "errors": [
        {"parameters": {"media.media_ids": [MEDIA_ID]}, "message": "Your media IDs are invalid."}
    ],
    "title": "Invalid Request",
    "detail": "One or more parameters to your request was invalid.",
    "type": "https://api.twitter.com/2/problems/invalid-request",
}
NOT_FOUND = {
    "errors": [{"message": "Sorry, that page does not exist", "code": 34}],
}
PAYLOAD_TOO_LARGE = {
    "title": "Payload Too Large",
    "detail": "Payload Too Large",
    "type": "about:blank",
    "status": 413,
}
SERVICE_UNAVAILABLE = {
    "title": "Service Unavailable",
    "detail": "Service Unavailable",
    "type": "about:blank",
    "status": 503,
}

USERS_ME = {"data": USER}

MEDIA_UPLOADED = {
    "data": {
        "id": MEDIA_ID,
        "media_key": f"3_{MEDIA_ID}",
        "size": 3120,
        "expires_after_secs": 86400,
    }
}


def media_metadata(alt: str) -> dict[str, Any]:
    """200 from POST /2/media/metadata."""
    return {"data": {"id": MEDIA_ID, "associated_metadata": {"alt_text": {"text": alt}}}}


def timeline(*tweets: dict[str, Any]) -> dict[str, Any]:
    """200 from GET /2/users/:id/tweets (newest first, as X lists them)."""
    if not tweets:
        return {"meta": {"result_count": 0}}
    return {
        "data": list(tweets),
        "meta": {
            "result_count": len(tweets),
            "newest_id": tweets[0]["id"],
            "oldest_id": tweets[-1]["id"],
        },
    }


def timeline_tweet(
    tweet_id: str, text: str, *, replied_to: str | None = None, at: str = "2026-03-14T10:00:02.000Z"
) -> dict[str, Any]:
    """A post as GET /2/users/:id/tweets lists it (tweet.fields=created_at,referenced_tweets)."""
    tweet: dict[str, Any] = {
        "id": tweet_id,
        "text": text,
        "created_at": at,
        "edit_history_tweet_ids": [tweet_id],
    }
    if replied_to:
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": replied_to}]
    return tweet
