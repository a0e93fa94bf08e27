"""Reminder policy and the sweep: who is chased, about what, when, and never twice.

The sweep reads only tickets whose next reminder has fallen due (an indexed instant kept with the
ticket's timers), replays their history into clocks, and sends each due reminder once: every
reminder has a unique key (ticket, clock, cycle, kind) that is claimed in the same transaction as
the message is queued, so a re-run, or a second process, finds the key taken and sends nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rota.calendar import WorkingCalendar
from rota.roster import Rota
from rota.rotation import SupportLine
from triage.errors import InvalidInput, InvalidTransition
from triage.model import EventKind, Status, Ticket, TicketEvent
from triage.ports import Notifier, TicketRepository, TimerStore
from triage.services import check_may_act, load_ticket
from triage.sla import ClockState, SlaClock, SlaPolicy, derive_clocks, last_update_to_requester, status_after

STALE = "stale"  # the timer name of "no update to the requester for a working day"

# The requester is waiting on support in these; in the others the ball is in their court (or it is done).
_SUPPORT_OWES_AN_UPDATE = frozenset(
    {
        Status.OPEN,
        Status.UNDER_INVESTIGATION,
        Status.IN_PROGRESS,
        Status.RAISED_WITH_DEVELOPMENT,
        Status.FIX_AWAITING_RELEASE,
    }
)


class AlertKind(enum.StrEnum):
    NEAR_BREACH = "near_breach"
    SNOOZED = "snoozed"  # the near-breach reminder again, when its snooze ends
    BREACH = "breach"
    STALE = "stale"


class SnoozeFor(enum.StrEnum):
    ONE_HOUR = "1h"
    TOMORROW = "tomorrow"


@dataclass(frozen=True)
class Alert:
    """A reminder that falls due at `at`, and goes out at `send_at` (working hours, unless a P1)."""

    timer: str  # a clock name, or "stale"
    cycle: int
    kind: AlertKind
    at: datetime
    send_at: datetime
    variant: str = ""  # distinguishes repeated alerts of one kind (each snooze)

    def key(self, ticket_id: int) -> str:
        return f"{ticket_id}:{self.timer}:{self.cycle}:{self.kind.value}{self.variant}"

    def is_due(self, now: datetime) -> bool:
        """Reminders go at their time; a breach only once the target is exceeded (reaching it is still met)."""
        if self.kind in (AlertKind.BREACH, AlertKind.STALE):
            return now >= self.send_at and now > self.at
        return now >= self.send_at


@dataclass(frozen=True)
class Timer:
    """What storage keeps per clock so the sweep can find due tickets by index, not by scanning."""

    name: str
    cycle: int
    started_at: datetime
    target: float | None
    elapsed: float
    due_at: datetime | None
    stopped_at: datetime | None
    breached: bool
    paused: bool
    next_alert_at: datetime | None


@dataclass(frozen=True)
class SlaNotice:
    """What a reminder says: which clock, how it stands, and where it is due or was last updated."""

    kind: AlertKind
    clock: SlaClock | None  # None for "stale"
    cycle: int
    due_at: datetime | None
    since: datetime | None = None  # stale: the last update to the requester


@dataclass
class SweepResult:
    tickets: int = 0
    sent: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in AlertKind})
    superseded: int = 0  # near-breach reminders overtaken by the breach itself (after downtime)

    def summary(self) -> str:
        parts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in self.sent.items())
        return f"{self.tickets} tickets checked: {parts}; {self.superseded} overtaken by a breach"


SWEEP_GRACE = timedelta(minutes=2)  # a sweep just after closing still sends what fell due at closing time


def in_working_hours(now: datetime, calendar: WorkingCalendar) -> bool:
    """Whether a (non-P1) reminder may go out now: in hours, or within the sweep's grace after closing."""
    return calendar.is_working(now) or calendar.is_working(now - SWEEP_GRACE)


def within_hours(at: datetime, *, urgent: bool, calendar: WorkingCalendar) -> datetime:
    """Reminders wait for working hours, except for a P1; closing time itself still counts as in hours."""
    if urgent or calendar.is_working(at) or calendar.is_working(at - timedelta(seconds=1)):
        return at
    return calendar.next_working_instant(at)


def _snoozes(events: Sequence[TicketEvent]) -> dict[tuple[str, int], datetime]:
    latest: dict[tuple[str, int], datetime] = {}
    for event in events:
        if event.kind is EventKind.SNOOZED:
            latest[(str(event.data["clock"]), int(event.data["cycle"]))] = datetime.fromisoformat(event.data["until"])
    return latest


def _ball_back_with_support(events: Sequence[TicketEvent]) -> datetime:
    """When the ticket last came back to support from the requester's court (their info, a refused sign-off)."""
    status = Status.OPEN
    since = events[0].at if events else datetime.min.replace(tzinfo=UTC)
    for event in sorted(events, key=lambda e: e.at):
        before, status = status, status_after(event, status)
        if status in _SUPPORT_OWES_AN_UPDATE and before not in _SUPPORT_OWES_AN_UPDATE:
            since = event.at
    return since


