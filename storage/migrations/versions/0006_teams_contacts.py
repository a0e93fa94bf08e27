"""Teams contacts: each person's `29:` id and their 1:1 conversation with the bot, created once and stored

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
ID = 255  # stated here, not imported: a migration is history


def upgrade() -> None:
    op.create_table(
        "teams_contacts",
        sa.Column("person_id", sa.String(length=ID), nullable=False),
        sa.Column("user_id", sa.String(length=ID), nullable=True),
        sa.Column("conversation_id", sa.String(length=ID), nullable=True),
        sa.Column("service_url", sa.String(length=255), nullable=True),
        sa.Column("tenant", sa.String(length=ID), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_index("ix_teams_contacts_conversation_id", "teams_contacts", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_teams_contacts_conversation_id", table_name="teams_contacts")
    op.drop_table("teams_contacts")
