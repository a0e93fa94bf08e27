"""People's last-used platform: a person known on Slack and Teams is told where they last acted

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
PLATFORM = 16  # stated here, not imported: a migration is history


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("last_platform", sa.String(length=PLATFORM), nullable=True))
        batch.add_column(sa.Column("last_platform_at", UTC_TIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("last_platform_at")
        batch.drop_column("last_platform")
