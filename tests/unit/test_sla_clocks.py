"""SLA targets, deadlines and clocks replayed from history: hand-checked tables in working time.

Calendar: Mon-Fri 08:00-16:00 Europe/London (a working day is 8h). Dates used below:
Tue 24 Nov 2026 .. Mon 30 Nov 2026 (GMT, so London time equals UTC), and Christmas 2026
(Thu 24, Fri 25 Dec; Sat 26 / Sun 27; Mon 28 Dec is the substitute Boxing Day).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rota.calendar import WorkingCalendar
from triage.model import EventKind, Priority, TicketEvent, TicketType
from triage.sla import (
    UNTRIAGED_PRIORITY,
    ClockState,
    Duration,
    SlaClock,
    SlaPolicy,
    deadlines,
    derive_clocks,
    last_update_to_requester,
    near_breach_threshold,
)

LONDON = ZoneInfo("Europe/London")
CALENDAR = WorkingCalendar.weekdays(zone=LONDON)
CHRISTMAS = (date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 28))
POLICY = SlaPolicy()

REQUESTER = "U7REQ"
AGENT = "U1ALICE"

TS = TicketType.TECHNICAL_SUPPORT
QUERY, TASK, GDPR = TicketType.SUPPORT_QUERY, TicketType.SERVICE_TASK, TicketType.GDPR_REQUEST
P1, P2, P3, P4 = Priority.P1, Priority.P2, Priority.P3, Priority.P4
RESPONSE, REVIEW, RESOLUTION = SlaClock.RESPONSE, SlaClock.REVIEW, SlaClock.RESOLUTION
HOUR = 3600.0
DAY = 8 * HOUR


def local(text: str) -> datetime:
    """A wall-clock time at the desk, e.g. local("2026-11-24 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def d(text: str | None) -> Duration | None:
    return Duration(int(text[:-1]), text[-1]) if text else None


# -- targets ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticket_type", "priority", "response", "review", "resolution"),
    [
        (TS, Priority.P1, "30m", "1h", "4h"),
        (TS, Priority.P2, "30m", "4h", "2d"),
        (TS, Priority.P3, "30m", "1d", "14d"),
        (TS, Priority.P4, "30m", "1d", None),
        (TicketType.SUPPORT_QUERY, None, "30m", "1d", "3d"),
        (TicketType.SERVICE_TASK, None, "30m", "3d", None),
        # Priority is for technical faults; on other types it changes nothing.
        (TicketType.SUPPORT_QUERY, Priority.P1, "30m", "1d", "3d"),
        (TicketType.SERVICE_TASK, Priority.P4, "30m", "3d", None),
        # Untriaged technical support is held to P3.
        (TS, None, "30m", "1d", "14d"),
        # No clocks at all.
        (TicketType.GDPR_REQUEST, None, None, None, None),
        (TicketType.BUG_REPORT, None, None, None, None),
        (TicketType.FEATURE_REQUEST, None, None, None, None),
        (TicketType.GDPR_REQUEST, Priority.P1, None, None, None),
    ],
)
def test_default_targets_are_product_table(
    ticket_type: TicketType, priority: Priority | None, response: str, review: str, resolution: str
) -> None:
    assert POLICY.targets(ticket_type, priority) == {
        RESPONSE: d(response),
        REVIEW: d(review),
        RESOLUTION: d(resolution),
    }


def test_untriaged_priority_is_p3() -> None:
    assert UNTRIAGED_PRIORITY is Priority.P3
    assert POLICY.targets(TS, None) == POLICY.targets(TS, Priority.P3)


