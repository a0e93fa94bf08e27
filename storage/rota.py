"""The rota as stored: rotations with their history, overrides, leave, swap/cover requests; flushes, never commits.

Every write bumps the "rota revision" in the meta table (same transaction) and leaves an audit entry, so a
`RotaCache` in any process notices the change with one cheap read and reloads.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from rota.ports import RequestStatus, RotaRequest
from rota.roster import Leave, Override, Rota
from rota.rotation import Rotation, SupportLine
from storage.models import AuditRow, Base, LeaveRow, MetaRow, OverrideRow, RotaRequestRow, RotationRow
from storage.rota_rows import (
    iso,
    leave_from_row,
    override_from_row,
    request_details,
    request_from_row,
    rotation_from_row,
    rotation_values,
)
from triage.ports import ConcurrentUpdate

ROTA_REVISION = "rota_revision"
CALENDAR_TOKEN = "rota_calendar_token"
KEEP_PAST = timedelta(days=30)  # overrides and leave that ended longer ago than this are not loaded
_Cancellable = TypeVar("_Cancellable", OverrideRow, LeaveRow)
_OPEN_REQUESTS = (RequestStatus.PENDING.value, RequestStatus.AWAITING_APPROVAL.value)


# -- meta: revision and calendar token ----------------------------------------------------------------------


def _insert_meta_if_missing(session: Session, key: str, value: str) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: two processes starting at once must not trip over the key."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Base.metadata.tables["meta"])
    session.connection().execute(insert.values(key=key, value=value).on_conflict_do_nothing())


def read_revision(session: Session) -> str | None:
    """The rota's revision as committed: what a cache compares to decide whether to reload."""
    return session.scalar(select(MetaRow.value).where(MetaRow.key == ROTA_REVISION))


def _locked_revision(session: Session) -> MetaRow:
    """The revision row, locked until commit (PostgreSQL row lock; SQLite writers hold the file lock)."""
    _insert_meta_if_missing(session, ROTA_REVISION, "0")
    return session.scalars(select(MetaRow).where(MetaRow.key == ROTA_REVISION).with_for_update()).one()


def calendar_token(session: Session) -> str:
    """The secret in calendar subscription URLs: made once, then kept in the meta table."""
    token = session.scalar(select(MetaRow.value).where(MetaRow.key == CALENDAR_TOKEN))
    if token is None:
        _insert_meta_if_missing(session, CALENDAR_TOKEN, secrets.token_urlsafe(24))
        token = session.scalars(select(MetaRow.value).where(MetaRow.key == CALENDAR_TOKEN)).one()
    return token


def calendar_path(line: SupportLine | str, token: str) -> str:
    return f"/rota/{SupportLine(line).value}.ics?token={token}"


