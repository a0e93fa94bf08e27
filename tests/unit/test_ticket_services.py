"""Ticket use cases (triage.services) against the in-memory fakes of their ports: what each one stores, which
events it records, whom it tells, who may do it, and the words of its refusals (people kept as ids).

The desk is bot/demo/demo.yml's: at TUESDAY_10AM U1ALICE is on 1st-line duty and U5ERIN on 2nd; U2BOB and
U3CAROL are 1st-line members, U4DAN 2nd-line, U8LEAD the lead; U7RIYA asks for help and U9ZOE is on no rota.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from core.errors import DomainError
from core.people import plain_mention
from handlers.slack.errors import slack_mention
from rota.roster import Rota
from tests.fakes import (
    ALICE,
    BOB,
    CAROL,
    DAN,
    ERIN,
    FIRST,
    LEAD,
    RIYA,
    SECOND,
    TICKET_ID,
    TUESDAY_10AM,
    ZOE,
    InMemoryTickets,
    RecordingNotifier,
    make_rota,
    make_ticket,
)
from triage.errors import InvalidInput, InvalidTransition, NotAllowed, TicketNotFound
from triage.model import NOTE_MAX, EventKind, Priority, Status, Ticket, TicketEvent, TicketType
from triage.ports import ConcurrentUpdate
from triage.services import (
    HANDOVER_NOTE,
    RESOLUTION_NOTE,
    UPDATE_NOTE,
    TicketDraft,
    acknowledge_ticket,
    change_status,
    check_can_escalate,
    check_duplicate,
    escalate_ticket,
    mark_duplicate,
    my_open_tickets,
    open_ticket,
    post_update,
    reassign_ticket,
    resolve_ticket,
    set_priority,
    view_ticket,
)

NOW = TUESDAY_10AM + timedelta(minutes=16)  # some minutes after make_ticket's tickets were opened
ROTA = make_rota()
SAM = "U6SAM"  # another requester, for duplicates
NOT_STAFF = (
    "Sorry, only the assignee, the support rota or a lead can change this ticket. "
    "If something is wrong, add a note for the support team in a new /support request."
)
GDPR_ONLY = "This is a GDPR request: only its assignee and the leads can work on it."
P1_REASON = "P1: the service is unavailable."


@dataclass
class Desk:
    """The use cases' ports: tickets in memory, a notifier that records, a fixed rota."""

    rota: Rota = ROTA
    tickets: InMemoryTickets = field(default_factory=InMemoryTickets)
    notifier: RecordingNotifier = field(default_factory=RecordingNotifier)

    def seed(self, **changes: Any) -> Ticket:
        """A stored ticket, as make_ticket(**changes) builds it."""
        return self.tickets.add(make_ticket(**changes))

    def run(self, use_case: Callable[..., Ticket], **arguments: Any) -> Ticket:
        return use_case(**arguments, tickets=self.tickets, rota=self.rota, notifier=self.notifier, now=NOW)

    def stored(self, ticket_id: int = TICKET_ID) -> Ticket:
        ticket = self.tickets.get(ticket_id)
        assert ticket is not None
        return ticket

    def events(self, ticket_id: int = TICKET_ID) -> list[TicketEvent]:
        return self.tickets.events(ticket_id)

    def told(self) -> list[tuple[str, int | None]]:
        """Each notifier call as (method, the ticket's id)."""
        return [(method, args[0].id) for method, args in self.notifier.calls]


def words(error: DomainError) -> tuple[str, str]:
    """A refusal as Slack shows it and as plain text (logs, CLI)."""
    return error.render(slack_mention), error.render(plain_mention)


def assert_nothing_changed(desk: Desk, before: Ticket, events_before: int = 0) -> None:
    assert desk.stored(before.id or 0) == before
    assert len(desk.events(before.id or 0)) == events_before
    assert desk.notifier.calls == []


# -- open_ticket: route to the 1st line on duty, announce, alert on P1 --------------------------------------


def draft(
    ticket_type: TicketType = TicketType.TECHNICAL_SUPPORT, priority: Priority | None = Priority.P3
) -> TicketDraft:
    return TicketDraft(
        title="VPN drops", description="Every few minutes since 9am.", type=ticket_type, priority=priority
    )


