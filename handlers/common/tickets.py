"""Ticket words and values both adapters use: the headline, the ticket-type hints of the new-ticket form, a line
of "my tickets", and snoozing a reminder. Markup (bold, escaping) is the caller's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.unit_of_work import Deps
from triage.digest import AssigneeLoad
from triage.model import Ticket, TicketType, format_ref
from triage.reminders import SnoozeFor, snooze_reminder

TYPE_HINTS = {
    TicketType.TECHNICAL_SUPPORT: "Something is broken or behaving wrongly",
    TicketType.SUPPORT_QUERY: "A question about how something works",
    TicketType.SERVICE_TASK: "Do something for us (may be chargeable)",
    TicketType.GDPR_REQUEST: "A copy of personal data, deletion, or other (kept private)",
    TicketType.BUG_REPORT: "A defect to report to the product team",
    TicketType.FEATURE_REQUEST: "Something new you would like",
}


def headline(
    ticket: Ticket, prefix: str, *, public: bool, bold: Callable[[str], str], title: Callable[[str], str]
) -> str:
    """Ref and title; in public places a GDPR request shows neither its title nor its requester."""
    assert ticket.id is not None
    ref = bold(format_ref(prefix, ticket.id))
    if public and ticket.is_private:
        return f"{ref} GDPR request (details are private to the assignee and leads)"
    return f"{ref} {title(ticket.title)}"


def my_ticket_line(
    ticket: Ticket,
    prefix: str,
    user_id: str,
    *,
    mention: Callable[[str | None], str],
    bold: Callable[[str], str],
    title: str,
) -> str:
    """One of `user_id`'s open tickets: ref, title, status, and whether it is theirs or with whom."""
    assert ticket.id is not None
    role = "assigned to you" if ticket.assignee_id == user_id else f"with {mention(ticket.assignee_id)}"
    return f"{bold(format_ref(prefix, ticket.id))} {title} · {ticket.status.label} · {role}"


def load_line(load: AssigneeLoad, *, mention: Callable[[str | None], str], emoji: Callable[[str], str]) -> str:
    """A digest's line for one person's load: open, high priority, breached, without news."""
    who = mention(load.assignee_id) if load.assignee_id else "_Unassigned_"
    parts = [f"{load.open} open"]
    if load.high_priority:
        parts.append(f"{load.high_priority} P1/P2")
    if load.breached:
        parts.append(f"{load.breached} breached {emoji('rotating_light')}")
    if load.stale:
        parts.append(f"{load.stale} without news for a day")
    return f"• {who}: " + " · ".join(parts)


def snooze(deps: Deps, *, ticket_id: int, actor_id: str, clock: str, cycle: int, snooze_for: SnoozeFor) -> datetime:
    """Snooze a near-breach reminder, in one transaction; when it will remind again."""
    return deps.run(
        lambda uow: snooze_reminder(
            ticket_id=ticket_id,
            actor_id=actor_id,
            clock=clock,
            cycle=cycle,
            snooze_for=snooze_for,
            tickets=uow.tickets,
            rota=deps.rota,
            sla=deps.sla,
            now=uow.now,
        )
    )
