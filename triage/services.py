"""Use cases: one function per thing a person does to a ticket. Time and collaborators come in."""

from __future__ import annotations

from datetime import datetime

from core.people import Mention, said
from rota.roster import Rota
from rota.rotation import SupportLine
from triage.drafts import HANDOVER_NOTE, RESOLUTION_NOTE, UPDATE_NOTE, TicketDraft, clean_note
from triage.errors import InvalidInput, InvalidTransition, NotAllowed, TicketNotFound
from triage.model import (
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)
from triage.ports import Notifier, TicketRepository
from triage.workflow import check_transition

__all__ = [  # the drafts' names stay importable from here, where the use cases that take them live
    "HANDOVER_NOTE",
    "RESOLUTION_NOTE",
    "UPDATE_NOTE",
    "TicketDraft",
    "clean_note",
]


def check_may_act(ticket: Ticket, actor_id: str, rota: Rota) -> None:
    """Only the assignee, rota members and leads work tickets; a GDPR request only its assignee and leads."""
    if actor_id == ticket.assignee_id or actor_id in rota.leads:
        return
    if ticket.is_private and rota.is_support_staff(actor_id):
        raise NotAllowed("This is a GDPR request: only its assignee and the leads can work on it.")
    if rota.is_support_staff(actor_id):
        return
    raise NotAllowed(
        "Sorry, only the assignee, the support rota or a lead can change this ticket. "
        "If something is wrong, add a note for the support team in a new /support request."
    )


def check_may_view(ticket: Ticket, viewer_id: str, rota: Rota) -> None:
    """GDPR tickets stay with the requester, assignee and leads; the rest is open to staff."""
    if not ticket.is_private:
        return
    if viewer_id in ticket.participant_ids or viewer_id == ticket.assignee_id or viewer_id in rota.leads:
        return
    raise NotAllowed("That ticket is private (a GDPR request): only its requester, assignee and the leads can see it.")


def load_ticket(tickets: TicketRepository, ticket_id: int) -> Ticket:
    ticket = tickets.get(ticket_id)
    if ticket is None:
        raise TicketNotFound("I can't find that ticket.")
    return ticket


def _apply(tickets: TicketRepository, ticket: Ticket, event: TicketEvent) -> None:
    ticket.updated_at = event.at
    tickets.save(ticket)
    tickets.record(ticket, event)


def open_ticket(
    *,
    draft: TicketDraft,
    requester_id: str,
    origin_channel_id: str | None,
    tickets: TicketRepository,
    rota: Rota,
    notifier: Notifier,
    now: datetime,
) -> Ticket:
    """Create the ticket, route it to the on-duty 1st line and tell everyone who needs to know."""
    assignee = rota.on_duty(SupportLine.FIRST, now)
    ticket = tickets.add(
        Ticket(
            id=None,
            title=draft.title,
            description=draft.description,
            type=draft.type,
            priority=draft.priority,
            status=Status.OPEN,
            line=SupportLine.FIRST,
            requester_id=requester_id,
            assignee_id=assignee,
            created_at=now,
            updated_at=now,
            origin_channel_id=origin_channel_id,
            participant_ids=[requester_id],
        )
    )
    tickets.record(
        ticket,
        TicketEvent(
            EventKind.CREATED,
            requester_id,
            now,
            {"type": ticket.type.value, "priority": ticket.priority and ticket.priority.value, "title": ticket.title},
        ),
    )
    notifier.ticket_opened(ticket)
    if assignee:
        tickets.record(
            ticket, TicketEvent(EventKind.ASSIGNED, requester_id, now, {"to": assignee, "line": "first_line"})
        )
        notifier.ticket_assigned(ticket)
    else:
        notifier.alert(
            ticket, sorted(rota.leads), reason="Nobody is on duty for 1st line, so this ticket has no assignee."
        )
    if ticket.is_urgent:
        _alert_urgent(ticket, rota, notifier, now)
    return ticket