@pytest.mark.parametrize(
    ("overrides", "ticket_type", "priority", "expected"),
    [
        # An exact priority override replaces only the clocks it names.
        ({"technical_support": {"P1": {"response": d("15m")}}}, TS, Priority.P1, ("15m", "1h", "4h")),
        ({"technical_support": {"P1": {"response": d("15m")}}}, TS, Priority.P2, ("30m", "4h", "2d")),
        # "any" applies to every priority of the type...
        ({"technical_support": {"any": {"review": d("2h")}}}, TS, Priority.P2, ("30m", "2h", "2d")),
        ({"technical_support": {"any": {"review": d("2h")}}}, TS, Priority.P4, ("30m", "2h", None)),
        # ... but the exact priority beats "any".
        (
            {"technical_support": {"P1": {"review": d("3h")}, "any": {"review": d("2h")}}},
            TS,
            Priority.P1,
            ("30m", "3h", "4h"),
        ),
        # Untriaged technical support takes the P3 override.
        ({"technical_support": {"P3": {"response": d("1h")}}}, TS, None, ("1h", "1d", "14d")),
        # An override can add a clock the table lacks...
        ({"technical_support": {"P4": {"resolution": d("20d")}}}, TS, Priority.P4, ("30m", "1d", "20d")),
        ({"gdpr_request": {"any": {"resolution": d("30d")}}}, TicketType.GDPR_REQUEST, None, (None, None, "30d")),
        # ... or remove one (None).
        ({"support_query": {"any": {"resolution": None}}}, TicketType.SUPPORT_QUERY, None, ("30m", "1d", None)),
        ({"technical_support": {"P1": {"review": None}}}, TS, Priority.P1, ("30m", None, "4h")),
        # Another type's override does not leak.
        ({"service_task": {"any": {"response": d("1h")}}}, TicketType.SUPPORT_QUERY, None, ("30m", "1d", "3d")),
    ],
)
def test_overrides_win_over_defaults(
    overrides: Any, ticket_type: TicketType, priority: Priority | None, expected: tuple[str | None, ...]
) -> None:
    targets = SlaPolicy(overrides).targets(ticket_type, priority)
    assert targets == {RESPONSE: d(expected[0]), REVIEW: d(expected[1]), RESOLUTION: d(expected[2])}


@pytest.mark.parametrize(
    ("priority", "clock", "seconds"),
    [
        (Priority.P1, RESPONSE, 1800.0),
        (Priority.P1, REVIEW, 3600.0),
        (Priority.P1, RESOLUTION, 14400.0),
        (Priority.P2, RESOLUTION, 57600.0),  # 2 working days of 8h
        (Priority.P3, RESOLUTION, 403200.0),  # 14 working days of 8h
        (Priority.P4, RESOLUTION, None),
    ],
)
def test_target_seconds(priority: Priority, clock: SlaClock, seconds: float | None) -> None:
    assert POLICY.target_seconds(TS, priority, clock, CALENDAR.day_seconds) == seconds


# -- deadlines ---------------------------------------------------------------------------------------


# fmt: off
DEADLINES = [
    # id                                 type   prio  opened              closed         response            review              resolution
    ("P1-friday-15:45",                  TS,    P1,   "2026-11-27 15:45", (),            "2026-11-30 08:15", "2026-11-30 08:45", "2026-11-30 11:45"),
    ("P2-2d-thursday-over-weekend",      TS,    P2,   "2026-11-26 10:00", (),            "2026-11-26 10:30", "2026-11-26 14:00", "2026-11-30 10:00"),
    ("P2-friday-afternoon",              TS,    P2,   "2026-11-27 14:00", (),            "2026-11-27 14:30", "2026-11-30 10:00", "2026-12-01 14:00"),
    ("P3-14d-christmas-24-25-28-closed", TS,    P3,   "2026-12-16 10:00", CHRISTMAS,     "2026-12-16 10:30", "2026-12-17 10:00", "2027-01-08 10:00"),
    ("P3-14d-christmas-24-open",         TS,    P3,   "2026-12-16 10:00", CHRISTMAS[1:], "2026-12-16 10:30", "2026-12-17 10:00", "2027-01-07 10:00"),
    ("P3-14d-lands-on-closing-time",     TS,    P3,   "2026-12-14 08:00", CHRISTMAS,     "2026-12-14 08:30", "2026-12-14 16:00", "2027-01-05 16:00"),
    ("P3-review-across-closures",        TS,    P3,   "2026-12-23 10:00", CHRISTMAS,     "2026-12-23 10:30", "2026-12-29 10:00", "2027-01-15 10:00"),
    ("support-query-3d",                 QUERY, None, "2026-11-24 10:00", (),            "2026-11-24 10:30", "2026-11-25 10:00", "2026-11-27 10:00"),
    ("service-task-3d-review",           TASK,  None, "2026-11-24 10:00", (),            "2026-11-24 10:30", "2026-11-27 10:00", None),
    ("P4-no-resolution",                 TS,    P4,   "2026-11-24 10:00", (),            "2026-11-24 10:30", "2026-11-25 10:00", None),
    ("untriaged-as-P3",                  TS,    None, "2026-11-24 10:00", (),            "2026-11-24 10:30", "2026-11-25 10:00", "2026-12-14 10:00"),
    ("start-saturday",                   TS,    P1,   "2026-11-28 11:00", (),            "2026-11-30 08:30", "2026-11-30 09:00", "2026-11-30 12:00"),
    ("start-exactly-16:00",              TS,    P3,   "2026-11-24 16:00", (),            "2026-11-25 08:30", "2026-11-25 16:00", "2026-12-14 16:00"),
    ("start-07:59",                      TS,    P1,   "2026-11-24 07:59", (),            "2026-11-24 08:30", "2026-11-24 09:00", "2026-11-24 12:00"),
    ("start-exactly-08:00",              TS,    P1,   "2026-11-24 08:00", (),            "2026-11-24 08:30", "2026-11-24 09:00", "2026-11-24 12:00"),
    ("summer-BST",                       TS,    P1,   "2026-06-10 15:45", (),            "2026-06-11 08:15", "2026-06-11 08:45", "2026-06-11 11:45"),
    ("over-the-clocks-going-back",       TS,    P1,   "2026-10-23 15:45", (),            "2026-10-26 08:15", "2026-10-26 08:45", "2026-10-26 11:45"),
    ("start-on-a-closed-date",           TS,    P1,   "2026-12-24 09:00", CHRISTMAS,     "2026-12-29 08:30", "2026-12-29 09:00", "2026-12-29 12:00"),
    ("gdpr-no-clocks",                   GDPR,  None, "2026-11-24 10:00", (),            None,               None,               None),
]
# fmt: on


