"""One Graph API exchange through facebook-sdk, sent to the channel's api_base."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from channels.base import (
    Ambiguous,
    ChannelError,
    RateLimited,
    Transient,
)
from channels.errors import meant
from channels.facebook.errors import WAITS, error_payload, is_unsent, retry_at, rule_for
from channels.facebook.settings import DEFAULT_RATE_LIMIT_WAIT, FacebookSettings

if TYPE_CHECKING:
    import requests


@cache
def _session_class() -> Callable[[str], requests.Session]:
    """A requests.Session that sends the SDK's requests to a channel's api_base.

    facebook-sdk builds every URL as the module constant FACEBOOK_GRAPH_URL + path.
    Changing that constant would redirect every channel in the process, so each
    channel's calls go through a session that swaps the prefix for its api_base.
    """
    import requests
    from facebook import FACEBOOK_GRAPH_URL

    class RebasedSession(requests.Session):
        def __init__(self, api_base: str) -> None:
            super().__init__()
            self.api_base = api_base

        def request(
            self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
        ) -> requests.Response:
            if isinstance(url, str) and url.startswith(FACEBOOK_GRAPH_URL):
                url = f"{self.api_base}/{url[len(FACEBOOK_GRAPH_URL) :]}"
            return super().request(method, url, *args, **kwargs)

    return RebasedSession


class Graph:
    """One Graph API exchange (used once): the SDK client, its answer, the error translation."""

    def __init__(self, settings: FacebookSettings, token: str) -> None:
        from facebook import GraphAPI

        self.settings = settings
        #: The raw answer: GraphAPIError drops it, and its status and usage headers matter.
        self.response: requests.Response | None = None
        self.session = _session_class()(settings.api_base)
        self.session.hooks["response"].append(self._keep)
        self.api = GraphAPI(access_token=token, timeout=settings.timeout, session=self.session)
        # The SDK's constructor only accepts versions 2.8 to 3.1, all long retired by
        # Facebook; its methods read this attribute, so set the current one afterwards.
        self.api.version = settings.graph_version

    def _keep(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        self.response = response

    def call(self, action: Callable[[Any], Any], *, may_publish: bool) -> dict[str, Any]:
        """Run `action(GraphAPI)`, raising only ChannelErrors (`may_publish`: it may post)."""
        import requests
        from facebook import GraphAPIError

        try:
            result = action(self.api)
        except GraphAPIError as error:
            raise self._from_graph_error(error, may_publish=may_publish) from None
        except (requests.RequestException, KeyError, ValueError) as error:
            # KeyError/ValueError: the SDK choked on an answer (no Content-Type, bad JSON).
            if self.response is None and not isinstance(error, requests.RequestException):
                raise
            # `from None`: requests' messages carry the URL, and a GET's URL the token.
            raise self._from_failure(error, may_publish=may_publish) from None
        finally:
            self.session.close()
        status = self.response.status_code if self.response is not None else 200
        if not isinstance(result, dict) or status >= 500 or (may_publish and not result.get("id")):
            raise self._unreadable(may_publish=may_publish)
        return result

    def _from_graph_error(self, error: Exception, *, may_publish: bool) -> ChannelError:
        result = getattr(error, "result", None)
        payload = result.get("error") if isinstance(result, dict) else None
        if not isinstance(payload, dict):
            # The SDK raises with a bare string when the Content-Type is not JSON (an HTML
            # 502 page, or a JSON error sent as text/javascript): read the body ourselves.
            payload = error_payload(self.response)
        if payload is None:
            return self._unreadable(may_publish=may_publish)
        return self._classified(payload, may_publish=may_publish)

    def _classified(self, payload: dict[str, Any], *, may_publish: bool) -> ChannelError:
        code = payload.get("code")
        subcode = payload.get("error_subcode")
        rule = rule_for(
            code if isinstance(code, int) else None,
            subcode if isinstance(subcode, int) else None,
        )
        said = str(payload.get("message") or "no message")
        detail = f"code {code}" + (f", subcode {subcode}" if subcode else "")
        advice = rule.message.format(env=self.settings.page_token_env)
        message = f"{advice} (Facebook said: {said} [{detail}])"
        if rule.outcome is RateLimited:
            wait = WAITS.get(code, DEFAULT_RATE_LIMIT_WAIT) if isinstance(code, int) else None
            when = retry_at(self.response, datetime.now(UTC), wait or DEFAULT_RATE_LIMIT_WAIT)
            return RateLimited(message, when)
        return meant(rule.outcome, may_publish=may_publish)(message)

    def _from_failure(self, error: Exception, *, may_publish: bool) -> ChannelError:
        if self.response is not None:  # an answer came but the SDK could not read it
            return self._unreadable(may_publish=may_publish)
        failure = type(error).__name__
        if not may_publish or is_unsent(error):
            return Transient(
                f"could not reach Facebook at {self.settings.api_base} ({failure}); "
                "nothing was published"
            )
        return Ambiguous(
            f"the connection to Facebook broke after the post was sent ({failure}): it may "
            "have been published; the Page will be checked before any new attempt"
        )

    def _unreadable(self, *, may_publish: bool) -> ChannelError:
        response = self.response
        what = "no answer"
        if response is not None:
            kind = response.headers.get("Content-Type") or "no Content-Type"
            what = f"HTTP {response.status_code}, {kind}"
        if not may_publish:
            return Transient(f"Facebook gave an unreadable answer ({what})")
        return Ambiguous(
            f"Facebook gave an unreadable answer to the post ({what}): it may have been "
            "published; the Page will be checked before any new attempt"
        )
