"""GDPR export and erasure over every table that names a person. Flushes, never commits."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, or_, select
from sqlalchemy.orm import Session

from storage.models import (
    AuditRow,
    CardRow,
    EventRow,
    LeaveRow,
    MetaRow,
    OutboxRow,
    OverrideRow,
    ParticipantRow,
    PersonIdentityRow,
    PersonRow,
    RotaRequestRow,
    RotationRow,
    TicketRow,
)
from storage.rota import SqlRotaRepository
from storage.rota_rows import iso
from triage.model import Status
from triage.privacy import ERASED, TEXT_KEYS, pseudonym, replace_user, scrub_strings, scrub_text, text_fragments

SALT_KEY = "gdpr_pseudonym_salt"
REQUESTER_CARD = "requester:"
OTHER_REQUESTER = "another requester"
WITHHELD = "[another person's request]"


def pseudonym_for(session: Session, user_id: str) -> str:
    """The person's stable pseudonym; the salt is made once per database, so ids cannot be guessed from it."""
    salt = session.get(MetaRow, SALT_KEY)
    if salt is None:
        salt = MetaRow(key=SALT_KEY, value=secrets.token_hex(16))
        session.add(salt)
        session.flush()
    return pseudonym(user_id, bytes.fromhex(salt.value))


# -- export -------------------------------------------------------------------------------------------------


def _event(row: EventRow, prefix: str, user_id: str) -> dict[str, Any]:
    data = dict(row.data)
    if isinstance(data.get("users"), list):  # requesters of duplicates who joined: other people
        data["users"] = [u if u == user_id else OTHER_REQUESTER for u in data["users"]]
    return {
        "ticket": f"{prefix}-{row.ticket_id}",
        "kind": row.kind,
        "actor_id": row.actor_id,
        "at": iso(row.at),
        "data": data,
    }


def _summary(row: TicketRow, prefix: str) -> dict[str, Any]:
    """What a ticket is, without its words: for tickets that are somebody else's request."""
    return {
        "ref": f"{prefix}-{row.id}",
        "type": row.type,
        "priority": row.priority,
        "status": row.status,
        "line": row.line,
        "created_at": iso(row.created_at),
        "resolved_at": iso(row.resolved_at),
    }


def export_person(session: Session, *, user_id: str, prefix: str, now: datetime) -> dict[str, Any]:
    """Everything stored about `user_id`; other people's requests appear only as summaries, never their words."""
    raised = session.scalars(select(TicketRow).where(TicketRow.requester_id == user_id).order_by(TicketRow.id)).all()
    raised_ids = [t.id for t in raised]
    events_by_ticket: dict[int, list[dict[str, Any]]] = {}
    if raised_ids:
        for event in session.scalars(
            select(EventRow).where(EventRow.ticket_id.in_(raised_ids)).order_by(EventRow.at, EventRow.id)
        ):
            events_by_ticket.setdefault(event.ticket_id, []).append(_event(event, prefix, user_id))
    participating = session.scalars(
        select(TicketRow)
        .join(ParticipantRow, ParticipantRow.ticket_id == TicketRow.id)
        .where(ParticipantRow.user_id == user_id, TicketRow.requester_id != user_id)
        .order_by(TicketRow.id)
    ).all()
    assigned = session.scalars(
        select(TicketRow)
        .where(TicketRow.assignee_id == user_id, TicketRow.requester_id != user_id)
        .order_by(TicketRow.id)
    ).all()
    acted = session.scalars(
        select(EventRow)
        .where(EventRow.actor_id == user_id, EventRow.ticket_id.not_in(raised_ids or [-1]))
        .order_by(EventRow.at, EventRow.id)
    ).all()
    messages = session.scalars(select(OutboxRow).where(OutboxRow.channel == user_id).order_by(OutboxRow.id)).all()
    audit = session.scalars(
        select(AuditRow).where(or_(AuditRow.actor_id == user_id, AuditRow.subject == user_id)).order_by(AuditRow.id)
    ).all()
    person = session.get(PersonRow, user_id)
    return {
        "user_id": user_id,
        "exported_at": iso(now),
        "tickets_raised": [
            {
                "ref": f"{prefix}-{t.id}",
                "title": t.title,
                "description": t.description,
                "type": t.type,
                "priority": t.priority,
                "status": t.status,
                "line": t.line,
                "assignee_id": t.assignee_id,
                "duplicate_of": f"{prefix}-{t.duplicate_of_id}" if t.duplicate_of_id else None,
                "handover_note": t.handover_note,
                "created_at": iso(t.created_at),
                "updated_at": iso(t.updated_at),
                "resolved_at": iso(t.resolved_at),
                "events": events_by_ticket.get(t.id, []),
            }
            for t in raised
        ],
        "tickets_following": [_summary(t, prefix) for t in participating],
        "tickets_assigned": [_summary(t, prefix) for t in assigned],
        "events_acted": [_event(e, prefix, user_id) for e in acted],
        "messages": _messages(session, messages, user_id, prefix),
        "audit": [
            {"at": iso(a.at), "actor_id": a.actor_id, "action": a.action, "subject": a.subject, "details": a.details}
            for a in audit
        ],
        "rota": _export_rota(session, user_id),
        "display_name": person.display_name if person else None,
        "identities": _identities(session, user_id),
    }


