"""Access tokens for `crosspost serve`: made, listed, revoked, and checked per request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from crosspost.clock import utcnow
from crosspost.errors import NotFound
from crosspost.i18n import _
from crosspost.models import AccessTokenRow
from crosspost.store._core import StoreBase

#: What a token may open.
SCOPES = ("calendar", "propose")


@dataclass(frozen=True)
class AccessToken:
    id: int
    name: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def token_hash(secret: str) -> str:
    # The token is 256 random bits: a plain sha256 cannot be reversed or guessed, and
    # the database never holds anything that opens the calendar.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokensMixin(StoreBase):
    """The tokens `crosspost serve` accepts."""

    def create_token(self, name: str, scope: str) -> tuple[AccessToken, str]:
        """A new token; the secret is returned once and only its hash is kept."""
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}")
        secret = secrets.token_urlsafe(32)
        with self._session() as session:
            row = AccessTokenRow(
                name=name, scope=scope, token_hash=token_hash(secret), created_at=utcnow()
            )
            session.add(row)
            session.flush()
            return _token(row), secret

    def tokens(self) -> list[AccessToken]:
        with self._read() as session:
            rows = session.scalars(select(AccessTokenRow).order_by(AccessTokenRow.id))
            return [_token(row) for row in rows]

    def revoke_token(self, token_id: int, now: datetime) -> AccessToken:
        with self._session() as session:
            row = session.get(AccessTokenRow, token_id)
            if row is None:
                raise NotFound(
                    _("there is no token {id} (see `crosspost tokens list`)").format(id=token_id)
                )
            if row.revoked_at is None:
                row.revoked_at = now
            return _token(row)

    def check_token(self, secret: str, scope: str, now: datetime) -> AccessToken | None:
        """The live token of this scope with this secret, or None (the caller says 404)."""
        wanted = token_hash(secret)
        with self._read() as session:
            row = session.scalar(select(AccessTokenRow).where(AccessTokenRow.token_hash == wanted))
        # The lookup is by hash (what an attacker controls is hashed first); the final
        # comparison is in constant time all the same.
        if row is None or not hmac.compare_digest(row.token_hash, wanted):
            return None
        if row.revoked_at is not None or row.scope != scope:
            return None
        with self._session() as session:
            session.execute(
                update(AccessTokenRow)
                .where(AccessTokenRow.id == row.id)
                .values(last_used_at=now)
                .execution_options(synchronize_session=False)
            )
        return _token(row)


def _token(row: AccessTokenRow) -> AccessToken:
    return AccessToken(
        id=row.id,
        name=row.name,
        scope=row.scope,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )
