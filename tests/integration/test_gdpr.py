"""GDPR export and erasure on a real database, with tickets made by the real services: the digest's figures
survive an erasure, an export holds one person's data and nobody else's, erasing twice changes nothing."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Core, build_core
from bot.settings import Settings
from services.clock import ManualClock
from storage.gdpr import erase_person, export_person
from storage.models import Base, EventRow, ParticipantRow, TicketRow
from storage.reports import SqlReports
from triage.digest import Capped, Digest, DigestKind, build_digest
from triage.privacy import ERASED
from triage.reminders import refresh_timers
from triage.services import (
    TicketDraft,
    acknowledge_ticket,
    escalate_ticket,
    mark_duplicate,
    open_ticket,
    post_update,
    resolve_ticket,
)

RIYA, SAM, ALICE, ERIN = "U7RIYA", "U6SAM", "U1ALICE", "U5ERIN"
RIYA_TITLE = "VPN keeps dropping on Riya's laptop RP-LT-042"
RIYA_DESCRIPTION = "Riya Patel here: it drops at home\n<every> five minutes & on the train."
RIYA_QUESTION = "How do I claim Riya's train fares?"
NOTE = "Checked Riya's home router logs: DHCP renewals line up"
RESOLUTION = "Replaced Riya's VPN profile with the split-tunnel one"
UPDATE = "The expenses form for Riya is on the intranet"
SAM_TITLE = "Payroll page blank for Sam Okafor"
SAM_DESCRIPTION = "Sam's payslip for November will not load."
RIYA_WORDS = (RIYA, RIYA_TITLE, "it drops at home", "five minutes &amp; on the train", RIYA_QUESTION, NOTE, RESOLUTION)


@pytest.fixture
def core(database_url: str, config_path: Path, clock: ManualClock) -> Iterator[Core]:
    core = build_core(Settings(None, None, None, None, database_url, config_path), clock=clock)
    yield core
    core.close()


def run(core: Core, clock: ManualClock, minutes: int, service: Any, **arguments: Any) -> Any:
    clock.advance(timedelta(minutes=minutes))
    return core.deps.run(lambda uow: service(**arguments, **uow.ticket_ports()))


def draft(title: str, description: str, type: str = "technical_support", priority: str = "P2") -> TicketDraft:
    return TicketDraft.parse(title=title, description=description, type=type, priority=priority)


def open_(core: Core, clock: ManualClock, minutes: int, user: str, d: TicketDraft) -> int:
    ticket = run(core, clock, minutes, open_ticket, draft=d, requester_id=user, origin_channel_id="C0GENERAL")
    return int(ticket.id)


@pytest.fixture
def desk_history(core: Core, clock: ManualClock) -> dict[str, int]:
    """Riya's fault (escalated, resolved), Riya's question (updated), Sam's fault and Sam's duplicate of Riya's."""
    t1 = open_(core, clock, 0, RIYA, draft(RIYA_TITLE, RIYA_DESCRIPTION))
    t2 = open_(core, clock, 5, RIYA, draft(RIYA_QUESTION, "Train fares for the client visit.", "support_query"))
    t3 = open_(core, clock, 5, SAM, draft(SAM_TITLE, SAM_DESCRIPTION, priority="P3"))
    t4 = open_(core, clock, 5, SAM, draft("VPN down for Sam too", "Same as Riya's, I think."))
    run(core, clock, 5, acknowledge_ticket, ticket_id=t1, actor_id=ALICE)
    run(core, clock, 5, escalate_ticket, ticket_id=t1, actor_id=ALICE, note=NOTE)
    run(core, clock, 5, mark_duplicate, ticket_id=t4, original_id=t1, actor_id=ALICE)
    run(core, clock, 20, resolve_ticket, ticket_id=t1, actor_id=ERIN, resolution=RESOLUTION)
    run(core, clock, 20, post_update, ticket_id=t2, actor_id=ALICE, message=UPDATE)
    clock.advance(timedelta(hours=3))
    core.jobs.sweep(clock.now())  # breaches and stale nudges, recorded like production
    return {"riya_fault": t1, "riya_question": t2, "sam_fault": t3, "sam_duplicate": t4}


