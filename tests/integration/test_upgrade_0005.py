"""Revision 0005 on a database that was in use: every row survives as it was, the people it names become
people rows, and ids as long as Teams uses fit in every column that holds one."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import JSON, Engine, String, Text, bindparam, inspect, text

from storage.db import alembic_config, make_engine, migrate
from storage.models import Base, UTCDateTime

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ERASED = "ERASED-0a1b2c3d4e"  # what storage.gdpr leaves in place of an erased person
# A Teams 1:1 conversation id is `a:` and ~190 characters; a person's Bot Framework id `29:` and ~100.
TEAMS_CONVERSATION = "a:" + "1Xk9" * 49 + "Qz"
TEAMS_PERSON = "29:" + "1aB2cD3eF4" * 19 + "xyzwvut"
# The Slack users the seeded rows name, wherever they are named; nothing else is a person.
SLACK_PEOPLE = {"U7RIYA", "U6SAM", "W0GRIDUSER", "U1ALICE", "U5ERIN", "U2BOB", "U3CAROL", "U8LEAD", "U4DAN"}

# The columns the issue names, which must all have room for a Teams id.
ID_COLUMNS = {
    ("tickets", "requester_id"),
    ("tickets", "assignee_id"),
    ("tickets", "origin_channel_id"),
    ("ticket_participants", "user_id"),
    ("ticket_events", "actor_id"),
    ("outbox", "channel"),
    ("outbox", "card_key"),
    ("outbox", "claimed_by"),
    ("outbox_pace", "channel"),
    ("cards", "key"),
    ("cards", "audience"),
    ("cards", "channel"),
    ("cards", "ts"),
    ("cards", "tenant"),
    ("sent_notices", "key"),
    ("rota_rotations", "created_by"),
    ("rota_overrides", "user_id"),
    ("rota_overrides", "replaces_id"),
    ("rota_overrides", "created_by"),
    ("rota_leave", "user_id"),
    ("rota_leave", "created_by"),
    ("rota_requests", "requester_id"),
    ("rota_requests", "target_id"),
    ("rota_requests", "decided_by"),
    ("inbound_events", "event_id"),
    ("audit_log", "actor_id"),
    ("audit_log", "subject"),
    ("people", "id"),
    ("person_identities", "person_id"),
    ("person_identities", "tenant"),
    ("person_identities", "external_id"),
}
# Any other text column named like one of these holds an id too.
ID_NAME = re.compile(r"(^id|_id|_by|channel|ts|key|audience|subject|tenant)$")
NOT_IDS = {("meta", "key")}  # the name of a setting ("sla_fingerprint"), chosen by the code


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def upgrade(engine: Engine, revision: str) -> None:
    command.upgrade(alembic_config(engine), revision)


def insert(engine: Engine, table: str, columns: str = "", rows: Sequence[tuple[Any, ...]] = ((),), **same: Any) -> None:
    """Raw INSERTs of `rows` (values of `columns`), each with `same`; typed only where the driver needs it:
    instants as the app stores them, JSON as JSON."""
    for row in rows:
        values = dict(zip(columns.split(), row, strict=True)) | same
        names = list(values)
        statement = text(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})")
        typed = [
            bindparam(n, type_=UTCDateTime() if isinstance(v, datetime) else JSON())
            for n, v in values.items()
            if isinstance(v, datetime | dict | list)
        ]
        with engine.begin() as connection:
            connection.execute(statement.bindparams(*typed), values)


def seed(engine: Engine) -> None:
    """A desk that has been in use: tickets (one a duplicate, one erased), cards, a pending update, rota rows."""
    hour, day = T0 + timedelta(hours=1), T0 + timedelta(days=1)
    insert(
        engine,
        "tickets",
        "id title priority status requester_id assignee_id origin_channel_id duplicate_of_id resolved_at handover_note",
        [
            (1, "VPN drops", "P2", "in_progress", "U7RIYA", "U1ALICE", "C0GENERAL", None, None, "Router logs checked"),
            (2, "VPN down too", "P2", "closed", "U6SAM", "U1ALICE", None, 1, hour, None),
            (3, "Payroll page blank", "P3", "open", "W0GRIDUSER", "U5ERIN", "G0PRIVATE", None, None, None),
            (4, "[erased]", None, "closed", ERASED, "U5ERIN", None, None, hour, None),
        ],
        description="It drops every few minutes.",
        type="technical_support",
        line="first_line",
        created_at=T0,
        updated_at=hour,
        status_changed_at=hour,
        version=3,
    )
    insert(
        engine,
        "ticket_participants",
        "ticket_id user_id",
        [(1, "U7RIYA"), (1, "U6SAM"), (2, "U6SAM"), (3, "W0GRIDUSER")],
    )
    insert(
        engine,
        "ticket_events",
        "ticket_id kind actor_id at data",
        [
            (1, "created", "U7RIYA", T0, {"title": "VPN drops", "priority": "P2"}),
            (1, "assigned", "U7RIYA", T0, {"assignee": "U1ALICE", "line": "first_line"}),
            (1, "acknowledged", "U1ALICE", T0 + timedelta(minutes=8), {}),
            (2, "marked_duplicate", "U1ALICE", T0 + timedelta(minutes=9), {"original": 1}),
            (1, "participant_added", "U1ALICE", T0 + timedelta(minutes=9), {"users": ["U6SAM"]}),
            (4, "created", ERASED, T0, {"title": "[erased]", "priority": None}),
        ],
    )
    insert(
        engine,
        "cards",
        "key ticket_id audience channel ts",
        [
            ("ticket:1:triage", 1, "triage", "C0TRIAGE", "1764000000.000100"),
            ("ticket:1:requester:U7RIYA", 1, "requester:U7RIYA", "D0RIYA", "1764000000.000200"),
            ("ticket:2:triage", 2, "triage", "C0TRIAGE", "1764000000.000300"),
        ],
    )
    insert(
        engine,
        "outbox",
        "operation channel card_key payload status",
        [("update", "C0TRIAGE", "ticket:1:triage", {"text": "SUP-1 VPN drops", "blocks": []}, "pending")],
        created_at=T0,
        attempts=1,
        next_attempt_at=T0 + timedelta(seconds=30),
        last_error="ratelimited",
        claimed_by="host-a/4026531836/4242/9f8e7d6c",
        claimed_until=hour,
    )
    insert(
        engine,
        "outbox",
        "operation channel payload status sent_at",
        [("post", "U7RIYA", {"text": "Your ticket SUP-1 is logged (Open)"}, "sent", T0)],
        created_at=T0,
        attempts=1,
    )
    insert(engine, "outbox_pace", "channel next_at", [("C0TRIAGE", 1764000001.5)])
    insert(
        engine,
        "sla_timers",
        "ticket_id name cycle target_seconds elapsed_seconds due_at breached paused next_alert_at",
        [(1, "response", 0, 1800.0, 600.0, T0 + timedelta(minutes=30), False, False, T0 + timedelta(minutes=20))],
        started_at=T0,
    )
    insert(
        engine,
        "sent_notices",
        "key ticket_id kind",
        [
            ("1:response:0:reminder", 1, "reminder"),
            ("shift-reminder:first_line:U2BOB:2026-11-30T09:00:00+00:00", None, "shift_reminder"),
        ],
        sent_at=T0,
    )
    insert(engine, "meta", "key value", [("sla_fingerprint", "0123456789abcdef")])
    insert(
        engine,
        "rota_rotations",
        "id line effective_from members created_by",
        [
            (1, "first_line", None, ["U1ALICE", "U2BOB", "U3CAROL"], "config"),
            (2, "second_line", T0 + timedelta(days=6), ["U4DAN", "U5ERIN"], "U8LEAD"),
        ],
        period_days=7,
        handover="mon 09:00",
        start="2026-11-02",
        timezone="Europe/London",
        created_at=T0,
    )
    insert(
        engine,
        "rota_overrides",
        "line user_id replaces_id reason request_id created_by",
        [
            ("first_line", "U2BOB", "U1ALICE", "swap", 1, "U1ALICE"),
            ("first_line", "U3CAROL", None, "import", None, "import"),
        ],
        starts_at=T0,
        ends_at=day,
        created_at=T0,
    )
    insert(
        engine,
        "rota_leave",
        "user_id starts_at ends_at note created_by",
        [("U3CAROL", T0, T0 + timedelta(days=2), "Dentist", "cli")],
        created_at=T0,
    )
    insert(
        engine,
        "rota_requests",
        "kind line requester_id target_id details status decided_at decided_by version",
        [
            (
                "swap",
                "first_line",
                "U1ALICE",
                "U2BOB",
                {"shift": "2026-11-24T09:00:00+00:00"},
                "accepted",
                hour,
                "U2BOB",
                2,
            )
        ],
        created_at=T0,
    )
    insert(
        engine, "inbound_events", "event_id kind status", [("Ev0ABCDEF123", "app_home_opened", "done")], received_at=T0
    )
    insert(
        engine,
        "audit_log",
        "actor_id action subject details",
        [
            ("U8LEAD", "rota_members", "first_line", {"members": ["U1ALICE", "U2BOB", "U3CAROL"]}),
            ("cli", "gdpr_export", "U7RIYA", {}),
            ("cli", "gdpr_erase", ERASED, {"events": 1}),
            ("system", "outbox_redrive", "outbox:2", {}),
        ],
        at=T0,
    )


Snapshot = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def snapshot(engine: Engine) -> Snapshot:
    """Every table but Alembic's: its columns, and its rows as the database hands them back, in key order."""
    schema = inspect(engine)
    tables = sorted(set(schema.get_table_names()) - {"alembic_version"})
    columns = {table: [c["name"] for c in schema.get_columns(table)] for table in tables}
    return {table: (columns[table], read(engine, table, columns[table])) for table in tables}