def plan_alerts(
    *, ticket: Ticket, clocks: Sequence[ClockState], events: Sequence[TicketEvent], calendar: WorkingCalendar
) -> list[Alert]:
    """Every reminder this ticket's current state calls for, sent or not; the sweep sends the due ones once."""
    alerts: list[Alert] = []
    if not ticket.is_open:
        return alerts
    urgent = ticket.is_urgent

    def alert(timer: str, cycle: int, kind: AlertKind, at: datetime, variant: str = "") -> Alert:
        return Alert(timer, cycle, kind, at, within_hours(at, urgent=urgent, calendar=calendar), variant)

    snoozes = _snoozes(events)
    for clock in clocks:
        if not clock.running or clock.due_at is None:
            continue
        if clock.near_at is not None and clock.near_at < clock.due_at:
            alerts.append(alert(clock.clock.value, clock.cycle, AlertKind.NEAR_BREACH, clock.near_at))
        until = snoozes.get((clock.clock.value, clock.cycle))
        if until is not None and until < clock.due_at:
            alerts.append(alert(clock.clock.value, clock.cycle, AlertKind.SNOOZED, until, f":{int(until.timestamp())}"))
        alerts.append(alert(clock.clock.value, clock.cycle, AlertKind.BREACH, clock.due_at))
    if ticket.status in _SUPPORT_OWES_AN_UPDATE:
        since = max(last_update_to_requester(events) or ticket.created_at, _ball_back_with_support(events))
        stale_at = calendar.add_working_time(since, calendar.day_seconds)
        alerts.append(alert(STALE, int(since.timestamp()), AlertKind.STALE, stale_at))
    return alerts


def plan_timers(
    *,
    ticket: Ticket,
    clocks: Sequence[ClockState],
    alerts: Sequence[Alert],
    sent: set[str],
    now: datetime,
    not_before: datetime | None = None,
) -> list[Timer]:
    """The stored form of the clocks, each with the instant its next unsent reminder goes out.

    `not_before` holds back reminders the sweep could not send yet (out of hours), so the index does not
    offer the ticket again every minute of a weekend.
    """
    assert ticket.id is not None
    next_alert: dict[str, datetime] = {}
    for alert in alerts:
        if alert.key(ticket.id) not in sent:
            at = max(alert.send_at, not_before) if not_before else alert.send_at
            current = next_alert.get(alert.timer)
            next_alert[alert.timer] = at if current is None else min(current, at)
    timers = [
        Timer(
            name=c.clock.value,
            cycle=c.cycle,
            started_at=c.started_at,
            target=c.target,
            elapsed=c.elapsed,
            due_at=c.due_at,
            stopped_at=c.stopped_at,
            breached=c.breached,
            paused=c.paused,
            next_alert_at=next_alert.get(c.clock.value),
        )
        for c in clocks
        if c.target is not None
    ]
    stale = next((a for a in alerts if a.timer == STALE), None)
    if stale is not None:
        timers.append(
            Timer(
                name=STALE,
                cycle=stale.cycle,
                started_at=datetime.fromtimestamp(stale.cycle, tz=now.tzinfo),
                target=None,
                elapsed=0.0,
                due_at=stale.at,
                stopped_at=None,
                breached=stale.at < now,
                paused=False,
                next_alert_at=next_alert.get(STALE),
            )
        )
    return timers


@dataclass(frozen=True)
class SlaContext:
    """The policy and calendar every SLA computation needs, passed around as one value."""

    policy: SlaPolicy
    calendar: WorkingCalendar

    def clocks(self, ticket: Ticket, events: Sequence[TicketEvent], now: datetime) -> list[ClockState]:
        return derive_clocks(
            ticket_type=ticket.type, events=events, policy=self.policy, calendar=self.calendar, now=now
        )


def refresh_timers(
    *, ticket_ids: Sequence[int], tickets: TicketRepository, timers: TimerStore, sla: SlaContext, now: datetime
) -> None:
    """Recompute stored timers from history after a change (or a policy edit): the sweep index stays true."""
    for ticket_id in ticket_ids:
        ticket = tickets.get(ticket_id)
        if ticket is None:
            continue
        events = tickets.events(ticket_id)
        clocks = sla.clocks(ticket, events, now)
        alerts = plan_alerts(ticket=ticket, clocks=clocks, events=events, calendar=sla.calendar)
        timers.save(
            ticket_id,
            plan_timers(ticket=ticket, clocks=clocks, alerts=alerts, sent=timers.sent_keys(ticket_id), now=now),
        )


