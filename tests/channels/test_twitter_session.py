"""The X adapter's HTTP session: requests' environment settings, worked out once, still
follow a proxy an association's network sets (HTTPS_PROXY, NO_PROXY)."""

from __future__ import annotations

import pytest

from channels.twitter.client import rebased_session

API = "https://api.x.com"


def _proxies(url: str) -> dict[str, str]:
    session = rebased_session(API, 10.0)
    settings = session.merge_environment_settings(url, {}, None, None, None)
    return dict(settings["proxies"])


def test_a_proxy_set_after_a_first_post_is_used_for_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    url = f"{API}/2/tweets"
    assert "https" not in _proxies(url)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.maison-des-assos.fr:3128")
    assert _proxies(url)["https"] == "http://proxy.maison-des-assos.fr:3128"
    monkeypatch.setenv("NO_PROXY", "api.x.com")
    assert "https" not in _proxies(url)
    # Another host is still sent through the proxy.
    assert _proxies("https://upload.x.com/2/media/upload")["https"].endswith(":3128")
