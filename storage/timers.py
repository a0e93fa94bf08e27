"""Stored SLA timers and sent-notice keys. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Base, MetaRow, SentNoticeRow, SlaTimerRow, TicketRow
from triage.model import Status
from triage.reminders import Timer

SLA_FINGERPRINT = "sla_fingerprint"
TIMERS_PER_TICKET = 4  # response, review, resolution, stale
_UPSERTS: dict[str, Any] = {}
_SENT = Base.metadata.tables[SentNoticeRow.__tablename__]
_SENT_FOR = select(_SENT.c.key, _SENT.c.ticket_id).where(_SENT.c.ticket_id.in_(bindparam("tickets", expanding=True)))
_TIMERS = Base.metadata.tables[SlaTimerRow.__tablename__]
_DELETE_OTHER_TIMERS = _TIMERS.delete().where(
    _TIMERS.c.ticket_id == bindparam("ticket"), _TIMERS.c.name.not_in(bindparam("names", expanding=True))
)


def dialect_insert(session: Session, table: Any) -> Any:
    """INSERT with ON CONFLICT, in the session's dialect (SQLite and PostgreSQL both have it)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(table)


class SqlTimerStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def due_ticket_ids(self, now: datetime, *, limit: int) -> list[int]:
        """A range scan of the next-alert index, never a GROUP BY over every timer: the cost follows what is due."""
        rows = self.session.execute(
            select(SlaTimerRow.ticket_id)
            .where(SlaTimerRow.next_alert_at <= now)
            .order_by(SlaTimerRow.next_alert_at, SlaTimerRow.ticket_id)
            .limit(limit * TIMERS_PER_TICKET)
        )
        return list(dict.fromkeys(ticket_id for (ticket_id,) in rows))[:limit]

    def sent_keys(self, ticket_id: int) -> set[str]:
        return set(self.session.scalars(select(SentNoticeRow.key).where(SentNoticeRow.ticket_id == ticket_id)))

    def sent_keys_for(self, ticket_ids: Sequence[int]) -> dict[int, set[str]]:
        sent: dict[int, set[str]] = {ticket_id: set() for ticket_id in ticket_ids}
        if ticket_ids:
            rows = self.session.connection().execute(_SENT_FOR, {"tickets": list(ticket_ids)})
            for key, ticket_id in rows:
                sent[ticket_id].add(key)
        return sent

    def claim_all(self, kinds: dict[str, str], *, ticket_id: int | None, now: datetime) -> set[str]:
        rows = [{"key": key, "ticket_id": ticket_id, "kind": kind, "sent_at": now} for key, kind in kinds.items()]
        insert = self._insert(SentNoticeRow)
        # RETURNING, not rowcount: psycopg reports -1 for ON CONFLICT DO NOTHING through SQLAlchemy.
        claimed = self.session.connection().execute(
            insert.values(rows).on_conflict_do_nothing().returning(insert.table.c.key)
        )
        return {key for (key,) in claimed}

    def claim(self, key: str, *, ticket_id: int | None, kind: str, now: datetime) -> bool:
        return key in self.claim_all({key: kind}, ticket_id=ticket_id, now=now)

    def save(self, ticket_id: int, timers: Sequence[Timer]) -> None:
        """Upsert, not delete-and-insert: two sweeps racing on PostgreSQL must not trip over the primary key."""
        names = [t.name for t in timers]
        self.session.connection().execute(_DELETE_OTHER_TIMERS, {"ticket": ticket_id, "names": names})
        if not timers:
            return
        rows = [
            {
                "ticket_id": ticket_id,
                "name": t.name,
                "cycle": t.cycle,
                "started_at": t.started_at,
                "target_seconds": t.target,
                "elapsed_seconds": t.elapsed,
                "due_at": t.due_at,
                "stopped_at": t.stopped_at,
                "breached": t.breached,
                "paused": t.paused,
                "next_alert_at": t.next_alert_at,
            }
            for t in timers
        ]
        self.session.connection().execute(self._upsert_timers(), rows)

    def _upsert_timers(self) -> Any:
        """Built once per dialect and run as executemany: the sweep saves a handful of rows per ticket."""
        dialect = self.session.get_bind().dialect.name
        statement = _UPSERTS.get(dialect)
        if statement is None:
            insert = self._insert(SlaTimerRow)
            kept = ("ticket_id", "name")
            columns = {c.name: insert.excluded[c.name] for c in SlaTimerRow.__table__.columns if c.name not in kept}
            statement = _UPSERTS[dialect] = insert.on_conflict_do_update(index_elements=list(kept), set_=columns)
        return statement

    def _insert(self, table: type[SlaTimerRow] | type[SentNoticeRow]) -> Any:
        return dialect_insert(self.session, Base.metadata.tables[table.__tablename__])

    # -- recomputation after a policy or calendar edit -------------------------------------------

    def stored_fingerprint(self) -> str | None:
        row = self.session.get(MetaRow, SLA_FINGERPRINT)
        return row.value if row else None

    def set_fingerprint(self, fingerprint: str) -> None:
        self.session.merge(MetaRow(key=SLA_FINGERPRINT, value=fingerprint))

    def open_ticket_ids(self) -> list[int]:
        return list(
            self.session.scalars(
                select(TicketRow.id).where(TicketRow.status != Status.CLOSED.value).order_by(TicketRow.id)
            )
        )
