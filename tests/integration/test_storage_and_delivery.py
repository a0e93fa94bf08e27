"""Storage and delivery against a real database and the fake Slack Web API: nothing announced that did
not commit, nothing lost when Slack fails, no lost update when two people change one ticket."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from bot.app import Runtime
from handlers.slack.fake_api import FakeSlack
from services.clock import ManualClock
from storage.db import migrate
from storage.models import Base, OutboxRow, TicketRow
from storage.tickets import SqlTicketRepository
from triage.model import Status
from triage.ports import ConcurrentUpdate
from triage.services import TicketDraft, open_ticket

DRAFT = TicketDraft.parse(
    title="Printer jams", description="Tray 2 jams on every job.", type="support_query", priority="P3"
)


def open_one(runtime: Runtime) -> int:
    with runtime.deps.unit_of_work() as uow:
        ticket = open_ticket(
            draft=DRAFT,
            requester_id="U7RIYA",
            origin_channel_id="C0GENERAL",
            tickets=uow.tickets,
            rota=runtime.deps.rota,
            notifier=uow.notifier,
            now=uow.now,
        )
    assert ticket.id is not None
    return ticket.id


def outbox(runtime: Runtime) -> list[OutboxRow]:
    with runtime.sessions() as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def test_migrations_match_the_models_and_can_run_twice(runtime: Runtime) -> None:
    migrate(runtime.engine)  # a second start must not fail
    names = set(inspect(runtime.engine).get_table_names())
    assert {"tickets", "ticket_events", "ticket_participants", "outbox", "cards", "alembic_version"} <= names
    with runtime.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == [], "models changed without a migration"


def test_a_rolled_back_ticket_is_never_announced(runtime: Runtime, fake: FakeSlack) -> None:
    with pytest.raises(RuntimeError, match="after the ticket was written"):
        with runtime.deps.unit_of_work() as uow:
            open_ticket(
                draft=DRAFT,
                requester_id="U7RIYA",
                origin_channel_id=None,
                tickets=uow.tickets,
                rota=runtime.deps.rota,
                notifier=uow.notifier,
                now=uow.now,
            )
            assert uow.session.scalars(select(OutboxRow)).all(), "messages are queued inside the transaction"
            raise RuntimeError("something failed after the ticket was written")
    assert runtime.worker.drain() == 0
    assert fake.calls_to("chat.postMessage") == []
    with runtime.sessions() as session:
        assert session.scalars(select(TicketRow)).all() == []
        assert session.scalars(select(OutboxRow)).all() == []


def test_messages_are_delivered_after_commit_in_order(runtime: Runtime, fake: FakeSlack) -> None:
    open_one(runtime)
    assert fake.calls_to("chat.postMessage") == []  # committed, not yet delivered: the worker sends
    assert runtime.worker.drain() == 3
    assert [c.channel for c in fake.calls_to("chat.postMessage")] == ["C0TRIAGE", "U7RIYA", "U1ALICE"]
    assert {row.status for row in outbox(runtime)} == {"sent"}
    assert runtime.worker.drain() == 0  # nothing twice


def test_a_slack_outage_loses_nothing_the_message_is_kept_and_resent(
    runtime: Runtime, fake: FakeSlack, clock: ManualClock
) -> None:
    fake.fail_next("chat.postMessage", status=503, count=3)  # the first message fails all of the client's tries
    open_one(runtime)
    assert runtime.worker.drain() == 2  # the others still go out
    first = outbox(runtime)[0]
    assert (first.status, first.attempts, first.channel) == ("pending", 1, "C0TRIAGE")
    assert first.next_attempt_at is not None and first.next_attempt_at > clock.now()
    assert "503" in (first.last_error or "")

    assert runtime.worker.drain() == 0  # not before its back-off
    clock.advance(timedelta(minutes=1))
    assert runtime.worker.drain() == 1
    delivered = [c for c in fake.calls_to("chat.postMessage") if c.channel == "C0TRIAGE"]
    assert len(delivered) == 1 and "SUP-1" in delivered[0].text
    assert {row.status for row in outbox(runtime)} == {"sent"}


def test_a_card_update_waits_for_its_card_and_then_edits_it(
    runtime: Runtime, fake: FakeSlack, clock: ManualClock
) -> None:
    from triage.services import acknowledge_ticket

    fake.fail_next("chat.postMessage", status=500, count=3)
    ticket_id = open_one(runtime)
    runtime.worker.drain()  # triage post failed and waits for a retry
    with runtime.deps.unit_of_work() as uow:
        acknowledge_ticket(
            ticket_id=ticket_id,
            actor_id="U1ALICE",
            tickets=uow.tickets,
            rota=runtime.deps.rota,
            notifier=uow.notifier,
            now=uow.now,
        )
    runtime.worker.drain()
    assert [c for c in fake.calls_to("chat.update") if c.channel == "C0TRIAGE"] == []  # nothing to edit yet
    clock.advance(timedelta(minutes=1))
    runtime.worker.drain()
    post = next(c for c in fake.calls_to("chat.postMessage") if c.channel == "C0TRIAGE")
    update = next(c for c in fake.calls_to("chat.update") if c.channel == "C0TRIAGE")
    assert update.args["ts"] == post.response["ts"] and "Under investigation" in update.text


def test_a_permanent_slack_error_is_dead_lettered_not_retried(
    runtime: Runtime, fake: FakeSlack, clock: ManualClock
) -> None:
    fake.fail_next("chat.postMessage", status=200, error="channel_not_found")
    open_one(runtime)
    runtime.worker.drain()
    rows = [row for row in outbox(runtime) if row.channel != "U8LEAD"]  # not the leads' dead-letter notice
    assert rows[0].status == "dead" and "channel_not_found" in (rows[0].last_error or "")
    assert [r.status for r in rows[1:]] == ["sent", "sent"]
    clock.advance(timedelta(hours=2))
    assert runtime.worker.drain() == 0


def test_a_change_based_on_a_stale_read_is_refused_not_lost(runtime: Runtime) -> None:
    ticket_id = open_one(runtime)
    with runtime.sessions.begin() as session:  # they read the ticket...
        stale = SqlTicketRepository(session).get(ticket_id)
    assert stale is not None
    with runtime.sessions.begin() as session:  # ...someone else changes it...
        tickets = SqlTicketRepository(session)
        fresh = tickets.get(ticket_id)
        assert fresh is not None
        fresh.status = Status.UNDER_INVESTIGATION
        tickets.save(fresh)
    stale.status = Status.AWAITING_SIGN_OFF
    with pytest.raises(ConcurrentUpdate), runtime.sessions.begin() as session:  # ...and their write is refused
        SqlTicketRepository(session).save(stale)
    with runtime.sessions() as session:
        assert session.get_one(TicketRow, ticket_id).status == "under_investigation"


def test_an_older_card_state_never_lands_after_a_newer_one(
    runtime: Runtime, fake: FakeSlack, clock: ManualClock
) -> None:
    from triage.services import acknowledge_ticket, change_status

    ticket_id = open_one(runtime)
    runtime.worker.drain()
    fake.fail_next("chat.update", status=200, error="service_unavailable", count=3)
    with runtime.deps.unit_of_work() as uow:  # state 2: under investigation (its updates fail for now)
        acknowledge_ticket(
            ticket_id=ticket_id,
            actor_id="U1ALICE",
            tickets=uow.tickets,
            rota=runtime.deps.rota,
            notifier=uow.notifier,
            now=uow.now,
        )
    runtime.worker.drain()
    with runtime.deps.unit_of_work() as uow:  # state 3: in progress
        change_status(
            ticket_id=ticket_id,
            actor_id="U1ALICE",
            status=Status.IN_PROGRESS,
            tickets=uow.tickets,
            rota=runtime.deps.rota,
            notifier=uow.notifier,
            now=uow.now,
        )
    clock.advance(timedelta(hours=1))
    runtime.worker.drain()
    for (channel, _ts), message in fake.messages.items():
        if channel in ("C0TRIAGE", "D1ALICE"):
            assert "In progress" in json.dumps(message["blocks"]), channel
    assert "superseded" in {row.status for row in outbox(runtime)}


def test_a_long_slack_outage_delays_messages_but_loses_none(
    runtime: Runtime, fake: FakeSlack, clock: ManualClock
) -> None:
    fake.fail_next("chat.postMessage", status=200, error="service_unavailable", count=10_000)
    open_one(runtime)
    for _ in range(12):  # six hours of failing attempts
        runtime.worker.drain()
        clock.advance(timedelta(minutes=30))
    assert {row.status for row in outbox(runtime)} == {"pending"}
    fake.heal()
    clock.advance(timedelta(minutes=30))
    assert runtime.worker.drain() == 3
    clock.advance(timedelta(days=4))
    assert {row.status for row in outbox(runtime)} == {"sent"}


def test_transient_failures_for_days_end_as_dead_letters_not_endless_retries(
    runtime: Runtime, fake: FakeSlack, clock: ManualClock
) -> None:
    fake.fail_next("chat.postMessage", status=200, error="service_unavailable", count=10_000)
    open_one(runtime)
    runtime.worker.drain()
    clock.advance(timedelta(days=3, minutes=1))
    runtime.worker.drain()
    assert {row.status for row in outbox(runtime) if row.channel != "U8LEAD"} == {"dead"}  # leads' notices aside
