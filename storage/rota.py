"""The rota as stored: rotations with their history, overrides, leave, swap/cover requests; flushes, never commits.

Every write bumps the "rota revision" in the meta table (same transaction), so a `RotaCache` in any process
notices the change with one cheap read and reloads. Every write also leaves exactly one audit entry: this is the
only place rota changes are audited (services and the CLI pass what they know beyond the row as `details`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from rota.ports import RequestStatus, RotaRequest
from rota.roster import Leave, Override, Rota
from rota.rotation import Rotation, SupportLine
from storage.audit import record_audit
from storage.models import ID, LeaveRow, OverrideRow, RotaRequestRow, RotationRow
from storage.rota_meta import (
    calendar_token,
    locked_revision,
    read_revision,
)
from storage.rota_rows import (
    audit_override,
    audit_request,
    iso,
    leave_from_row,
    override_from_row,
    request_details,
    request_from_row,
    rotation_from_row,
    rotation_values,
)
from triage.ports import ConcurrentUpdate

KEEP_PAST = timedelta(days=30)  # overrides and leave that ended longer ago than this are not loaded
_Cancellable = TypeVar("_Cancellable", OverrideRow, LeaveRow)
_OPEN_REQUESTS = (RequestStatus.PENDING.value, RequestStatus.AWAITING_APPROVAL.value)


# -- the repository -------------------------------------------------------------------------------------


class SqlRotaRepository:
    """rota.ports.RotaRepository on the rota_* tables; every write bumps the revision and is audited."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.changed = False  # set by any write: the unit of work then tells the cache to look again

    # -- reading ------------------------------------------------------------------------------------------

    def rotation_rows(self, line: SupportLine | None = None) -> list[RotationRow]:
        """Rotations in force order: the seed (no effective_from) first, then by effective_from."""
        query = select(RotationRow).order_by(
            RotationRow.line,
            RotationRow.effective_from.is_not(None),
            RotationRow.effective_from,
            RotationRow.id,
        )
        if line is not None:
            query = query.where(RotationRow.line == line.value)
        return list(self.session.scalars(query))

    def load(self, *, leads: frozenset[str], since: datetime | None = None) -> Rota:
        """Every line's rotations (history in `earlier`); overrides and leave not cancelled (ending after since)."""
        chains: dict[SupportLine, list[Rotation]] = {}
        for row in self.rotation_rows():
            chains.setdefault(SupportLine(row.line), []).append(rotation_from_row(row))
        overrides = select(OverrideRow).where(OverrideRow.cancelled_at.is_(None)).order_by(OverrideRow.id)
        leave = select(LeaveRow).where(LeaveRow.cancelled_at.is_(None)).order_by(LeaveRow.id)
        if since is not None:
            overrides = overrides.where(OverrideRow.ends_at > since)
            leave = leave.where(LeaveRow.ends_at > since)
        return Rota(
            rotations={line: chain[-1] for line, chain in chains.items()},
            leads=leads,
            overrides=tuple(override_from_row(r) for r in self.session.scalars(overrides)),
            leave=tuple(leave_from_row(r) for r in self.session.scalars(leave)),
            earlier={line: tuple(chain[:-1]) for line, chain in chains.items() if len(chain) > 1},
        )

    def load_for_change(self, *, leads: frozenset[str], now: datetime) -> Rota:
        """The rota as committed, with the revision row locked until this transaction ends: what a change is
        checked against, so two changes decided at once in two processes cannot both pass a stale check."""
        locked_revision(self.session)
        return self.load(leads=leads, since=now - KEEP_PAST)

    def leave_between(self, start: datetime, end: datetime) -> list[tuple[Leave, str | None]]:
        """Leave (with its note) overlapping [start, end)."""
        rows = self.session.scalars(
            select(LeaveRow)
            .where(LeaveRow.cancelled_at.is_(None), LeaveRow.ends_at > start, LeaveRow.starts_at < end)
            .order_by(LeaveRow.starts_at, LeaveRow.id)
        )
        return [(leave_from_row(r), r.note) for r in rows]

    # -- writing ------------------------------------------------------------------------------------------

    def _changed(
        self, *, actor_id: str, action: str, subject: str | None, details: dict[str, Any], now: datetime
    ) -> None:
        row = locked_revision(self.session)
        row.value = str(int(row.value) + 1 if row.value.isdigit() else 1)
        self._audit(actor_id=actor_id, action=action, subject=subject, details=details, now=now)
        self.changed = True

    def _audit(
        self, *, actor_id: str, action: str, subject: str | None, details: dict[str, Any], now: datetime
    ) -> None:
        record_audit(self.session, at=now, actor_id=actor_id, action=action, subject=subject, details=details)

    def add_rotation(
        self,
        rotation: Rotation,
        *,
        effective_from: datetime | None,
        actor_id: str,
        now: datetime,
    ) -> None:
        earlier = self.rotation_rows(rotation.line)
        if effective_from is None and earlier:
            effective_from = rotation.shift_start(0)  # only the line's first rotation has no start
        values = rotation_values(rotation)
        self.session.add(RotationRow(**values, effective_from=effective_from, created_at=now, created_by=actor_id[:ID]))
        self._changed(
            actor_id=actor_id,
            action="rota_rotation_added",
            subject=rotation.line.value,
            details={
                **values,
                "effective_from": iso(effective_from),
                "before": list(earlier[-1].members) if earlier else None,
            },
            now=now,
        )

    def replace_rotation(self, row_id: int, rotation: Rotation, *, actor_id: str, now: datetime) -> None:
        """Rewrite a rotation that has not started yet (an import over an untouched seed)."""
        row = self.session.get_one(RotationRow, row_id)
        before = {"members": list(row.members), "start": row.start, "handover": row.handover}
        for key, value in rotation_values(rotation).items():
            setattr(row, key, value)
        row.created_by, row.created_at = actor_id[:ID], now
        self._changed(
            actor_id=actor_id,
            action="rota_rotation_replaced",
            subject=rotation.line.value,
            details={"before": before, "after": rotation_values(rotation)},
            now=now,
        )

    def _store_overrides(
        self, overrides: Sequence[Override], *, actor_id: str, now: datetime, request_id: int | None
    ) -> list[Override]:
        rows = [
            OverrideRow(
                line=o.line.value,
                user_id=o.user_id,
                replaces_id=o.replaces,
                starts_at=o.starts_at,
                ends_at=o.ends_at,
                reason=o.reason.value,
                request_id=request_id,
                created_at=now,
                created_by=actor_id[:ID],
            )
            for o in overrides
        ]
        self.session.add_all(rows)
        self.session.flush()
        return [override_from_row(r) for r in rows]

    def add_overrides(
        self,
        overrides: Sequence[Override],
        *,
        actor_id: str,
        now: datetime,
        details: Mapping[str, Any] | None = None,
    ) -> list[Override]:
        """Store overrides (a lead's, an import's); `details` is what the caller knows beyond them, for the audit."""
        stored = self._store_overrides(overrides, actor_id=actor_id, now=now, request_id=None)
        if stored:
            self._changed(
                actor_id=actor_id,
                action="rota_override_added",
                subject=stored[0].line.value,
                details={"overrides": [audit_override(o) for o in stored], **(details or {})},
                now=now,
            )
        return stored

    def accept_request(self, request: RotaRequest, overrides: Sequence[Override]) -> list[Override]:
        """An agreed swap or cover: its overrides and the request's new status, as one change and one audit entry."""
        assert request.decided_by is not None and request.decided_at is not None, "an accepted request is decided"
        stored = self._store_overrides(
            overrides, actor_id=request.decided_by, now=request.decided_at, request_id=request.id
        )
        was = self._write_request(request)
        self._changed(
            actor_id=request.decided_by,
            action=f"rota_request_{request.status.value}",
            subject=request.line.value,
            details={**audit_request(request, was), "overrides": [audit_override(o) for o in stored]},
            now=request.decided_at,
        )
        return stored

    def _cancel(
        self,
        model: type[_Cancellable],
        row_id: int,
        action: str,
        subject: Callable[[_Cancellable], str],
        *,
        actor_id: str,
        now: datetime,
    ) -> _Cancellable | None:
        """Mark an override or leave cancelled (kept for the record); None when missing or already cancelled."""
        row = self.session.get(model, row_id)
        if row is None or row.cancelled_at is not None:
            return None
        row.cancelled_at = now
        details = {"id": row.id, "user": row.user_id, "from": iso(row.starts_at), "to": iso(row.ends_at)}
        if isinstance(row, OverrideRow):
            details |= {"line": row.line, "replaces": row.replaces_id, "reason": row.reason}
        self._changed(actor_id=actor_id, action=action, subject=subject(row), details=details, now=now)
        return row

    def cancel_override(self, override_id: int, *, actor_id: str, now: datetime) -> Override | None:
        row = self._cancel(
            OverrideRow, override_id, "rota_override_cancelled", lambda r: r.line, actor_id=actor_id, now=now
        )
        return override_from_row(row) if row else None

    def has_override(self, override: Override) -> bool:
        return (
            self.session.scalar(
                select(OverrideRow.id).where(
                    OverrideRow.cancelled_at.is_(None),
                    OverrideRow.line == override.line.value,
                    OverrideRow.user_id == override.user_id,
                    OverrideRow.starts_at == override.starts_at,
                    OverrideRow.ends_at == override.ends_at,
                )
            )
            is not None
        )

    def add_leave(
        self,
        leave: Leave,
        *,
        actor_id: str,
        now: datetime,
        note: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Leave:
        """Store leave; `details` is what the caller knows beyond it (the conflicts it found), for the audit."""
        row = LeaveRow(
            user_id=leave.user_id,
            starts_at=leave.starts_at,
            ends_at=leave.ends_at,
            note=note[:200] if note else None,
            created_at=now,
            created_by=actor_id[:ID],
        )
        self.session.add(row)
        self.session.flush()
        self._changed(
            actor_id=actor_id,
            action="rota_leave_added",
            subject=leave.user_id,
            details={
                "id": row.id,
                "from": iso(leave.starts_at),
                "to": iso(leave.ends_at),
                "note": row.note,
                **(details or {}),
            },
            now=now,
        )
        return leave_from_row(row)

    def cancel_leave(self, leave_id: int, *, actor_id: str, now: datetime) -> Leave | None:
        row = self._cancel(LeaveRow, leave_id, "rota_leave_cancelled", lambda r: r.user_id, actor_id=actor_id, now=now)
        return leave_from_row(row) if row else None

    def has_leave(self, leave: Leave) -> bool:
        return (
            self.session.scalar(
                select(LeaveRow.id).where(
                    LeaveRow.cancelled_at.is_(None),
                    LeaveRow.user_id == leave.user_id,
                    LeaveRow.starts_at == leave.starts_at,
                    LeaveRow.ends_at == leave.ends_at,
                )
            )
            is not None
        )

    # -- swap and cover requests (they change who is on duty only through add_overrides) ------------------

    def add_request(self, request: RotaRequest) -> RotaRequest:
        row = RotaRequestRow(
            kind=request.kind.value,
            line=request.line.value,
            requester_id=request.requester_id,
            target_id=request.target_id,
            details=request_details(request),
            status=request.status.value,
            created_at=request.created_at,
            decided_at=request.decided_at,
            decided_by=request.decided_by,
        )
        self.session.add(row)
        self.session.flush()
        request.id, request.version = row.id, row.version
        self._audit(
            actor_id=request.requester_id,
            action=f"rota_{request.kind.value}_requested",
            subject=request.line.value,
            details=audit_request(request, None),
            now=request.created_at,
        )
        return request

    def get_request(self, request_id: int) -> RotaRequest | None:
        row = self.session.get(RotaRequestRow, request_id)
        return request_from_row(row) if row else None

    def _write_request(self, request: RotaRequest) -> str:
        """Write back a request's decision (optimistic lock on its version); returns the status it had."""
        row = self.session.get(RotaRequestRow, request.id)
        if row is None or row.version != request.version:
            raise ConcurrentUpdate(f"rota request {request.id} changed while it was being decided")
        was = row.status
        row.status = request.status.value
        row.decided_at, row.decided_by = request.decided_at, request.decided_by
        row.details = request_details(request)
        try:
            self.session.flush()
        except StaleDataError as error:
            raise ConcurrentUpdate(f"rota request {request.id} changed while it was being decided") from error
        request.version = row.version
        return was

    def save_request(self, request: RotaRequest) -> None:
        """A decision that changes nobody's duty (declined, awaiting approval, rejected, cancelled); audited."""
        was = self._write_request(request)
        self._audit(
            actor_id=request.decided_by or request.requester_id,
            action=f"rota_request_{request.status.value}",
            subject=request.line.value,
            details=audit_request(request, was),
            now=request.decided_at or request.created_at,
        )

    def pending_requests_for(self, user_id: str) -> list[RotaRequest]:
        """Open requests this person must answer (as target) or is waiting on (as requester)."""
        rows = self.session.scalars(
            select(RotaRequestRow)
            .where(RotaRequestRow.status.in_(_OPEN_REQUESTS))
            .where(or_(RotaRequestRow.target_id == user_id, RotaRequestRow.requester_id == user_id))
            .order_by(RotaRequestRow.id)
        )
        return [request_from_row(r) for r in rows]


def seed_rota_if_empty(session: Session, config_rota: Rota, now: datetime) -> list[SupportLine]:
    """First start: copy the config's rotations in (created_by "config") for every line with none stored.

    Also makes the calendar token. The revision row is locked first, so two processes starting together
    seed once.
    """
    calendar_token(session)
    locked_revision(session)
    repo = SqlRotaRepository(session)
    stored = {SupportLine(line) for line in session.scalars(select(RotationRow.line).distinct())}
    seeded = [line for line in config_rota.rotations if line not in stored]
    for line in seeded:
        repo.add_rotation(config_rota.rotations[line], effective_from=None, actor_id="config", now=now)
    return seeded


class RotaCache:
    """The stored Rota for a whole process: reloaded only when the revision moves (checked at most every
    `min_interval` seconds, or at once after `invalidate()`), so several processes see each other's edits."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        leads: frozenset[str],
        now: Callable[[], datetime],
        min_interval: float = 0.5,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._leads = leads
        self._now = now
        self._min_interval = min_interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._rota: Rota | None = None
        self._revision: str | None = None
        self._checked_at = 0.0
        self.loads = 0  # how many full reloads (tests and benchmarks look)

    def invalidate(self) -> None:
        """After our own write: look at the revision on the next get, whatever the interval."""
        with self._lock:
            self._checked_at = float("-inf")

    def get(self) -> Rota:
        with self._lock:
            if self._rota is not None and self._monotonic() - self._checked_at < self._min_interval:
                return self._rota
            with self._sessions.begin() as session:
                revision = read_revision(session)  # before the rows: a write in between only causes a reload
                if self._rota is None or revision != self._revision:
                    since = self._now() - KEEP_PAST
                    self._rota = SqlRotaRepository(session).load(leads=self._leads, since=since)
                    self._revision = revision
                    self.loads += 1
            self._checked_at = self._monotonic()
            return self._rota

    @property
    def revision(self) -> str | None:
        return self._revision