@pytest.mark.parametrize(
    ("ticket_type", "priority", "opened", "closed", "response", "review", "resolution"),
    [pytest.param(*row[1:], id=row[0]) for row in DEADLINES],
)
def test_deadlines(
    ticket_type: TicketType,
    priority: Priority | None,
    opened: str,
    closed: tuple[date, ...],
    response: str | None,
    review: str | None,
    resolution: str | None,
) -> None:
    calendar = WorkingCalendar.weekdays(zone=LONDON, closed_dates=closed)
    due = deadlines(ticket_type=ticket_type, priority=priority, opened=local(opened), policy=POLICY, calendar=calendar)
    expected = {
        clock: local(text) if text else None
        for clock, text in zip(SlaClock, (response, review, resolution), strict=True)
    }
    assert due == expected


def test_deadlines_accept_utc_input() -> None:
    """15:45 BST given as 14:45 UTC is the same instant as the local form."""
    opened = datetime.fromisoformat("2026-06-10T14:45:00+00:00")
    due = deadlines(ticket_type=TS, priority=Priority.P1, opened=opened, policy=POLICY, calendar=CALENDAR)
    assert due[RESPONSE] == datetime.fromisoformat("2026-06-11T07:15:00+00:00")


def test_deadlines_use_overrides() -> None:
    policy = SlaPolicy({"technical_support": {"P1": {"response": d("15m"), "resolution": None}}})
    due = deadlines(
        ticket_type=TS, priority=Priority.P1, opened=local("2026-11-27 15:45"), policy=policy, calendar=CALENDAR
    )
    # 15 working minutes from 15:45 end exactly at closing time, which stays on the Friday.
    assert due == {RESPONSE: local("2026-11-27 16:00"), REVIEW: local("2026-11-30 08:45"), RESOLUTION: None}


# -- clocks from history ------------------------------------------------------------------------------

TUE_10 = local("2026-11-24 10:00")


def created(at: datetime = TUE_10, *, ticket_type: TicketType = TS, priority: str | None = "P3") -> TicketEvent:
    return TicketEvent(
        EventKind.CREATED, REQUESTER, at, {"type": ticket_type.value, "priority": priority, "title": "VPN is down"}
    )


def event(kind: EventKind, at: str, actor: str = AGENT, **data: Any) -> TicketEvent:
    return TicketEvent(kind, actor, local(at), data)


def moved(at: str, source: str, target: str, actor: str = AGENT) -> TicketEvent:
    return TicketEvent(EventKind.STATUS_CHANGED, actor, local(at), {"from": source, "to": target})


def reprioritised(at: str, source: str | None, target: str) -> TicketEvent:
    return TicketEvent(EventKind.PRIORITY_CHANGED, AGENT, local(at), {"from": source, "to": target})


