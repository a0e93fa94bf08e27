"""SLA clocks in working time, derived from a ticket's event history.

Nothing here is stored state: the clocks are recomputed from the events whenever they are needed,
so a changed policy or calendar is applied by recomputation, never by patching numbers.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rota.calendar import WorkingCalendar
from triage.model import EventKind, Priority, Status, TicketEvent, TicketType


class SlaClock(enum.StrEnum):
    RESPONSE = "response"
    REVIEW = "review"
    RESOLUTION = "resolution"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class Duration:
    """An SLA target in working time: minutes, hours, or working days of the configured length."""

    amount: int
    unit: str  # m | h | d

    def seconds(self, day_seconds: float) -> float:
        return self.amount * {"m": 60.0, "h": 3600.0, "d": day_seconds}[self.unit]

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def _targets(response: str | None, review: str | None, resolution: str | None) -> dict[SlaClock, Duration | None]:
    def parse(text: str | None) -> Duration | None:
        return Duration(int(text[:-1]), text[-1]) if text else None

    return {SlaClock.RESPONSE: parse(response), SlaClock.REVIEW: parse(review), SlaClock.RESOLUTION: parse(resolution)}


# PRODUCT.md's table. A type or priority that is not here has no clocks (a GDPR request, a bug report).
DEFAULT_TARGETS: dict[tuple[TicketType, Priority | None], dict[SlaClock, Duration | None]] = {
    (TicketType.TECHNICAL_SUPPORT, Priority.P1): _targets("30m", "1h", "4h"),
    (TicketType.TECHNICAL_SUPPORT, Priority.P2): _targets("30m", "4h", "2d"),
    (TicketType.TECHNICAL_SUPPORT, Priority.P3): _targets("30m", "1d", "14d"),
    (TicketType.TECHNICAL_SUPPORT, Priority.P4): _targets("30m", "1d", None),
    (TicketType.SUPPORT_QUERY, None): _targets("30m", "1d", "3d"),
    (TicketType.SERVICE_TASK, None): _targets("30m", "3d", None),
}

# Until triage sets the impact of a technical fault, it is held to the middle of the table.
UNTRIAGED_PRIORITY = Priority.P3

Overrides = Mapping[str, Mapping[str, Mapping[str, Duration | None]]]  # type -> priority|"any" -> clock -> target


@dataclass(frozen=True)
class SlaPolicy:
    """Targets per ticket type and priority: PRODUCT.md's table, overridden by the config's `sla:`."""

    overrides: Overrides = field(default_factory=dict)

    def targets(self, ticket_type: TicketType, priority: Priority | None) -> dict[SlaClock, Duration | None]:
        if ticket_type is TicketType.TECHNICAL_SUPPORT and priority is None:
            priority = UNTRIAGED_PRIORITY
        by_priority = self.overrides.get(ticket_type.value, {})
        exact = by_priority.get(priority.value, {}) if priority else {}
        any_priority = by_priority.get("any", {})
        defaults = DEFAULT_TARGETS.get((ticket_type, priority)) or DEFAULT_TARGETS.get((ticket_type, None)) or {}
        out: dict[SlaClock, Duration | None] = {}
        for clock in SlaClock:
            for source in (exact, any_priority):
                if clock.value in source:
                    out[clock] = source[clock.value]
                    break
            else:
                out[clock] = defaults.get(clock)
        return out

    def target_seconds(
        self, ticket_type: TicketType, priority: Priority | None, clock: SlaClock, day_seconds: float
    ) -> float | None:
        target = self.targets(ticket_type, priority)[clock]
        return target.seconds(day_seconds) if target else None

    def fingerprint(self, calendar_description: str) -> str:
        """Changes when any effective target or the calendar changes: stored clocks are then recomputed."""
        table = [
            (t.value, p.value if p else "-", c.value, str(self.targets(t, p)[c]))
            for t in TicketType
            for p in (None, *Priority)
            for c in SlaClock
        ]
        return hashlib.sha256(f"{table}|{calendar_description}".encode()).hexdigest()[:32]


def deadlines(
    *,
    ticket_type: TicketType,
    priority: Priority | None,
    opened: datetime,
    policy: SlaPolicy,
    calendar: WorkingCalendar,
) -> dict[SlaClock, datetime | None]:
    """When each clock of a ticket opened at `opened` falls due if nothing stops it: `supportbot sla due`."""
    out: dict[SlaClock, datetime | None] = {}
    for clock, target in policy.targets(ticket_type, priority).items():
        out[clock] = calendar.add_working_time(opened, target.seconds(calendar.day_seconds)) if target else None
    return out


# -- clocks from history --------------------------------------------------------------------------------

# What the requester hears from a person, as opposed to the bot's automatic confirmation.
UPDATES_TO_REQUESTER = frozenset(
    {
        EventKind.ACKNOWLEDGED,
        EventKind.STATUS_CHANGED,
        EventKind.ESCALATED,
        EventKind.RESOLVED,
        EventKind.PRIORITY_CHANGED,
        EventKind.MARKED_DUPLICATE,
        EventKind.UPDATE_POSTED,
    }
)
_STOPS_RESPONSE = UPDATES_TO_REQUESTER - {EventKind.PRIORITY_CHANGED}
_STILL_REVIEWING = frozenset({Status.OPEN, Status.UNDER_INVESTIGATION})
_RESOLVED = frozenset({Status.AWAITING_SIGN_OFF, Status.CLOSED})


def status_after(event: TicketEvent, current: Status) -> Status:
    """The status an event leaves the ticket in."""
    if event.kind is EventKind.ACKNOWLEDGED:
        return Status.UNDER_INVESTIGATION
    if event.kind is EventKind.STATUS_CHANGED:
        return Status(event.data["to"])
    if event.kind is EventKind.RESOLVED:
        return Status.AWAITING_SIGN_OFF
    if event.kind is EventKind.MARKED_DUPLICATE:
        return Status.CLOSED
    return current


@dataclass(frozen=True)
class ClockState:
    """One clock of one ticket at `now`: running, paused or stopped, and against which target."""

    clock: SlaClock
    cycle: int  # resolution starts a new cycle each time the ticket is reopened
    started_at: datetime
    target: float | None  # working seconds; None: no target, no clock to show
    elapsed: float  # working seconds counted so far (to the stop, or to now)
    paused: bool  # awaiting info from the requester
    stopped_at: datetime | None
    due_at: datetime | None  # while running: when elapsed reaches (or reached) the target
    near_at: datetime | None  # while running: when the near-breach reminder falls due

    @property
    def running(self) -> bool:
        return self.stopped_at is None and not self.paused

    @property
    def breached(self) -> bool:
        return self.target is not None and self.elapsed > self.target

    @property
    def remaining(self) -> float | None:
        return None if self.target is None else self.target - self.elapsed


def near_breach_threshold(target: float) -> float:
    """75% of the target; for targets of an hour or less, 10 working minutes before if that comes sooner."""
    threshold = 0.75 * target
    if 600 < target <= 3600:  # a target of 10 minutes or less just gets the 75% point
        threshold = min(threshold, target - 600)
    return threshold


@dataclass
class _Cycle:
    clock: SlaClock
    number: int
    started_at: datetime
    segments: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    stopped_at: datetime | None = None
    priority_at_stop: Priority | None = None

    @property
    def running(self) -> bool:
        return self.stopped_at is None and bool(self.segments) and self.segments[-1][1] is None

    def pause(self, at: datetime) -> None:
        if self.running:
            self.segments[-1] = (self.segments[-1][0], at)

    def resume(self, at: datetime) -> None:
        if self.stopped_at is None and not self.running:
            self.segments.append((at, None))

    def stop(self, at: datetime, priority: Priority | None) -> None:
        if self.stopped_at is None:
            self.pause(at)
            self.stopped_at = at
            self.priority_at_stop = priority


def _crossing(
    segments: Sequence[tuple[datetime, datetime | None]], amount: float, calendar: WorkingCalendar
) -> datetime | None:
    """The instant the running total of working time over the segments reaches `amount`, if it does."""
    total = 0.0
    for start, end in segments:
        if end is None:  # the open segment runs on until the amount is reached
            return calendar.add_working_time(start, amount - total)
        length = calendar.working_time_between(start, end)
        if total + length >= amount:
            return calendar.add_working_time(start, amount - total)
        total += length
    return None


def derive_clocks(
    *,
    ticket_type: TicketType,
    events: Sequence[TicketEvent],
    policy: SlaPolicy,
    calendar: WorkingCalendar,
    now: datetime,
) -> list[ClockState]:
    """Replay the history: each clock's cycles, pauses and stops, measured in working time up to `now`."""
    cycles: dict[SlaClock, _Cycle] = {}
    status = Status.OPEN
    priority: Priority | None = None
    requester: str | None = None
    for event in sorted(events, key=lambda e: e.at):
        if event.at > now:
            break
        if event.kind is EventKind.CREATED:
            requester = event.actor_id
            priority = Priority(event.data["priority"]) if event.data.get("priority") else None
            for clock in SlaClock:
                cycles[clock] = _Cycle(clock, 1, event.at, [(event.at, None)])
            continue
        if not cycles:
            continue
        if event.kind is EventKind.PRIORITY_CHANGED:
            priority = Priority(event.data["to"])
        by_support = event.actor_id != requester and event.kind in UPDATES_TO_REQUESTER
        before, status = status, status_after(event, status)
        if by_support and event.kind in _STOPS_RESPONSE:
            cycles[SlaClock.RESPONSE].stop(event.at, priority)
        if by_support and (event.kind is EventKind.UPDATE_POSTED or status not in _STILL_REVIEWING):
            cycles[SlaClock.REVIEW].stop(event.at, priority)
        resolution = cycles[SlaClock.RESOLUTION]
        if status in _RESOLVED:
            resolution.stop(event.at, priority)
        elif before in _RESOLVED and resolution.stopped_at is not None:  # reopened: a new resolution cycle
            cycles[SlaClock.RESOLUTION] = _Cycle(
                SlaClock.RESOLUTION, resolution.number + 1, event.at, [(event.at, None)]
            )
        if status is Status.AWAITING_INFO and before is not Status.AWAITING_INFO:
            for cycle in cycles.values():
                cycle.pause(event.at)
        elif before is Status.AWAITING_INFO and status is not Status.AWAITING_INFO:
            for cycle in cycles.values():
                cycle.resume(event.at)
    states = []
    for clock, cycle in cycles.items():
        at_priority = cycle.priority_at_stop if cycle.stopped_at is not None else priority
        target = policy.target_seconds(ticket_type, at_priority, clock, calendar.day_seconds)
        elapsed = sum(
            calendar.working_time_between(start, end if end is not None else now)
            for start, end in cycle.segments
            if (end if end is not None else now) > start
        )
        due_at = near_at = None
        if target is not None and cycle.running:
            due_at = _crossing(cycle.segments, target, calendar)
            near_at = _crossing(cycle.segments, near_breach_threshold(target), calendar)
        states.append(
            ClockState(
                clock=clock,
                cycle=cycle.number,
                started_at=cycle.started_at,
                target=target,
                elapsed=elapsed,
                paused=cycle.stopped_at is None and not cycle.running,
                stopped_at=cycle.stopped_at,
                due_at=due_at,
                near_at=near_at,
            )
        )
    return states


def last_update_to_requester(events: Sequence[TicketEvent]) -> datetime | None:
    """When a person last told the requester something (the "keep them informed" principle)."""
    requester = next((e.actor_id for e in events if e.kind is EventKind.CREATED), None)
    times = [e.at for e in events if e.kind in UPDATES_TO_REQUESTER and e.actor_id != requester]
    return max(times) if times else None
