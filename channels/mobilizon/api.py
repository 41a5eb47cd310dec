"""Mobilizon's GraphQL endpoint over requests (errors.py says what its answers mean)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from channels.base import Permanent
from channels.mobilizon.errors import graphql_error, http_error, transport_error

if TYPE_CHECKING:
    import requests


@dataclass(frozen=True)
class Upload:
    """A file sent with a mutation, as Absinthe reads it: a multipart part named `part`."""

    part: str
    filename: str
    content_type: str
    data: bytes


class GraphQL:
    """One instance's /api endpoint: sends a document, returns `data` or raises ChannelError."""

    def __init__(self, instance_url: str, timeout: float) -> None:
        self.endpoint = f"{instance_url}/api"
        self.instance_url = instance_url
        self.timeout = timeout
        self._session: requests.Session | None = None

    def call(
        self,
        query: str,
        variables: dict[str, Any],
        *,
        token: str | None,
        doing: str,
        may_publish: bool = False,
        upload: Upload | None = None,
    ) -> dict[str, Any]:
        """`data` of the answer; a ChannelError saying what went wrong while `doing`.

        `may_publish` says whether the request can create the event: then an answer
        lost or failed is Ambiguous (look before sending again), otherwise Transient."""
        import requests

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            if upload is None:
                body = {"query": query, "variables": variables}
                response = self._http().post(
                    self.endpoint, json=body, headers=headers, timeout=self._timeouts()
                )
            else:
                form = {"query": query, "variables": json.dumps(variables)}
                files = {upload.part: (upload.filename, upload.data, upload.content_type)}
                response = self._http().post(
                    self.endpoint, data=form, files=files, headers=headers, timeout=self._timeouts()
                )
        except requests.RequestException as error:
            raise transport_error(
                error, where=self.instance_url, doing=doing, may_publish=may_publish
            ) from error
        return self._read(response, doing=doing, may_publish=may_publish)

    def _read(
        self, response: requests.Response, *, doing: str, may_publish: bool
    ) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        where = self.instance_url
        if response.status_code != 200 or not isinstance(body, dict):
            raise http_error(response, body, where=where, doing=doing, may_publish=may_publish)
        errors = body.get("errors")
        if errors:
            data = body.get("data")
            raise graphql_error(errors, data, where=where, doing=doing, may_publish=may_publish)
        data = body.get("data")
        if not isinstance(data, dict):
            raise Permanent(f"{where} answered without data while {doing}")
        return data

    def _http(self) -> requests.Session:
        if self._session is None:
            import requests

            self._session = requests.Session()
            self._session.headers["User-Agent"] = "Crosspost (Mobilizon channel)"
        return self._session

    def _timeouts(self) -> tuple[float, float]:
        """(connect, read): a dead host is noticed sooner than a slow answer."""
        return (min(10.0, self.timeout), self.timeout)
