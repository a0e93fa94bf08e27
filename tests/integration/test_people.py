"""People and their identities on a real database: one person per human however often and from wherever they
are seen, linked across platforms by email, and never two rows when two processes see them at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_sessionmaker, migrate
from storage.gdpr import erase_person, export_person
from storage.models import PersonIdentityRow, PersonRow
from storage.people import Identity, SqlPeopleRepository

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)
SLACK_TEAM = "T0ACME"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # an Entra ID tenant
ALICE_AAD = "5b8f1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"  # Alice's AAD object id
# A Bot Framework user id: `29:` and about a hundred characters, longer than any Slack id column used to hold.
BOB_TEAMS = "29:1" + "aBcDeFgHiJ" * 19 + "kLmNoPqR"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def ensure(sessions: sessionmaker[Session], **arguments: Any) -> str:
    """One unit of work that makes sure of one identity."""
    with sessions.begin() as session:
        return SqlPeopleRepository(session).ensure(**{"now": NOW, **arguments})


def stored(sessions: sessionmaker[Session]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every person (key, name, created) and identity (person, platform, tenant, external id, email)."""
    with sessions.begin() as session:
        people = [
            (p.id, p.display_name, p.created_at) for p in session.scalars(select(PersonRow).order_by(PersonRow.id))
        ]
        identities = [
            (i.person_id, i.platform, i.tenant, i.external_id, i.email)
            for i in session.scalars(select(PersonIdentityRow).order_by(PersonIdentityRow.id))
        ]
    return people, identities


def test_a_person_is_keyed_by_the_id_they_were_first_seen_with_and_ensuring_again_adds_nothing(
    sessions: sessionmaker[Session],
) -> None:
    first = ensure(
        sessions,
        platform="slack",
        external_id="U1ALICE",
        tenant=SLACK_TEAM,
        email="Alice@Example.com",
        display_name="Alice",
    )
    again = ensure(sessions, platform="slack", external_id="U1ALICE", tenant=SLACK_TEAM, now=LATER)
    without_details = ensure(sessions, platform="slack", external_id="U1ALICE", now=LATER)

    assert first == again == without_details == "U1ALICE"
    assert stored(sessions) == (
        [("U1ALICE", "Alice", NOW)],
        [("U1ALICE", "slack", SLACK_TEAM, "U1ALICE", "alice@example.com")],
    )
    with sessions.begin() as session:
        people = SqlPeopleRepository(session)
        assert people.find("slack", "U1ALICE", SLACK_TEAM) == "U1ALICE"
        assert people.find("slack", "U1ALICE") == "U1ALICE"  # asked without the workspace
        assert people.find("slack", "U1ALICE", "T0OTHER") is None
        assert people.find("teams", "U1ALICE") is None
        assert people.find("slack", "U2BOB") is None


def test_the_same_email_on_teams_is_the_same_person(sessions: sessionmaker[Session]) -> None:
    alice = ensure(sessions, platform="slack", external_id="U1ALICE", tenant=SLACK_TEAM, email="alice@example.com")
    in_teams = ensure(
        sessions, platform="teams", external_id=ALICE_AAD, tenant=TENANT, email=" ALICE@example.COM ", now=LATER
    )

    assert in_teams == alice == "U1ALICE"
    people, identities = stored(sessions)
    assert people == [("U1ALICE", None, NOW)]
    assert identities == [
        ("U1ALICE", "slack", SLACK_TEAM, "U1ALICE", "alice@example.com"),
        ("U1ALICE", "teams", TENANT, ALICE_AAD, "alice@example.com"),
    ]
    with sessions.begin() as session:
        repository = SqlPeopleRepository(session)
        assert repository.find("teams", ALICE_AAD, TENANT) == "U1ALICE"
        assert repository.identity("U1ALICE", "teams") == Identity("teams", TENANT, ALICE_AAD, "alice@example.com")
        assert repository.identity("U1ALICE", "slack") == Identity("slack", SLACK_TEAM, "U1ALICE", "alice@example.com")
        assert repository.by_email("Alice@Example.com") == "U1ALICE"


def test_a_teams_user_nobody_knows_is_a_person_of_their_own_under_their_long_id(
    sessions: sessionmaker[Session],
) -> None:
    ensure(sessions, platform="slack", external_id="U1ALICE", email="alice@example.com")
    bob = ensure(
        sessions, platform="teams", external_id=BOB_TEAMS, tenant=TENANT, email="bob@example.com", display_name="Bob"
    )

    assert bob == BOB_TEAMS and len(BOB_TEAMS) > 200
    with sessions.begin() as session:
        repository = SqlPeopleRepository(session)
        assert repository.identity(BOB_TEAMS, "teams") == Identity("teams", TENANT, BOB_TEAMS, "bob@example.com")
        assert repository.identity(BOB_TEAMS, "slack") is None
        assert repository.identity("U0NOBODY", "slack") is None
        assert repository.by_email("bob@example.com") == BOB_TEAMS
        assert repository.by_email("carol@example.com") is None
        assert repository.by_email("  ") is None
    assert [p[0] for p in stored(sessions)[0]] == sorted(["U1ALICE", BOB_TEAMS])