def clocks(
    events: list[TicketEvent],
    now: str,
    *,
    ticket_type: TicketType = TS,
    policy: SlaPolicy = POLICY,
    calendar: WorkingCalendar = CALENDAR,
) -> dict[SlaClock, ClockState]:
    states = derive_clocks(ticket_type=ticket_type, events=events, policy=policy, calendar=calendar, now=local(now))
    assert [s.clock for s in states] == list(SlaClock)
    return {s.clock: s for s in states}


def test_fresh_ticket_all_clocks_run() -> None:
    state = clocks([created()], "2026-11-24 10:15")
    assert state[RESPONSE] == ClockState(
        clock=RESPONSE,
        cycle=1,
        started_at=TUE_10,
        target=1800.0,
        elapsed=900.0,
        paused=False,
        stopped_at=None,
        due_at=local("2026-11-24 10:30"),
        near_at=local("2026-11-24 10:20"),
    )
    assert state[REVIEW].due_at == local("2026-11-25 10:00")
    assert state[RESOLUTION].due_at == local("2026-12-14 10:00")
    assert all(s.running and not s.breached for s in state.values())


STOPS_RESPONSE = [
    (EventKind.ACKNOWLEDGED, {"from_assignee": None}),
    (EventKind.STATUS_CHANGED, {"from": "open", "to": "under_investigation"}),
    (EventKind.ESCALATED, {"from_assignee": AGENT, "to": "U5ERIN", "note": "needs 2nd line"}),
    (EventKind.RESOLVED, {"from": "open", "resolution": "restart the router"}),
    (EventKind.MARKED_DUPLICATE, {"original": 1, "from": "open"}),
    (EventKind.UPDATE_POSTED, {"message": "Looking at it now"}),
]


@pytest.mark.parametrize(("kind", "data"), STOPS_RESPONSE, ids=[k.value for k, _ in STOPS_RESPONSE])
def test_response_stops_at_first_human_update(kind: EventKind, data: dict[str, Any]) -> None:
    state = clocks([created(), event(kind, "2026-11-24 10:20", **data)], "2026-11-24 11:00")[RESPONSE]
    assert state.stopped_at == local("2026-11-24 10:20")
    assert state.elapsed == 1200.0
    assert (state.target, state.running, state.paused, state.breached) == (1800.0, False, False, False)
    assert (state.due_at, state.near_at) == (None, None)


def test_response_stops_at_the_first_update_not_a_later_one() -> None:
    events = [
        created(),
        event(EventKind.ACKNOWLEDGED, "2026-11-24 10:05"),
        event(EventKind.UPDATE_POSTED, "2026-11-24 10:45", message="still on it"),
    ]
    assert clocks(events, "2026-11-24 11:00")[RESPONSE].stopped_at == local("2026-11-24 10:05")


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(reprioritised("2026-11-24 10:10", "P3", "P2"), id="priority-changed-by-support"),
        pytest.param(
            event(EventKind.UPDATE_POSTED, "2026-11-24 10:10", REQUESTER, message="any news?"), id="requester-update"
        ),
        pytest.param(event(EventKind.ACKNOWLEDGED, "2026-11-24 10:10", REQUESTER), id="requester-ack"),
        pytest.param(event(EventKind.ASSIGNED, "2026-11-24 10:10", to="U2BOB", line="first_line"), id="assigned"),
        pytest.param(event(EventKind.PARTICIPANT_ADDED, "2026-11-24 10:10", users=["U6X"]), id="participant"),
        pytest.param(
            event(EventKind.SNOOZED, "2026-11-24 10:10", clock="response", cycle=1, until="2026-11-24T10:25:00+00:00"),
            id="snoozed",
        ),
    ],
)
def test_response_keeps_running(other: TicketEvent) -> None:
    state = clocks([created(), other], "2026-11-24 10:25")[RESPONSE]
    assert state.running
    assert state.stopped_at is None
    assert state.elapsed == 1500.0
    assert state.due_at == local("2026-11-24 10:30")


