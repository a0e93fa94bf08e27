"""A handover's effect on tickets: the line's unacknowledged tickets go to the member coming on duty.

The rule of which tickets move is rota/handover.py's (`plan_ticket_moves`); this is the use case around it,
one transaction per handover (bot/jobs/rota.py opens it and claims the handover's key first).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rota.handover import HandoverDue, HeldTicket, plan_ticket_moves
from triage.model import EventKind, Status, Ticket, TicketEvent
from triage.ports import Notifier, TicketRepository


def hand_over_tickets(
    *,
    handover: HandoverDue,
    tickets: TicketRepository,
    notifier: Notifier,
    lead_ids: Sequence[str],
    now: datetime,
) -> list[int]:
    """Move the line's unacknowledged tickets to the incoming member and tell both members; returns the moved ids.

    Each move is a reassignment with the version check (a ticket changed meanwhile raises ConcurrentUpdate and
    the whole handover is retried later); its cards update in place, the new assignee gets theirs, and the
    requester is not disturbed. With nobody coming on duty nothing moves, and the leads are alerted instead.
    """
    held = tickets.open_on_line(handover.line)
    plan = plan_ticket_moves(
        handover, [HeldTicket(t.id or 0, t.assignee_id, t.status is not Status.OPEN) for t in held]
    )
    moving = frozenset(plan.move)
    for ticket in held:
        if ticket.id in moving:
            _move(ticket, handover, tickets=tickets, notifier=notifier, now=now)
    notifier.handed_over(handover, held, moving, lead_ids=lead_ids)
    return sorted(moving)


def _move(
    ticket: Ticket, handover: HandoverDue, *, tickets: TicketRepository, notifier: Notifier, now: datetime
) -> None:
    previous = ticket.assignee_id
    assert handover.incoming is not None
    ticket.assignee_id = handover.incoming
    ticket.updated_at = now
    tickets.save(ticket)
    data = {
        "from": previous,
        "to": handover.incoming,
        "line": handover.line.value,
        "reason": "handover",
        "handover_at": handover.at.isoformat(timespec="seconds"),
    }
    # The actor is who handed it over (the history reads "@A assigned"); unassigned ones, the taker.
    tickets.record(ticket, TicketEvent(EventKind.ASSIGNED, previous or handover.incoming, now, data))
    notifier.ticket_changed(ticket)
    notifier.ticket_assigned(ticket)
