"""Shared fakes of the core's ports and factories for its values: the unit tests build on these, not on @patch.

The people and the rota are those of bot/demo/demo.yml: weekly rotas handed over on Mondays at 09:00 London time
from Mon 2 Nov 2026, 1st line U1ALICE, U2BOB, U3CAROL and 2nd line U4DAN, U5ERIN, lead U8LEAD. TUESDAY_10AM is
in the fourth week (Alice on 1st line, Erin on 2nd). Times are fixed and aware; nothing here reads the clock.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from rota.handover import HandoverDue, ShiftReminder
from rota.ports import RequestStatus, RotaRequest
from rota.roster import Duty, Leave, Override, Rota
from rota.rotation import Handover, Rotation, SupportLine
from triage.digest import Digest
from triage.model import Priority, Status, Ticket, TicketEvent, TicketType
from triage.ports import ConcurrentUpdate
from triage.reminders import SlaNotice, Timer

LONDON = ZoneInfo("Europe/London")
FIRST, SECOND = SupportLine.FIRST, SupportLine.SECOND
ALICE, BOB, CAROL, DAN, ERIN = "U1ALICE", "U2BOB", "U3CAROL", "U4DAN", "U5ERIN"
RIYA, LEAD, ZOE = "U7RIYA", "U8LEAD", "U9ZOE"  # a requester, the lead, someone on no rota
MON_0900 = Handover(time(9, 0), weekday=0)
ROTA_START = date(2026, 11, 2)  # a Monday
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)  # GMT: local time is UTC
TICKET_ID = 7


# -- factories --------------------------------------------------------------------------------------------


def make_rotation(
    members: tuple[str, ...] = ("A", "B", "C"),
    *,
    period_days: int = 7,
    handover: Handover = MON_0900,
    start: date = ROTA_START,
    line: SupportLine = FIRST,
) -> Rotation:
    """A rotation in London time; by default weekly from Mon 2 Nov 2026, handed over on Mondays at 09:00."""
    return Rotation(line, members, period_days, handover, start, LONDON)


def make_rota(
    first: Sequence[str] | Rotation | None = (ALICE, BOB, CAROL),
    second: Sequence[str] | Rotation | None = (DAN, ERIN),
    *,
    leads: Iterable[str] = (LEAD,),
    overrides: Iterable[Override] = (),
    leave: Iterable[Leave] = (),
) -> Rota:
    """Both lines (members given as a weekly rotation's order, or a Rotation; None leaves a line out)."""
    rotations: dict[SupportLine, Rotation] = {}
    for line, members in ((FIRST, first), (SECOND, second)):
        if isinstance(members, Rotation):
            rotations[line] = members
        elif members is not None:
            rotations[line] = make_rotation(tuple(members), line=line)
    return Rota(rotations=rotations, leads=frozenset(leads), overrides=tuple(overrides), leave=tuple(leave))


def make_ticket(
    *,
    ticket_id: int | None = TICKET_ID,
    title: str = "VPN is down",
    ticket_type: TicketType = TicketType.TECHNICAL_SUPPORT,
    priority: Priority | None = Priority.P3,
    status: Status = Status.OPEN,
    line: SupportLine = FIRST,
    requester: str = RIYA,
    assignee: str | None = ALICE,
    created_at: datetime = TUESDAY_10AM,
    participants: Sequence[str] | None = None,
    duplicate_of: int | None = None,
) -> Ticket:
    """A ticket as stored; its participants are its requester unless given."""
    return Ticket(
        id=ticket_id,
        title=title,
        description="Nobody on floor 3 can connect.",
        type=ticket_type,
        priority=priority,
        status=status,
        line=line,
        requester_id=requester,
        assignee_id=assignee,
        created_at=created_at,
        updated_at=created_at,
        duplicate_of_id=duplicate_of,
        participant_ids=list(participants) if participants is not None else [requester],
    )


# -- tickets ------------------------------------------------------------------------------------------------


class InMemoryTickets:
    """The TicketRepository port in dicts. Like a database it keeps copies: a change counts once saved, and
    saving a ticket read before someone else's save raises ConcurrentUpdate (the version check)."""

    def __init__(self, *tickets: Ticket) -> None:
        self.rows: dict[int, Ticket] = {}
        self.history: dict[int, list[TicketEvent]] = {}
        for ticket in tickets:
            self.add(ticket)

    def add(self, ticket: Ticket) -> Ticket:
        """Store a new ticket: a given id is kept (to seed tests), else the next one is given."""
        if ticket.id is None:
            ticket.id = max(self.rows, default=0) + 1
        ticket.version = 1
        self.rows[ticket.id] = deepcopy(ticket)
        self.history.setdefault(ticket.id, [])
        return ticket

    def get(self, ticket_id: int) -> Ticket | None:
        row = self.rows.get(ticket_id)
        return deepcopy(row) if row else None

    def get_many(self, ticket_ids: Sequence[int]) -> list[Ticket]:
        return [deepcopy(self.rows[i]) for i in ticket_ids if i in self.rows]

    def save(self, ticket: Ticket) -> None:
        row = self.rows.get(ticket.id) if ticket.id is not None else None
        if ticket.id is None or row is None or row.version != ticket.version:
            raise ConcurrentUpdate(f"ticket {ticket.id} changed while it was being updated")
        ticket.version += 1
        self.rows[ticket.id] = deepcopy(ticket)

    def record(self, ticket: Ticket, event: TicketEvent) -> None:
        assert ticket.id is not None and ticket.id in self.rows, "events are recorded for stored tickets"
        self.history[ticket.id].append(event)

    def events(self, ticket_id: int) -> list[TicketEvent]:
        return list(self.history.get(ticket_id, []))

    def open_for_user(self, user_id: str, *, limit: int) -> list[Ticket]:
        mine = [
            t
            for _, t in sorted(self.rows.items(), reverse=True)
            if t.is_open and (t.assignee_id == user_id or user_id in t.participant_ids)
        ]
        return deepcopy(mine[:limit])

    def open_on_line(self, line: SupportLine) -> list[Ticket]:
        held = [t for t in self.rows.values() if t.is_open and t.line is line]
        return deepcopy(sorted(held, key=lambda t: (t.created_at, t.id or 0)))


class RecordingNotifier:
    """The ticket Notifier port: records each call as (method, args), args copied as they were at the call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def _record(self, method: str, *args: Any) -> None:
        self.calls.append((method, deepcopy(args)))

    @property
    def methods(self) -> list[str]:
        """The methods called, in order."""
        return [method for method, _ in self.calls]

    def args_of(self, method: str) -> list[tuple[Any, ...]]:
        """The arguments of each call of `method`, in order."""
        return [args for called, args in self.calls if called == method]

    def ticket_opened(self, ticket: Ticket) -> None:
        self._record("ticket_opened", ticket)

    def ticket_assigned(self, ticket: Ticket) -> None:
        self._record("ticket_assigned", ticket)

    def ticket_changed(self, ticket: Ticket) -> None:
        self._record("ticket_changed", ticket)

    def tell_participants(self, ticket: Ticket, event: TicketEvent) -> None:
        self._record("tell_participants", ticket, event)

    def alert(self, ticket: Ticket, user_ids: Sequence[str], *, reason: str) -> None:
        self._record("alert", ticket, tuple(user_ids), reason)

    def sla_alert(self, ticket: Ticket, notice: SlaNotice, user_ids: Sequence[str], *, in_triage: bool) -> None:
        self._record("sla_alert", ticket, notice, tuple(user_ids), in_triage)

    def digest(self, digest: Digest) -> None:
        self._record("digest", digest)

    def handed_over(
        self, handover: HandoverDue, tickets: Sequence[Ticket], moved: frozenset[int], *, lead_ids: Sequence[str]
    ) -> None:
        self._record("handed_over", handover, tuple(tickets), moved, tuple(lead_ids))


class InMemoryTimers:
    """TimerStore: stored timers, due by next_alert_at, and a set of claimed keys."""

    def __init__(self, *, lose_claims: bool = False, ignore_index: bool = False) -> None:
        self.timers: dict[int, list[Timer]] = {}
        self.claimed: set[str] = set()
        self.fingerprint: str | None = None
        self.lose_claims = lose_claims  # another process claims every key first
        self.ignore_index = ignore_index  # report every ticket as due: only the claimed keys prevent repeats

    def due_ticket_ids(self, now: datetime, *, limit: int) -> list[int]:
        due = [
            ticket_id
            for ticket_id, timers in self.timers.items()
            if self.ignore_index or any(t.next_alert_at is not None and t.next_alert_at <= now for t in timers)
        ]
        return sorted(due)[:limit]

    def sent_keys(self, ticket_id: int) -> set[str]:
        return {k for k in self.claimed if k.startswith(f"{ticket_id}:")}

    def sent_keys_for(self, ticket_ids: Sequence[int]) -> dict[int, set[str]]:
        return {ticket_id: self.sent_keys(ticket_id) for ticket_id in ticket_ids}

    def claim(self, key: str, *, ticket_id: int | None, kind: str, now: datetime) -> bool:
        if self.lose_claims or key in self.claimed:
            return False
        self.claimed.add(key)
        return True

    def claim_all(self, kinds: dict[str, str], *, ticket_id: int | None, now: datetime) -> set[str]:
        return {key for key, kind in kinds.items() if self.claim(key, ticket_id=ticket_id, kind=kind, now=now)}

    def save(self, ticket_id: int, timers: Sequence[Timer]) -> None:
        self.timers[ticket_id] = list(timers)

    def set_fingerprint(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint


# -- rota ---------------------------------------------------------------------------------------------------


@dataclass
class InMemoryRotaRepository:
    """The RotaRepository port in memory; `rota` follows what was stored, as the real one's load would.

    `writes` lists each write (method, actor, details): the real repository leaves one audit entry per write.
    """

    rota: Rota
    requests: dict[int, RotaRequest] = field(default_factory=dict)
    writes: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(1))

    def load(self, *, leads: frozenset[str]) -> Rota:
        return self.rota

    def load_for_change(self, *, leads: frozenset[str], now: datetime) -> Rota:
        return self.rota

    def add_rotation(
        self, rotation: Rotation, *, effective_from: datetime | None, actor_id: str, now: datetime
    ) -> None:
        self.rota = self.rota.with_changes(rotations={rotation.line: rotation})
        self.writes.append(("add_rotation", actor_id, {}))

    def _store(self, overrides: Sequence[Override]) -> list[Override]:
        stored = [replace(o, id=next(self.ids)) for o in overrides]
        self.rota = self.rota.with_changes(overrides=stored)
        return stored

    def add_overrides(
        self,
        overrides: Sequence[Override],
        *,
        actor_id: str,
        now: datetime,
        details: Mapping[str, Any] | None = None,
    ) -> list[Override]:
        self.writes.append(("add_overrides", actor_id, dict(details or {})))
        return self._store(overrides)

    def accept_request(self, request: RotaRequest, overrides: Sequence[Override]) -> list[Override]:
        assert request.id is not None and request.decided_by is not None
        self.requests[request.id] = replace(request, version=request.version + 1)
        self.writes.append(("accept_request", request.decided_by, {}))
        return self._store(overrides)

    def cancel_override(self, override_id: int, *, actor_id: str, now: datetime) -> Override | None:
        return None

    def add_leave(
        self,
        leave: Leave,
        *,
        actor_id: str,
        now: datetime,
        note: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Leave:
        stored = replace(leave, id=next(self.ids))
        self.rota = self.rota.with_changes(leave=[stored])
        self.writes.append(("add_leave", actor_id, dict(details or {})))
        return stored

    def cancel_leave(self, leave_id: int, *, actor_id: str, now: datetime) -> Leave | None:
        return None

    def add_request(self, request: RotaRequest) -> RotaRequest:
        stored = replace(request, id=next(self.ids))
        self.requests[stored.id] = stored  # type: ignore[index]
        self.writes.append(("add_request", request.requester_id, {}))
        return stored

    def get_request(self, request_id: int) -> RotaRequest | None:
        return self.requests.get(request_id)

    def save_request(self, request: RotaRequest) -> None:
        assert request.id is not None
        self.requests[request.id] = replace(request, version=request.version + 1)
        self.writes.append(("save_request", request.decided_by or request.requester_id, {}))

    def pending_requests_for(self, user_id: str) -> list[RotaRequest]:
        return [r for r in self.requests.values() if r.target_id == user_id and r.status is RequestStatus.PENDING]


@dataclass
class RecordingRotaNotifier:
    """The RotaNotifier port: records each call as (method, what it was about)."""

    calls: list[tuple[str, Any]] = field(default_factory=list)

    def request_made(self, request: RotaRequest) -> None:
        self.calls.append(("request_made", request.target_id))

    def approval_needed(self, request: RotaRequest, lead_ids: Sequence[str]) -> None:
        self.calls.append(("approval_needed", tuple(lead_ids)))

    def request_decided(self, request: RotaRequest) -> None:
        self.calls.append(("request_decided", request.status))

    def leave_conflicts(self, leave: Leave, conflicts: Sequence[Duty], lead_ids: Sequence[str]) -> None:
        self.calls.append(("leave_conflicts", (tuple(conflicts), tuple(lead_ids))))

    def leave_cancelled(self, leave: Leave, *, by: str, back_on: Sequence[Duty]) -> None:
        self.calls.append(("leave_cancelled", (leave.user_id, by, tuple(back_on))))

    def override_removed(self, override: Override, *, by: str, instead: Sequence[Duty]) -> None:
        self.calls.append(("override_removed", (override.user_id, by, tuple(instead))))

    def change_confirmed(self, person_id: str, message: str) -> None:
        self.calls.append(("change_confirmed", (person_id, message)))

    def shift_reminder(self, reminder: ShiftReminder) -> None:
        self.calls.append(("shift_reminder", reminder))

    def duty_posted(self, word: str, on_duty: Mapping[SupportLine, str | None], at: datetime) -> None:
        self.calls.append(("duty_posted", (word, dict(on_duty), at)))

    def duty_group_changed(self, line: SupportLine, person_ids: Sequence[str]) -> None:
        self.calls.append(("duty_group_changed", (line, tuple(person_ids))))
