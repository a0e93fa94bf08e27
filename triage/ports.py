"""What the ticket services need from the outside world, named as Protocols (adapters implement them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from triage.errors import TriageError
from triage.model import Ticket, TicketEvent

if TYPE_CHECKING:
    from rota.handover import HandoverDue
    from rota.rotation import SupportLine
    from triage.digest import Digest
    from triage.reminders import SlaNotice, Timer


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

    def get_many(self, ticket_ids: Sequence[int]) -> list[Ticket]:
        """Several tickets in a few queries (the sweep's batch); missing ones are left out."""
        ...

    def save(self, ticket: Ticket) -> None:
        """Write back a changed ticket; raises ConcurrentUpdate if it changed underneath us."""
        ...

    def record(self, ticket: Ticket, event: TicketEvent) -> None: ...

    def events(self, ticket_id: int) -> list[TicketEvent]: ...

    def open_for_user(self, user_id: str, *, limit: int) -> list[Ticket]:
        """Open tickets the person raised, takes part in, or is assigned."""
        ...

    def open_on_line(self, line: SupportLine) -> list[Ticket]:
        """Every ticket of a support line that is not closed, oldest first (a handover's tickets)."""
        ...


class Notifier(Protocol):
    """Tells people about tickets: every kind of ticket message the product sends is a method here.

    Each chat platform implements it (handlers/slack/notifier.py today); calls are queued in the outbox inside
    the caller's transaction, not sent. People are person ids; the adapter finds where to reach them.
    """

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

    def sla_alert(self, ticket: Ticket, notice: SlaNotice, user_ids: Sequence[str], *, in_triage: bool) -> None:
        """A reminder before a deadline, a breach, or a "keep them informed" nudge."""
        ...

    def digest(self, digest: Digest) -> None:
        """The leads' daily or weekly digest: in their digest channel, or to each lead when there is none."""
        ...

    def handed_over(
        self, handover: HandoverDue, tickets: Sequence[Ticket], moved: frozenset[int], *, lead_ids: Sequence[str]
    ) -> None:
        """A line changed hands: the outgoing and incoming members hear which tickets they hold (`tickets`, the
        line's open ones after the moves; `moved`, the ids that changed hands); nobody incoming alerts the leads."""
        ...


class TimerStore(Protocol):
    """Stored SLA timers (the sweep's index) and the keys of reminders already sent."""

    def due_ticket_ids(self, now: datetime, *, limit: int) -> list[int]:
        """Tickets with a reminder due by `now`, found by index."""
        ...

    def sent_keys(self, ticket_id: int) -> set[str]: ...

    def sent_keys_for(self, ticket_ids: Sequence[int]) -> dict[int, set[str]]: ...

    def claim_all(self, kinds: dict[str, str], *, ticket_id: int | None, now: datetime) -> set[str]:
        """Claim several keys (key -> kind) at once; returns those this call claimed."""
        ...

    def claim(self, key: str, *, ticket_id: int | None, kind: str, now: datetime) -> bool:
        """Record that a notice goes out; False if it already has (a re-run, or another process)."""
        ...

    def save(self, ticket_id: int, timers: Sequence[Timer]) -> None:
        """Replace the ticket's stored timers."""
        ...

    def set_fingerprint(self, fingerprint: str) -> None:
        """Record which SLA policy and calendar the stored timers were computed with."""
        ...
