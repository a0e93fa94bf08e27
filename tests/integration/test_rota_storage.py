"""The stored rota on a real database: seeding once, round trips, the revision, the cache across processes,
and no lost update on a swap request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from rota.ports import RequestKind, RequestStatus, RotaRequest
from rota.roster import Leave, Override, OverrideReason
from rota.rotation import SupportLine
from services.config import AppConfig, load_config
from storage.db import make_engine, make_sessionmaker, migrate
from storage.models import AuditRow, RotationRow
from storage.rota import (
    KEEP_PAST,
    RotaCache,
    SqlRotaRepository,
    seed_rota_if_empty,
)
from storage.rota_meta import calendar_token, calendar_url, read_revision
from tests.conftest import LONDON, TUESDAY_10AM
from triage.ports import ConcurrentUpdate

FIRST, SECOND = SupportLine.FIRST, SupportLine.SECOND
NOW = TUESDAY_10AM.astimezone(UTC)
NEXT_MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def config(config_path: Path) -> AppConfig:
    return load_config(config_path)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine, config: AppConfig) -> sessionmaker[Session]:
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        seed_rota_if_empty(session, config.rota, NOW)
    return sessions


def load(sessions: sessionmaker[Session], config: AppConfig, since: datetime | None = None):  # type: ignore[no-untyped-def]
    with sessions.begin() as session:
        return SqlRotaRepository(session).load(leads=config.rota.leads, since=since)


def test_the_config_seeds_the_rota_once(sessions: sessionmaker[Session], config: AppConfig) -> None:
    with sessions.begin() as session:
        assert seed_rota_if_empty(session, config.rota, NOW + timedelta(days=1)) == []
        rows = list(session.scalars(select(RotationRow).order_by(RotationRow.line)))
        assert [(r.line, r.created_by, r.effective_from) for r in rows] == [
            ("first_line", "config", None),
            ("second_line", "config", None),
        ]
        assert session.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.actor_id == "config")) == 2
    rota = load(sessions, config)
    assert rota.rotations == config.rota.rotations
    assert rota.leads == frozenset({"U8LEAD"})
    assert rota.on_duty(FIRST, NOW) == "U1ALICE" and rota.on_duty(SECOND, NOW) == "U5ERIN"


def test_a_line_added_to_the_config_later_is_seeded_and_stored_edits_survive(engine: Engine, config: AppConfig) -> None:
    sessions = make_sessionmaker(engine)
    only_first = config.rota.__class__(rotations={FIRST: config.rota.rotations[FIRST]}, leads=config.rota.leads)
    with sessions.begin() as session:
        assert seed_rota_if_empty(session, only_first, NOW) == [FIRST]
    with sessions.begin() as session:
        assert seed_rota_if_empty(session, config.rota, NOW) == [SECOND]
    assert set(load(sessions, config).rotations) == {FIRST, SECOND}


def test_writes_round_trip_bump_the_revision_and_are_audited(
    sessions: sessionmaker[Session], config: AppConfig
) -> None:
    rota = load(sessions, config)
    with sessions.begin() as session:
        before = read_revision(session)
        repo = SqlRotaRepository(session)
        pieces = rota.split_at_handovers(Override(FIRST, "U3CAROL", NOW, NEXT_MONDAY + timedelta(days=1)))
        stored = repo.add_overrides(pieces, actor_id="U8LEAD", now=NOW)
        leave = repo.add_leave(
            Leave.for_days("U2BOB", NEXT_MONDAY.date(), NEXT_MONDAY.date() + timedelta(days=6), LONDON),
            actor_id="U2BOB",
            now=NOW,
            note="holiday",
        )
        edited = rota.rotations[FIRST].continued_with(("U1ALICE", "U3CAROL"), NOW)
        repo.add_rotation(edited, effective_from=edited.shift_start(0), actor_id="U8LEAD", now=NOW)
        assert repo.changed
        after = read_revision(session)
    assert [p.replaces for p in stored] == ["U1ALICE", "U2BOB"] and all(p.id for p in stored)
    assert leave.id is not None
    assert int(after or 0) == int(before or 0) + 3
    rota = load(sessions, config)
    assert rota.overrides == tuple(stored) and rota.leave == (leave,)
    assert rota.rotations[FIRST] == edited and rota.earlier[FIRST] == (config.rota.rotations[FIRST],)
    assert rota.on_duty(FIRST, NOW) == "U3CAROL"
    assert rota.on_duty(FIRST, NEXT_MONDAY + timedelta(days=2)) == "U3CAROL"  # the edit: Carol follows Alice
    with sessions.begin() as session:
        actions = list(session.scalars(select(AuditRow.action).where(AuditRow.actor_id != "config")))
        assert actions == ["rota_override_added", "rota_leave_added", "rota_rotation_added"]
        repo = SqlRotaRepository(session)
        assert repo.cancel_override(stored[0].id or 0, actor_id="U8LEAD", now=NOW) == stored[0]
        assert repo.cancel_override(stored[0].id or 0, actor_id="U8LEAD", now=NOW) is None
        assert repo.cancel_leave(leave.id, actor_id="U2BOB", now=NOW) == leave
    rota = load(sessions, config)
    assert rota.overrides == (stored[1],) and rota.leave == ()
    assert rota.on_duty(FIRST, NOW) == "U1ALICE"


def test_long_finished_overrides_are_not_loaded(sessions: sessionmaker[Session], config: AppConfig) -> None:
    old = Override(FIRST, "U3CAROL", NOW - timedelta(days=60), NOW - timedelta(days=59))
    with sessions.begin() as session:
        SqlRotaRepository(session).add_overrides([old], actor_id="U8LEAD", now=NOW)
    assert load(sessions, config, since=NOW - KEEP_PAST).overrides == ()
    assert len(load(sessions, config).overrides) == 1


def test_the_cache_sees_another_processs_write_after_its_interval(
    engine: Engine, database_url: str, config: AppConfig, sessions: sessionmaker[Session]
) -> None:
    ticks = [100.0]
    cache = RotaCache(
        make_sessionmaker(engine, read_only=True),
        leads=config.rota.leads,
        now=lambda: NOW,
        min_interval=0.5,
        monotonic=lambda: ticks[0],
    )
    assert cache.get().on_duty(FIRST, NOW) == "U1ALICE"
    assert cache.get() is cache.get() and cache.loads == 1
    other = make_engine(database_url)  # another process: its own engine and connections
    try:
        with make_sessionmaker(other).begin() as session:
            SqlRotaRepository(session).add_overrides(
                [Override(FIRST, "U2BOB", NOW - timedelta(hours=1), NOW + timedelta(hours=1))], actor_id="cli", now=NOW
            )
    finally:
        other.dispose()
    assert cache.get().on_duty(FIRST, NOW) == "U1ALICE"  # within the interval: no read at all
    ticks[0] += 0.6
    assert cache.get().on_duty(FIRST, NOW) == "U2BOB"
    assert cache.loads == 2
    ticks[0] += 0.6
    cache.get()
    assert cache.loads == 2, "an unchanged revision costs one small read, not a reload"
    with sessions.begin() as session:
        SqlRotaRepository(session).add_leave(
            Leave("U2BOB", NOW - timedelta(hours=2), NOW + timedelta(hours=2)), actor_id="U2BOB", now=NOW
        )
    cache.invalidate()  # our own write: seen at once
    assert cache.get().is_on_leave("U2BOB", NOW) and cache.loads == 3


def request(status: RequestStatus = RequestStatus.PENDING) -> RotaRequest:
    return RotaRequest(
        id=None,
        kind=RequestKind.SWAP,
        line=FIRST,
        requester_id="U1ALICE",
        target_id="U2BOB",
        given_from=NEXT_MONDAY - timedelta(days=7),
        given_to=NEXT_MONDAY,
        taken_from=NEXT_MONDAY,
        taken_to=NEXT_MONDAY + timedelta(days=7),
        status=status,
        created_at=NOW,
        extra={"note": "dentist"},
    )


def test_requests_round_trip_and_a_stale_decision_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        made = SqlRotaRepository(session).add_request(request())
    assert made.id is not None
    with sessions.begin() as session:
        repo = SqlRotaRepository(session)
        mine = repo.pending_requests_for("U2BOB")
        assert [r.id for r in mine] == [made.id] and repo.pending_requests_for("U3CAROL") == []
        assert mine[0] == made
    first, second = (_fetch(sessions, made.id) for _ in range(2))
    first.status, first.decided_at, first.decided_by = RequestStatus.ACCEPTED, NOW, "U2BOB"
    with sessions.begin() as session:
        SqlRotaRepository(session).save_request(first)
    second.status, second.decided_at, second.decided_by = RequestStatus.DECLINED, NOW, "U2BOB"
    with pytest.raises(ConcurrentUpdate), sessions.begin() as session:
        SqlRotaRepository(session).save_request(second)
    assert _fetch(sessions, made.id).status is RequestStatus.ACCEPTED
    with sessions.begin() as session:
        assert SqlRotaRepository(session).pending_requests_for("U2BOB") == []


def _fetch(sessions: sessionmaker[Session], request_id: int) -> RotaRequest:
    with sessions.begin() as session:
        found = SqlRotaRepository(session).get_request(request_id)
    assert found is not None
    return found


def test_the_calendar_token_is_made_once_and_urls_need_a_public_url(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        token = calendar_token(session)
        assert calendar_token(session) == token and len(token) >= 24
        assert calendar_url(session, None, FIRST) is None
        assert (
            calendar_url(session, "https://desk.example.com/", "first_line")
            == f"https://desk.example.com/rota/first_line.ics?token={token}"
        )


def test_an_overrides_reason_is_kept(sessions: sessionmaker[Session], config: AppConfig) -> None:
    with sessions.begin() as session:
        SqlRotaRepository(session).add_overrides(
            [Override(FIRST, "U3CAROL", NOW, NOW + timedelta(hours=1), reason=OverrideReason.SWAP)],
            actor_id="U8LEAD",
            now=NOW,
        )
    assert load(sessions, config).overrides[0].reason is OverrideReason.SWAP
