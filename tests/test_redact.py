"""Secrets are masked in every form a message may carry them, and nothing else is touched."""

from __future__ import annotations

import base64
import io
import json
import logging
from pathlib import Path
from urllib.parse import quote, quote_plus
from zoneinfo import ZoneInfo

import pytest

from crosspost.config import parse_settings
from crosspost.redact import MASK, redact, register, register_settings
from crosspost.secrets import SecretSource
from schedules.log import EventLog, quiet_libraries


def test_a_value_is_masked_as_written_and_url_encoded() -> None:
    token = "tok/en+with=sig&ns-7731"
    register(token)
    assert redact(f"Malformed access token {token}") == f"Malformed access token {MASK}"
    assert redact(f"GET /me?access_token={quote(token, safe='')}&x=1") == (
        f"GET /me?access_token={MASK}&x=1"
    )
    assert redact(f"body: access_token={quote_plus(token)}") == f"body: access_token={MASK}"


def test_short_values_and_ordinary_text_are_left_alone() -> None:
    register("2026")
    register("abc12")
    text = "Fête de quartier : samedi 12/12/2026 à 14 h, abc12 · https://ex.org/?utm_source=x&a=b"
    assert redact(text) == text


def test_a_value_containing_another_is_masked_whole() -> None:
    register("innerSecret42")
    register("outer-innerSecret42-tail")
    assert redact("said outer-innerSecret42-tail.") == f"said {MASK}."


def test_secret_source_registers_every_value_it_hands_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSO_X_TOKEN", "x-token-handed-out-1234")
    assert SecretSource().get("ASSO_X_TOKEN") == "x-token-handed-out-1234"
    assert redact("401: x-token-handed-out-1234 revoked") == f"401: {MASK} revoked"


def test_the_secrets_the_channels_name_are_masked_with_their_basic_auth_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that never calls a platform (status, list) still masks them."""
    secrets = tmp_path / "secrets.env"
    secrets.write_text(
        "WP_APP_PASSWORD=abcd EFGH ijkl MNOP\nNOT_A_CHANNEL_SECRET=LesAmisDuQuartier\n",
        encoding="utf-8",
    )
    secrets.chmod(0o600)
    monkeypatch.setenv("FB_TOKEN_FOR_REDACT", "EAAB-env-token-987654")
    config = f"""
timezone = "Europe/Paris"
secrets_file = "{secrets}"
[channels.blog]
type = "wordpress"
site_url = "https://blog.example.org"
username = "communication"
[channels.page]
type = "facebook"
page_id = "1234567890"
page_token_env = "FB_TOKEN_FOR_REDACT"
"""
    register_settings(parse_settings(config.encode(), tmp_path / "crosspost.toml"))
    basic = base64.b64encode(b"communication:abcd EFGH ijkl MNOP").decode()
    assert redact(f"Authorization: Basic {basic}") == f"Authorization: Basic {MASK}"
    assert redact("password abcd EFGH ijkl MNOP refused") == f"password {MASK} refused"
    assert redact("token EAAB-env-token-987654") == f"token {MASK}"
    # Only what the channels name is a secret: other lines of the file are left alone.
    assert redact("Page LesAmisDuQuartier") == "Page LesAmisDuQuartier"


def test_the_event_log_masks_secrets_in_text_and_json() -> None:
    register("event-log-token-55555")
    for fmt in ("text", "json"):
        out = io.StringIO()
        log = EventLog(ZoneInfo("Europe/Paris"), fmt=fmt, stream=out)
        log.paused("facebook", "Malformed access token event-log-token-55555")
        assert "event-log-token-55555" not in out.getvalue()
        assert f"Malformed access token {MASK}" in out.getvalue()
        assert "event-log-token-55555" not in json.dumps(list(log.lines))


def test_libraries_logs_are_masked_message_and_traceback() -> None:
    register("library-log-token-66666")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        quiet_libraries()
        logger = logging.getLogger("urllib3.connectionpool")
        logger.warning("GET /v25.0/me?access_token=%s", "library-log-token-66666")
        try:
            raise ValueError("bad token library-log-token-66666")
        except ValueError:
            logger.exception("request failed")
    finally:
        root.removeHandler(handler)
    written = stream.getvalue()
    assert "library-log-token-66666" not in written
    assert f"access_token={MASK}" in written
    assert f"ValueError: bad token {MASK}" in written
