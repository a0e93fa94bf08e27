"""Inbound Slack event ids: claimed before acting, so a retried delivery of the same event acts once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.models import Base, InboundEventRow
from storage.timers import dialect_insert

PROCESSING, DONE = "processing", "done"
# A claim still "processing" after this long belongs to a process that died mid-way: a retry may take it over.
ABANDONED_AFTER = timedelta(minutes=2)


def claim_event(session: Session, event_id: str, *, kind: str, now: datetime) -> bool:
    """Claim `event_id` for processing: True once per event (or again after a failed or abandoned attempt)."""
    table = Base.metadata.tables[InboundEventRow.__tablename__]
    insert = dialect_insert(session, table)
    # RETURNING, not rowcount: psycopg reports -1 for ON CONFLICT DO NOTHING through SQLAlchemy.
    claimed = session.connection().execute(
        insert.values(event_id=event_id, kind=kind, status=PROCESSING, received_at=now)
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )
    if claimed.first() is not None:
        return True
    taken_over = session.execute(
        update(InboundEventRow)
        .where(
            InboundEventRow.event_id == event_id,
            InboundEventRow.status == PROCESSING,
            InboundEventRow.received_at < now - ABANDONED_AFTER,
        )
        .values(received_at=now)
        .returning(InboundEventRow.event_id)
    )
    return taken_over.first() is not None


def finish_event(session: Session, event_id: str) -> None:
    session.execute(update(InboundEventRow).where(InboundEventRow.event_id == event_id).values(status=DONE))


def release_event(session: Session, event_id: str) -> None:
    """The attempt failed: forget the claim, so Slack's retry of the same event is processed."""
    session.execute(delete(InboundEventRow).where(InboundEventRow.event_id == event_id))


def has_events_before(session: Session, before: datetime) -> bool:
    """Whether any event id is old enough to forget (a read, so an idle minute takes no write lock)."""
    old = select(InboundEventRow.event_id).where(InboundEventRow.received_at < before).limit(1)
    return session.scalar(old) is not None


def forget_events_before(session: Session, before: datetime) -> int:
    """Slack retries for minutes, not days: old ids can go (housekeeping)."""
    result = session.execute(delete(InboundEventRow).where(InboundEventRow.received_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