def test_open_ticket_routes_to_the_first_line_on_duty_and_tells_them() -> None:
    desk = Desk()
    ticket = open_ticket(
        draft=draft(), requester_id=RIYA, origin_channel_id="C0HELP", tickets=desk.tickets, rota=ROTA,
        notifier=desk.notifier, now=NOW,
    )  # fmt: skip
    assert ticket.id == 1
    assert desk.stored(1) == ticket
    assert (ticket.status, ticket.line, ticket.assignee_id, ticket.requester_id) == (Status.OPEN, FIRST, ALICE, RIYA)
    assert (ticket.participant_ids, ticket.created_at, ticket.updated_at) == ([RIYA], NOW, NOW)
    assert (ticket.title, ticket.priority, ticket.origin_channel_id) == ("VPN drops", Priority.P3, "C0HELP")
    assert desk.events(1) == [
        TicketEvent(
            EventKind.CREATED, RIYA, NOW, {"type": "technical_support", "priority": "P3", "title": "VPN drops"}
        ),
        TicketEvent(EventKind.ASSIGNED, RIYA, NOW, {"to": ALICE, "line": "first_line"}),
    ]
    assert desk.told() == [("ticket_opened", 1), ("ticket_assigned", 1)]
    assert desk.notifier.args_of("ticket_assigned")[0][0].assignee_id == ALICE


def test_open_ticket_with_nobody_on_duty_is_unassigned_and_the_leads_are_alerted() -> None:
    desk = Desk(rota=make_rota(first=None))
    ticket = desk.run(open_ticket, draft=draft(priority=None), requester_id=RIYA, origin_channel_id=None)
    assert ticket.assignee_id is None and ticket.priority is None
    assert [e.kind for e in desk.events(1)] == [EventKind.CREATED]
    assert desk.events(1)[0].data["priority"] is None
    assert desk.told() == [("ticket_opened", 1), ("alert", 1)]
    assert desk.notifier.args_of("alert")[0][1:] == (
        (LEAD,),
        "Nobody is on duty for 1st line, so this ticket has no assignee.",
    )


@pytest.mark.parametrize(
    ("ticket_type", "priority", "rota", "alerts"),
    [
        pytest.param(TicketType.TECHNICAL_SUPPORT, Priority.P1, ROTA, [(ERIN, LEAD)], id="p1-second-line-and-leads"),
        pytest.param(TicketType.TECHNICAL_SUPPORT, Priority.P2, ROTA, [], id="p2-no-alert"),
        pytest.param(TicketType.SUPPORT_QUERY, Priority.P1, ROTA, [], id="p1-only-urgent-for-technical-support"),
        pytest.param(TicketType.TECHNICAL_SUPPORT, None, ROTA, [], id="priority-not-set"),
        pytest.param(
            TicketType.TECHNICAL_SUPPORT, Priority.P1, make_rota(second=None), [(LEAD,)], id="p1-no-second-line"
        ),
        pytest.param(
            TicketType.TECHNICAL_SUPPORT, Priority.P1, make_rota(second=(ALICE,)), [(LEAD,)], id="p1-not-the-assignee"
        ),
        pytest.param(
            TicketType.TECHNICAL_SUPPORT,
            Priority.P1,
            make_rota(leads=(LEAD, ERIN)),
            [(ERIN, LEAD)],
            id="p1-each-person-once",
        ),
    ],
)
def test_open_ticket_p1_alerts(
    ticket_type: TicketType, priority: Priority | None, rota: Rota, alerts: list[tuple[str, ...]]
) -> None:
    desk = Desk(rota=rota)
    desk.run(open_ticket, draft=draft(ticket_type, priority), requester_id=RIYA, origin_channel_id=None)
    assert [args[1:] for args in desk.notifier.args_of("alert")] == [(users, P1_REASON) for users in alerts]
    assert desk.notifier.methods[:2] == ["ticket_opened", "ticket_assigned"]


# -- who may work a ticket (check_may_act), through post_update ---------------------------------------------


@pytest.mark.parametrize(
    ("actor", "private", "refusal"),
    [
        pytest.param(ALICE, False, None, id="assignee"),
        pytest.param(BOB, False, None, id="first-line-member"),
        pytest.param(DAN, False, None, id="second-line-member"),
        pytest.param(LEAD, False, None, id="lead"),
        pytest.param(RIYA, False, NOT_STAFF, id="requester"),
        pytest.param(ZOE, False, NOT_STAFF, id="outsider"),
        pytest.param(ALICE, True, None, id="gdpr-assignee"),
        pytest.param(LEAD, True, None, id="gdpr-lead"),
        pytest.param(BOB, True, GDPR_ONLY, id="gdpr-rota-member"),
        pytest.param(DAN, True, GDPR_ONLY, id="gdpr-second-line-member"),
        pytest.param(RIYA, True, NOT_STAFF, id="gdpr-requester"),
        pytest.param(ZOE, True, NOT_STAFF, id="gdpr-outsider"),
    ],
)
def test_who_may_work_a_ticket(actor: str, private: bool, refusal: str | None) -> None:
    desk = Desk()
    kind = TicketType.GDPR_REQUEST if private else TicketType.TECHNICAL_SUPPORT
    before = desk.seed(ticket_type=kind, status=Status.UNDER_INVESTIGATION)
    if refusal is None:
        desk.run(post_update, ticket_id=TICKET_ID, actor_id=actor, message="Still looking")
        assert [(e.kind, e.actor_id) for e in desk.events()] == [(EventKind.UPDATE_POSTED, actor)]
        return
    with pytest.raises(NotAllowed) as refused:
        desk.run(post_update, ticket_id=TICKET_ID, actor_id=actor, message="Still looking")
    assert words(refused.value) == (refusal, refusal)  # names nobody: the same on every platform
    assert_nothing_changed(desk, before)


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(lambda d: d.run(acknowledge_ticket, ticket_id=99, actor_id=ALICE), id="acknowledge"),
        pytest.param(lambda d: d.run(post_update, ticket_id=99, actor_id=ALICE, message="m"), id="update"),
        pytest.param(lambda d: view_ticket(ticket_id=99, viewer_id=ALICE, tickets=d.tickets, rota=ROTA), id="view"),
    ],
)
def test_a_missing_ticket_is_not_found(act: Callable[[Desk], Ticket]) -> None:
    desk = Desk()
    desk.seed()
    with pytest.raises(TicketNotFound) as refused:
        act(desk)
    assert str(refused.value) == "I can't find that ticket."
    assert desk.notifier.calls == []


