"""The leads' digest as a view model: what is open, what came in and went out, SLA achieved, what needs a lead.

Pure: the figures come through `ReportQueries` (storage answers them with SQL aggregates), time is an
argument, and the working calendar decides what "the previous working day" and "the next two hours" mean.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Generic, Protocol, TypeVar

from rota.calendar import WorkingCalendar
from triage.model import Priority, Status, TicketType
from triage.sla import SlaClock

T = TypeVar("T")
_HIGH = frozenset({Priority.P1, Priority.P2})


class DigestKind(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class Capped(Generic[T]):
    """The first few items of a list and how many there are in all, for "...and N more"."""

    items: tuple[T, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class TicketLine:
    """One ticket in one of the digest's lists; a private (GDPR) ticket arrives without its title."""

    ticket_id: int
    type: TicketType
    priority: Priority | None
    status: Status
    assignee_id: str | None
    title: str | None  # None for private tickets: storage never hands their title out
    at: datetime  # breached/about to breach: when its first clock falls due; stale: last update; waiting: since
    clocks: tuple[SlaClock, ...] = ()  # the clocks in that state, soonest due first (none for stale/waiting)

    @property
    def is_private(self) -> bool:
        return self.type is TicketType.GDPR_REQUEST


@dataclass(frozen=True)
class ClockAchievement:
    """Of the clocks (with a target) that stopped within the period: how many in time, how many late."""

    clock: SlaClock
    met: int
    missed: int

    @property
    def stopped(self) -> int:
        return self.met + self.missed

    @property
    def percent(self) -> float | None:
        """Share met, 0-100; None when no clock of this kind stopped in the period."""
        return 100.0 * self.met / self.stopped if self.stopped else None


@dataclass(frozen=True)
class OpenCount:
    """How many open tickets share a priority, a status and an assignee: one row of a GROUP BY."""

    priority: Priority | None
    status: Status
    assignee_id: str | None
    count: int


@dataclass(frozen=True)
class Overdue:
    """What is past due at one instant, from one pass over the timers due by then."""

    breached: Capped[TicketLine]  # a running clock past its deadline: highest priority first, then longest overdue
    stale: Capped[TicketLine]  # no update to the requester for a working day: longest silence first
    breached_by_assignee: Mapping[str | None, int]  # tickets, per assignee (None: unassigned)
    stale_by_assignee: Mapping[str | None, int]


@dataclass(frozen=True)
class AssigneeLoad:
    """Open tickets per assignee (None: unassigned)."""

    assignee_id: str | None
    open: int
    high_priority: int  # P1 or P2
    breached: int  # open tickets with a running clock past its deadline
    stale: int  # open tickets whose requester has heard nothing for a working day


@dataclass(frozen=True)
class Digest:
    kind: DigestKind
    period_start: datetime  # inclusive, UTC
    period_end: datetime  # exclusive, UTC (= now)
    now: datetime
    soon_until: datetime  # "about to breach" means due in (now, soon_until]
    open_by_priority_status: Mapping[tuple[Priority | None, Status], int]
    created: int
    resolved: int
    sla: tuple[ClockAchievement, ...]  # response, review, resolution
    breached: Capped[TicketLine]
    about_to_breach: Capped[TicketLine]
    stale: Capped[TicketLine]
    awaiting_requester: Capped[TicketLine]
    load: Capped[AssigneeLoad]

    @property
    def open_total(self) -> int:
        return sum(self.open_by_priority_status.values())


