"""feeds.removed_at: a removed feed keeps the entries it brought, so adding it again
does not queue them a second time

Revision ID: 0004_removed_feeds
Revises: he14c_access_tokens
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0004_removed_feeds"
down_revision = "he14c_access_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