def calendar_url(session: Session, public_url: str | None, line: SupportLine | str) -> str | None:
    """The subscription URL of a line's calendar, or None when the config has no `public_url`."""
    if not public_url:
        return None
    token = session.scalar(select(MetaRow.value).where(MetaRow.key == CALENDAR_TOKEN))
    if token is None:  # seeding makes it at start-up; this is only for a database that predates it
        token = calendar_token(session)
    return public_url.rstrip("/") + calendar_path(line, token)


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
        _locked_revision(self.session)
        return self.load(leads=leads, since=now - KEEP_PAST)

    def overrides_between(self, start: datetime, end: datetime) -> list[Override]:
        rows = self.session.scalars(
            select(OverrideRow)
            .where(OverrideRow.cancelled_at.is_(None), OverrideRow.ends_at > start, OverrideRow.starts_at < end)
            .order_by(OverrideRow.starts_at, OverrideRow.id)
        )
        return [override_from_row(r) for r in rows]

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
        row = _locked_revision(self.session)
        row.value = str(int(row.value) + 1 if row.value.isdigit() else 1)
        self.audit(actor_id=actor_id, action=action, subject=subject, details=details, now=now)
        self.changed = True

    def audit(self, *, actor_id: str, action: str, subject: str | None, details: dict[str, Any], now: datetime) -> None:
        self.session.add(AuditRow(at=now, actor_id=actor_id[:32], action=action, subject=subject, details=details))
        self.session.flush()

    def add_rotation(
        self,
        rotation: Rotation,
        *,
        effective_from: datetime | None,
        actor_id: str,
        now: datetime,
    ) -> None:
        if effective_from is None and self.rotation_rows(rotation.line):
            effective_from = rotation.shift_start(0)  # only the line's first rotation has no start
        values = rotation_values(rotation)
        self.session.add(RotationRow(**values, effective_from=effective_from, created_at=now, created_by=actor_id[:32]))
        self._changed(
            actor_id=actor_id,
            action="rota_rotation_added",
            subject=rotation.line.value,
            details={**values, "effective_from": iso(effective_from)},
            now=now,
        )

    def replace_rotation(self, row_id: int, rotation: Rotation, *, actor_id: str, now: datetime) -> None:
        """Rewrite a rotation that has not started yet (an import over an untouched seed)."""
        row = self.session.get_one(RotationRow, row_id)
        before = {"members": list(row.members), "start": row.start, "handover": row.handover}
        for key, value in rotation_values(rotation).items():
            setattr(row, key, value)
        row.created_by, row.created_at = actor_id[:32], now
        self._changed(
            actor_id=actor_id,
            action="rota_rotation_replaced",
            subject=rotation.line.value,
            details={"before": before, "after": rotation_values(rotation)},
            now=now,
        )

    def add_overrides(
        self, overrides: Sequence[Override], *, actor_id: str, now: datetime, request_id: int | None = None
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
                created_by=actor_id[:32],
            )
            for o in overrides
        ]
        if not rows:
            return []
        self.session.add_all(rows)
        self.session.flush()
        stored = [override_from_row(r) for r in rows]
        self._changed(
            actor_id=actor_id,
            action="rota_override_added",
            subject=stored[0].line.value,
            details={
                "overrides": [
                    {
                        "id": o.id,
                        "user": o.user_id,
                        "from": iso(o.starts_at),
                        "to": iso(o.ends_at),
                        "replaces": o.replaces,
                    }
                    for o in stored
                ],
                "request_id": request_id,
            },
            now=now,
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
        self._changed(actor_id=actor_id, action=action, subject=subject(row), details={"id": row.id}, now=now)
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

    def add_leave(self, leave: Leave, *, actor_id: str, now: datetime, note: str | None = None) -> Leave:
        row = LeaveRow(
            user_id=leave.user_id,
            starts_at=leave.starts_at,
            ends_at=leave.ends_at,
            note=note[:200] if note else None,
            created_at=now,
            created_by=actor_id[:32],
        )
        self.session.add(row)
        self.session.flush()
        self._changed(
            actor_id=actor_id,
            action="rota_leave_added",
            subject=leave.user_id,
            details={"id": row.id, "from": iso(leave.starts_at), "to": iso(leave.ends_at), "note": row.note},
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
        self.audit(
            actor_id=request.requester_id,
            action=f"rota_{request.kind.value}_requested",
            subject=request.line.value,
            details={"request_id": row.id, "target": request.target_id, **request_details(request)},
            now=request.created_at,
        )
        return request

    def get_request(self, request_id: int) -> RotaRequest | None:
        row = self.session.get(RotaRequestRow, request_id)
        return request_from_row(row) if row else None

    def save_request(self, request: RotaRequest) -> None:
        row = self.session.get(RotaRequestRow, request.id)
        if row is None or row.version != request.version:
            raise ConcurrentUpdate(f"rota request {request.id} changed while it was being decided")
        row.status = request.status.value
        row.decided_at, row.decided_by = request.decided_at, request.decided_by
        row.details = request_details(request)
        try:
            self.session.flush()
        except StaleDataError as error:
            raise ConcurrentUpdate(f"rota request {request.id} changed while it was being decided") from error
        request.version = row.version
        self.audit(
            actor_id=request.decided_by or request.requester_id,
            action=f"rota_request_{request.status.value}",
            subject=request.line.value,
            details={"request_id": request.id},
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

    def requests_awaiting_approval(self) -> list[RotaRequest]:
        rows = self.session.scalars(
            select(RotaRequestRow)
            .where(and_(RotaRequestRow.status == RequestStatus.AWAITING_APPROVAL.value))
            .order_by(RotaRequestRow.id)
        )
        return [request_from_row(r) for r in rows]


def seed_rota_if_empty(session: Session, config_rota: Rota, now: datetime) -> list[SupportLine]:
    """First start: copy the config's rotations in (created_by "config") for every line with none stored.

    Also makes the calendar token. The revision row is locked first, so two processes starting together
    seed once.
    """
    calendar_token(session)
    _locked_revision(session)
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
