"""Outbox leases (several processes deliver, none twice), re-drive time, and per-channel pacing

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("claimed_until", UTC_TIME, nullable=True))
        batch.add_column(sa.Column("redriven_at", UTC_TIME, nullable=True))
    op.create_table(
        "outbox_pace",
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("channel"),
    )


def downgrade() -> None:
    op.drop_table("outbox_pace")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("redriven_at")
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
