"""Rota rows <-> rota domain values (rotations, overrides, leave, swap/cover requests)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rota.ports import RequestKind, RequestStatus, RotaRequest
from rota.roster import Leave, Override, OverrideReason
from rota.rotation import Rotation, SupportLine, parse_handover
from storage.models import LeaveRow, OverrideRow, RotaRequestRow, RotationRow


def rotation_from_row(row: RotationRow) -> Rotation:
    return Rotation(
        line=SupportLine(row.line),
        members=tuple(row.members),
        period_days=row.period_days,
        handover=parse_handover(row.handover),
        start=date.fromisoformat(row.start),
        tz=ZoneInfo(row.timezone),
    )


def rotation_values(rotation: Rotation) -> dict[str, Any]:
    return {
        "line": rotation.line.value,
        "members": list(rotation.members),
        "period_days": rotation.period_days,
        "handover": str(rotation.handover),
        "start": rotation.start.isoformat(),
        "timezone": rotation.tz.key,
    }


def override_from_row(row: OverrideRow) -> Override:
    reason = row.reason if row.reason in {r.value for r in OverrideReason} else OverrideReason.MANUAL.value
    return Override(
        SupportLine(row.line), row.user_id, row.starts_at, row.ends_at, row.replaces_id, OverrideReason(reason), row.id
    )


def leave_from_row(row: LeaveRow) -> Leave:
    return Leave(row.user_id, row.starts_at, row.ends_at, row.id)


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def request_from_row(row: RotaRequestRow) -> RotaRequest:
    details = dict(row.details)
    given_from, given_to = instant(details.pop("given_from")), instant(details.pop("given_to"))
    assert given_from is not None and given_to is not None
    return RotaRequest(
        id=row.id,
        kind=RequestKind(row.kind),
        line=SupportLine(row.line),
        requester_id=row.requester_id,
        target_id=row.target_id,
        given_from=given_from,
        given_to=given_to,
        taken_from=instant(details.pop("taken_from", None)),
        taken_to=instant(details.pop("taken_to", None)),
        status=RequestStatus(row.status),
        created_at=row.created_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        version=row.version,
        extra=details.pop("extra", {}),
    )


def request_details(request: RotaRequest) -> dict[str, Any]:
    return {
        "given_from": iso(request.given_from),
        "given_to": iso(request.given_to),
        "taken_from": iso(request.taken_from),
        "taken_to": iso(request.taken_to),
        "extra": request.extra,
    }


def audit_override(override: Override) -> dict[str, Any]:
    return {
        "id": override.id,
        "user": override.user_id,
        "from": iso(override.starts_at),
        "to": iso(override.ends_at),
        "replaces": override.replaces,
        "reason": override.reason.value,
    }


def audit_request(request: RotaRequest, was: str | None) -> dict[str, Any]:
    """A request as the audit log keeps it: who asked whom for what, and the status it left (when decided)."""
    entry = {
        "request_id": request.id,
        "kind": request.kind.value,
        "requester": request.requester_id,
        "target": request.target_id,
        **request_details(request),
    }
    return entry if was is None else {**entry, "was": was}
