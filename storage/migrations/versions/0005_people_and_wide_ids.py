"""People and their platform identities; id columns wide enough for Teams; cards and outbox know their platform

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
# Stated here, not imported from storage.models: a migration is history and must not move when the models do.
ID = 255  # a person, channel, conversation or message id (a Teams `a:...` conversation id can pass 150)
KEY = 512  # a key that embeds an id: "ticket:7:requester:<id>", "shift-reminder:<line>:<id>:<instant>"
SLACK = "slack"

# (column, width before, width now, nullable), per table.
WIDENED: dict[str, list[tuple[str, int, int, bool]]] = {
    "tickets": [
        ("requester_id", 32, ID, False),
        ("assignee_id", 32, ID, True),
        ("origin_channel_id", 32, ID, True),
    ],
    "ticket_participants": [("user_id", 32, ID, False)],
    "ticket_events": [("actor_id", 32, ID, False)],
    "outbox": [("channel", 32, ID, False), ("card_key", 100, KEY, True), ("claimed_by", 64, ID, True)],
    "outbox_pace": [("channel", 32, ID, False)],
    "cards": [("key", 100, KEY, False), ("audience", 32, KEY, False), ("channel", 32, ID, True), ("ts", 32, ID, True)],
    "sent_notices": [("key", 120, KEY, False)],
    "rota_rotations": [("created_by", 32, ID, False)],
    "rota_overrides": [("user_id", 32, ID, False), ("replaces_id", 32, ID, True), ("created_by", 32, ID, False)],
    "rota_leave": [("user_id", 32, ID, False), ("created_by", 32, ID, False)],
    "rota_requests": [("requester_id", 32, ID, False), ("target_id", 32, ID, False), ("decided_by", 32, ID, True)],
    "inbound_events": [("event_id", 64, ID, False)],
    "audit_log": [("actor_id", 32, ID, False), ("subject", 64, ID, True)],
}

# Tables whose rows reference tickets: SQLite's rebuild of `tickets` would delete them (see _tickets_rebuilt).
TICKET_CHILDREN = ("ticket_participants", "ticket_events", "cards", "sla_timers", "sent_notices")

# Every column that has held a person's id. Rotation members (a JSON list) are read separately.
PERSON_COLUMNS = (
    ("tickets", "requester_id"),
    ("tickets", "assignee_id"),
    ("ticket_participants", "user_id"),
    ("ticket_events", "actor_id"),
    ("rota_rotations", "created_by"),
    ("rota_overrides", "user_id"),
    ("rota_overrides", "replaces_id"),
    ("rota_overrides", "created_by"),
    ("rota_leave", "user_id"),
    ("rota_leave", "created_by"),
    ("rota_requests", "requester_id"),
    ("rota_requests", "target_id"),
    ("rota_requests", "decided_by"),
    ("audit_log", "actor_id"),
    ("audit_log", "subject"),
)
# A Slack member id; not "config", "import", "cli", a rota line, "outbox:12" or an erased person's "ERASED-...".
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def upgrade() -> None:
    with _tickets_rebuilt():
        _widen("tickets")
    for table in WIDENED:
        if table not in ("tickets", "outbox", "cards"):
            _widen(table)
    _widen(
        "outbox",
        sa.Column("platform", sa.String(length=16), server_default=SLACK, nullable=False),
    )
    _widen(
        "cards",
        sa.Column("platform", sa.String(length=16), server_default=SLACK, nullable=False),
        sa.Column("service_url", sa.String(length=255), nullable=True),
        sa.Column("tenant", sa.String(length=ID), nullable=True),
    )

    people = op.create_table(
        "people",
        sa.Column("id", sa.String(length=ID), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    identities = op.create_table(
        "person_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=ID), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("tenant", sa.String(length=ID), server_default="", nullable=False),
        sa.Column("external_id", sa.String(length=ID), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "platform", "tenant", "external_id", name="uq_person_identities_platform_tenant_external_id"
        ),
    )
    op.create_index("ix_person_identities_person_id", "person_identities", ["person_id"])
    op.create_index("ix_person_identities_email", "person_identities", ["email"])

    # Everyone already stored is a Slack user, and their key stays their Slack id: no other row is rewritten.
    known = sorted(_stored_person_ids())
    now = datetime.now(UTC)  # when these rows were made: the upgrade
    if known:
        op.bulk_insert(people, [{"id": p, "display_name": None, "created_at": now} for p in known])
        op.bulk_insert(
            identities,
            [{"person_id": p, "platform": SLACK, "tenant": "", "external_id": p, "email": None} for p in known],
        )


def _widen(table: str, *new_columns: sa.Column[str]) -> None:
    """ALTER COLUMN ... TYPE VARCHAR(n) on PostgreSQL (no rewrite when widening); a table rebuild on SQLite."""
    with op.batch_alter_table(table) as batch:
        for name, before, now, nullable in WIDENED[table]:
            batch.alter_column(
                name, type_=sa.String(length=now), existing_type=sa.String(length=before), existing_nullable=nullable
            )
        for column in new_columns:
            batch.add_column(column)


@contextmanager
def _tickets_rebuilt() -> Iterator[None]:
    """Keep the rows that reference tickets aside while SQLite rebuilds the tickets table.

    Batch mode on SQLite copies a table, drops the old one and renames the copy. With foreign keys enforced
    (our engine turns them on, and the pragma is a no-op inside the migration's transaction) dropping
    `tickets` deletes every participant, event, card, timer and notice by ON DELETE CASCADE, and fails on
    tickets marked duplicate of another. So those rows wait in temporary tables and come back afterwards,
    all within the one transaction. PostgreSQL alters the columns in place: nothing to do.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or not bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        yield
        return
    columns = {child: [c["name"] for c in sa.inspect(bind).get_columns(child)] for child in TICKET_CHILDREN}
    for child in TICKET_CHILDREN:
        op.execute(f"CREATE TEMP TABLE keep_{child} AS SELECT * FROM {child}")
        op.execute(f"DELETE FROM {child}")
    op.execute(
        "CREATE TEMP TABLE keep_duplicates AS SELECT id, duplicate_of_id FROM tickets WHERE duplicate_of_id IS NOT NULL"
    )
    op.execute("UPDATE tickets SET duplicate_of_id = NULL")
    yield
    op.execute(
        "UPDATE tickets SET duplicate_of_id = (SELECT k.duplicate_of_id FROM keep_duplicates k WHERE k.id = tickets.id)"
        " WHERE id IN (SELECT id FROM keep_duplicates)"
    )
    op.execute("DROP TABLE keep_duplicates")
    for child in TICKET_CHILDREN:
        names = ", ".join(columns[child])
        op.execute(f"INSERT INTO {child} ({names}) SELECT {names} FROM keep_{child}")
        op.execute(f"DROP TABLE keep_{child}")


def _stored_person_ids() -> set[str]:
    """Every distinct value that names a Slack user in the columns that hold people, and in rotation members."""
    bind = op.get_bind()
    found: set[str] = set()
    for table, name in PERSON_COLUMNS:
        column = sa.column(name, sa.String)
        found.update(
            bind.execute(sa.select(column).select_from(sa.table(table)).where(column.is_not(None)).distinct()).scalars()
        )
    rotations = sa.table("rota_rotations", sa.column("members", sa.JSON))
    for members in bind.execute(sa.select(rotations.c.members)).scalars():
        found.update(m for m in members or [] if isinstance(m, str))
    return {value for value in found if SLACK_USER_ID.match(value)}


def downgrade() -> None:
    # The columns stay wide: narrowing them again could cut a stored Teams id, and 0004's code is content
    # with wider columns. The platform columns and the people tables go (Slack ids stay in every other table).
    op.drop_index("ix_person_identities_email", table_name="person_identities")
    op.drop_index("ix_person_identities_person_id", table_name="person_identities")
    op.drop_table("person_identities")
    op.drop_table("people")
    with op.batch_alter_table("cards") as batch:
        batch.drop_column("tenant")
        batch.drop_column("service_url")
        batch.drop_column("platform")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("platform")