def figures(core: Core, now: datetime) -> list[Digest]:
    """The daily and weekly digests' figures, titles left out (an erased title is the one thing that changes)."""

    def untitled(capped: Capped[Any]) -> Capped[Any]:
        items = tuple(dataclasses.replace(i, title=None) if hasattr(i, "title") else i for i in capped.items)
        return Capped(items, capped.total)

    with core.sessions.begin() as session:
        digests = [
            build_digest(reports=SqlReports(session), kind=kind, now=now, calendar=core.deps.sla.calendar)
            for kind in DigestKind
        ]
    return [
        dataclasses.replace(
            d,
            breached=untitled(d.breached),
            about_to_breach=untitled(d.about_to_breach),
            stale=untitled(d.stale),
            awaiting_requester=untitled(d.awaiting_requester),
        )
        for d in digests
    ]


def dump(core: Core) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as plain data."""
    with core.sessions.begin() as session:
        return {
            table.name: [dict(row._mapping) for row in session.execute(select(table).order_by(*table.primary_key))]
            for table in Base.metadata.sorted_tables
        }


def text_of(data: Any) -> str:
    return json.dumps(data, default=str, ensure_ascii=False)


def erase(core: Core, user: str) -> Any:
    with core.sessions.begin() as session:
        return erase_person(session, user_id=user, prefix="SUP")


def recompute_all_timers(core: Core, now: datetime) -> None:
    with core.deps.unit_of_work(now=now) as uow:
        ids = list(uow.session.scalars(select(TicketRow.id)))
        refresh_timers(ticket_ids=ids, tickets=uow.tickets, timers=uow.timers, sla=core.deps.sla, now=now)


def test_erasing_a_requester_keeps_every_digest_figure_and_leaves_none_of_their_words(
    core: Core, clock: ManualClock, desk_history: dict[str, int]
) -> None:
    next_morning = datetime.fromisoformat("2026-11-25T09:30:00+00:00")
    before = figures(core, next_morning)
    assert [(d.created, d.resolved) for d in before] == [(4, 2), (4, 2)]  # the figures are real

    erasure = erase(core, RIYA)

    assert erasure.pseudonym.startswith("ERASED-") and erasure.tickets_raised == [1, 2]
    assert figures(core, next_morning) == before
    recompute_all_timers(core, clock.now())  # the SLA clocks replayed from the erased history agree
    assert figures(core, next_morning) == before
    everything = text_of(dump(core))
    for words in RIYA_WORDS:
        assert words not in everything, words
    assert SAM_TITLE in everything and SAM_DESCRIPTION in everything  # Sam's request is untouched
    with core.sessions.begin() as session:
        fault = session.get_one(TicketRow, desk_history["riya_fault"])
        assert (fault.title, fault.description, fault.handover_note) == (ERASED, ERASED, ERASED)
        assert (fault.requester_id, fault.type, fault.priority, fault.status) == (
            erasure.pseudonym,
            "technical_support",
            "P2",
            "awaiting_sign_off",
        )
        assert [p.user_id for p in fault.participants] == [SAM]  # Sam, who followed it, still hears updates
        created = session.scalars(select(EventRow).where(EventRow.kind == "created", EventRow.ticket_id == 1)).one()
        assert (created.actor_id, created.data["title"], created.data["priority"]) == (erasure.pseudonym, ERASED, "P2")


def test_erasing_an_assignee_keeps_the_totals_and_hands_their_open_tickets_to_the_leads(
    core: Core, clock: ManualClock, desk_history: dict[str, int]
) -> None:
    next_morning = datetime.fromisoformat("2026-11-25T09:30:00+00:00")
    before = figures(core, next_morning)

    erasure = erase(core, ALICE)

    after = figures(core, next_morning)
    for old, new in zip(before, after, strict=True):
        assert (new.open_by_priority_status, new.created, new.resolved, new.sla) == (
            old.open_by_priority_status,
            old.created,
            old.resolved,
            old.sla,
        )
        assert (new.breached.total, new.stale.total, new.about_to_breach.total) == (
            old.breached.total,
            old.stale.total,
            old.about_to_breach.total,
        )
        assert sum(load.open for load in new.load.items) == sum(load.open for load in old.load.items)
        assert ALICE not in {load.assignee_id for load in new.load.items}
    with core.sessions.begin() as session:
        question = session.get_one(TicketRow, desk_history["riya_question"])
        assert question.assignee_id is None and question.title == RIYA_QUESTION  # Riya's words are Riya's
        assert erasure.tickets_unassigned == [desk_history["riya_question"], desk_history["sam_fault"]]
        update = session.scalars(select(EventRow).where(EventRow.kind == "update_posted")).one()
        assert (update.actor_id, update.data["message"]) == (erasure.pseudonym, ERASED)  # Alice's words
    assert ALICE not in text_of(dump(core))


def test_erasing_twice_changes_nothing_more(core: Core, desk_history: dict[str, int]) -> None:
    first = erase(core, RIYA)
    once = dump(core)
    second = erase(core, RIYA)
    assert second.pseudonym == first.pseudonym
    assert second.details() == dict.fromkeys(first.details(), 0)
    assert dump(core) == once


def test_an_export_holds_the_persons_tickets_and_nothing_of_anyone_elses(
    core: Core, clock: ManualClock, desk_history: dict[str, int]
) -> None:
    with core.sessions.begin() as session:
        riya = export_person(session, user_id=RIYA, prefix="SUP", now=clock.now())
        sam = export_person(session, user_id=SAM, prefix="SUP", now=clock.now())
        alice = export_person(session, user_id=ALICE, prefix="SUP", now=clock.now())

    assert [t["ref"] for t in riya["tickets_raised"]] == ["SUP-1", "SUP-2"]
    fault = riya["tickets_raised"][0]
    assert (fault["title"], fault["description"], fault["handover_note"]) == (RIYA_TITLE, RIYA_DESCRIPTION, NOTE)
    assert [e["kind"] for e in fault["events"]] == [
        "created",
        "assigned",
        "acknowledged",
        "escalated",
        "participant_added",
        "resolved",
    ]
    assert RESOLUTION in text_of(fault["events"])
    assert "Your ticket SUP-1 is logged (Open)" in [m["text"] for m in riya["messages"]]  # the confirmation DM
    riya_text = text_of(riya)
    for other in (SAM, SAM_TITLE, SAM_DESCRIPTION, "VPN down for Sam too"):
        assert other not in riya_text, other

    assert [t["ref"] for t in sam["tickets_raised"]] == ["SUP-3", "SUP-4"]
    assert [t["ref"] for t in sam["tickets_following"]] == ["SUP-1"]  # the original of Sam's duplicate
    sam_text = text_of(sam)
    for other in (RIYA, RIYA_TITLE, "it drops at home", NOTE):
        assert other not in sam_text, other
    assert RESOLUTION in sam_text  # Sam was told the fix of the ticket Sam follows: it is in Sam's messages

    assert alice["tickets_raised"] == [] and [t["ref"] for t in alice["tickets_assigned"]] == [
        "SUP-2",
        "SUP-3",
        "SUP-4",
    ]
    assert {e["kind"] for e in alice["events_acted"]} == {
        "acknowledged",
        "escalated",
        "marked_duplicate",
        "participant_added",
        "update_posted",
    }
    assert RIYA_TITLE not in text_of(alice) and SAM not in text_of(alice)


def test_a_person_the_desk_never_saw_exports_empty_and_erases_nothing(core: Core, clock: ManualClock) -> None:
    with core.sessions.begin() as session:
        data = export_person(session, user_id="U0NOBODY", prefix="SUP", now=clock.now())
    assert all(v == [] for k, v in data.items() if isinstance(v, list))
    erasure = erase(core, "U0NOBODY")
    assert set(erasure.details().values()) == {0}
    with core.sessions.begin() as session:
        assert session.scalars(select(ParticipantRow)).all() == []