class ReportQueries(Protocol):
    """The aggregates the digest needs; storage answers each with a few indexed queries, never a table's worth."""

    def open_counts(self) -> Sequence[OpenCount]:
        """Open (not closed) tickets counted per (priority, status, assignee); absent groups are zero."""
        ...

    def created_between(self, start: datetime, end: datetime) -> int:
        """Tickets created in [start, end)."""
        ...

    def resolved_between(self, start: datetime, end: datetime) -> int:
        """Tickets whose (current) resolution falls in [start, end)."""
        ...

    def clock_outcomes(self, start: datetime, end: datetime) -> dict[SlaClock, tuple[int, int]]:
        """(met, missed) per clock among clocks with a target that stopped in [start, end)."""
        ...

    def overdue(self, now: datetime, *, limit: int) -> Overdue:
        """Open tickets with a running clock due at or before `now`, and those gone a working day without news."""
        ...

    def due_between(self, after: datetime, until: datetime, *, limit: int) -> Capped[TicketLine]:
        """Open tickets with a running clock due in (after, until]: soonest first."""
        ...

    def awaiting_requester(self, *, limit: int) -> Capped[TicketLine]:
        """Tickets waiting on information from their requester: longest waiting first."""
        ...


def digest_period(
    *, kind: DigestKind, now: datetime, calendar: WorkingCalendar, digest_time: time = time(9)
) -> tuple[datetime, datetime]:
    """[start, end) in UTC: the last 7 days, or since the digest time on the previous working day."""
    now = now.astimezone(UTC)
    if kind is DigestKind.WEEKLY:
        return now - timedelta(days=7), now
    zone = calendar.zone
    midnight = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    # One working second before today began lies in the previous working day (weekends, holidays skipped).
    previous_day = calendar.add_working_time(midnight, -1).astimezone(zone).date()
    return datetime.combine(previous_day, digest_time, tzinfo=zone).astimezone(UTC), now


def build_digest(
    *,
    reports: ReportQueries,
    kind: DigestKind,
    now: datetime,
    calendar: WorkingCalendar,
    digest_time: time = time(9),
    soon_hours: float = 2.0,
    limit: int = 10,
) -> Digest:
    """Everything a lead reads in the digest, as of `now`."""
    now = now.astimezone(UTC)
    start, end = digest_period(kind=kind, now=now, calendar=calendar, digest_time=digest_time)
    soon_until = calendar.add_working_time(now, soon_hours * 3600).astimezone(UTC)
    outcomes = reports.clock_outcomes(start, end)
    groups = reports.open_counts()
    overdue = reports.overdue(now, limit=limit)
    by_priority_status: dict[tuple[Priority | None, Status], int] = {}
    for group in groups:
        key = (group.priority, group.status)
        by_priority_status[key] = by_priority_status.get(key, 0) + group.count
    return Digest(
        kind=kind,
        period_start=start,
        period_end=end,
        now=now,
        soon_until=soon_until,
        open_by_priority_status=by_priority_status,
        created=reports.created_between(start, end),
        resolved=reports.resolved_between(start, end),
        sla=tuple(ClockAchievement(clock, *outcomes.get(clock, (0, 0))) for clock in SlaClock),
        breached=overdue.breached,
        about_to_breach=reports.due_between(now, soon_until, limit=limit),
        stale=overdue.stale,
        awaiting_requester=reports.awaiting_requester(limit=limit),
        load=_load(groups, overdue, limit),
    )


def _load(groups: Sequence[OpenCount], overdue: Overdue, limit: int) -> Capped[AssigneeLoad]:
    """Open tickets per assignee: busiest first, unassigned before others with as many, then by id."""
    open_: dict[str | None, int] = {}
    high: dict[str | None, int] = {}
    for group in groups:
        open_[group.assignee_id] = open_.get(group.assignee_id, 0) + group.count
        if group.priority in _HIGH:
            high[group.assignee_id] = high.get(group.assignee_id, 0) + group.count
    order = sorted(open_, key=lambda who: (-open_[who], who is not None, who or ""))
    loads = tuple(
        AssigneeLoad(
            who,
            open_[who],
            high.get(who, 0),
            overdue.breached_by_assignee.get(who, 0),
            overdue.stale_by_assignee.get(who, 0),
        )
        for who in order[:limit]
    )
    return Capped(loads, len(order))