def _alert_urgent(ticket: Ticket, rota: Rota, notifier: Notifier, now: datetime) -> None:
    """A P1 goes to the on-duty 2nd line and the leads at once, besides the assignee."""
    second_line = rota.on_duty(SupportLine.SECOND, now)
    urgent = [u for u in [second_line, *sorted(rota.leads)] if u and u != ticket.assignee_id]
    notifier.alert(ticket, list(dict.fromkeys(urgent)), reason="P1: the service is unavailable.")


def acknowledge_ticket(
    *, ticket_id: int, actor_id: str, tickets: TicketRepository, rota: Rota, notifier: Notifier, now: datetime
) -> Ticket:
    """The first human response: whoever acknowledges takes the ticket and starts investigating."""
    ticket = load_ticket(tickets, ticket_id)
    check_may_act(ticket, actor_id, rota)
    if ticket.status is not Status.OPEN:
        owner = Mention(ticket.assignee_id) if ticket.assignee_id else "someone"
        raise InvalidTransition(
            said("{owner} has already picked this ticket up ({status}).", owner=owner, status=ticket.status.label)
        )
    previous = ticket.assignee_id
    ticket.assignee_id = actor_id
    ticket.status = Status.UNDER_INVESTIGATION
    event = TicketEvent(EventKind.ACKNOWLEDGED, actor_id, now, {"from_assignee": previous})
    _apply(tickets, ticket, event)
    notifier.ticket_changed(ticket)
    if previous != actor_id:
        notifier.ticket_assigned(ticket)
    notifier.tell_participants(ticket, event)
    return ticket


def change_status(
    *,
    ticket_id: int,
    actor_id: str,
    status: Status,
    tickets: TicketRepository,
    rota: Rota,
    notifier: Notifier,
    now: datetime,
) -> Ticket:
    ticket = load_ticket(tickets, ticket_id)
    check_may_act(ticket, actor_id, rota)
    check_transition(ticket.status, status)
    event = TicketEvent(EventKind.STATUS_CHANGED, actor_id, now, {"from": ticket.status.value, "to": status.value})
    if ticket.status is Status.CLOSED:  # reopened: no longer someone else's duplicate
        ticket.duplicate_of_id = None
    ticket.status = status
    _apply(tickets, ticket, event)
    notifier.ticket_changed(ticket)
    notifier.tell_participants(ticket, event)
    return ticket


def check_can_escalate(*, rota: Rota, now: datetime) -> str:
    """The on-duty 2nd-line member to escalate to, or a refusal before anyone writes a note."""
    specialist = rota.on_duty(SupportLine.SECOND, now)
    if specialist is None:
        raise InvalidTransition("Nobody is on duty for 2nd line right now; please ask a lead to take it.")
    return specialist


def escalate_ticket(
    *,
    ticket_id: int,
    actor_id: str,
    note: str | None,
    tickets: TicketRepository,
    rota: Rota,
    notifier: Notifier,
    now: datetime,
) -> Ticket:
    """Hand the ticket to the on-duty 2nd line with a note of what 1st line found."""
    handover = clean_note("note", note, HANDOVER_NOTE)
    ticket = load_ticket(tickets, ticket_id)
    check_may_act(ticket, actor_id, rota)
    if not ticket.is_open:
        raise InvalidTransition("This ticket is closed; reopen it before escalating.")
    if ticket.line is SupportLine.SECOND:
        raise InvalidTransition("This ticket is already with 2nd line.")
    specialist = check_can_escalate(rota=rota, now=now)
    event = TicketEvent(
        EventKind.ESCALATED, actor_id, now, {"from_assignee": ticket.assignee_id, "to": specialist, "note": handover}
    )
    ticket.line = SupportLine.SECOND
    ticket.assignee_id = specialist
    ticket.handover_note = handover
    _apply(tickets, ticket, event)
    notifier.ticket_changed(ticket)
    notifier.ticket_assigned(ticket)
    notifier.tell_participants(ticket, event)
    return ticket