@pytest.mark.parametrize(
    "stop",
    [
        pytest.param(moved("2026-11-24 11:00", "under_investigation", "in_progress"), id="in_progress"),
        pytest.param(moved("2026-11-24 11:00", "under_investigation", "awaiting_info"), id="awaiting_info"),
        pytest.param(
            moved("2026-11-24 11:00", "under_investigation", "raised_with_development"), id="raised_with_development"
        ),
        pytest.param(event(EventKind.UPDATE_POSTED, "2026-11-24 11:00", message="next steps: ..."), id="update"),
        pytest.param(event(EventKind.RESOLVED, "2026-11-24 11:00", resolution="fixed"), id="resolved"),
        pytest.param(event(EventKind.MARKED_DUPLICATE, "2026-11-24 11:00", original=1), id="duplicate"),
    ],
)
def test_review_stops_beyond_under_investigation_or_at_an_update(stop: TicketEvent) -> None:
    events = [created(), event(EventKind.ACKNOWLEDGED, "2026-11-24 10:10"), stop]
    state = clocks(events, "2026-11-24 12:00")[REVIEW]
    assert state.stopped_at == local("2026-11-24 11:00")
    assert (state.elapsed, state.target, state.breached) == (3600.0, DAY, False)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(event(EventKind.ACKNOWLEDGED, "2026-11-24 11:00"), id="ack-leaves-it-under-investigation"),
        pytest.param(event(EventKind.ESCALATED, "2026-11-24 11:00", to="U5ERIN"), id="escalated"),
        pytest.param(reprioritised("2026-11-24 11:00", "P3", "P2"), id="priority-changed"),
        pytest.param(
            event(EventKind.UPDATE_POSTED, "2026-11-24 11:00", REQUESTER, message="hello?"), id="requester-update"
        ),
    ],
)
def test_review_keeps_running(other: TicketEvent) -> None:
    state = clocks([created(), other], "2026-11-24 12:00")[REVIEW]
    assert state.running
    assert state.elapsed == 2 * HOUR


@pytest.mark.parametrize(
    "stop",
    [
        pytest.param(event(EventKind.RESOLVED, "2026-11-24 11:00", resolution="fixed"), id="resolved"),
        pytest.param(moved("2026-11-24 11:00", "fix_awaiting_release", "awaiting_sign_off"), id="awaiting_sign_off"),
        pytest.param(moved("2026-11-24 11:00", "awaiting_sign_off", "closed"), id="closed"),
        pytest.param(event(EventKind.MARKED_DUPLICATE, "2026-11-24 11:00", original=1), id="duplicate"),
    ],
)
def test_resolution_stops_at_sign_off_or_closed(stop: TicketEvent) -> None:
    state = clocks([created(priority="P1"), stop], "2026-11-24 12:00")[RESOLUTION]
    assert state.stopped_at == local("2026-11-24 11:00")
    assert (state.elapsed, state.target, state.breached, state.cycle) == (HOUR, 4 * HOUR, False, 1)


@pytest.mark.parametrize("target", ["in_progress", "raised_with_development", "fix_awaiting_release"])
def test_resolution_keeps_running_in_working_statuses(target: str) -> None:
    state = clocks(
        [created(priority="P1"), moved("2026-11-24 11:00", "under_investigation", target)], "2026-11-24 12:00"
    )
    assert state[RESOLUTION].running
    assert state[RESOLUTION].elapsed == 2 * HOUR


# The P1 pause story: acknowledged 10:05, asked for information at 10:30 (review stops: next steps given),
# the requester answered on Wednesday at 09:00.
PAUSED_P1 = [
    created(priority="P1"),
    event(EventKind.ACKNOWLEDGED, "2026-11-24 10:05"),
    moved("2026-11-24 10:30", "under_investigation", "awaiting_info"),
    moved("2026-11-25 09:00", "awaiting_info", "under_investigation", actor=REQUESTER),
]


def test_resolution_pauses_while_awaiting_info() -> None:
    state = clocks(PAUSED_P1, "2026-11-24 15:00")
    resolution = state[RESOLUTION]
    assert (resolution.paused, resolution.running, resolution.stopped_at) == (True, False, None)
    assert resolution.elapsed == 1800.0  # 10:00-10:30, not the afternoon spent waiting
    assert (resolution.due_at, resolution.near_at) == (None, None)
    assert not resolution.breached
    assert state[RESPONSE].stopped_at == local("2026-11-24 10:05")
    assert state[REVIEW].stopped_at == local("2026-11-24 10:30")