# -- acknowledge_ticket ---------------------------------------------------------------------------------


def test_the_assignee_acknowledges_and_starts_investigating() -> None:
    desk = Desk()
    desk.seed()
    ticket = desk.run(acknowledge_ticket, ticket_id=TICKET_ID, actor_id=ALICE)
    assert (ticket.status, ticket.assignee_id, ticket.updated_at, ticket.version) == (
        Status.UNDER_INVESTIGATION,
        ALICE,
        NOW,
        2,
    )
    assert desk.stored() == ticket
    event = TicketEvent(EventKind.ACKNOWLEDGED, ALICE, NOW, {"from_assignee": ALICE})
    assert desk.events() == [event]
    assert desk.told() == [("ticket_changed", TICKET_ID), ("tell_participants", TICKET_ID)]  # still hers
    assert desk.notifier.args_of("tell_participants")[0][1] == event


@pytest.mark.parametrize(("actor", "previous"), [(BOB, ALICE), (LEAD, ALICE), (BOB, None)])
def test_whoever_acknowledges_takes_the_ticket(actor: str, previous: str | None) -> None:
    desk = Desk()
    desk.seed(assignee=previous)
    ticket = desk.run(acknowledge_ticket, ticket_id=TICKET_ID, actor_id=actor)
    assert (ticket.status, ticket.assignee_id) == (Status.UNDER_INVESTIGATION, actor)
    assert desk.events()[0].data == {"from_assignee": previous}
    assert desk.notifier.methods == ["ticket_changed", "ticket_assigned", "tell_participants"]
    assert desk.notifier.args_of("ticket_assigned")[0][0].assignee_id == actor


@pytest.mark.parametrize(
    ("status", "assignee", "slack", "plain", "people"),
    [
        pytest.param(
            Status.UNDER_INVESTIGATION,
            BOB,
            "<@U2BOB> has already picked this ticket up (Under investigation).",
            "@U2BOB has already picked this ticket up (Under investigation).",
            (BOB,),
            id="taken",
        ),
        pytest.param(
            Status.AWAITING_INFO,
            None,
            "someone has already picked this ticket up (Awaiting info from requester).",
            "someone has already picked this ticket up (Awaiting info from requester).",
            (),
            id="taken-then-unassigned",
        ),
        pytest.param(
            Status.CLOSED,
            ALICE,
            "<@U1ALICE> has already picked this ticket up (Closed).",
            "@U1ALICE has already picked this ticket up (Closed).",
            (ALICE,),
            id="closed",
        ),
    ],
)
def test_acknowledging_a_ticket_already_picked_up_says_who_has_it(
    status: Status, assignee: str | None, slack: str, plain: str, people: tuple[str, ...]
) -> None:
    desk = Desk()
    before = desk.seed(status=status, assignee=assignee)
    with pytest.raises(InvalidTransition) as refused:
        desk.run(acknowledge_ticket, ticket_id=TICKET_ID, actor_id=LEAD)
    assert words(refused.value) == (slack, plain)
    assert str(refused.value) == plain
    assert refused.value.message.people == people
    assert_nothing_changed(desk, before)


def test_a_write_that_lost_a_race_raises_concurrent_update_and_records_nothing() -> None:
    class RacingTickets(InMemoryTickets):
        """Someone else saves the ticket just after the use case has read it."""

        def get(self, ticket_id: int) -> Ticket | None:
            read = super().get(ticket_id)
            other = super().get(ticket_id)
            assert other is not None
            other.assignee_id, other.status = LEAD, Status.UNDER_INVESTIGATION
            self.save(other)
            return read

    desk = Desk(tickets=RacingTickets())
    desk.seed()
    with pytest.raises(ConcurrentUpdate):
        desk.run(acknowledge_ticket, ticket_id=TICKET_ID, actor_id=BOB)
    stored = desk.tickets.rows[TICKET_ID]  # as the other writer left it
    assert (stored.assignee_id, stored.status, stored.version) == (LEAD, Status.UNDER_INVESTIGATION, 2)
    assert desk.events() == [] and desk.notifier.calls == []


