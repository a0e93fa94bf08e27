"""Reminder policy: which alerts a ticket calls for and when they go out, and the sweep that sends them once.

Calendar: Mon-Fri 08:00-16:00 Europe/London. Tue 24 Nov 2026 is in GMT, so local time equals UTC;
int(Tue 24 Nov 2026 10:00 GMT) = 1795514400 (the stale timer's cycle).
The 2nd-line rota (weekly from Mon 2 Nov, handover Mon 09:00) has U5ERIN on duty that week.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pytest

from rota.calendar import WorkingCalendar
from tests.fakes import (
    ALICE,
    BOB,
    DAN,
    ERIN,
    LONDON,
    RIYA,
    TICKET_ID,
    InMemoryTickets,
    InMemoryTimers,
    RecordingNotifier,
    make_rota,
    make_ticket,
)
from triage.model import EventKind, Priority, Status, Ticket, TicketEvent, TicketType
from triage.reminders import (
    STALE,
    Alert,
    AlertKind,
    SlaContext,
    SlaNotice,
    SweepResult,
    Timer,
    plan_alerts,
    plan_timers,
    refresh_timers,
    sweep,
    within_hours,
)
from triage.sla import SlaClock, SlaPolicy, near_breach_threshold

CALENDAR = WorkingCalendar.weekdays(zone=LONDON)
SLA = SlaContext(policy=SlaPolicy(), calendar=CALENDAR)

REQUESTER = RIYA
AGENT = ALICE
SECOND_LINE_ON_DUTY = ERIN
LEADS = ("U8LEAD", "U9LEAD")
TICKET = TICKET_ID
TUE_10_TS = 1795514400


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


TUE_10 = local("2026-11-24 10:00")

ROTA = make_rota((AGENT, BOB), (DAN, SECOND_LINE_ON_DUTY), leads=LEADS)


def created(ticket: Ticket) -> TicketEvent:
    priority = ticket.priority.value if ticket.priority else None
    return TicketEvent(
        EventKind.CREATED,
        REQUESTER,
        ticket.created_at,
        {"type": ticket.type.value, "priority": priority, "title": ticket.title},
    )


def event(kind: EventKind, at: str, actor: str = AGENT, **data: object) -> TicketEvent:
    return TicketEvent(kind, actor, local(at), dict(data))


def snoozed(at: str, clock: str, until: str, cycle: int = 1) -> TicketEvent:
    return event(EventKind.SNOOZED, at, clock=clock, cycle=cycle, until=until)


def alerts_for(ticket: Ticket, events: list[TicketEvent], now: str) -> list[Alert]:
    clocks = SLA.clocks(ticket, events, local(now))
    return plan_alerts(ticket=ticket, clocks=clocks, events=events, calendar=CALENDAR)


def table(alerts: Sequence[Alert], ticket_id: int = TICKET) -> list[tuple[str, datetime, datetime]]:
    return [(a.key(ticket_id), a.at, a.send_at) for a in alerts]


# -- within_hours -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "urgent", "send_at"),
    [
        ("2026-11-24 10:00", False, "2026-11-24 10:00"),
        ("2026-11-24 08:00", False, "2026-11-24 08:00"),  # opening
        ("2026-11-24 16:00", False, "2026-11-24 16:00"),  # closing time itself counts as in hours
        ("2026-11-24 16:00:01", False, "2026-11-25 08:00"),
        ("2026-11-24 07:59", False, "2026-11-24 08:00"),
        ("2026-11-24 22:00", False, "2026-11-25 08:00"),
        ("2026-11-27 18:00", False, "2026-11-30 08:00"),  # Friday evening: Monday
        ("2026-11-28 12:00", False, "2026-11-30 08:00"),  # Saturday
        ("2026-11-28 12:00", True, "2026-11-28 12:00"),  # a P1 does not wait
        ("2026-11-24 22:00", True, "2026-11-24 22:00"),
    ],
)
def test_within_hours(at: str, urgent: bool, send_at: str) -> None:
    assert within_hours(local(at), urgent=urgent, calendar=CALENDAR) == local(send_at)


def test_within_hours_skips_closed_dates() -> None:
    christmas = WorkingCalendar.weekdays(
        zone=LONDON, closed_dates=[date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 28)]
    )
    assert within_hours(local("2026-12-24 10:00"), urgent=False, calendar=christmas) == local("2026-12-29 08:00")


def test_near_breach_threshold_for_common_targets() -> None:
    assert [near_breach_threshold(t) for t in (1800.0, 3600.0, 28800.0)] == [1200.0, 2700.0, 21600.0]


# -- plan_alerts ----------------------------------------------------------------------------------------


def test_alert_key_format() -> None:
    alert = Alert("response", 1, AlertKind.NEAR_BREACH, TUE_10, TUE_10)
    assert alert.key(42) == "42:response:1:near_breach"
    snooze = Alert("review", 2, AlertKind.SNOOZED, TUE_10, TUE_10, ":1795514400")
    assert snooze.key(42) == "42:review:2:snoozed:1795514400"


def test_fresh_p3_ticket_plans_every_alert() -> None:
    ticket = make_ticket()
    assert table(alerts_for(ticket, [created(ticket)], "2026-11-24 10:00")) == [
        ("7:response:1:near_breach", local("2026-11-24 10:20"), local("2026-11-24 10:20")),
        ("7:response:1:breach", local("2026-11-24 10:30"), local("2026-11-24 10:30")),
        ("7:review:1:near_breach", local("2026-11-24 16:00"), local("2026-11-24 16:00")),
        ("7:review:1:breach", local("2026-11-25 10:00"), local("2026-11-25 10:00")),
        ("7:resolution:1:near_breach", local("2026-12-08 14:00"), local("2026-12-08 14:00")),
        ("7:resolution:1:breach", local("2026-12-14 10:00"), local("2026-12-14 10:00")),
        (f"7:stale:{TUE_10_TS}:stale", local("2026-11-25 10:00"), local("2026-11-25 10:00")),
    ]


def test_stopped_clocks_have_no_alerts_and_stale_counts_from_the_last_update() -> None:
    ticket = make_ticket(status=Status.IN_PROGRESS)
    events = [
        created(ticket),
        event(EventKind.ACKNOWLEDGED, "2026-11-24 10:10"),
        event(EventKind.STATUS_CHANGED, "2026-11-24 11:30", **{"from": "under_investigation", "to": "in_progress"}),
    ]
    assert table(alerts_for(ticket, events, "2026-11-24 12:00")) == [
        ("7:resolution:1:near_breach", local("2026-12-08 14:00"), local("2026-12-08 14:00")),
        ("7:resolution:1:breach", local("2026-12-14 10:00"), local("2026-12-14 10:00")),
        (f"7:stale:{TUE_10_TS + 5400}:stale", local("2026-11-25 11:30"), local("2026-11-25 11:30")),
    ]


def test_p4_has_no_resolution_alerts() -> None:
    ticket = make_ticket(priority=Priority.P4)
    keys = [a.key(TICKET) for a in alerts_for(ticket, [created(ticket)], "2026-11-24 10:00")]
    assert not any(":resolution:" in k for k in keys)


def test_gdpr_request_only_has_the_stale_nudge() -> None:
    ticket = make_ticket(ticket_type=TicketType.GDPR_REQUEST, priority=None)
    alerts = alerts_for(ticket, [created(ticket)], "2026-11-24 10:00")
    assert [a.key(TICKET) for a in alerts] == [f"7:stale:{TUE_10_TS}:stale"]


def test_a_breached_running_clock_still_plans_its_breach() -> None:
    ticket = make_ticket()
    alerts = alerts_for(ticket, [created(ticket)], "2026-11-24 11:00")
    assert ("7:response:1:breach", local("2026-11-24 10:30"), local("2026-11-24 10:30")) in table(alerts)


@pytest.mark.parametrize(
    ("until", "planned"),
    [
        ("2026-11-24T10:25:00+00:00", True),  # before the breach
        ("2026-11-24T10:30:00+00:00", False),  # at the breach: the breach itself is the reminder
        ("2026-11-24T10:40:00+00:00", False),  # after it
    ],
)
def test_snooze_plans_a_snoozed_alert_only_before_the_breach(until: str, planned: bool) -> None:
    ticket = make_ticket()
    events = [created(ticket), snoozed("2026-11-24 10:20", "response", until)]
    keys = table(alerts_for(ticket, events, "2026-11-24 10:20"))
    snoozes = [row for row in keys if ":snoozed" in row[0]]
    if planned:
        at = datetime.fromisoformat(until)
        assert snoozes == [(f"7:response:1:snoozed:{int(at.timestamp())}", at, at)]
        assert snoozes[0][0] == "7:response:1:snoozed:1795515900"
    else:
        assert snoozes == []
    # The breach alert is there either way.
    assert ("7:response:1:breach", local("2026-11-24 10:30"), local("2026-11-24 10:30")) in keys


def test_the_latest_snooze_of_a_clock_wins_and_other_cycles_are_ignored() -> None:
    ticket = make_ticket()
    events = [
        created(ticket),
        snoozed("2026-11-24 10:20", "review", "2026-11-24T11:00:00+00:00"),
        snoozed("2026-11-24 10:21", "review", "2026-11-24T12:00:00+00:00"),
        snoozed("2026-11-24 10:22", "review", "2026-11-24T13:00:00+00:00", cycle=2),  # no such cycle
    ]
    snoozes = [a for a in alerts_for(ticket, events, "2026-11-24 10:30") if a.kind is AlertKind.SNOOZED]
    assert [(a.timer, a.cycle, a.at) for a in snoozes] == [("review", 1, local("2026-11-24 12:00"))]


@pytest.mark.parametrize(
    ("priority", "clock", "send_at"),
    [
        (Priority.P3, "review", "2026-11-25 08:00"),  # waits for the morning
        (Priority.P1, "resolution", "2026-11-24 18:00"),  # a P1 reminder goes out at once
    ],
)
def test_snooze_out_of_hours_waits_except_for_p1(priority: Priority, clock: str, send_at: str) -> None:
    # Opened Tue 15:00: the P3 review is due Wed 15:00, the P1 resolution Wed 11:00.
    ticket = make_ticket(priority=priority, created_at=local("2026-11-24 15:00"))
    events = [created(ticket), snoozed("2026-11-24 15:30", clock, "2026-11-24T18:00:00+00:00")]
    snoozes = [a for a in alerts_for(ticket, events, "2026-11-24 15:30") if a.kind is AlertKind.SNOOZED]
    assert [(a.timer, a.at, a.send_at) for a in snoozes] == [(clock, local("2026-11-24 18:00"), local(send_at))]


def test_closed_ticket_has_no_alerts() -> None:
    ticket = make_ticket(status=Status.CLOSED)
    # Even if the history says the clocks still run, a closed ticket is never chased.
    assert alerts_for(ticket, [created(ticket)], "2026-11-24 10:00") == []


def test_awaiting_sign_off_has_no_alerts_and_no_stale_timer() -> None:
    ticket = make_ticket(status=Status.AWAITING_SIGN_OFF)
    events = [
        created(ticket),
        event(EventKind.ACKNOWLEDGED, "2026-11-24 10:05"),
        event(EventKind.RESOLVED, "2026-11-24 11:00", resolution="restart it"),
    ]
    assert alerts_for(ticket, events, "2026-11-25 12:00") == []


def test_awaiting_info_paused_clocks_and_no_stale_timer() -> None:
    ticket = make_ticket(status=Status.AWAITING_INFO)
    events = [
        created(ticket),
        event(EventKind.ACKNOWLEDGED, "2026-11-24 10:05"),
        event(EventKind.STATUS_CHANGED, "2026-11-24 10:30", **{"from": "under_investigation", "to": "awaiting_info"}),
    ]
    clocks = SLA.clocks(ticket, events, local("2026-11-26 12:00"))
    assert [c.paused for c in clocks] == [False, False, True]  # response and review stopped, resolution paused
    assert plan_alerts(ticket=ticket, clocks=clocks, events=events, calendar=CALENDAR) == []


def test_paused_clocks_produce_no_alerts_even_if_the_ticket_looks_open() -> None:
    # The requester parked their own ticket: every clock is paused, none stopped.
    ticket = make_ticket(status=Status.AWAITING_INFO)
    events = [
        created(ticket),
        event(EventKind.STATUS_CHANGED, "2026-11-24 10:10", REQUESTER, **{"from": "open", "to": "awaiting_info"}),
    ]
    clocks = SLA.clocks(ticket, events, local("2026-11-24 12:00"))
    assert all(c.paused for c in clocks)
    assert plan_alerts(ticket=ticket, clocks=clocks, events=events, calendar=CALENDAR) == []


# -- plan_timers ----------------------------------------------------------------------------------------


def timers_for(ticket: Ticket, events: list[TicketEvent], now: str, sent: set[str]) -> dict[str, Timer]:
    clocks = SLA.clocks(ticket, events, local(now))
    alerts = plan_alerts(ticket=ticket, clocks=clocks, events=events, calendar=CALENDAR)
    timers = plan_timers(ticket=ticket, clocks=clocks, alerts=alerts, sent=sent, now=local(now))
    return {t.name: t for t in timers}


@pytest.mark.parametrize(
    ("sent", "response_next"),
    [
        (set(), "2026-11-24 10:20"),
        ({"7:response:1:near_breach"}, "2026-11-24 10:30"),
        ({"7:response:1:near_breach", "7:response:1:breach"}, None),
        ({"7:response:1:breach"}, "2026-11-24 10:20"),  # earliest unsent, whatever order they went in
        ({"8:response:1:near_breach"}, "2026-11-24 10:20"),  # another ticket's key
    ],
)
def test_next_alert_is_the_earliest_unsent(sent: set[str], response_next: str | None) -> None:
    ticket = make_ticket()
    timers = timers_for(ticket, [created(ticket)], "2026-11-24 10:00", sent)
    assert timers["response"].next_alert_at == (local(response_next) if response_next else None)


def test_timers_of_a_fresh_ticket() -> None:
    ticket = make_ticket()
    timers = timers_for(ticket, [created(ticket)], "2026-11-24 10:00", set())
    assert list(timers) == ["response", "review", "resolution", STALE]
    assert timers["response"] == Timer(
        name="response",
        cycle=1,
        started_at=TUE_10,
        target=1800.0,
        elapsed=0.0,
        due_at=local("2026-11-24 10:30"),
        stopped_at=None,
        breached=False,
        paused=False,
        next_alert_at=local("2026-11-24 10:20"),
    )
    assert timers["review"].next_alert_at == local("2026-11-24 16:00")
    assert timers["resolution"].next_alert_at == local("2026-12-08 14:00")
    stale = timers[STALE]
    assert (stale.cycle, stale.started_at, stale.due_at) == (TUE_10_TS, TUE_10, local("2026-11-25 10:00"))
    assert (stale.target, stale.breached, stale.next_alert_at) == (None, False, local("2026-11-25 10:00"))


def test_all_sent_means_no_next_alert() -> None:
    ticket = make_ticket()
    events = [created(ticket)]
    now = "2026-11-24 10:00"
    everything = {a.key(TICKET) for a in alerts_for(ticket, events, now)}
    assert all(t.next_alert_at is None for t in timers_for(ticket, events, now, everything).values())


def test_stale_timer_is_breached_once_due() -> None:
    ticket = make_ticket()
    timers = timers_for(ticket, [created(ticket)], "2026-11-25 10:30", set())
    assert timers[STALE].breached


def test_no_timer_without_a_target_and_none_stale_while_awaiting_info() -> None:
    ticket = make_ticket(priority=Priority.P4, status=Status.AWAITING_INFO)
    events = [
        created(ticket),
        event(EventKind.ACKNOWLEDGED, "2026-11-24 10:05"),
        event(EventKind.STATUS_CHANGED, "2026-11-24 10:30", **{"from": "under_investigation", "to": "awaiting_info"}),
    ]
    timers = timers_for(ticket, events, "2026-11-24 12:00", set())
    assert list(timers) == ["response", "review"]  # P4: no resolution target; waiting on the requester: no stale
    assert all(t.next_alert_at is None for t in timers.values())


def test_paused_clock_timer() -> None:
    ticket = make_ticket(status=Status.AWAITING_INFO)
    events = [
        created(ticket),
        event(EventKind.ACKNOWLEDGED, "2026-11-24 10:05"),
        event(EventKind.STATUS_CHANGED, "2026-11-24 10:30", **{"from": "under_investigation", "to": "awaiting_info"}),
    ]
    resolution = timers_for(ticket, events, "2026-11-24 12:00", set())["resolution"]
    assert (resolution.paused, resolution.elapsed, resolution.due_at, resolution.next_alert_at) == (
        True,
        1800.0,
        None,
        None,
    )


# -- the sweep, against tiny fakes of its ports -----------------------------------------------------------


class Desk:
    """The three fakes with some tickets in them, their timers indexed as a change would leave them."""

    def __init__(self, *stories: tuple[Ticket, list[TicketEvent]], timers: InMemoryTimers | None = None) -> None:
        self.tickets = InMemoryTickets()
        self.timers = timers or InMemoryTimers()
        self.notifier = RecordingNotifier()
        for ticket, events in stories:
            self.tickets.add(ticket)
            for e in events:
                self.tickets.record(ticket, e)
            refresh_timers(
                ticket_ids=[ticket.id or 0], tickets=self.tickets, timers=self.timers, sla=SLA, now=events[-1].at
            )

    @property
    def alerts(self) -> list[tuple[int | None, SlaNotice, tuple[str, ...], bool]]:
        """The SLA alerts sent: (ticket id, notice, recipients, in triage too)."""
        return [(t.id, notice, users, in_triage) for t, notice, users, in_triage in self.notifier.args_of("sla_alert")]

    @property
    def changed(self) -> list[int | None]:
        """The tickets whose cards were brought up to date."""
        return [ticket.id for (ticket,) in self.notifier.args_of("ticket_changed")]

    def sweep(self, now: str) -> SweepResult:
        return sweep(
            tickets=self.tickets, timers=self.timers, rota=ROTA, notifier=self.notifier, sla=SLA, now=local(now)
        )


def fresh(*, assignee: str | None = AGENT) -> tuple[Ticket, list[TicketEvent]]:
    ticket = make_ticket(assignee=assignee)
    return ticket, [created(ticket)]


def sent(**counts: int) -> dict[str, int]:
    return {kind.value: counts.get(kind.value, 0) for kind in AlertKind}


def test_refresh_timers_indexes_the_next_alert() -> None:
    desk = Desk(fresh())
    assert desk.timers.due_ticket_ids(local("2026-11-24 10:19"), limit=10) == []
    assert desk.timers.due_ticket_ids(local("2026-11-24 10:20"), limit=10) == [TICKET]


def test_near_breach_goes_to_the_assignee_once() -> None:
    desk = Desk(fresh())
    result = desk.sweep("2026-11-24 10:20")
    assert desk.alerts == [
        (TICKET, SlaNotice(AlertKind.NEAR_BREACH, SlaClock.RESPONSE, 1, local("2026-11-24 10:30")), (AGENT,), False)
    ]
    assert (result.tickets, result.sent, result.superseded) == (1, sent(near_breach=1), 0)
    assert desk.changed == []  # only a breach changes the cards
    assert desk.timers.claimed == {"7:response:1:near_breach"}
    assert desk.timers.timers[TICKET][0].next_alert_at == local("2026-11-24 10:30")

    again = desk.sweep("2026-11-24 10:20")
    assert len(desk.alerts) == 1
    assert again.sent == sent()


def test_second_sweep_sends_nothing_even_when_the_index_says_due() -> None:
    desk = Desk(fresh(), timers=InMemoryTimers(ignore_index=True))
    first = desk.sweep("2026-11-24 10:31")
    second = desk.sweep("2026-11-24 10:31")
    assert first.sent == sent(breach=1)
    assert (second.tickets, second.sent, second.superseded) == (1, sent(), 0)
    assert len(desk.alerts) == 1


def test_response_breach_adds_second_line_and_triage() -> None:
    desk = Desk(fresh())
    desk.sweep("2026-11-24 10:20")
    result = desk.sweep("2026-11-24 10:31")
    assert desk.alerts[1:] == [
        (
            TICKET,
            SlaNotice(AlertKind.BREACH, SlaClock.RESPONSE, 1, local("2026-11-24 10:30")),
            (AGENT, SECOND_LINE_ON_DUTY),
            True,
        )
    ]
    assert result.sent == sent(breach=1)
    assert desk.changed == [TICKET]


def test_after_downtime_breaches_overtake_their_near_breaches() -> None:
    desk = Desk(fresh())
    result = desk.sweep("2026-11-25 10:01")  # nothing ran since the ticket was opened on Tuesday
    assert desk.alerts == [
        (
            TICKET,
            SlaNotice(AlertKind.BREACH, SlaClock.RESPONSE, 1, local("2026-11-24 10:30")),
            (AGENT, SECOND_LINE_ON_DUTY),
            True,
        ),
        (
            TICKET,
            SlaNotice(AlertKind.BREACH, SlaClock.REVIEW, 1, local("2026-11-25 10:00")),
            (AGENT, SECOND_LINE_ON_DUTY),
            True,
        ),
        (
            TICKET,
            SlaNotice(AlertKind.STALE, None, TUE_10_TS, local("2026-11-25 10:00"), since=TUE_10),
            (AGENT,),
            False,
        ),
    ]
    assert (result.sent, result.superseded) == (sent(breach=2, stale=1), 2)
    # The overtaken near-breaches are claimed, so they never go out later either.
    assert {"7:response:1:near_breach", "7:review:1:near_breach"} <= desk.timers.claimed
    assert desk.changed == [TICKET]
    assert desk.sweep("2026-11-25 10:00").sent == sent()


def test_resolution_breach_adds_the_leads() -> None:
    ticket = make_ticket(ticket_id=8, priority=Priority.P1)
    events = [
        created(ticket),
        event(EventKind.ACKNOWLEDGED, "2026-11-24 10:05"),
        event(EventKind.UPDATE_POSTED, "2026-11-24 10:30", message="next steps"),
    ]
    desk = Desk((ticket, events))
    result = desk.sweep("2026-11-24 14:01")
    assert desk.alerts == [
        (8, SlaNotice(AlertKind.BREACH, SlaClock.RESOLUTION, 1, local("2026-11-24 14:00")), (AGENT, *LEADS), True)
    ]
    assert (result.sent, result.superseded) == (sent(breach=1), 1)


def test_unassigned_ticket_goes_to_the_leads() -> None:
    desk = Desk(fresh(assignee=None))
    desk.sweep("2026-11-24 10:20")
    desk.sweep("2026-11-24 10:31")
    assert [(users, in_triage) for _, _, users, in_triage in desk.alerts] == [
        (LEADS, False),
        ((*LEADS, SECOND_LINE_ON_DUTY), True),
    ]


def test_recipients_are_not_repeated() -> None:
    desk = Desk(fresh(assignee=SECOND_LINE_ON_DUTY))
    desk.sweep("2026-11-24 10:31")
    assert [(users, in_triage) for _, _, users, in_triage in desk.alerts] == [((SECOND_LINE_ON_DUTY,), True)]


def test_snoozed_reminder_goes_out_when_the_snooze_ends() -> None:
    ticket, events = fresh()
    desk = Desk((ticket, events))
    desk.sweep("2026-11-24 10:20")
    desk.tickets.record(ticket, snoozed("2026-11-24 10:21", "response", "2026-11-24T10:25:00+00:00"))
    refresh_timers(
        ticket_ids=[TICKET], tickets=desk.tickets, timers=desk.timers, sla=SLA, now=local("2026-11-24 10:21")
    )
    assert desk.timers.timers[TICKET][0].next_alert_at == local("2026-11-24 10:25")
    result = desk.sweep("2026-11-24 10:25")
    assert desk.alerts[1:] == [
        (TICKET, SlaNotice(AlertKind.SNOOZED, SlaClock.RESPONSE, 1, local("2026-11-24 10:30")), (AGENT,), False)
    ]
    assert result.sent == sent(snoozed=1)
    assert "7:response:1:snoozed:1795515900" in desk.timers.claimed


def test_claim_lost_to_another_process_sends_nothing() -> None:
    desk = Desk(fresh(), timers=InMemoryTimers(lose_claims=True))
    result = desk.sweep("2026-11-25 10:00")
    assert desk.alerts == []
    assert desk.changed == []
    assert (result.tickets, result.sent, result.superseded) == (1, sent(), 0)


def test_closed_ticket_is_swept_but_not_chased() -> None:
    ticket, events = fresh()
    desk = Desk((ticket, events))
    ticket.status = Status.CLOSED  # closed after its timers were indexed
    desk.tickets.save(ticket)
    result = desk.sweep("2026-11-24 10:30")
    assert desk.alerts == []
    assert result.tickets == 1
    assert desk.timers.due_ticket_ids(local("2026-11-30 10:00"), limit=10) == []  # and dropped from the index


def test_sweep_summary() -> None:
    desk = Desk(fresh())
    assert desk.sweep("2026-11-25 10:01").summary() == (
        "1 tickets checked: 0 near breach, 0 snoozed, 2 breach, 1 stale; 2 overtaken by a breach"
    )