def test_two_accounts_on_one_platform_sharing_an_email_stay_two_people(sessions: sessionmaker[Session]) -> None:
    """Only another platform's identity links by email: two Slack accounts are two members, whatever their email."""
    first = ensure(sessions, platform="slack", external_id="U1ALICE", email="desk@example.com")
    second = ensure(sessions, platform="slack", external_id="U9SHARED", email="desk@example.com")

    assert (first, second) == ("U1ALICE", "U9SHARED")
    assert len(stored(sessions)[0]) == 2
    with sessions.begin() as session:
        assert SqlPeopleRepository(session).by_email("desk@example.com") == "U1ALICE"  # the earliest


def test_an_identity_stored_before_its_workspace_was_known_learns_it(sessions: sessionmaker[Session]) -> None:
    """Revision 0005 makes identities with tenant "" from the Slack ids already stored."""
    assert ensure(sessions, platform="slack", external_id="U1ALICE") == "U1ALICE"

    seen_in_slack = ensure(
        sessions,
        platform="slack",
        external_id="U1ALICE",
        tenant=SLACK_TEAM,
        email="alice@example.com",
        display_name="Alice Liddell",
        now=LATER,
    )

    assert seen_in_slack == "U1ALICE"
    assert stored(sessions) == (
        [("U1ALICE", "Alice Liddell", NOW)],
        [("U1ALICE", "slack", SLACK_TEAM, "U1ALICE", "alice@example.com")],
    )
    renamed = ensure(sessions, platform="slack", external_id="U1ALICE", tenant=SLACK_TEAM, display_name="Alice L.")
    assert renamed == "U1ALICE" and stored(sessions)[0] == [("U1ALICE", "Alice L.", NOW)]


def test_the_same_id_in_another_workspace_is_another_person_not_a_merge(sessions: sessionmaker[Session]) -> None:
    ours = ensure(sessions, platform="slack", external_id="U1ALICE", tenant=SLACK_TEAM)
    theirs = ensure(sessions, platform="slack", external_id="U1ALICE", tenant="T0OTHER")

    assert (ours, theirs) == ("U1ALICE", "slack:T0OTHER:U1ALICE")
    assert ensure(sessions, platform="slack", external_id="U1ALICE", tenant="T0OTHER") == theirs
    with sessions.begin() as session:
        assert SqlPeopleRepository(session).identity(theirs, "slack") == Identity("slack", "T0OTHER", "U1ALICE", None)
    assert [p[0] for p in stored(sessions)[0]] == ["U1ALICE", "slack:T0OTHER:U1ALICE"]


def wait_until_blocked(engine: Engine, worker: threading.Thread) -> None:
    """Until the worker waits for the open transaction: a lock wait on PostgreSQL, SQLite's write lock."""
    if engine.dialect.name != "postgresql":
        worker.join(0.5)
        return
    deadline = time.monotonic() + 10
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
            if waiting:
                return
            connection.rollback()
            time.sleep(0.02)
    raise AssertionError("the second process never waited for the first")


def test_two_processes_seeing_a_new_person_at_once_make_one_person(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    first = sessions()
    first.begin()
    key = SqlPeopleRepository(first).ensure(platform="teams", external_id=BOB_TEAMS, tenant=TENANT, now=NOW)
    seen: dict[str, str] = {}

    def second_process() -> None:
        seen["key"] = ensure(sessions, platform="teams", external_id=BOB_TEAMS, tenant=TENANT, now=LATER)

    worker = threading.Thread(target=second_process)
    worker.start()
    try:
        wait_until_blocked(engine, worker)
        assert worker.is_alive(), "the second process must wait for the first one's transaction"
    finally:
        first.commit()
        first.close()
        worker.join(30)

    assert seen == {"key": key} and key == BOB_TEAMS
    assert stored(sessions) == (
        [(BOB_TEAMS, None, NOW)],
        [(BOB_TEAMS, "teams", TENANT, BOB_TEAMS, None)],
    )


def test_an_export_lists_the_persons_identities_and_an_erasure_deletes_them(sessions: sessionmaker[Session]) -> None:
    ensure(sessions, platform="slack", external_id="U1ALICE", tenant=SLACK_TEAM, email="alice@example.com")
    ensure(
        sessions,
        platform="teams",
        external_id=ALICE_AAD,
        tenant=TENANT,
        email="alice@example.com",
        display_name="Alice",
    )
    ensure(sessions, platform="teams", external_id=BOB_TEAMS, tenant=TENANT, email="bob@example.com")

    with sessions.begin() as session:
        export = export_person(session, user_id="U1ALICE", prefix="SUP", now=NOW)
        first = erase_person(session, user_id="U1ALICE", prefix="SUP")
    with sessions.begin() as session:
        second = erase_person(session, user_id="U1ALICE", prefix="SUP")

    assert export["display_name"] == "Alice"
    assert export["identities"] == [
        {"platform": "slack", "tenant": SLACK_TEAM, "external_id": "U1ALICE", "email": "alice@example.com"},
        {"platform": "teams", "tenant": TENANT, "external_id": ALICE_AAD, "email": "alice@example.com"},
    ]
    assert BOB_TEAMS not in str(export) and "bob@example.com" not in str(export)
    assert (first.identities, first.details()["identities"], second.identities) == (2, 2, 0)
    people, identities = stored(sessions)
    assert people == [(BOB_TEAMS, None, NOW)]  # nobody else's row goes, and the pseudonym gets none
    assert identities == [(BOB_TEAMS, "teams", TENANT, BOB_TEAMS, "bob@example.com")]
    with sessions.begin() as session:
        repository = SqlPeopleRepository(session)
        assert repository.by_email("alice@example.com") is None
        assert repository.find("teams", ALICE_AAD, TENANT) is None