def test_the_fake_repository_refuses_a_stale_save() -> None:
    tickets = InMemoryTickets(make_ticket())
    stale, fresh = tickets.get(TICKET_ID), tickets.get(TICKET_ID)
    assert stale is not None and fresh is not None
    fresh.status = Status.UNDER_INVESTIGATION
    tickets.save(fresh)
    stale.status = Status.AWAITING_SIGN_OFF
    with pytest.raises(ConcurrentUpdate):
        tickets.save(stale)
    assert tickets.rows[TICKET_ID].status is Status.UNDER_INVESTIGATION and fresh.version == 2


# -- change_status --------------------------------------------------------------------------------------


def test_change_status_moves_along_the_workflow() -> None:
    desk = Desk()
    desk.seed(status=Status.UNDER_INVESTIGATION)
    ticket = desk.run(change_status, ticket_id=TICKET_ID, actor_id=ALICE, status=Status.IN_PROGRESS)
    assert desk.stored().status is Status.IN_PROGRESS and ticket.updated_at == NOW
    assert desk.events() == [
        TicketEvent(EventKind.STATUS_CHANGED, ALICE, NOW, {"from": "under_investigation", "to": "in_progress"})
    ]
    assert desk.told() == [("ticket_changed", TICKET_ID), ("tell_participants", TICKET_ID)]


def test_reopening_a_closed_duplicate_unlinks_it() -> None:
    desk = Desk()
    desk.seed(status=Status.CLOSED, duplicate_of=3)
    desk.run(change_status, ticket_id=TICKET_ID, actor_id=BOB, status=Status.UNDER_INVESTIGATION)
    assert (desk.stored().status, desk.stored().duplicate_of_id) == (Status.UNDER_INVESTIGATION, None)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.OPEN, Status.IN_PROGRESS),  # acknowledge first
        (Status.OPEN, Status.CLOSED),
        (Status.CLOSED, Status.IN_PROGRESS),  # reopen to investigation only
        (Status.FIX_AWAITING_RELEASE, Status.AWAITING_INFO),
        (Status.AWAITING_SIGN_OFF, Status.AWAITING_SIGN_OFF),
    ],
)
def test_change_status_refuses_moves_outside_the_workflow(current: Status, target: Status) -> None:
    desk = Desk()
    before = desk.seed(status=current)
    with pytest.raises(InvalidTransition) as refused:
        desk.run(change_status, ticket_id=TICKET_ID, actor_id=ALICE, status=target)
    expected = f"A ticket that is {current.label} cannot move to {target.label}."
    assert words(refused.value) == (expected, expected)
    assert_nothing_changed(desk, before)


# -- escalate_ticket ------------------------------------------------------------------------------------


def test_escalation_hands_the_ticket_to_the_second_line_on_duty_with_the_note() -> None:
    desk = Desk()
    desk.seed(status=Status.UNDER_INVESTIGATION)
    assert check_can_escalate(rota=ROTA, now=NOW) == ERIN
    ticket = desk.run(escalate_ticket, ticket_id=TICKET_ID, actor_id=ALICE, note="  Checked the VPN logs  ")
    assert (ticket.line, ticket.assignee_id, ticket.handover_note, ticket.status) == (
        SECOND,
        ERIN,
        "Checked the VPN logs",
        Status.UNDER_INVESTIGATION,
    )
    assert desk.stored() == ticket
    assert desk.events() == [
        TicketEvent(
            EventKind.ESCALATED, ALICE, NOW, {"from_assignee": ALICE, "to": ERIN, "note": "Checked the VPN logs"}
        )
    ]
    assert desk.notifier.methods == ["ticket_changed", "ticket_assigned", "tell_participants"]
    assert desk.notifier.args_of("ticket_assigned")[0][0].assignee_id == ERIN


@pytest.mark.parametrize(
    ("changes", "rota", "refusal"),
    [
        pytest.param(
            {},
            make_rota(second=None),
            "Nobody is on duty for 2nd line right now; please ask a lead to take it.",
            id="nobody-on-second-line",
        ),
        pytest.param({"line": SECOND, "assignee": DAN}, ROTA, "This ticket is already with 2nd line.", id="already"),
        pytest.param(
            {"status": Status.CLOSED}, ROTA, "This ticket is closed; reopen it before escalating.", id="closed"
        ),
    ],
)
def test_escalation_refusals(changes: dict[str, Any], rota: Rota, refusal: str) -> None:
    desk = Desk(rota=rota)
    before = desk.seed(**changes)
    with pytest.raises(InvalidTransition) as refused:
        desk.run(escalate_ticket, ticket_id=TICKET_ID, actor_id=ALICE, note="Checked the logs")
    assert words(refused.value) == (refusal, refusal)
    assert_nothing_changed(desk, before)