def _identities(session: Session, user_id: str) -> list[dict[str, Any]]:
    """How each chat platform knows the person: ids, tenant and email."""
    return [
        {"platform": i.platform, "tenant": i.tenant, "external_id": i.external_id, "email": i.email}
        for i in session.scalars(
            select(PersonIdentityRow).where(PersonIdentityRow.person_id == user_id).order_by(PersonIdentityRow.id)
        )
    ]


def _messages(session: Session, messages: Sequence[OutboxRow], user_id: str, prefix: str) -> list[dict[str, Any]]:
    """Messages sent to the person; titles of other people's requests (an assignee's cards) are withheld."""
    refs = re.compile(rf"\b{re.escape(prefix)}-([0-9]+)\b")
    texts = [str(m.payload.get("text", "")) for m in messages]
    mentioned = {int(n) for text in texts for n in refs.findall(text)}
    others = session.scalars(
        select(TicketRow.title).where(TicketRow.id.in_(mentioned), TicketRow.requester_id != user_id)
    ).all()
    fragments = text_fragments(others)
    return [
        {
            "created_at": iso(m.created_at),
            "operation": m.operation,
            "status": m.status,
            "sent_at": iso(m.sent_at),
            "text": scrub_strings(text, fragments, user_id, user_id, replacement=WITHHELD),
        }
        for m, text in zip(messages, texts, strict=True)
    ]


def _export_rota(session: Session, user_id: str) -> dict[str, Any]:
    rotations = [
        {
            "line": r.line,
            "effective_from": iso(r.effective_from),
            "position": r.members.index(user_id),
            "handover": r.handover,
        }
        for r in session.scalars(select(RotationRow).order_by(RotationRow.id))
        if user_id in r.members
    ]
    overrides = session.scalars(
        select(OverrideRow)
        .where(or_(OverrideRow.user_id == user_id, OverrideRow.replaces_id == user_id))
        .order_by(OverrideRow.id)
    ).all()
    leave = session.scalars(select(LeaveRow).where(LeaveRow.user_id == user_id).order_by(LeaveRow.id)).all()
    requests = session.scalars(
        select(RotaRequestRow)
        .where(or_(RotaRequestRow.requester_id == user_id, RotaRequestRow.target_id == user_id))
        .order_by(RotaRequestRow.id)
    ).all()
    return {
        "rotations": rotations,
        "overrides": [
            {
                "line": o.line,
                "user_id": o.user_id,
                "replaces_id": o.replaces_id,
                "starts_at": iso(o.starts_at),
                "ends_at": iso(o.ends_at),
                "reason": o.reason,
                "cancelled_at": iso(o.cancelled_at),
            }
            for o in overrides
        ],
        "leave": [
            {
                "starts_at": iso(v.starts_at),
                "ends_at": iso(v.ends_at),
                "note": v.note,
                "cancelled_at": iso(v.cancelled_at),
            }
            for v in leave
        ],
        "requests": [
            {
                "kind": q.kind,
                "line": q.line,
                "requester_id": q.requester_id,
                "target_id": q.target_id,
                "details": q.details,
                "status": q.status,
                "created_at": iso(q.created_at),
                "decided_at": iso(q.decided_at),
            }
            for q in requests
        ],
    }


