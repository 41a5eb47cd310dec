"""Mobilizon's tokens as Guardian makes them: JWTs signed HS512, typed access or refresh.

An access token is valid 15 minutes, a refresh token 60 days (config.exs token_ttl);
the refresh mutation revokes the refresh token it is given (kept by Guardian.DB).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable
from typing import Any

ACCESS_TTL_S = 15 * 60
REFRESH_TTL_S = 60 * 86_400


class Tokens:
    """Signs and checks the tokens of one instance, on the instance's clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._secret = secrets.token_bytes(32)

    def issue(self, user_id: str, kind: str) -> tuple[str, str]:
        """A signed token for `user_id` of `kind`, and its id (jti)."""
        now = int(self.clock())
        ttl = ACCESS_TTL_S if kind == "access" else REFRESH_TTL_S
        jti = str(uuid.uuid4())
        claims = {
            "aud": "mobilizon",
            "exp": now + ttl,
            "iat": now,
            "iss": "mobilizon",
            "jti": jti,
            "nbf": now - 1,
            "sub": f"User:{user_id}",
            "typ": kind,
        }
        head = _b64({"alg": "HS512", "typ": "JWT"})
        body = _b64(claims)
        signature = hmac.new(self._secret, f"{head}.{body}".encode(), hashlib.sha512).digest()
        return f"{head}.{body}.{_b64_bytes(signature)}", jti

    def verify(self, token: str, kind: str) -> tuple[dict[str, Any] | None, str]:
        """The claims of a token we signed, still valid, of `kind`; else None and why."""
        parts = token.split(".")
        if len(parts) != 3:
            return None, '%ArgumentError{message: "argument error"}'
        expected = hmac.new(self._secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha512)
        try:
            signature = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        except (ValueError, UnicodeDecodeError):
            return None, '%ArgumentError{message: "argument error"}'
        if not hmac.compare_digest(signature, expected.digest()):
            return None, ":invalid_token"
        if claims.get("exp", 0) <= self.clock():
            return None, ":token_expired"
        if claims.get("typ") != kind:
            return None, ":invalid_token_type"
        return claims, ""


def _b64(data: dict[str, Any]) -> str:
    return _b64_bytes(json.dumps(data, separators=(",", ":")).encode())


def _b64_bytes(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