def test_check_can_escalate_refuses_before_any_note_is_written() -> None:
    with pytest.raises(InvalidTransition, match="Nobody is on duty for 2nd line"):
        check_can_escalate(rota=make_rota(second=None), now=NOW)


@pytest.mark.parametrize(
    ("use_case", "argument", "field", "what"),
    [
        (escalate_ticket, "note", "note", HANDOVER_NOTE),
        (resolve_ticket, "resolution", "resolution", RESOLUTION_NOTE),
        (post_update, "message", "update", UPDATE_NOTE),
    ],
)
@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(None, "Please write {what}.", id="missing"),
        pytest.param(" \n ", "Please write {what}.", id="blank"),
        pytest.param("x" * (NOTE_MAX + 1), f"Keep it under {NOTE_MAX} characters (it has {NOTE_MAX + 1}).", id="long"),
    ],
)
def test_notes_are_required_and_bounded(
    use_case: Callable[..., Ticket], argument: str, field: str, what: str, text: str | None, message: str
) -> None:
    desk = Desk()
    before = desk.seed(status=Status.UNDER_INVESTIGATION)
    with pytest.raises(InvalidInput) as refused:
        desk.run(use_case, ticket_id=TICKET_ID, actor_id=ALICE, **{argument: text})
    assert refused.value.render_errors(slack_mention) == {field: message.format(what=what)}
    assert refused.value.errors == {field: message.format(what=what)}
    assert_nothing_changed(desk, before)


def test_a_note_of_exactly_the_limit_is_taken() -> None:
    desk = Desk()
    desk.seed(status=Status.UNDER_INVESTIGATION)
    desk.run(post_update, ticket_id=TICKET_ID, actor_id=ALICE, message="x" * NOTE_MAX)
    assert desk.events()[0].data == {"message": "x" * NOTE_MAX}


# -- reassign_ticket ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "to", "status"),
    [
        pytest.param(LEAD, BOB, Status.OPEN, id="lead-hands-on-an-open-ticket"),
        pytest.param(ALICE, CAROL, Status.UNDER_INVESTIGATION, id="assignee-hands-on-her-own"),
        pytest.param(ALICE, DAN, Status.AWAITING_INFO, id="to-the-other-line"),
        pytest.param(ALICE, LEAD, Status.UNDER_INVESTIGATION, id="to-a-lead"),
    ],
)
def test_reassign_hands_the_ticket_on_as_it_stands(actor: str, to: str, status: Status) -> None:
    desk = Desk()
    desk.seed(status=status)
    ticket = desk.run(reassign_ticket, ticket_id=TICKET_ID, actor_id=actor, to_id=to)
    assert (ticket.assignee_id, ticket.status, ticket.line) == (to, status, FIRST)
    assert desk.stored() == ticket
    assert desk.events() == [
        TicketEvent(EventKind.REASSIGNED, actor, NOW, {"from": ALICE, "to": to, "line": "first_line"})
    ]
    assert desk.notifier.methods == ["ticket_changed", "ticket_assigned", "tell_participants"]


@pytest.mark.parametrize(
    ("changes", "actor", "to", "error", "slack", "people"),
    [
        pytest.param(
            {},
            BOB,
            CAROL,
            NotAllowed,
            "Only its assignee or a lead can hand on <@U1ALICE>'s ticket. To take it yourself, press Acknowledge.",
            (ALICE,),
            id="member-open-ticket",
        ),
        pytest.param(
            {"status": Status.UNDER_INVESTIGATION},
            BOB,
            CAROL,
            NotAllowed,
            "Only its assignee or a lead can hand on <@U1ALICE>'s ticket.",
            (ALICE,),
            id="member-ticket-in-hand",
        ),
        pytest.param(
            {"assignee": None},
            BOB,
            CAROL,
            NotAllowed,
            "Only its assignee or a lead can hand on an unassigned ticket. To take it yourself, press Acknowledge.",
            (),
            id="member-unassigned-ticket",
        ),
        pytest.param({}, ZOE, BOB, NotAllowed, NOT_STAFF, (), id="outsider"),
        pytest.param({"ticket_type": TicketType.GDPR_REQUEST}, BOB, CAROL, NotAllowed, GDPR_ONLY, (), id="gdpr"),
        pytest.param(
            {"status": Status.CLOSED},
            LEAD,
            BOB,
            InvalidTransition,
            "This ticket is closed; reopen it before reassigning it.",
            (),
            id="closed",
        ),
        pytest.param(
            {},
            LEAD,
            ZOE,
            InvalidInput,
            "<@U9ZOE> is not on the support rota; pick a rota member or a lead.",
            (ZOE,),
            id="to-someone-off-the-rota",
        ),
        pytest.param(
            {}, LEAD, ALICE, InvalidTransition, "It is already with <@U1ALICE>.", (ALICE,), id="to-the-assignee"
        ),
    ],
)
def test_reassign_refusals(
    changes: dict[str, Any], actor: str, to: str, error: type[DomainError], slack: str, people: tuple[str, ...]
) -> None:
    desk = Desk()
    before = desk.seed(**changes)
    with pytest.raises(error) as refused:
        desk.run(reassign_ticket, ticket_id=TICKET_ID, actor_id=actor, to_id=to)
    plain = slack
    for person in people:
        plain = plain.replace(f"<@{person}>", f"@{person}")
    assert words(refused.value) == (slack, plain)
    assert refused.value.message.people == people
    assert_nothing_changed(desk, before)