def test_resolution_resumes_later_by_exactly_the_paused_time() -> None:
    resolution = clocks(PAUSED_P1, "2026-11-25 09:30")[RESOLUTION]
    assert resolution.running
    assert resolution.elapsed == HOUR  # 10:00-10:30 Tue + 09:00-09:30 Wed
    # Unpaused it was due Tue 14:00; the pause held 6.5 working hours (Tue 10:30-16:00, Wed 08:00-09:00).
    assert resolution.due_at == local("2026-11-25 12:30")
    assert resolution.near_at == local("2026-11-25 11:30")  # 3h of 4h
    assert CALENDAR.working_time_between(local("2026-11-24 14:00"), resolution.due_at) == 6.5 * HOUR


def test_every_running_clock_pauses_and_resumes() -> None:
    # Contrived (the requester moves their own ticket) so that no clock stops: all three pause together.
    events = [
        created(priority="P1"),
        moved("2026-11-24 10:10", "open", "awaiting_info", actor=REQUESTER),
        moved("2026-11-25 08:30", "awaiting_info", "open", actor=REQUESTER),
    ]
    paused = clocks(events, "2026-11-24 15:00")
    assert all(s.paused and not s.running and s.elapsed == 600.0 and s.due_at is None for s in paused.values())
    resumed = clocks(events, "2026-11-25 08:40")
    assert all(s.running and s.elapsed == 1200.0 for s in resumed.values())
    assert resumed[RESPONSE].due_at == local("2026-11-25 08:50")
    assert resumed[RESPONSE].near_at == local("2026-11-25 08:40")
    assert resumed[REVIEW].due_at == local("2026-11-25 09:20")
    assert resumed[RESOLUTION].due_at == local("2026-11-25 12:20")


def test_reopen_from_sign_off_starts_resolution_cycle_two() -> None:
    events = [
        created(priority="P1"),
        event(EventKind.ACKNOWLEDGED, "2026-11-24 10:05"),
        event(EventKind.RESOLVED, "2026-11-24 11:00", resolution="restart it"),
        moved("2026-11-24 13:00", "awaiting_sign_off", "under_investigation", actor=REQUESTER),  # sign-off refused
    ]
    state = clocks(events, "2026-11-24 14:00")
    resolution = state[RESOLUTION]
    assert (resolution.cycle, resolution.started_at, resolution.stopped_at) == (2, local("2026-11-24 13:00"), None)
    assert (resolution.elapsed, resolution.target) == (HOUR, 4 * HOUR)
    assert resolution.due_at == local("2026-11-25 09:00")
    assert resolution.near_at == local("2026-11-24 16:00")
    # Response and review are not restarted.
    assert (state[RESPONSE].cycle, state[RESPONSE].stopped_at) == (1, local("2026-11-24 10:05"))
    assert (state[REVIEW].cycle, state[REVIEW].stopped_at) == (1, local("2026-11-24 11:00"))
    assert not state[REVIEW].breached  # exactly 1h: met


def test_reopen_from_closed_and_again() -> None:
    events = [
        created(priority="P1"),
        event(EventKind.RESOLVED, "2026-11-24 11:00", resolution="restart it"),
        moved("2026-11-24 12:00", "awaiting_sign_off", "closed", actor=REQUESTER),
        moved("2026-11-25 09:00", "closed", "under_investigation"),
    ]
    resolution = clocks(events, "2026-11-25 10:00")[RESOLUTION]
    assert (resolution.cycle, resolution.started_at, resolution.elapsed) == (2, local("2026-11-25 09:00"), HOUR)
    assert resolution.due_at == local("2026-11-25 13:00")
    events += [
        event(EventKind.RESOLVED, "2026-11-25 10:00", resolution="patched"),
        moved("2026-11-25 11:00", "awaiting_sign_off", "under_investigation", actor=REQUESTER),
    ]
    resolution = clocks(events, "2026-11-25 11:30")[RESOLUTION]
    assert (resolution.cycle, resolution.started_at, resolution.elapsed) == (3, local("2026-11-25 11:00"), 1800.0)


