"""recurring events: the series table, items.series_id and items.occurrence

Revision ID: hi13b_series
Revises: hi13a_sequence_steps
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "hi13b_series"
down_revision = "hi13a_sequence_steps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=500), nullable=False),
        sa.Column("start_local", sa.String(length=16), nullable=False),
        sa.Column("until_local", sa.String(length=10), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("generated_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("occurrence", sa.String(length=10), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_items_series_id_series"),
            "series",
            ["series_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint("uq_items_series_occurrence", ["series_id", "occurrence"])


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_constraint("uq_items_series_occurrence", type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_items_series_id_series"), type_="foreignkey")
        batch_op.drop_column("occurrence")
        batch_op.drop_column("series_id")
    op.drop_table("series")