def test_reassign_to_someone_off_the_rota_is_a_form_error_on_the_assignee_field() -> None:
    desk = Desk()
    desk.seed()
    with pytest.raises(InvalidInput) as refused:
        desk.run(reassign_ticket, ticket_id=TICKET_ID, actor_id=LEAD, to_id=ZOE)
    assert refused.value.render_errors(slack_mention) == {
        "assignee": "<@U9ZOE> is not on the support rota; pick a rota member or a lead."
    }
    assert refused.value.errors == {"assignee": "@U9ZOE is not on the support rota; pick a rota member or a lead."}


# -- resolve_ticket -------------------------------------------------------------------------------------


def test_resolving_waits_for_the_requesters_sign_off() -> None:
    desk = Desk()
    desk.seed(status=Status.IN_PROGRESS)
    ticket = desk.run(resolve_ticket, ticket_id=TICKET_ID, actor_id=ALICE, resolution=" Restarted the gateway. ")
    assert (ticket.status, ticket.assignee_id) == (Status.AWAITING_SIGN_OFF, ALICE)
    assert desk.events() == [
        TicketEvent(EventKind.RESOLVED, ALICE, NOW, {"from": "in_progress", "resolution": "Restarted the gateway."})
    ]
    assert desk.told() == [("ticket_changed", TICKET_ID), ("tell_participants", TICKET_ID)]


def test_resolving_an_unassigned_ticket_makes_the_resolver_its_assignee() -> None:
    desk = Desk()
    desk.seed(assignee=None)
    assert desk.run(resolve_ticket, ticket_id=TICKET_ID, actor_id=BOB, resolution="Fixed").assignee_id == BOB


@pytest.mark.parametrize("status", [Status.CLOSED, Status.AWAITING_SIGN_OFF])
def test_resolving_is_refused_where_the_workflow_does_not_allow_it(status: Status) -> None:
    desk = Desk()
    before = desk.seed(status=status)
    with pytest.raises(InvalidTransition) as refused:
        desk.run(resolve_ticket, ticket_id=TICKET_ID, actor_id=ALICE, resolution="Fixed")
    assert str(refused.value) == f"A ticket that is {status.label} cannot move to Awaiting sign-off."
    assert_nothing_changed(desk, before)


# -- mark_duplicate -------------------------------------------------------------------------------------


def seed_pair(desk: Desk, **duplicate: Any) -> None:
    """Ticket 1 (Riya's) is the original; ticket 2 (Sam's) the newer report of the same problem."""
    desk.seed(ticket_id=1, requester=RIYA, status=Status.UNDER_INVESTIGATION)
    desk.seed(**{"ticket_id": 2, "requester": SAM, **duplicate})


def test_marking_a_duplicate_closes_it_and_its_requester_follows_the_original() -> None:
    desk = Desk()
    seed_pair(desk)
    ticket = desk.run(mark_duplicate, ticket_id=2, original_id=1, actor_id=BOB)
    assert (ticket.status, ticket.duplicate_of_id) == (Status.CLOSED, 1)
    assert desk.stored(2) == ticket
    assert desk.events(2) == [TicketEvent(EventKind.MARKED_DUPLICATE, BOB, NOW, {"original": 1, "from": "open"})]
    original = desk.stored(1)
    assert (original.participant_ids, original.status, original.version) == ([RIYA, SAM], Status.UNDER_INVESTIGATION, 2)
    assert desk.events(1) == [TicketEvent(EventKind.PARTICIPANT_ADDED, BOB, NOW, {"users": [SAM], "duplicate": 2})]
    assert desk.told() == [("ticket_changed", 2), ("tell_participants", 2)]


def test_a_duplicate_whose_requesters_already_follow_the_original_leaves_the_original_alone() -> None:
    desk = Desk()
    desk.seed(ticket_id=1, requester=RIYA, participants=[RIYA, SAM], status=Status.UNDER_INVESTIGATION)
    desk.seed(ticket_id=2, requester=SAM, participants=[SAM, RIYA])
    desk.run(mark_duplicate, ticket_id=2, original_id=1, actor_id=BOB)
    assert desk.stored(2).duplicate_of_id == 1
    assert desk.events(1) == [] and desk.stored(1).version == 1 and desk.stored(1).participant_ids == [RIYA, SAM]