def test_priority_change_retargets_running_clocks() -> None:
    events = [
        created(priority="P3"),
        event(EventKind.ACKNOWLEDGED, "2026-11-24 10:10"),
        reprioritised("2026-11-24 12:00", "P3", "P1"),
    ]
    state = clocks(events, "2026-11-24 12:00")
    resolution = state[RESOLUTION]
    assert (resolution.target, resolution.elapsed) == (4 * HOUR, 2 * HOUR)
    assert resolution.due_at == local("2026-11-24 14:00")  # 2 working hours after the change
    assert resolution.near_at == local("2026-11-24 13:00")
    # Review, still running, is now held to P1's hour: breached, due in the past.
    review = state[REVIEW]
    assert (review.target, review.elapsed, review.breached, review.running) == (HOUR, 2 * HOUR, True, True)
    assert review.due_at == local("2026-11-24 11:00")
    assert review.remaining == -HOUR


def test_stopped_clock_keeps_the_target_it_stopped_under() -> None:
    events = [
        created(priority="P3"),
        event(EventKind.ACKNOWLEDGED, "2026-11-24 10:10"),
        event(EventKind.UPDATE_POSTED, "2026-11-24 11:30", message="next steps"),  # review stops at 1.5h
        reprioritised("2026-11-24 12:00", "P3", "P1"),
    ]
    state = clocks(events, "2026-11-24 12:30")
    assert (state[REVIEW].target, state[REVIEW].elapsed, state[REVIEW].breached) == (DAY, 5400.0, False)
    assert state[RESOLUTION].target == 4 * HOUR


def test_demotion_removes_a_running_clock_but_not_a_stopped_target() -> None:
    events = [
        created(priority="P1"),
        event(EventKind.UPDATE_POSTED, "2026-11-24 10:30", message="next steps"),
        reprioritised("2026-11-24 11:00", "P1", "P4"),
    ]
    state = clocks(events, "2026-11-24 12:00")
    assert state[REVIEW].target == HOUR
    assert (state[RESOLUTION].target, state[RESOLUTION].due_at, state[RESOLUTION].near_at) == (None, None, None)
    assert not state[RESOLUTION].breached


def test_p4_to_p2_gives_a_resolution_clock() -> None:
    events = [created(priority="P4"), reprioritised("2026-11-24 11:00", "P4", "P2")]
    before = clocks(events, "2026-11-24 10:30")
    assert (before[RESOLUTION].target, before[RESOLUTION].due_at) == (None, None)
    assert before[REVIEW].target == DAY
    after = clocks(events, "2026-11-24 12:00")
    # Counted from the ticket's opening, not from the change.
    assert (after[RESOLUTION].target, after[RESOLUTION].elapsed) == (2 * DAY, 2 * HOUR)
    assert after[RESOLUTION].due_at == local("2026-11-26 10:00")
    assert (after[REVIEW].target, after[REVIEW].due_at) == (4 * HOUR, local("2026-11-24 14:00"))


def test_untriaged_technical_support_runs_p3_clocks() -> None:
    state = clocks([created(priority=None)], "2026-11-24 10:00")
    assert [state[c].target for c in SlaClock] == [1800.0, DAY, 14 * DAY]


@pytest.mark.parametrize(
    ("ticket_type", "targets"),
    [
        (TicketType.SUPPORT_QUERY, [1800.0, DAY, 3 * DAY]),
        (TicketType.SERVICE_TASK, [1800.0, 3 * DAY, None]),
        (TicketType.GDPR_REQUEST, [None, None, None]),
    ],
)
def test_clock_targets_by_type(ticket_type: TicketType, targets: list[float | None]) -> None:
    state = clocks([created(ticket_type=ticket_type, priority=None)], "2026-11-24 11:00", ticket_type=ticket_type)
    assert [state[c].target for c in SlaClock] == targets
    assert [state[c].due_at is None for c in SlaClock] == [t is None for t in targets]


@pytest.mark.parametrize(
    ("ack", "elapsed", "breached"),
    [
        ("2026-11-24 10:29:59", 1799.0, False),
        ("2026-11-24 10:30:00", 1800.0, False),  # exactly on target: met
        ("2026-11-24 10:30:01", 1801.0, True),
    ],
)
def test_met_or_breached(ack: str, elapsed: float, breached: bool) -> None:
    state = clocks([created(), event(EventKind.ACKNOWLEDGED, ack)], "2026-11-24 12:00")[RESPONSE]
    assert (state.elapsed, state.breached) == (elapsed, breached)


