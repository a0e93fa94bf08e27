"""What the ticket services need from the outside world, named as Protocols (adapters implement them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from triage.errors import TriageError
from triage.model import Ticket, TicketEvent


class ConcurrentUpdate(TriageError):
    """Someone else changed the ticket between our read and our write."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("Someone else changed this ticket at the same moment; nothing was changed, please try again.")
        self.detail = detail


class TicketRepository(Protocol):
    def add(self, ticket: Ticket) -> Ticket:
        """Store a new ticket and give it its id."""
        ...

    def get(self, ticket_id: int) -> Ticket | None: ...

    def save(self, ticket: Ticket) -> None:
        """Write back a changed ticket; raises ConcurrentUpdate if it changed underneath us."""
        ...

    def record(self, ticket: Ticket, event: TicketEvent) -> None: ...

    def events(self, ticket_id: int) -> list[TicketEvent]: ...

    def open_for_user(self, user_id: str, *, limit: int) -> list[Ticket]:
        """Open tickets the person raised, takes part in, or is assigned."""
        ...


class Notifier(Protocol):
    """Tells people about tickets. Slack implements it now, Teams later; calls are queued, not sent."""

    def ticket_opened(self, ticket: Ticket) -> None:
        """Announce to triage, confirm to the requester."""
        ...

    def ticket_assigned(self, ticket: Ticket) -> None:
        """Give the assignee their card with the actions."""
        ...

    def ticket_changed(self, ticket: Ticket) -> None:
        """Bring every card already shown for the ticket up to date."""
        ...

    def tell_participants(self, ticket: Ticket, event: TicketEvent) -> None:
        """Keep the requester (and duplicates' requesters) informed of what changed."""
        ...

    def alert(self, ticket: Ticket, user_ids: Sequence[str], *, reason: str) -> None:
        """Draw specific people's attention: a P1, or nobody on duty."""
        ...