# -- erasure ------------------------------------------------------------------------------------------------


@dataclass
class Erasure:
    """What an erasure changed, for the audit row and the command's summary."""

    pseudonym: str
    tickets_raised: list[int] = field(default_factory=list)
    tickets_unassigned: list[int] = field(default_factory=list)  # open ones: back to the leads
    tickets_reassigned: int = 0  # closed ones now name the pseudonym
    events: int = 0
    messages_deleted: int = 0
    messages_scrubbed: int = 0
    audit_entries: int = 0
    rota_rows: int = 0
    identities: int = 0  # platform ids and emails deleted, with the person's own row

    def details(self) -> dict[str, Any]:
        return {
            "tickets_raised": len(self.tickets_raised),
            "tickets_unassigned": len(self.tickets_unassigned),
            "tickets_reassigned": self.tickets_reassigned,
            "events": self.events,
            "messages_deleted": self.messages_deleted,
            "messages_scrubbed": self.messages_scrubbed,
            "audit_entries": self.audit_entries,
            "rota_rows": self.rota_rows,
            "identities": self.identities,
        }


def current_rota_lines(session: Session, user_id: str) -> list[str]:
    """Lines whose latest stored rotation still has the person: erasing them would put a pseudonym on duty."""
    latest = {row.line: row for row in SqlRotaRepository(session).rotation_rows()}  # in force order: last wins
    return sorted(line for line, row in latest.items() if user_id in row.members)


def erase_person(session: Session, *, user_id: str, prefix: str) -> Erasure:
    """Remove the person's words and replace their id by a pseudonym; counts, kinds and instants stay."""
    stand_in = pseudonym_for(session, user_id)
    result = Erasure(stand_in)
    # They no longer hear updates (there is nobody to tell); gone before any ticket's participants are loaded.
    session.execute(delete(ParticipantRow).where(ParticipantRow.user_id == user_id))
    raised = session.scalars(select(TicketRow).where(TicketRow.requester_id == user_id)).all()
    result.tickets_raised = sorted(t.id for t in raised)
    fragments = text_fragments(
        [text for t in raised for text in (t.title, t.description, t.handover_note)]
        + [
            str(v)
            for e in session.scalars(
                select(EventRow).where(
                    or_(EventRow.ticket_id.in_(result.tickets_raised or [-1]), EventRow.actor_id == user_id)
                )
            )
            for k, v in e.data.items()
            if k in TEXT_KEYS and isinstance(v, str)
        ]
    )
    for ticket in raised:
        ticket.title, ticket.description, ticket.requester_id = ERASED, ERASED, stand_in
        if ticket.handover_note is not None:
            ticket.handover_note = ERASED
    for ticket in session.scalars(select(TicketRow).where(TicketRow.assignee_id == user_id)):
        if ticket.status == Status.CLOSED.value:
            ticket.assignee_id = stand_in
            result.tickets_reassigned += 1
        else:  # nobody could act for a pseudonym; unassigned, its reminders go to the leads
            ticket.assignee_id = None
            result.tickets_unassigned.append(ticket.id)
    result.tickets_unassigned.sort()
    raised_set = set(result.tickets_raised)
    for event in session.scalars(
        select(EventRow).where(
            or_(
                EventRow.ticket_id.in_(result.tickets_raised or [-1]),
                EventRow.actor_id == user_id,
                cast(EventRow.data, String).contains(user_id),
            )
        )
    ):
        data = replace_user(event.data, user_id, stand_in)
        if event.ticket_id in raised_set or event.actor_id == user_id:
            data = scrub_text(data)
        if event.actor_id == user_id:
            event.actor_id = stand_in
        if data != event.data:
            event.data = data
        result.events += 1
    _erase_messages(session, user_id, stand_in, result, prefix, fragments)
    for entry in session.scalars(
        select(AuditRow).where(
            or_(
                AuditRow.actor_id == user_id,
                AuditRow.subject == user_id,
                cast(AuditRow.details, String).contains(user_id),
            )
        )
    ):
        entry.actor_id = stand_in if entry.actor_id == user_id else entry.actor_id
        entry.subject = stand_in if entry.subject == user_id else entry.subject
        entry.details = replace_user(entry.details, user_id, stand_in)
        result.audit_entries += 1
    result.rota_rows = _erase_rota(session, user_id, stand_in)
    result.identities = _erase_identities(session, user_id)
    session.flush()
    return result