def test_response_across_the_night_is_measured_in_working_time() -> None:
    events = [created(local("2026-11-24 15:50")), event(EventKind.ACKNOWLEDGED, "2026-11-25 08:15")]
    state = clocks(events, "2026-11-25 09:00")[RESPONSE]
    assert (state.elapsed, state.breached) == (1500.0, False)


def test_events_after_now_are_ignored() -> None:
    events = [created(), event(EventKind.ACKNOWLEDGED, "2026-11-24 11:00")]
    state = clocks(events, "2026-11-24 10:45")[RESPONSE]
    assert (state.running, state.stopped_at, state.elapsed) == (True, None, 2700.0)
    assert state.breached
    assert state.due_at == local("2026-11-24 10:30")  # in the past


def test_events_are_replayed_in_time_order() -> None:
    events = [event(EventKind.ACKNOWLEDGED, "2026-11-24 10:20"), created()]
    assert clocks(events, "2026-11-24 11:00")[RESPONSE].stopped_at == local("2026-11-24 10:20")


def test_no_created_event_no_clocks() -> None:
    states = derive_clocks(
        ticket_type=TS,
        events=[event(EventKind.ACKNOWLEDGED, "2026-11-24 10:20")],
        policy=POLICY,
        calendar=CALENDAR,
        now=local("2026-11-24 11:00"),
    )
    assert states == []


@pytest.mark.parametrize(
    ("priority", "opened", "clock", "near", "due"),
    [
        ("P1", "2026-11-24 10:00", RESPONSE, "2026-11-24 10:20", "2026-11-24 10:30"),  # 30m: 20 working minutes
        ("P1", "2026-11-24 10:00", REVIEW, "2026-11-24 10:45", "2026-11-24 11:00"),  # 1h: 75%
        ("P1", "2026-11-24 10:00", RESOLUTION, "2026-11-24 13:00", "2026-11-24 14:00"),
        ("P3", "2026-11-24 10:00", REVIEW, "2026-11-24 16:00", "2026-11-25 10:00"),  # 6h of 8h, at closing
        ("P3", "2026-11-24 10:00", RESOLUTION, "2026-12-08 14:00", "2026-12-14 10:00"),  # 84h of 112h
        ("P1", "2026-11-24 15:50", RESPONSE, "2026-11-25 08:10", "2026-11-25 08:20"),  # over the night
    ],
)
def test_near_breach_instants(priority: str, opened: str, clock: SlaClock, near: str, due: str) -> None:
    state = clocks([created(local(opened), priority=priority)], opened)[clock]
    assert (state.near_at, state.due_at) == (local(near), local(due))


@pytest.mark.parametrize(
    ("target", "threshold"),
    [
        (600.0, 450.0),  # 10m: 10 minutes before would be the start, so 75% it is
        (1800.0, 1200.0),  # 30m: 10 minutes before beats 75%
        (2400.0, 1800.0),  # 40m: both agree
        (3600.0, 2700.0),  # 1h: 75% comes sooner
        (14400.0, 10800.0),
        (28800.0, 21600.0),
    ],
)
def test_near_breach_threshold(target: float, threshold: float) -> None:
    assert near_breach_threshold(target) == threshold


# -- keeping the requester informed --------------------------------------------------------------------


def test_last_update_to_requester() -> None:
    events = [
        created(),
        event(EventKind.ASSIGNED, "2026-11-24 10:00", REQUESTER, to=AGENT),
        event(EventKind.ACKNOWLEDGED, "2026-11-24 10:10"),
        reprioritised("2026-11-24 11:00", "P3", "P2"),
        event(EventKind.UPDATE_POSTED, "2026-11-24 12:00", REQUESTER, message="any news?"),  # the requester's own
        event(EventKind.ASSIGNED, "2026-11-24 13:00", to="U2BOB"),  # not something the requester hears
        event(EventKind.SNOOZED, "2026-11-24 14:00", clock="review", cycle=1, until="2026-11-24T15:00:00+00:00"),
    ]
    assert last_update_to_requester(events) == local("2026-11-24 11:00")


@pytest.mark.parametrize(
    "events",
    [
        pytest.param([], id="nothing"),
        pytest.param([created()], id="only-created"),
        pytest.param(
            [created(), event(EventKind.UPDATE_POSTED, "2026-11-24 12:00", REQUESTER, message="hi")], id="requester"
        ),
    ],
)
def test_no_update_to_requester(events: list[TicketEvent]) -> None:
    assert last_update_to_requester(events) is None
