"""What rota services need from the outside world, as Protocols; storage/ and handlers/ implement them."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

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
    """The rota as stored: config seeds it on first start; every later edit is a row (and an audit entry)."""

    def load(self, *, leads: frozenset[str]) -> Rota:
        """Every line's rotations (history included), and the overrides and leave in force (not cancelled)."""
        ...

    def add_rotation(
        self, rotation: Rotation, *, effective_from: datetime | None, actor_id: str, now: datetime
    ) -> None:
        """A membership or order edit: `rotation` takes over from `effective_from` (its first shift)."""
        ...

    def add_overrides(
        self, overrides: Sequence[Override], *, actor_id: str, now: datetime, request_id: int | None = None
    ) -> list[Override]:
        """Store overrides (already split at handovers); returns them with ids."""
        ...

    def cancel_override(self, override_id: int, *, actor_id: str, now: datetime) -> Override | None: ...

    def add_leave(self, leave: Leave, *, actor_id: str, now: datetime, note: str | None = None) -> Leave: ...

    def cancel_leave(self, leave_id: int, *, actor_id: str, now: datetime) -> Leave | None: ...

    def add_request(self, request: RotaRequest) -> RotaRequest: ...

    def get_request(self, request_id: int) -> RotaRequest | None: ...

    def save_request(self, request: RotaRequest) -> None:
        """Write back a decided request; raises ConcurrentUpdate (triage.ports) if it changed underneath us."""
        ...

    def pending_requests_for(self, user_id: str) -> list[RotaRequest]: ...

    def audit(self, *, actor_id: str, action: str, subject: str | None, details: dict[str, Any], now: datetime) -> None:
        """Record who changed the rota, for the leads' audit trail."""
        ...


class RotaNotifier(Protocol):
    """Tells people about rota changes. Slack implements it; calls are queued (outbox), not sent."""

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
