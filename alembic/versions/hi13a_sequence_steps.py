"""event sequences and job deadlines: deliveries.step, items.deadline and items.step_texts

One delivery per item, channel and step of the item's sequence (the announcement,
"-3d", "-1d", "morning", a cancellation notice...), so each post of a sequence is
claimed, attempted and recorded by the same exactly-once machinery as any other.

Revision ID: hi13a_sequence_steps
Revises: 0002_spend
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "hi13a_sequence_steps"
down_revision = "0002_spend"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("step_texts", sa.JSON(), nullable=True))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("step", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.drop_constraint("uq_deliveries_item_channel", type_="unique")
        batch_op.create_unique_constraint(
            "uq_deliveries_item_channel_step", ["item_id", "channel", "step"]
        )


def downgrade() -> None:
    # Only the item's own posts can stay: the other steps would break the old constraint.
    op.execute(
        "DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE step <> '')"
    )
    op.execute(
        "UPDATE deliveries SET waits_for_id = NULL "
        "WHERE waits_for_id IN (SELECT id FROM deliveries WHERE step <> '')"
    )
    op.execute("DELETE FROM deliveries WHERE step <> ''")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_deliveries_item_channel_step", type_="unique")
        batch_op.create_unique_constraint("uq_deliveries_item_channel", ["item_id", "channel"])
        batch_op.drop_column("step")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("step_texts")
        batch_op.drop_column("deadline")