def test_a_duplicate_links_to_the_root_of_a_chain_of_duplicates() -> None:
    desk = Desk()
    seed_pair(desk)
    desk.seed(ticket_id=3, requester=ZOE, status=Status.CLOSED, duplicate_of=1)
    ticket, root = check_duplicate(ticket_id=2, original_id=3, actor_id=BOB, tickets=desk.tickets, rota=ROTA)
    assert (ticket.id, root.id) == (2, 1)
    assert desk.events(2) == [] and desk.notifier.calls == []  # a check writes nothing
    assert desk.run(mark_duplicate, ticket_id=2, original_id=3, actor_id=BOB).duplicate_of_id == 1


@pytest.mark.parametrize(
    ("duplicate", "original", "others", "error", "refusal"),
    [
        pytest.param({}, 9, [], InvalidInput, "There is no ticket with that reference.", id="no-such-original"),
        pytest.param({}, 2, [], InvalidInput, "A ticket cannot be a duplicate of itself.", id="itself"),
        pytest.param(
            {},
            3,
            [{"ticket_id": 3, "status": Status.CLOSED, "duplicate_of": 2}],
            InvalidInput,
            "A ticket cannot be a duplicate of itself.",
            id="itself-through-a-chain",
        ),
        pytest.param(
            {"ticket_type": TicketType.GDPR_REQUEST},
            1,
            [],
            InvalidInput,
            "GDPR requests are kept apart: they cannot be merged with other tickets.",
            id="gdpr-duplicate",
        ),
        pytest.param(
            {},
            3,
            [{"ticket_id": 3, "ticket_type": TicketType.GDPR_REQUEST}],
            InvalidInput,
            "GDPR requests are kept apart: they cannot be merged with other tickets.",
            id="gdpr-original",
        ),
        pytest.param(
            {},
            3,
            [{"ticket_id": 3, "status": Status.CLOSED}],
            InvalidInput,
            "That ticket is closed; reopen it first or pick an open one.",
            id="original-closed",
        ),
        pytest.param(
            {"status": Status.CLOSED}, 1, [], InvalidTransition, "This ticket is already closed.", id="already-closed"
        ),
    ],
)
def test_duplicate_refusals(
    duplicate: dict[str, Any], original: int, others: list[dict[str, Any]], error: type[DomainError], refusal: str
) -> None:
    desk = Desk()
    seed_pair(desk, **duplicate)
    for changes in others:
        desk.seed(**changes)
    before = desk.stored(2)
    with pytest.raises(error) as refused:
        desk.run(mark_duplicate, ticket_id=2, original_id=original, actor_id=LEAD)  # a lead may work any ticket
    assert words(refused.value) == (refusal, refusal)
    if isinstance(refused.value, InvalidInput):
        assert refused.value.errors == {"original": refusal}
    assert_nothing_changed(desk, before)
    assert desk.events(1) == []


def test_only_support_staff_mark_duplicates() -> None:
    desk = Desk()
    seed_pair(desk)
    with pytest.raises(NotAllowed):
        desk.run(mark_duplicate, ticket_id=2, original_id=1, actor_id=SAM)
    assert desk.stored(2).status is Status.OPEN and desk.stored(1).participant_ids == [RIYA]


# -- set_priority ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticket_type", "before", "after", "alerted"),
    [
        pytest.param(TicketType.TECHNICAL_SUPPORT, Priority.P3, Priority.P1, True, id="becomes-p1"),
        pytest.param(TicketType.TECHNICAL_SUPPORT, None, Priority.P1, True, id="unset-to-p1"),
        pytest.param(TicketType.TECHNICAL_SUPPORT, Priority.P1, Priority.P2, False, id="p1-downgraded"),
        pytest.param(TicketType.TECHNICAL_SUPPORT, Priority.P4, Priority.P3, False, id="p4-to-p3"),
        pytest.param(TicketType.SUPPORT_QUERY, Priority.P3, Priority.P1, False, id="query-p1-is-not-urgent"),
    ],
)
def test_set_priority(ticket_type: TicketType, before: Priority | None, after: Priority, alerted: bool) -> None:
    desk = Desk()
    desk.seed(ticket_type=ticket_type, priority=before, status=Status.UNDER_INVESTIGATION)
    ticket = desk.run(set_priority, ticket_id=TICKET_ID, actor_id=ALICE, priority=after)
    assert desk.stored().priority is after and ticket.priority is after
    assert desk.events() == [
        TicketEvent(EventKind.PRIORITY_CHANGED, ALICE, NOW, {"from": before and before.value, "to": after.value})
    ]
    expected = ["ticket_changed", "tell_participants", *(["alert"] if alerted else [])]
    assert desk.notifier.methods == expected
    if alerted:
        assert desk.notifier.args_of("alert")[0][1:] == ((ERIN, LEAD), P1_REASON)