def _erase_messages(
    session: Session, user_id: str, stand_in: str, result: Erasure, prefix: str, fragments: list[str]
) -> None:
    """Their DMs go; other messages that quote them lose the quotes (delivered ones are only a log: dropped)."""
    direct = session.scalars(select(OutboxRow.id).where(OutboxRow.channel == user_id)).all()
    session.execute(delete(OutboxRow).where(OutboxRow.id.in_(direct)))
    result.messages_deleted += len(direct)
    session.execute(
        delete(CardRow).where(or_(CardRow.audience == user_id, CardRow.audience == REQUESTER_CARD + user_id))
    )
    card_keys = [f"ticket:{t}:%" for t in result.tickets_raised]
    mentions = [cast(OutboxRow.payload, String).contains(user_id)]
    mentions += [OutboxRow.card_key.like(key) for key in card_keys]
    mentions += [cast(OutboxRow.payload, String).contains(f"{prefix}-{t}") for t in result.tickets_raised]
    for row in session.scalars(select(OutboxRow).where(or_(*mentions))):
        scrubbed = scrub_strings(row.payload, fragments, user_id, stand_in)
        ours = any(row.card_key and row.card_key.startswith(key[:-1]) for key in card_keys)
        if scrubbed == row.payload and not ours:
            continue  # a reference that only looked alike (SUP-1 within SUP-12)
        if row.status == "pending":
            row.payload = scrubbed
            result.messages_scrubbed += 1
        else:
            session.delete(row)
            result.messages_deleted += 1


def _erase_identities(session: Session, user_id: str) -> int:
    """The person's row and every platform identity goes (emails are personal data); the pseudonym gets none."""
    gone = session.scalars(
        delete(PersonIdentityRow).where(PersonIdentityRow.person_id == user_id).returning(PersonIdentityRow.id)
    ).all()
    session.execute(delete(PersonRow).where(PersonRow.id == user_id))
    return len(gone)


def _erase_rota(session: Session, user_id: str, stand_in: str) -> int:
    changed = 0
    for override in session.scalars(
        select(OverrideRow).where(
            or_(OverrideRow.user_id == user_id, OverrideRow.replaces_id == user_id, OverrideRow.created_by == user_id)
        )
    ):
        override.user_id = stand_in if override.user_id == user_id else override.user_id
        override.replaces_id = stand_in if override.replaces_id == user_id else override.replaces_id
        override.created_by = stand_in if override.created_by == user_id else override.created_by
        changed += 1
    for leave in session.scalars(
        select(LeaveRow).where(or_(LeaveRow.user_id == user_id, LeaveRow.created_by == user_id))
    ):
        if leave.user_id == user_id:
            leave.user_id, leave.note = stand_in, None
        leave.created_by = stand_in if leave.created_by == user_id else leave.created_by
        changed += 1
    for request in session.scalars(
        select(RotaRequestRow).where(
            or_(
                RotaRequestRow.requester_id == user_id,
                RotaRequestRow.target_id == user_id,
                RotaRequestRow.decided_by == user_id,
            )
        )
    ):
        request.requester_id = stand_in if request.requester_id == user_id else request.requester_id
        request.target_id = stand_in if request.target_id == user_id else request.target_id
        request.decided_by = stand_in if request.decided_by == user_id else request.decided_by
        request.details = replace_user(request.details, user_id, stand_in)
        changed += 1
    for rotation in session.scalars(select(RotationRow)):
        if user_id in rotation.members or rotation.created_by == user_id:
            rotation.members = [stand_in if m == user_id else m for m in rotation.members]
            rotation.created_by = stand_in if rotation.created_by == user_id else rotation.created_by
            changed += 1
    return changed
