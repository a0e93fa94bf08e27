"""A line's handover as both adapters tell it: the view model, and where each ticket is, in words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rota.handover import HandoverDue
from triage.model import Ticket


@dataclass(frozen=True)
class HandoverView:
    """One line's handover as the DMs tell it: the line's open tickets and which of them changed hands."""

    handover: HandoverDue
    tickets: Sequence[Ticket]  # the line's open tickets after the moves
    moved: frozenset[int]
    prefix: str
    zone: ZoneInfo


def ticket_line(
    ticket: Ticket, view: HandoverView, reader: str, *, ref: str, title: str, mention: Callable[[str | None], str]
) -> str:
    """Ref, title (never a GDPR request's), status and where it is, from `reader`'s point of view; `ref` and
    `title` come in the platform's markup, `title` used unless the ticket is private."""
    assert ticket.id is not None
    shown = "GDPR request" if ticket.is_private else title
    if ticket.id in view.moved:
        where = "moved to you" if ticket.assignee_id == reader else f"moved to {mention(ticket.assignee_id)}"
    elif ticket.assignee_id == reader:
        where = "stays with you"
    else:
        where = f"with {mention(ticket.assignee_id)}"
    return f"• {ref} {shown} · {ticket.status.label} · {where}"
