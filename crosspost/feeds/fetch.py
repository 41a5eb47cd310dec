"""HTTP for feeds: conditional requests, timeouts, a size limit, bounded redirects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from crosspost import __version__
from crosspost.errors import CrosspostError

#: More redirects than this is a loop or a misconfigured site.
MAX_REDIRECTS = 5

USER_AGENT = f"Crosspost/{__version__} (feed relay)"


class FeedError(CrosspostError):
    """A feed that could not be read: unreachable, refused, too big, or not a feed."""


@dataclass(frozen=True)
class Fetched:
    """A feed's answer: its bytes, or None when unchanged since the validators sent."""

    body: bytes | None
    content_type: str
    etag: str | None
    last_modified: str | None
    url: str

    @property
    def unchanged(self) -> bool:
        return self.body is None


def fetch(
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    timeout: timedelta,
    max_bytes: int,
) -> Fetched:
    """GET the feed, sending back its validators; a 304 comes back as `unchanged`."""
    import requests

    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, text/calendar, "
        "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    seconds = timeout.total_seconds()
    with requests.Session() as session:
        session.max_redirects = MAX_REDIRECTS
        try:
            # (connect, read): the read timeout bounds each wait for bytes, and the
            # size limit below bounds how many come, so a trickling server cannot hang us.
            response = session.get(url, headers=headers, timeout=(seconds, seconds), stream=True)
        except requests.TooManyRedirects:
            raise FeedError(f"more than {MAX_REDIRECTS} redirects (a loop?)") from None
        except requests.Timeout:
            raise FeedError(f"no answer within {seconds:g} s") from None
        except requests.ConnectionError as exc:
            raise FeedError(f"cannot connect ({_reason(exc)})") from None
        except requests.RequestException as exc:
            raise FeedError(f"the request failed ({_reason(exc)})") from None
        with response:
            if response.status_code == 304:
                return Fetched(None, "", etag, last_modified, response.url)
            if response.status_code >= 400:
                raise FeedError(f"the server answered {response.status_code} {response.reason}")
            body = _read_limited(response, max_bytes)
            return Fetched(
                body=body,
                content_type=response.headers.get("Content-Type", ""),
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                url=response.url,
            )


def _read_limited(response: object, max_bytes: int) -> bytes:
    import requests

    assert isinstance(response, requests.Response)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FeedError(f"the feed is {int(declared):,} bytes, over the {max_bytes:,} allowed")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise FeedError(f"the feed is over the {max_bytes:,} bytes allowed")
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise FeedError(f"the answer broke off ({_reason(exc)})") from None
    return b"".join(chunks)


def _reason(exc: Exception) -> str:
    """The innermost cause, without the URL repeated (the feed's name says which)."""
    inner: BaseException = exc
    while inner.__context__ is not None and inner.__context__ is not inner:
        inner = inner.__context__
    text = str(inner) or type(inner).__name__
    return text if len(text) < 200 else text[:199] + "…"