def check_may_reassign(ticket: Ticket, actor_id: str, to_id: str, rota: Rota) -> None:
    """Leads hand any ticket on, its assignee their own; always to someone on the support rota or a lead."""
    check_may_act(ticket, actor_id, rota)
    if actor_id not in rota.leads and actor_id != ticket.assignee_id:
        owner = said("{who}'s", who=Mention(ticket.assignee_id)) if ticket.assignee_id else "an unassigned"
        take = " To take it yourself, press Acknowledge." if ticket.status is Status.OPEN else ""
        raise NotAllowed(said("Only its assignee or a lead can hand on {owner} ticket.{take}", owner=owner, take=take))
    if not ticket.is_open:
        raise InvalidTransition("This ticket is closed; reopen it before reassigning it.")
    if not rota.is_support_staff(to_id):
        raise InvalidInput(
            "assignee", said("{who} is not on the support rota; pick a rota member or a lead.", who=Mention(to_id))
        )
    if to_id == ticket.assignee_id:
        raise InvalidTransition(said("It is already with {who}.", who=Mention(to_id)))


def reassign_ticket(
    *,
    ticket_id: int,
    actor_id: str,
    to_id: str,
    tickets: TicketRepository,
    rota: Rota,
    notifier: Notifier,
    now: datetime,
) -> Ticket:
    """Hand the ticket to another support person as it stands: same line and status, the SLA clocks untouched."""
    ticket = load_ticket(tickets, ticket_id)
    check_may_reassign(ticket, actor_id, to_id, rota)
    event = TicketEvent(
        EventKind.REASSIGNED, actor_id, now, {"from": ticket.assignee_id, "to": to_id, "line": ticket.line.value}
    )
    ticket.assignee_id = to_id
    _apply(tickets, ticket, event)
    notifier.ticket_changed(ticket)
    notifier.ticket_assigned(ticket)
    notifier.tell_participants(ticket, event)
    return ticket


def resolve_ticket(
    *,
    ticket_id: int,
    actor_id: str,
    resolution: str | None,
    tickets: TicketRepository,
    rota: Rota,
    notifier: Notifier,
    now: datetime,
) -> Ticket:
    """A fix or workaround is given: the ticket waits for the requester's sign-off."""
    answer = clean_note("resolution", resolution, RESOLUTION_NOTE)
    ticket = load_ticket(tickets, ticket_id)
    check_may_act(ticket, actor_id, rota)
    check_transition(ticket.status, Status.AWAITING_SIGN_OFF)
    event = TicketEvent(EventKind.RESOLVED, actor_id, now, {"from": ticket.status.value, "resolution": answer})
    ticket.status = Status.AWAITING_SIGN_OFF
    if ticket.assignee_id is None:
        ticket.assignee_id = actor_id
    _apply(tickets, ticket, event)
    notifier.ticket_changed(ticket)
    notifier.tell_participants(ticket, event)
    return ticket


def check_duplicate(
    *, ticket_id: int, original_id: int, actor_id: str, tickets: TicketRepository, rota: Rota
) -> tuple[Ticket, Ticket]:
    """Whether `ticket_id` may be closed as a duplicate of `original_id`; returns both (the original's root)."""
    ticket = load_ticket(tickets, ticket_id)
    check_may_act(ticket, actor_id, rota)
    if not ticket.is_open:
        raise InvalidTransition("This ticket is already closed.")
    original = tickets.get(original_id)
    if original is None:
        raise InvalidInput("original", "There is no ticket with that reference.")
    while original.duplicate_of_id is not None:  # link to the root, not to another duplicate
        original = load_ticket(tickets, original.duplicate_of_id)
    if original.id == ticket.id:
        raise InvalidInput("original", "A ticket cannot be a duplicate of itself.")
    if ticket.is_private or original.is_private:  # merging would show one person's request to another
        raise InvalidInput("original", "GDPR requests are kept apart: they cannot be merged with other tickets.")
    if not original.is_open:
        raise InvalidInput("original", "That ticket is closed; reopen it first or pick an open one.")
    return ticket, original


