"""Stored SLA timers on a real database: they follow every change, are recomputed when the policy or
calendar changes, and the unique reminder keys hold across transactions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Core, build_core
from bot.settings import Settings
from services.clock import ManualClock
from storage.models import MetaRow, SlaTimerRow
from storage.timers import SLA_FINGERPRINT, SqlTimerStore
from tests.conftest import LONDON
from triage.services import TicketDraft, acknowledge_ticket, open_ticket

QUESTION = TicketDraft.parse(
    title="How do I share a calendar?", description="With a contractor.", type="support_query", priority=None
)


def build(database_url: str, config_path: Path, clock: ManualClock) -> Core:
    return build_core(Settings("xoxb-test", "secret", None, None, database_url, config_path), clock=clock)


@pytest.fixture
def core(database_url: str, config_path: Path, clock: ManualClock) -> Iterator[Core]:
    core = build(database_url, config_path, clock)
    yield core
    core.close()


def open_question(core: Core) -> int:
    ticket = core.deps.run(
        lambda uow: open_ticket(draft=QUESTION, requester_id="U7RIYA", origin_channel_id=None, **uow.ticket_ports())
    )
    assert ticket.id is not None
    return ticket.id


def timers(core: Core, ticket_id: int) -> dict[str, SlaTimerRow]:
    with core.sessions() as session:
        rows = session.scalars(select(SlaTimerRow).where(SlaTimerRow.ticket_id == ticket_id))
        return {row.name: row for row in rows}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def test_opening_a_ticket_stores_its_timers_with_the_next_reminder(core: Core) -> None:
    ticket_id = open_question(core)  # Tue 24 Nov 10:00, support query: 30m / 1d / 3d
    stored = timers(core, ticket_id)
    assert set(stored) == {"response", "review", "resolution", "stale"}
    assert stored["response"].due_at == local("2026-11-24 10:30")
    assert stored["response"].next_alert_at == local("2026-11-24 10:20")  # 10 working minutes before
    assert stored["review"].due_at == local("2026-11-25 10:00")
    assert stored["review"].next_alert_at == local("2026-11-24 16:00")  # 75% of 8h = 6h: 16:00 exactly
    assert stored["resolution"].due_at == local("2026-11-27 10:00")
    assert stored["stale"].due_at == local("2026-11-25 10:00")
    assert not any(row.breached or row.paused for row in stored.values())


def test_acknowledging_stops_the_response_timer(core: Core, clock: ManualClock) -> None:
    ticket_id = open_question(core)
    clock.set(local("2026-11-24 10:12"))
    core.deps.run(lambda uow: acknowledge_ticket(ticket_id=ticket_id, actor_id="U1ALICE", **uow.ticket_ports()))
    response = timers(core, ticket_id)["response"]
    assert response.stopped_at == local("2026-11-24 10:12")
    assert (response.elapsed_seconds, response.breached, response.due_at, response.next_alert_at) == (
        720.0,
        False,
        None,
        None,
    )


def test_a_changed_policy_recomputes_open_tickets_on_the_first_scheduled_run(
    database_url: str, config_path: Path, clock: ManualClock
) -> None:
    first = build(database_url, config_path, clock)
    ticket_id = open_question(first)
    first.jobs.every_minute(clock.now())  # stores the fingerprint of the policy in force
    with first.sessions() as session:
        assert session.get(MetaRow, SLA_FINGERPRINT) is not None
    first.close()
    config_path.write_text(
        config_path.read_text(encoding="utf-8") + "sla:\n  support_query: {response: 1h}\n", encoding="utf-8"
    )
    second = build(database_url, config_path, clock)  # `serve` restarted after the config was edited
    try:
        assert timers(second, ticket_id)["response"].due_at == local("2026-11-24 10:30")  # not yet recomputed
        second.jobs.every_minute(clock.now())  # the scheduler's first run
        assert timers(second, ticket_id)["response"].due_at == local("2026-11-24 11:00")
        assert second.jobs.recompute_if_policy_changed(clock.now()) == 0  # once only
        with second.sessions() as session:
            stored = session.get(MetaRow, SLA_FINGERPRINT)
            assert stored is not None and stored.value == second.config.sla_settings.fingerprint
    finally:
        second.close()


def test_a_notice_key_is_claimed_once_across_transactions(core: Core, clock: ManualClock) -> None:
    ticket_id = open_question(core)
    key = f"{ticket_id}:response:1:near_breach"
    with core.sessions.begin() as session:
        assert SqlTimerStore(session).claim(key, ticket_id=ticket_id, kind="near_breach", now=clock.now())
    with core.sessions.begin() as session:
        store = SqlTimerStore(session)
        assert not store.claim(key, ticket_id=ticket_id, kind="near_breach", now=clock.now())
        assert store.sent_keys(ticket_id) == {key}


def test_due_tickets_are_found_by_their_next_reminder(core: Core) -> None:
    first, second = open_question(core), open_question(core)
    with core.sessions.begin() as session:
        store = SqlTimerStore(session)
        assert store.due_ticket_ids(local("2026-11-24 10:19"), limit=10) == []
        assert store.due_ticket_ids(local("2026-11-24 10:20"), limit=10) == [first, second]
        assert store.due_ticket_ids(local("2026-11-24 10:20"), limit=1) == [first]
