"""The ticket repository: maps rows to domain tickets. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from rota.rotation import SupportLine
from storage.models import Base, EventRow, ParticipantRow, TicketRow
from triage.model import EventKind, Priority, Status, Ticket, TicketEvent, TicketType
from triage.ports import ConcurrentUpdate


def _to_domain(row: TicketRow) -> Ticket:
    return Ticket(
        id=row.id,
        title=row.title,
        description=row.description,
        type=TicketType(row.type),
        priority=Priority(row.priority) if row.priority else None,
        status=Status(row.status),
        line=SupportLine(row.line),
        requester_id=row.requester_id,
        assignee_id=row.assignee_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        origin_channel_id=row.origin_channel_id,
        duplicate_of_id=row.duplicate_of_id,
        handover_note=row.handover_note,
        participant_ids=[p.user_id for p in row.participants],
        version=row.version,
    )


_RESOLVED = (Status.AWAITING_SIGN_OFF.value, Status.CLOSED.value)
_EVENT_TABLE = Base.metadata.tables[EventRow.__tablename__]
_EVENTS = (
    select(_EVENT_TABLE.c.kind, _EVENT_TABLE.c.actor_id, _EVENT_TABLE.c.at, _EVENT_TABLE.c.data)
    .where(_EVENT_TABLE.c.ticket_id == bindparam("ticket"))
    .order_by(_EVENT_TABLE.c.at, _EVENT_TABLE.c.id)
)


def _copy_to_row(ticket: Ticket, row: TicketRow) -> None:
    if row.status != ticket.status.value:
        row.status_changed_at = ticket.updated_at
        if ticket.status.value not in _RESOLVED:
            row.resolved_at = None  # reopened
        elif row.status not in _RESOLVED:
            row.resolved_at = ticket.updated_at
    row.title = ticket.title
    row.description = ticket.description
    row.type = ticket.type.value
    row.priority = ticket.priority.value if ticket.priority else None
    row.status = ticket.status.value
    row.line = ticket.line.value
    row.requester_id = ticket.requester_id
    row.assignee_id = ticket.assignee_id
    row.origin_channel_id = ticket.origin_channel_id
    row.duplicate_of_id = ticket.duplicate_of_id
    row.handover_note = ticket.handover_note
    row.created_at = ticket.created_at
    row.updated_at = ticket.updated_at
    known = {p.user_id for p in row.participants}
    row.participants.extend(ParticipantRow(user_id=u) for u in ticket.participant_ids if u not in known)


class SqlTicketRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.touched: set[int] = set()  # tickets with new events: their SLA timers are recomputed before commit

    def add(self, ticket: Ticket) -> Ticket:
        row = TicketRow()
        _copy_to_row(ticket, row)
        self.session.add(row)
        self.session.flush()
        ticket.id = row.id
        ticket.version = row.version
        return ticket

    def get(self, ticket_id: int) -> Ticket | None:
        row = self.session.get(TicketRow, ticket_id)
        return _to_domain(row) if row else None

    def get_many(self, ticket_ids: Sequence[int]) -> list[Ticket]:
        rows = {row.id: row for row in self.session.scalars(select(TicketRow).where(TicketRow.id.in_(ticket_ids)))}
        return [_to_domain(rows[i]) for i in ticket_ids if i in rows]

    def save(self, ticket: Ticket) -> None:
        row = self.session.get(TicketRow, ticket.id)
        if row is None or row.version != ticket.version:
            raise ConcurrentUpdate(f"ticket {ticket.id} changed while it was being updated")
        _copy_to_row(ticket, row)
        try:
            self.session.flush()
        except StaleDataError as error:
            raise ConcurrentUpdate(f"ticket {ticket.id} changed while it was being updated") from error
        ticket.version = row.version

    def record(self, ticket: Ticket, event: TicketEvent) -> None:
        assert ticket.id is not None
        self.touched.add(ticket.id)
        self.session.add(
            EventRow(ticket_id=ticket.id, kind=event.kind.value, actor_id=event.actor_id, at=event.at, data=event.data)
        )

    def events(self, ticket_id: int) -> list[TicketEvent]:
        rows = self.session.connection().execute(
            _EVENTS, {"ticket": ticket_id}
        )  # columns, not ORM objects: SLA replays are hot
        return [TicketEvent(EventKind(kind), actor, at, dict(data)) for kind, actor, at, data in rows]

    def open_for_user(self, user_id: str, *, limit: int) -> list[Ticket]:
        participating = select(ParticipantRow.ticket_id).where(ParticipantRow.user_id == user_id)
        rows = self.session.scalars(
            select(TicketRow)
            .where(TicketRow.status != Status.CLOSED.value)
            .where(or_(TicketRow.assignee_id == user_id, TicketRow.id.in_(participating)))
            .order_by(TicketRow.id.desc())
            .limit(limit)
        )
        return [_to_domain(r) for r in rows]

    def open_on_line(self, line: SupportLine) -> list[Ticket]:
        ids = self.session.scalars(
            select(TicketRow.id)
            .where(TicketRow.line == line.value, TicketRow.status != Status.CLOSED.value)
            .order_by(TicketRow.id)
        ).all()
        return self.get_many(list(ids))