@pytest.mark.parametrize(
    ("changes", "priority", "refusal"),
    [
        pytest.param({"priority": Priority.P2}, Priority.P2, "It is already P2 High.", id="unchanged"),
        pytest.param(
            {"status": Status.CLOSED},
            Priority.P1,
            "This ticket is closed; reopen it before changing its priority.",
            id="closed",
        ),
    ],
)
def test_set_priority_refusals(changes: dict[str, Any], priority: Priority, refusal: str) -> None:
    desk = Desk()
    before = desk.seed(**changes)
    with pytest.raises(InvalidTransition) as refused:
        desk.run(set_priority, ticket_id=TICKET_ID, actor_id=ALICE, priority=priority)
    assert words(refused.value) == (refusal, refusal)
    assert_nothing_changed(desk, before)


# -- post_update ----------------------------------------------------------------------------------------


def test_post_update_tells_the_requester_and_changes_nothing_else() -> None:
    desk = Desk()
    before = desk.seed(status=Status.AWAITING_INFO)
    ticket = desk.run(post_update, ticket_id=TICKET_ID, actor_id=BOB, message="Waiting on the vendor.")
    assert (ticket.status, ticket.assignee_id, ticket.updated_at) == (before.status, ALICE, NOW)
    event = TicketEvent(EventKind.UPDATE_POSTED, BOB, NOW, {"message": "Waiting on the vendor."})
    assert desk.events() == [event]
    assert desk.told() == [("ticket_changed", TICKET_ID), ("tell_participants", TICKET_ID)]
    assert desk.notifier.args_of("tell_participants")[0][1] == event


def test_post_update_on_a_closed_ticket_is_refused() -> None:
    desk = Desk()
    before = desk.seed(status=Status.CLOSED)
    with pytest.raises(InvalidTransition) as refused:
        desk.run(post_update, ticket_id=TICKET_ID, actor_id=ALICE, message="m")
    assert str(refused.value) == "This ticket is closed; reopen it before posting an update."
    assert_nothing_changed(desk, before)


# -- view_ticket and my_open_tickets --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "private", "participants", "allowed"),
    [
        pytest.param(ZOE, False, [RIYA], True, id="anyone-sees-an-ordinary-ticket"),
        pytest.param(RIYA, True, [RIYA], True, id="gdpr-requester"),
        pytest.param(ALICE, True, [RIYA], True, id="gdpr-assignee"),
        pytest.param(LEAD, True, [RIYA], True, id="gdpr-lead"),
        pytest.param(SAM, True, [RIYA, SAM], True, id="gdpr-participant"),
        pytest.param(BOB, True, [RIYA], False, id="gdpr-other-rota-member"),
        pytest.param(ZOE, True, [RIYA], False, id="gdpr-outsider"),
    ],
)
def test_view_ticket(viewer: str, private: bool, participants: list[str], allowed: bool) -> None:
    desk = Desk()
    kind = TicketType.GDPR_REQUEST if private else TicketType.TECHNICAL_SUPPORT
    stored = desk.seed(ticket_type=kind, participants=participants)
    if allowed:
        assert view_ticket(ticket_id=TICKET_ID, viewer_id=viewer, tickets=desk.tickets, rota=ROTA) == stored
        return
    with pytest.raises(NotAllowed) as refused:
        view_ticket(ticket_id=TICKET_ID, viewer_id=viewer, tickets=desk.tickets, rota=ROTA)
    refusal = "That ticket is private (a GDPR request): only its requester, assignee and the leads can see it."
    assert words(refused.value) == (refusal, refusal)


def test_my_open_tickets_are_those_i_raised_follow_or_hold_newest_first() -> None:
    desk = Desk()
    desk.seed(ticket_id=1, requester=SAM, assignee=ALICE)
    desk.seed(ticket_id=2, requester=RIYA, assignee=BOB)
    desk.seed(ticket_id=3, requester=RIYA, status=Status.CLOSED)
    desk.seed(ticket_id=4, requester=SAM, participants=[SAM, RIYA], assignee=BOB)
    desk.seed(ticket_id=5, requester=SAM, assignee=BOB)
    assert [t.id for t in my_open_tickets(user_id=RIYA, tickets=desk.tickets)] == [4, 2]
    assert [t.id for t in my_open_tickets(user_id=RIYA, tickets=desk.tickets, limit=1)] == [4]
    assert [t.id for t in my_open_tickets(user_id=ALICE, tickets=desk.tickets)] == [1]
    assert [t.id for t in my_open_tickets(user_id=ZOE, tickets=desk.tickets)] == []