def read(engine: Engine, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    order = inspect(engine).get_pk_constraint(table)["constrained_columns"]
    with engine.connect() as connection:
        query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(order)}"
        return [tuple(row) for row in connection.execute(text(query))]


def unchanged(engine: Engine, before: Snapshot) -> None:
    """Every table of `before` still has every row it had, each column holding what it held."""
    for table, (columns, rows) in before.items():
        assert read(engine, table, columns) == rows, table


def column_widths(engine: Engine) -> dict[tuple[str, str], int | None]:
    """Declared width of every text column: information_schema on PostgreSQL, the declared type on SQLite."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            return {
                (table, column): width
                for table, column, width in connection.execute(
                    text(
                        "SELECT table_name, column_name, character_maximum_length FROM information_schema.columns"
                        " WHERE table_schema = current_schema() AND data_type IN ('character varying', 'character')"
                    )
                )
            }
    schema = inspect(engine)
    return {
        (table, column["name"]): column["type"].length
        for table in schema.get_table_names()
        for column in schema.get_columns(table)
        if isinstance(column["type"], String) and not isinstance(column["type"], Text)
    }


def test_an_upgrade_keeps_every_row_and_makes_people_of_the_slack_users_named(engine: Engine) -> None:
    upgrade(engine, "0004")
    seed(engine)
    before = snapshot(engine)
    counts = {table: len(rows) for table, (_, rows) in before.items()}
    assert (counts["tickets"], counts["ticket_participants"], counts["ticket_events"], counts["cards"]) == (4, 4, 6, 3)

    upgrade(engine, "head")

    unchanged(engine, before)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id, platform FROM outbox ORDER BY id")).all() == [
            (1, "slack"),
            (2, "slack"),
        ]
        assert connection.execute(text("SELECT key, platform, service_url, tenant FROM cards ORDER BY key")).all() == [
            ("ticket:1:requester:U7RIYA", "slack", None, None),
            ("ticket:1:triage", "slack", None, None),
            ("ticket:2:triage", "slack", None, None),
        ]
        identities = connection.execute(
            text("SELECT person_id, platform, tenant, external_id, email FROM person_identities ORDER BY person_id")
        ).all()
        people = connection.execute(text("SELECT id, display_name, created_at FROM people ORDER BY id")).all()
    assert {p.id for p in people} == SLACK_PEOPLE
    assert all(p.display_name is None and p.created_at is not None for p in people)
    assert sorted(identities) == [(p, "slack", "", p, None) for p in sorted(SLACK_PEOPLE)]
    # 0006 (Teams contacts) comes after 0005 on the way to head; 0005 itself adds just these two tables
    assert set(snapshot(engine)) - set(before) - {"teams_contacts"} == {"people", "person_identities"}
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_after_the_upgrade_teams_ids_fit_and_tickets_still_cascade(engine: Engine) -> None:
    upgrade(engine, "0004")
    seed(engine)
    upgrade(engine, "head")
    assert len(TEAMS_CONVERSATION) == 200 and len(TEAMS_PERSON) == 200

    insert(
        engine,
        "tickets",
        id=5,
        title="Teams user's ticket",
        description="From Teams.",
        type="support_query",
        priority="P3",
        status="open",
        line="first_line",
        requester_id=TEAMS_PERSON,
        assignee_id=TEAMS_PERSON,
        origin_channel_id=TEAMS_CONVERSATION,
        created_at=T0,
        updated_at=T0,
        version=1,
    )
    insert(
        engine,
        "cards",
        key=f"ticket:5:requester:{TEAMS_PERSON}",
        ticket_id=5,
        audience=f"requester:{TEAMS_PERSON}",
        channel=TEAMS_CONVERSATION,
        ts="1:1764000000123",
        platform="teams",
        service_url="https://smba.trafficmanager.net/emea/",
        tenant="72f988bf-86f1-41af-91ab-2d7cd011db47",
    )
    insert(
        engine,
        "outbox",
        created_at=T0,
        operation="post",
        platform="teams",
        channel=TEAMS_CONVERSATION,
        card_key=f"ticket:5:requester:{TEAMS_PERSON}",
        payload={"text": "SUP-5"},
        status="pending",
        attempts=0,
    )
    with engine.begin() as connection:
        assert connection.execute(text("SELECT requester_id, origin_channel_id FROM tickets WHERE id = 5")).one() == (
            TEAMS_PERSON,
            TEAMS_CONVERSATION,
        )
        assert connection.execute(text("SELECT channel, audience FROM cards WHERE ticket_id = 5")).one() == (
            TEAMS_CONVERSATION,
            f"requester:{TEAMS_PERSON}",
        )
        # The rebuilt tables still reference tickets: deleting one takes its dependants with it.
        connection.execute(text("DELETE FROM tickets WHERE id = 2"))
        assert connection.execute(text("SELECT count(*) FROM cards WHERE ticket_id = 2")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM ticket_participants WHERE ticket_id = 2")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM ticket_participants WHERE ticket_id = 1")).scalar() == 2
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []


def test_a_downgrade_keeps_the_rows_and_the_upgrade_can_run_again(engine: Engine) -> None:
    upgrade(engine, "0004")
    seed(engine)
    before = snapshot(engine)
    upgrade(engine, "head")

    command.downgrade(alembic_config(engine), "0004")
    assert snapshot(engine) == before  # the same tables, columns and rows as before the upgrade
    upgrade(engine, "head")

    unchanged(engine, before)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM people")).scalar() == len(SLACK_PEOPLE)


def test_no_column_that_holds_an_id_is_narrower_than_a_teams_id(engine: Engine) -> None:
    migrate(engine)
    widths = column_widths(engine)
    named_like_ids = {c for c in widths if ID_NAME.search(c[1]) and c not in NOT_IDS}

    assert ID_COLUMNS <= named_like_ids, ID_COLUMNS - named_like_ids  # the pattern finds every one the issue names
    narrow = {c: widths[c] for c in named_like_ids | ID_COLUMNS if (widths[c] or 0) < 255}
    assert narrow == {}
    assert widths[("person_identities", "email")] == 320
