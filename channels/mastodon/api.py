"""One function per Mastodon endpoint Crosspost uses, over one requests session.

Every failure leaves here as a ChannelError (see errors.py); every answer is JSON.
The token travels only in the Authorization header, never in a URL that a proxy
or an error message could repeat.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from channels.base import Ambiguous, Transient
from channels.errors import json_of
from channels.mastodon.errors import Request, http_error, transport_error, unreadable_error

if TYPE_CHECKING:
    import requests

USER_AGENT = "crosspost (+https://github.com/crosspost)"
#: Mastodon serves at most 40 statuses a page of an account's statuses.
PAGE_SIZE = 40


class Api:
    """The account's side of one Mastodon instance."""

    def __init__(self, base: str, token: str, *, timeout: float, token_env: str) -> None:
        import requests

        self.base = base
        self.timeout = timeout
        self.token_env = token_env
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT})

    def close(self) -> None:
        self.session.close()

    def call(
        self,
        method: str,
        url: str,
        *,
        doing: str,
        may_publish: bool = False,
        **kwargs: Any,
    ) -> requests.Response:
        """The answer to one request, its JSON readable; any failure as a ChannelError."""
        import requests

        request = Request(doing=doing, may_publish=may_publish, token_env=self.token_env)
        target = url if url.startswith(("http://", "https://")) else self.base + url
        try:
            response = self.session.request(method, target, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise transport_error(exc, request) from None
        if response.status_code >= 400:
            raise http_error(response.status_code, response.headers, json_of(response), request)
        if json_of(response) is None:
            raise unreadable_error(response.status_code, request)
        return response

    # ------------------------------------------------------------ the endpoints

    def instance(self) -> dict[str, Any]:
        """GET /api/v2/instance: the instance's name and limits."""
        return _object(self.call("GET", "/api/v2/instance", doing="reading the instance's limits"))

    def verify_credentials(self) -> dict[str, Any]:
        """GET /api/v1/accounts/verify_credentials: the account the token belongs to."""
        answer = self.call(
            "GET", "/api/v1/accounts/verify_credentials", doing="checking the access token"
        )
        return _object(answer)

    def app(self) -> dict[str, Any]:
        """GET /api/v1/apps/verify_credentials: the application, with its scopes (4.3+)."""
        answer = self.call(
            "GET", "/api/v1/apps/verify_credentials", doing="reading the token's scopes"
        )
        return _object(answer)

    def post_status(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        """POST /api/v1/statuses with an Idempotency-Key: a repeat answers the same status."""
        answer = self.call(
            "POST",
            "/api/v1/statuses",
            doing="publishing the status",
            may_publish=True,
            json=params,
            headers={"Idempotency-Key": key},
        )
        status = _object(answer)
        if not status.get("id"):
            raise Ambiguous("Mastodon accepted the status but its answer holds no id")
        return status

    def upload(
        self, name: str, content: bytes, mime: str, description: str | None
    ) -> tuple[int, dict[str, Any]]:
        """POST /api/v2/media: (200 processed or 202 still processing, the attachment)."""
        data = {"description": description} if description else {}
        answer = self.call(
            "POST",
            "/api/v2/media",
            doing=f"uploading the image {name}",
            files={"file": (name, content, mime)},
            data=data,
        )
        return answer.status_code, _object(answer)

    def media(self, media_id: str) -> tuple[int, dict[str, Any]]:
        """GET /api/v1/media/:id: 206 while the instance still processes it, then 200."""
        answer = self.call(
            "GET", f"/api/v1/media/{media_id}", doing="waiting for the image to be processed"
        )
        return answer.status_code, _object(answer)

    def statuses(self, account_id: str) -> Iterator[list[dict[str, Any]]]:
        """The account's statuses, newest first, a page of 40 at a time, by the Link header."""
        url: str | None = f"/api/v1/accounts/{account_id}/statuses"
        params: dict[str, Any] | None = {"limit": PAGE_SIZE, "exclude_reblogs": "true"}
        while url is not None:
            answer = self.call(
                "GET", url, params=params, doing="reading the account's recent statuses"
            )
            page = answer.json()
            if not isinstance(page, list):
                raise Transient("Mastodon's list of the account's statuses could not be read")
            yield [s for s in page if isinstance(s, dict)]
            url = (answer.links.get("next") or {}).get("url") if page else None
            params = None  # the next link carries them


@contextmanager
def opened(base: str, token: str, *, timeout: float, token_env: str) -> Iterator[Api]:
    api = Api(base, token, timeout=timeout, token_env=token_env)
    try:
        yield api
    finally:
        api.close()


def _object(response: requests.Response) -> dict[str, Any]:
    payload = response.json()
    if not isinstance(payload, dict):
        raise Transient(f"Mastodon's answer to {response.url} is not a JSON object")
    return payload
