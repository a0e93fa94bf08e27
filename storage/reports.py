"""The digest's figures as SQL aggregates: COUNT, GROUP BY and ORDER BY ... LIMIT over indexed columns.

Nothing here loads tickets into Python: lists come back capped with their totals counted by the
database, and only the few tickets shown are read in full. The digest costs one pass over the open
tickets (status index), one over the timers due by now (due_at index), and small indexed look-ups.

Two predicates are written so that SQLite, which plans without statistics unless ANALYZE has run, is
not tempted by a poor index: `stopped_at IS NULL` would pick the stopped_at index and visit every
running timer, and `status IN (...)` would drive the join from every open ticket. Both are written as
expressions the planner cannot use an index for; PostgreSQL plans these by cost either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, and_, case, cast, func, literal, null, select, true, union_all
from sqlalchemy.orm import Session

from storage.models import SlaTimerRow, TicketRow
from triage.digest import Capped, OpenCount, Overdue, TicketLine
from triage.model import Priority, Status, TicketType
from triage.reminders import STALE
from triage.sla import SlaClock

_OPEN = tuple(s.value for s in Status if s is not Status.CLOSED)
_CLOCKS = tuple(c.value for c in SlaClock)

# A private ticket's title never leaves the database for the digest: the view gets only its reference.
_TITLE = case((TicketRow.type == TicketType.GDPR_REQUEST.value, null()), else_=TicketRow.title)
# Statuses other than closed are open; `!=` keeps SQLite from driving a timer join from the status index.
_TICKET_OPEN = TicketRow.status != Status.CLOSED.value


def _running() -> ColumnElement[bool]:
    """Running: not stopped, not paused (and so with a due instant). `(... IS NULL) = true` is not indexable."""
    return and_(
        SlaTimerRow.stopped_at.is_(None) == true(), SlaTimerRow.paused.is_(False), SlaTimerRow.due_at.is_not(None)
    )


def _priority_order(priority: str | None) -> tuple[bool, str]:
    return (priority is None, priority or "")


class SqlReports:
    """`triage.digest.ReportQueries` over the tickets and sla_timers tables."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def open_counts(self) -> list[OpenCount]:
        rows = self.session.execute(
            select(TicketRow.priority, TicketRow.status, TicketRow.assignee_id, func.count())
            .where(TicketRow.status.in_(_OPEN))
            .group_by(TicketRow.priority, TicketRow.status, TicketRow.assignee_id)
        )
        return [OpenCount(Priority(p) if p else None, Status(s), who, n) for p, s, who, n in rows]

    def created_between(self, start: datetime, end: datetime) -> int:
        count = select(func.count()).where(TicketRow.created_at >= start, TicketRow.created_at < end)
        return self.session.execute(count).scalar_one()

    def resolved_between(self, start: datetime, end: datetime) -> int:
        count = select(func.count()).where(TicketRow.resolved_at >= start, TicketRow.resolved_at < end)
        return self.session.execute(count).scalar_one()

    def clock_outcomes(self, start: datetime, end: datetime) -> dict[SlaClock, tuple[int, int]]:
        rows = self.session.execute(
            select(SlaTimerRow.name, SlaTimerRow.breached, func.count())
            .where(
                SlaTimerRow.stopped_at >= start,
                SlaTimerRow.stopped_at < end,
                SlaTimerRow.name.in_(_CLOCKS),
                SlaTimerRow.target_seconds.is_not(None),
            )
            .group_by(SlaTimerRow.name, SlaTimerRow.breached)
        )
        outcomes = {clock: [0, 0] for clock in SlaClock}
        for name, breached, n in rows:
            outcomes[SlaClock(name)][1 if breached else 0] += n
        return {clock: (met, missed) for clock, (met, missed) in outcomes.items()}

    def overdue(self, now: datetime, *, limit: int) -> Overdue:
        """One statement: the timers due by `now`, grouped per open ticket, then the first few breached and
        stale tickets and the counts per assignee, all read from that one grouping (a CTE used three times)."""
        # Group the due timers per ticket first, then read each ticket once (not once per timer).
        due = (
            select(
                SlaTimerRow.ticket_id.label("id"),
                func.min(case((SlaTimerRow.name != STALE, SlaTimerRow.due_at))).label("first_breach"),
                func.min(case((SlaTimerRow.name == STALE, SlaTimerRow.due_at))).label("stale_due"),
                func.min(case((SlaTimerRow.name == STALE, SlaTimerRow.started_at))).label("stale_since"),
            )
            .where(_running(), SlaTimerRow.due_at < now, SlaTimerRow.name.in_((*_CLOCKS, STALE)))
            .group_by(SlaTimerRow.ticket_id)
            .subquery("due")
        )
        per_ticket = (
            select(due, TicketRow.priority.label("priority"), TicketRow.assignee_id.label("assignee_id"))
            .join(TicketRow, TicketRow.id == due.c.id)
            .where(_TICKET_OPEN)
            .cte("overdue")
        )
        o = per_ticket.c
        # The three branches of the UNION ALL share one shape; typed NULLs fill what a branch lacks.
        no_text, no_count, no_time = cast(null(), String), cast(null(), Integer), cast(null(), SlaTimerRow.due_at.type)

        def row(kind: str, *columns: ColumnElement[Any]) -> list[ColumnElement[Any]]:
            names = ("ticket_id", "priority", "sort_at", "at", "assignee_id", "n_breached", "n_stale")
            return [literal(kind).label("kind"), *(c.label(n) for c, n in zip(columns, names, strict=True))]

        breached = (
            select(*row("breached", o.id, o.priority, o.first_breach, o.first_breach, no_text, no_count, no_count))
            .where(o.first_breach.is_not(None))
            .order_by(case((o.priority.is_(None), 1), else_=0), o.priority, o.first_breach, o.id)
            .limit(limit)
            .subquery()
        )
        stale = (
            select(*row("stale", o.id, o.priority, o.stale_due, o.stale_since, no_text, no_count, no_count))
            .where(o.stale_due.is_not(None))
            .order_by(o.stale_due, o.id)
            .limit(limit)
            .subquery()
        )
        counts = (
            no_count,
            no_text,
            no_time,
            no_time,
            o.assignee_id,
            func.count(o.first_breach),
            func.count(o.stale_due),
        )
        per_assignee = select(*row("assignee", *counts)).group_by(o.assignee_id)
        shown: dict[str, list[tuple[str | None, datetime, int, datetime]]] = {"breached": [], "stale": []}
        breached_by: dict[str | None, int] = {}
        stale_by: dict[str | None, int] = {}
        statement = union_all(select(*breached.c), select(*stale.c), per_assignee)
        for kind, ticket_id, priority, sort_at, at, assignee_id, n_breached, n_stale in self.session.execute(statement):
            if kind == "assignee":
                if n_breached:
                    breached_by[assignee_id] = n_breached
                if n_stale:
                    stale_by[assignee_id] = n_stale
            else:
                shown[kind].append((priority, sort_at, ticket_id, at))
        # UNION ALL keeps no order, so the few rows shown are put back in order here.
        first_breached = sorted(shown["breached"], key=lambda r: (_priority_order(r[0]), r[1], r[2]))
        first_stale = sorted(shown["stale"], key=lambda r: (r[1], r[2]))
        breached_ids = [ticket_id for _, _, ticket_id, _ in first_breached]
        clocks = self._clocks(breached_ids, and_(_running(), SlaTimerRow.name.in_(_CLOCKS), SlaTimerRow.due_at < now))
        return Overdue(
            breached=self._lines([(t, at) for _, _, t, at in first_breached], sum(breached_by.values()), clocks),
            stale=self._lines([(t, at) for _, _, t, at in first_stale], sum(stale_by.values())),
            breached_by_assignee=breached_by,
            stale_by_assignee=stale_by,
        )

    def due_between(self, after: datetime, until: datetime, *, limit: int) -> Capped[TicketLine]:
        timers = and_(
            _running(), SlaTimerRow.name.in_(_CLOCKS), SlaTimerRow.due_at >= after, SlaTimerRow.due_at <= until
        )
        first_due = func.min(SlaTimerRow.due_at)
        rows = self.session.execute(
            select(SlaTimerRow.ticket_id, first_due, func.count().over())
            .join(TicketRow, TicketRow.id == SlaTimerRow.ticket_id)
            .where(timers, _TICKET_OPEN)
            .group_by(SlaTimerRow.ticket_id)
            .order_by(first_due, SlaTimerRow.ticket_id)
            .limit(limit)
        ).all()
        ids = [ticket_id for ticket_id, _, _ in rows]
        return self._lines([(t, due) for t, due, _ in rows], rows[0][2] if rows else 0, self._clocks(ids, timers))

    def awaiting_requester(self, *, limit: int) -> Capped[TicketLine]:
        since = func.coalesce(TicketRow.status_changed_at, TicketRow.updated_at)
        rows = self.session.execute(
            select(TicketRow.id, since, func.count().over())
            .where(TicketRow.status == Status.AWAITING_INFO.value)
            .order_by(since, TicketRow.id)
            .limit(limit)
        ).all()
        return self._lines([(ticket_id, at) for ticket_id, at, _ in rows], rows[0][2] if rows else 0)

    def _clocks(self, ticket_ids: Sequence[int], timers: ColumnElement[bool]) -> dict[int, list[SlaClock]]:
        """Which clocks match `timers` on each of a few tickets, soonest due first."""
        clocks: dict[int, list[SlaClock]] = {}
        if ticket_ids:
            for ticket_id, name in self.session.execute(
                select(SlaTimerRow.ticket_id, SlaTimerRow.name)
                .where(timers, SlaTimerRow.ticket_id.in_(ticket_ids))
                .order_by(SlaTimerRow.due_at, SlaTimerRow.name)
            ):
                clocks.setdefault(ticket_id, []).append(SlaClock(name))
        return clocks

    def _lines(
        self,
        shown: Sequence[tuple[int, datetime | None]],
        total: int,
        clocks: Mapping[int, list[SlaClock]] | None = None,
    ) -> Capped[TicketLine]:
        """The shown tickets' details, in the order given."""
        if not shown:
            return Capped((), total)
        details = {
            row[0]: row
            for row in self.session.execute(
                select(
                    TicketRow.id,
                    TicketRow.type,
                    TicketRow.priority,
                    TicketRow.status,
                    TicketRow.assignee_id,
                    _TITLE,
                ).where(TicketRow.id.in_([ticket_id for ticket_id, _ in shown]))
            )
        }
        lines = []
        for ticket_id, at in shown:
            _, type_, priority, status, assignee_id, title = details[ticket_id]
            assert at is not None  # every instant ordered on here is filtered or coalesced to non-NULL
            lines.append(
                TicketLine(
                    ticket_id=ticket_id,
                    type=TicketType(type_),
                    priority=Priority(priority) if priority else None,
                    status=Status(status),
                    assignee_id=assignee_id,
                    title=title,
                    at=at,
                    clocks=tuple((clocks or {}).get(ticket_id, ())),
                )
            )
        return Capped(tuple(lines), total)