def _recipients(ticket: Ticket, alert: Alert, rota: Rota, now: datetime) -> tuple[list[str], bool]:
    """Who hears about it, and whether the triage channel does too."""
    owner = [ticket.assignee_id] if ticket.assignee_id else sorted(rota.leads)
    if alert.kind is not AlertKind.BREACH:
        return owner, False
    extra: Sequence[str | None]
    if alert.timer == SlaClock.RESOLUTION.value:
        extra = sorted(rota.leads)
    else:
        extra = [rota.on_duty(SupportLine.SECOND, now)]
    people = list(dict.fromkeys(u for u in [*owner, *extra] if u))
    return people, True


def sweep(
    *,
    tickets: TicketRepository,
    timers: TimerStore,
    rota: Rota,
    notifier: Notifier,
    sla: SlaContext,
    now: datetime,
    limit: int = 1000,
) -> SweepResult:
    """One reminder/escalation pass over the tickets whose next reminder is due; idempotent."""
    result = SweepResult()
    in_hours = in_working_hours(now, sla.calendar)
    due_ids = timers.due_ticket_ids(now, limit=limit)
    sent_by_ticket = timers.sent_keys_for(due_ids)
    for ticket in tickets.get_many(due_ids):
        assert ticket.id is not None
        result.tickets += 1
        events = tickets.events(ticket.id)
        clocks = sla.clocks(ticket, events, now)
        alerts = plan_alerts(ticket=ticket, clocks=clocks, events=events, calendar=sla.calendar)
        sent = sent_by_ticket.get(ticket.id, set())
        not_before = None
        if ticket.is_urgent or in_hours:
            sent |= _send_due(ticket, clocks, alerts, sent, timers, rota, notifier, now, result)
        else:  # caught up out of hours: hold everything back until the desk opens
            not_before = sla.calendar.next_working_instant(now)
        timers.save(
            ticket.id,
            plan_timers(ticket=ticket, clocks=clocks, alerts=alerts, sent=sent, now=now, not_before=not_before),
        )
    return result


def _send_due(
    ticket: Ticket,
    clocks: Sequence[ClockState],
    alerts: Sequence[Alert],
    sent: set[str],
    timers: TimerStore,
    rota: Rota,
    notifier: Notifier,
    now: datetime,
    result: SweepResult,
) -> set[str]:
    """Claim the ticket's due, unsent alerts in one statement and send the ones this call claimed."""
    assert ticket.id is not None
    due = sorted((a for a in alerts if a.is_due(now) and a.key(ticket.id) not in sent), key=lambda a: a.at)
    if not due:
        return set()
    claimed = timers.claim_all({a.key(ticket.id): a.kind.value for a in due}, ticket_id=ticket.id, now=now)
    breaching = {(a.timer, a.cycle) for a in due if a.kind is AlertKind.BREACH}
    by_clock = {c.clock.value: c for c in clocks}
    for alert in due:
        if alert.key(ticket.id) not in claimed:
            continue  # another sweep got there first
        if alert.kind in (AlertKind.NEAR_BREACH, AlertKind.SNOOZED) and (alert.timer, alert.cycle) in breaching:
            result.superseded += 1
            continue
        people, in_triage = _recipients(ticket, alert, rota, now)
        clock = by_clock.get(alert.timer)
        notice = SlaNotice(
            kind=alert.kind,
            clock=clock.clock if clock else None,
            cycle=alert.cycle,
            due_at=clock.due_at if clock else alert.at,
            since=datetime.fromtimestamp(alert.cycle, tz=now.tzinfo) if alert.timer == STALE else None,
        )
        notifier.sla_alert(ticket, notice, people, in_triage=in_triage)
        result.sent[alert.kind.value] += 1
    if any(a.kind is AlertKind.BREACH and a.key(ticket.id) in claimed for a in due):
        notifier.ticket_changed(ticket)  # cards show the breach
    return claimed


def snooze_reminder(
    *,
    ticket_id: int,
    actor_id: str,
    clock: str,
    cycle: int,
    snooze_for: SnoozeFor,
    tickets: TicketRepository,
    rota: Rota,
    sla: SlaContext,
    now: datetime,
) -> datetime:
    """Put off a near-breach reminder by an hour of working time, or to the next working day's start."""
    ticket = load_ticket(tickets, ticket_id)
    check_may_act(ticket, actor_id, rota)
    if clock not in {c.value for c in SlaClock}:
        raise InvalidInput("clock", "That reminder is out of date.")
    state = next((c for c in sla.clocks(ticket, tickets.events(ticket_id), now) if c.clock.value == clock), None)
    if state is None or not state.running or state.cycle != cycle:
        raise InvalidTransition("That clock has already stopped: nothing to snooze.")
    if state.due_at is not None and state.due_at <= now:
        raise InvalidTransition("It has already breached: a breach cannot be snoozed.")
    if snooze_for is SnoozeFor.ONE_HOUR:
        until = sla.calendar.add_working_time(now, 3600)
    else:
        until = sla.calendar.next_day_opening(now)
    event = TicketEvent(EventKind.SNOOZED, actor_id, now, {"clock": clock, "cycle": cycle, "until": until.isoformat()})
    tickets.record(ticket, event)
    return until
