"""Rota in the database (rotations, overrides, leave, swap/cover requests), inbound event ids, audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 11:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rota_rotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=32), nullable=False),
        sa.Column("effective_from", UTC_TIME, nullable=True),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("handover", sa.String(length=16), nullable=False),
        sa.Column("start", sa.String(length=10), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rota_rotations_line_from", "rota_rotations", ["line", "effective_from"])
    op.create_table(
        "rota_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("replaces_id", sa.String(length=32), nullable=True),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("cancelled_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rota_overrides_line_ends", "rota_overrides", ["line", "ends_at"])
    op.create_index("ix_rota_overrides_user_id", "rota_overrides", ["user_id"])
    op.create_table(
        "rota_leave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("cancelled_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rota_leave_user_id", "rota_leave", ["user_id"])
    op.create_index("ix_rota_leave_ends_at", "rota_leave", ["ends_at"])
    op.create_table(
        "rota_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("line", sa.String(length=32), nullable=False),
        sa.Column("requester_id", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=32), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("decided_at", UTC_TIME, nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "inbound_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_inbound_events_received_at", "inbound_events", ["received_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("inbound_events")
    op.drop_table("rota_requests")
    op.drop_table("rota_leave")
    op.drop_table("rota_overrides")
    op.drop_table("rota_rotations")