def mark_duplicate(
    *,
    ticket_id: int,
    original_id: int,
    actor_id: str,
    tickets: TicketRepository,
    rota: Rota,
    notifier: Notifier,
    now: datetime,
) -> Ticket:
    """Close a duplicate, link it to the original, and make its requesters hear the original's updates."""
    ticket, original = check_duplicate(
        ticket_id=ticket_id, original_id=original_id, actor_id=actor_id, tickets=tickets, rota=rota
    )
    event = TicketEvent(
        EventKind.MARKED_DUPLICATE, actor_id, now, {"original": original.id, "from": ticket.status.value}
    )
    ticket.status = Status.CLOSED
    ticket.duplicate_of_id = original.id
    _apply(tickets, ticket, event)
    joined = [p for p in ticket.participant_ids if p not in original.participant_ids]
    if joined:
        original.participant_ids.extend(joined)
        _apply(
            tickets,
            original,
            TicketEvent(EventKind.PARTICIPANT_ADDED, actor_id, now, {"users": joined, "duplicate": ticket.id}),
        )
    notifier.ticket_changed(ticket)
    notifier.tell_participants(ticket, event)
    return ticket


def set_priority(
    *,
    ticket_id: int,
    actor_id: str,
    priority: Priority,
    tickets: TicketRepository,
    rota: Rota,
    notifier: Notifier,
    now: datetime,
) -> Ticket:
    """Triage sets or revises the impact; a ticket that becomes a P1 wakes 2nd line and the leads."""
    ticket = load_ticket(tickets, ticket_id)
    check_may_act(ticket, actor_id, rota)
    if not ticket.is_open:
        raise InvalidTransition("This ticket is closed; reopen it before changing its priority.")
    if ticket.priority is priority:
        raise InvalidTransition(f"It is already {priority.label}.")
    was_urgent = ticket.is_urgent
    event = TicketEvent(
        EventKind.PRIORITY_CHANGED,
        actor_id,
        now,
        {"from": ticket.priority and ticket.priority.value, "to": priority.value},
    )
    ticket.priority = priority
    _apply(tickets, ticket, event)
    notifier.ticket_changed(ticket)
    notifier.tell_participants(ticket, event)
    if ticket.is_urgent and not was_urgent:
        _alert_urgent(ticket, rota, notifier, now)
    return ticket


def post_update(
    *,
    ticket_id: int,
    actor_id: str,
    message: str | None,
    tickets: TicketRepository,
    rota: Rota,
    notifier: Notifier,
    now: datetime,
) -> Ticket:
    """Tell the requester where things stand (seed 003: keep people informed, even without progress)."""
    text = clean_note("update", message, UPDATE_NOTE)
    ticket = load_ticket(tickets, ticket_id)
    check_may_act(ticket, actor_id, rota)
    if not ticket.is_open:
        raise InvalidTransition("This ticket is closed; reopen it before posting an update.")
    event = TicketEvent(EventKind.UPDATE_POSTED, actor_id, now, {"message": text})
    _apply(tickets, ticket, event)
    notifier.ticket_changed(ticket)
    notifier.tell_participants(ticket, event)
    return ticket


def view_ticket(*, ticket_id: int, viewer_id: str, tickets: TicketRepository, rota: Rota) -> Ticket:
    ticket = load_ticket(tickets, ticket_id)
    check_may_view(ticket, viewer_id, rota)
    return ticket


def my_open_tickets(*, user_id: str, tickets: TicketRepository, limit: int = 20) -> list[Ticket]:
    return tickets.open_for_user(user_id, limit=limit)
