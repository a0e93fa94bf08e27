"""What rota services need from the outside world, as Protocols; storage/ and handlers/ implement them."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from rota.handover import ShiftReminder
from rota.roster import Duty, Leave, Override, Rota
from rota.rotation import Rotation, SupportLine


class RequestKind(enum.StrEnum):
    SWAP = "swap"  # requester's shift <-> target's shift
    COVER = "cover"  # target covers (part of) the requester's shift


class RequestStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the target member
    AWAITING_APPROVAL = "awaiting_approval"  # target accepted; a lead must approve (swaps_need_approval)
    ACCEPTED = "accepted"  # in force: the overrides exist
    DECLINED = "declined"  # by the target
    REJECTED = "rejected"  # by a lead
    CANCELLED = "cancelled"  # by the requester, or overtaken (the shift passed)


@dataclass
class RotaRequest:
    """A swap or cover request between two members of one line."""

    id: int | None
    kind: RequestKind
    line: SupportLine
    requester_id: str
    target_id: str
    # The requester's stretch [given_from, given_to) and, for a swap, the target's [taken_from, taken_to).
    given_from: datetime
    given_to: datetime
    taken_from: datetime | None
    taken_to: datetime | None
    status: RequestStatus
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    version: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class RotaRepository(Protocol):
    """The rota as stored: config seeds it on first start; every later edit is a row.

    Each write leaves exactly one audit entry (who, what, and any `details` the caller passes): the repository
    is the one place rota changes are audited, so no caller (service, CLI, import) can forget or repeat it.
    """

    def load(self, *, leads: frozenset[str]) -> Rota:
        """Every line's rotations (history included), and the overrides and leave in force (not cancelled)."""
        ...

    def load_for_change(self, *, leads: frozenset[str], now: datetime) -> Rota:
        """Like load, with the rota's revision locked until the transaction ends: decisions taken on it cannot
        race another process's (a second one waits, then sees the first one's change)."""
        ...

    def add_rotation(
        self, rotation: Rotation, *, effective_from: datetime | None, actor_id: str, now: datetime
    ) -> None:
        """A membership or order edit: `rotation` takes over from `effective_from` (its first shift)."""
        ...

    def add_overrides(
        self,
        overrides: Sequence[Override],
        *,
        actor_id: str,
        now: datetime,
        details: Mapping[str, Any] | None = None,
    ) -> list[Override]:
        """Store overrides (already split at handovers); returns them with ids."""
        ...

    def cancel_override(self, override_id: int, *, actor_id: str, now: datetime) -> Override | None: ...

    def add_leave(
        self,
        leave: Leave,
        *,
        actor_id: str,
        now: datetime,
        note: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Leave: ...

    def cancel_leave(self, leave_id: int, *, actor_id: str, now: datetime) -> Leave | None: ...

    def add_request(self, request: RotaRequest) -> RotaRequest: ...

    def get_request(self, request_id: int) -> RotaRequest | None: ...

    def save_request(self, request: RotaRequest) -> None:
        """Write back a decision that changes nobody's duty (declined, awaiting approval, rejected, cancelled).

        Raises ConcurrentUpdate (triage.ports) if the request changed underneath us.
        """
        ...

    def accept_request(self, request: RotaRequest, overrides: Sequence[Override]) -> list[Override]:
        """Put an agreed request (status ACCEPTED, decided) in force: its overrides and its status, as one change.

        Raises ConcurrentUpdate like save_request.
        """
        ...

    def pending_requests_for(self, user_id: str) -> list[RotaRequest]: ...


class RotaNotifier(Protocol):
    """Tells people about the rota: every kind of rota message is a method here. Each chat platform implements
    it (handlers/slack/rota_notifier.py today); calls are queued in the outbox in the caller's transaction."""

    def request_made(self, request: RotaRequest) -> None:
        """DM the target with Accept / Decline."""
        ...

    def approval_needed(self, request: RotaRequest, lead_ids: Sequence[str]) -> None:
        """DM the leads with Approve / Reject."""
        ...

    def request_decided(self, request: RotaRequest) -> None:
        """Tell the requester (and the target) how it ended."""
        ...

    def leave_conflicts(self, leave: Leave, conflicts: Sequence[Duty], lead_ids: Sequence[str]) -> None:
        """Warn the leads, when leave is recorded, of the shifts it touches and who covers them (or nobody)."""
        ...

    def leave_cancelled(self, leave: Leave, *, by: str, back_on: Sequence[Duty]) -> None:
        """Tell a member that someone else (a lead) cancelled their leave, with the shifts that are theirs again."""
        ...

    def override_removed(self, override: Override, *, by: str, instead: Sequence[Duty]) -> None:
        """Tell the person who was covering, and whoever is on duty instead (`instead`), that `by` removed it."""
        ...

    def change_confirmed(self, person_id: str, message: str) -> None:
        """Confirm to the person who made a rota change what was done (`message`, in the adapter's own words)."""
        ...

    def shift_reminder(self, reminder: ShiftReminder) -> None:
        """The working day before a stretch of duty starts: remind the member on duty."""
        ...

    def duty_posted(self, word: str, on_duty: Mapping[SupportLine, str | None], at: datetime) -> None:
        """At a handover, tell the triage channel who is on duty for each line this `word` (week, day...)."""
        ...

    def duty_group_changed(self, line: SupportLine, person_ids: Sequence[str]) -> None:
        """Point the line's duty group (a Slack user group) at who is on duty; a platform without one ignores it."""
        ...
