"""SLA timers, sent notices (reminder keys), meta; status and resolution times on tickets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:09:37.583931
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "sent_notices",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("sent_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_notices_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "sla_timers",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("target_seconds", sa.Float(), nullable=True),
        sa.Column("elapsed_seconds", sa.Float(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("next_alert_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id", "name"),
    )
    with op.batch_alter_table("sla_timers", schema=None) as batch_op:
        batch_op.create_index("ix_sla_timers_due", ["due_at"], unique=False)
        batch_op.create_index("ix_sla_timers_next_alert", ["next_alert_at"], unique=False)
        batch_op.create_index("ix_sla_timers_stopped", ["stopped_at"], unique=False)

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_tickets_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_resolved_at"), ["resolved_at"], unique=False)

    # Tickets from before this revision: their last change is the best estimate of both.
    op.execute("UPDATE tickets SET status_changed_at = updated_at")
    op.execute("UPDATE tickets SET resolved_at = updated_at WHERE status IN ('awaiting_sign_off', 'closed')")
    # Their SLA timers are computed at the next start: no stored policy fingerprint means "recompute".


def downgrade() -> None:

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_tickets_created_at"))
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("status_changed_at")

    with op.batch_alter_table("sla_timers", schema=None) as batch_op:
        batch_op.drop_index("ix_sla_timers_stopped")
        batch_op.drop_index("ix_sla_timers_next_alert")
        batch_op.drop_index("ix_sla_timers_due")

    op.drop_table("sla_timers")
    with op.batch_alter_table("sent_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_notices_ticket_id"))

    op.drop_table("sent_notices")
    op.drop_table("meta")
