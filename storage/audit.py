"""The audit log: one place that writes it (rota edits, GDPR exports and erasures, re-driven dead letters)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.models import ID, AuditRow

ACTOR_WIDTH = ID  # audit_log.actor_id: a person id (Slack or Teams), or a name given with --actor


def record_audit(
    session: Session, *, at: datetime, actor_id: str, action: str, subject: str | None, details: dict[str, Any]
) -> None:
    """Add one audit entry to the caller's transaction."""
    session.add(AuditRow(at=at, actor_id=actor_id[:ACTOR_WIDTH], action=action, subject=subject, details=details))
    session.flush()
