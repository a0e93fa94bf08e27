"""The digest's figures from a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL): hand-built
tickets and timers at known instants, every figure checked against a hand count.

The desk: Mon-Fri 08:00-16:00 Europe/London (GMT in November, so local = UTC). The digest runs on
Monday 23 Nov 2026 at 09:00: the daily period is Fri 20 Nov 09:00 to Mon 23 Nov 09:00, the weekly one
Mon 16 Nov 09:00 to Mon 23 Nov 09:00, and "about to breach" means due by Mon 11:00 (2 working hours).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from handlers.slack.digest_view import digest_message
from rota.calendar import WorkingCalendar
from storage.db import make_engine, make_sessionmaker, migrate
from storage.models import SlaTimerRow, TicketRow
from storage.reports import SqlReports
from triage.digest import (
    AssigneeLoad,
    Capped,
    ClockAchievement,
    Digest,
    DigestKind,
    OpenCount,
    Overdue,
    TicketLine,
    build_digest,
    digest_period,
)
from triage.model import Priority, Status, TicketType
from triage.sla import SlaClock

LONDON = ZoneInfo("Europe/London")
CALENDAR = WorkingCalendar.weekdays(zone=LONDON)
ALICE, BOB = "U1ALICE", "U2BOB"
P1, P2, P3, P4 = Priority.P1, Priority.P2, Priority.P3, Priority.P4
TS, SQ, ST, GDPR = (
    TicketType.TECHNICAL_SUPPORT,
    TicketType.SUPPORT_QUERY,
    TicketType.SERVICE_TASK,
    TicketType.GDPR_REQUEST,
)
RESPONSE, REVIEW, RESOLUTION = SlaClock.RESPONSE, SlaClock.REVIEW, SlaClock.RESOLUTION
GDPR_TITLE = "Delete everything about Jane Doe"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant in November 2026 (London is on GMT then, so this is also the local time)."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


NOW = at(23, 9)  # Monday 09:00


def ticket(
    id: int,
    type: TicketType,
    priority: Priority | None,
    status: Status,
    assignee: str | None,
    created: datetime,
    *,
    resolved: datetime | None = None,
    status_changed: datetime | None = None,
    title: str | None = None,
) -> TicketRow:
    return TicketRow(
        id=id,
        title=title or f"Ticket {id}",
        description="hand-built for the digest tests",
        type=type.value,
        priority=priority.value if priority else None,
        status=status.value,
        line="first_line",
        requester_id="U9JANE" if type is GDPR else "U7RIYA",
        assignee_id=assignee,
        created_at=created,
        updated_at=status_changed or created,
        status_changed_at=status_changed or created,
        resolved_at=resolved,
    )


def timer(
    ticket_id: int,
    name: str,
    *,
    started: datetime,
    due: datetime | None = None,
    stopped: datetime | None = None,
    breached: bool = False,
    paused: bool = False,
    target: float | None = 1800.0,
) -> SlaTimerRow:
    return SlaTimerRow(
        ticket_id=ticket_id,
        name=name,
        cycle=1,
        started_at=started,
        target_seconds=None if name == "stale" else target,
        elapsed_seconds=0.0,
        due_at=due,
        stopped_at=stopped,
        breached=breached,
        paused=paused,
        next_alert_at=None,
    )


def desk_rows() -> list[TicketRow | SlaTimerRow]:
    """Sixteen tickets, each placed to test a boundary; the comments say what each one is for.

    Fresh rows on every call: an ORM row belongs to the session that first stored it.
    """
    return [
        # T1: P1, created on the daily period's first instant; response met and review missed on Friday,
        # resolution breached since Fri 13:00.
        ticket(1, TS, P1, Status.IN_PROGRESS, ALICE, at(20, 9), title="Checkout <down> & out"),
        timer(1, "response", started=at(20, 9), stopped=at(20, 9, 20)),
        timer(1, "review", started=at(20, 9), stopped=at(20, 10, 30), breached=True),
        timer(1, "resolution", started=at(20, 9), due=at(20, 13)),
        timer(1, "stale", started=at(20, 10, 30), due=at(23, 10, 30)),  # not stale yet
        # T2: created one second before the daily period; review and stale due a second ago (breached: reaching
        # a deadline exactly is still met, so one second past it is the earliest breach).
        ticket(2, TS, P2, Status.UNDER_INVESTIGATION, BOB, at(20, 8, 59, 59)),
        timer(2, "response", started=at(20, 8, 59, 59), stopped=at(20, 8, 59, 59)),
        timer(2, "review", started=at(20, 8, 59, 59), due=at(23, 8, 59, 59)),
        timer(2, "stale", started=at(20, 9), due=at(23, 8, 59, 59)),
        # T3: no priority, created on Saturday; response breached, review due one second from now.
        ticket(3, SQ, None, Status.OPEN, ALICE, at(21, 10)),
        timer(3, "response", started=at(21, 10), due=at(23, 8, 30)),
        timer(3, "review", started=at(21, 10), due=at(23, 9, 0, 1)),
        # T4: a GDPR request gone stale since Wed 18th: its title must never reach the digest.
        ticket(4, GDPR, None, Status.IN_PROGRESS, BOB, at(16, 10), title=GDPR_TITLE),
        timer(4, "stale", started=at(18, 10), due=at(19, 10)),
        # T5: waiting on the requester since Fri 15:00; its paused review has a stale due_at that must be ignored.
        ticket(5, TS, P3, Status.AWAITING_INFO, ALICE, at(19, 12), status_changed=at(20, 15)),
        timer(5, "response", started=at(19, 12), stopped=at(19, 12, 10)),
        timer(5, "review", started=at(19, 12), due=at(20, 12), paused=True),
        # T6: unassigned P4 created one second before now; response due exactly at the "soon" horizon.
        ticket(6, TS, P4, Status.OPEN, None, at(23, 8, 59, 59)),
        timer(6, "response", started=at(23, 8, 59, 59), due=at(23, 11)),
        timer(6, "resolution", started=at(23, 8, 59, 59), target=None),  # no target: counts nowhere
        timer(6, "stale", started=at(23, 8, 59, 59), due=at(24, 8, 59, 59)),
        # T7: old service task; review due one second after the horizon; stale since Thursday 16:00.
        ticket(7, ST, None, Status.OPEN, BOB, at(10, 9)),
        timer(7, "response", started=at(10, 9), stopped=at(10, 9, 15)),
        timer(7, "review", started=at(10, 9), due=at(23, 11, 0, 1)),
        timer(7, "stale", started=at(19, 16), due=at(20, 16)),
        # T8: waiting on the requester the longest (since Fri 13th).
        ticket(8, SQ, None, Status.AWAITING_INFO, ALICE, at(12, 10), status_changed=at(13, 11)),
        timer(8, "review", started=at(12, 10), paused=True),
        # T9: closed P1, resolved Friday; review and resolution met in the period; a leftover running
        # stale timer must not list a closed ticket.
        ticket(9, TS, P1, Status.CLOSED, ALICE, at(19, 9), resolved=at(20, 12)),
        timer(9, "response", started=at(19, 9), stopped=at(19, 9, 10)),
        timer(9, "review", started=at(19, 9), stopped=at(20, 11)),
        timer(9, "resolution", started=at(19, 9), stopped=at(20, 12)),
        timer(9, "stale", started=at(19, 9), due=at(20, 12)),
        # T10: resolved (awaiting sign-off) this morning, resolution missed; still open.
        ticket(10, TS, P2, Status.AWAITING_SIGN_OFF, BOB, at(18, 9), resolved=at(23, 8), status_changed=at(23, 8)),
        timer(10, "response", started=at(18, 9), stopped=at(18, 9, 5)),
        timer(10, "resolution", started=at(18, 9), stopped=at(23, 8), breached=True),
        # T11: closed last Thursday; its review stopped on the daily period's first instant.
        ticket(11, SQ, None, Status.CLOSED, BOB, at(17, 9), resolved=at(19, 10)),
        timer(11, "response", started=at(17, 9), stopped=at(17, 9, 5)),
        timer(11, "review", started=at(17, 9), stopped=at(20, 9)),
        timer(11, "resolution", started=at(17, 9), stopped=at(19, 10)),
        # T12: response stopped exactly now (after the period); a stopped clock without a target counts nowhere.
        ticket(12, TS, P3, Status.IN_PROGRESS, ALICE, at(23, 8, 30)),
        timer(12, "response", started=at(23, 8, 30), stopped=NOW, breached=True),
        timer(12, "review", started=at(21, 10), stopped=at(21, 10), breached=True, target=None),
        timer(12, "resolution", started=at(23, 8, 30), due=at(24, 8, 30)),
        # T13: created on the weekly period's first instant, resolved on the daily period's first instant.
        ticket(13, TS, P4, Status.CLOSED, ALICE, at(16, 9), resolved=at(20, 9)),
        timer(13, "response", started=at(16, 9), stopped=at(16, 9, 10)),
        # T14: created a second before the weekly period, resolved exactly now; response missed on Friday.
        ticket(14, TS, P4, Status.CLOSED, BOB, at(16, 8, 59, 59), resolved=NOW),
        timer(14, "response", started=at(16, 8, 59, 59), stopped=at(20, 15), breached=True),
        # T15: created exactly now (outside both periods); response due in half an hour.
        ticket(15, SQ, None, Status.OPEN, None, NOW),
        timer(15, "response", started=NOW, due=at(23, 9, 30)),
        # T16: a P1 nobody has touched since Thursday: all three clocks breached.
        ticket(16, TS, P1, Status.OPEN, BOB, at(19, 15), title="VPN down for everyone"),
        timer(16, "response", started=at(19, 15), due=at(20, 8, 30)),
        timer(16, "review", started=at(19, 15), due=at(20, 9, 30)),
        timer(16, "resolution", started=at(19, 15), due=at(20, 12, 30)),
    ]


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    migrate(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def desk(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with sessions.begin() as session:
        rows = desk_rows()
        session.add_all(row for row in rows if isinstance(row, TicketRow))
        session.flush()
        session.add_all(row for row in rows if isinstance(row, SlaTimerRow))
    return sessions


def digest_of(sessions: sessionmaker[Session], kind: DigestKind, *, limit: int = 10, now: datetime = NOW) -> Digest:
    with sessions() as session:
        return build_digest(reports=SqlReports(session), kind=kind, now=now, calendar=CALENDAR, limit=limit)


def line(
    id: int,
    type: TicketType,
    priority: Priority | None,
    status: Status,
    assignee: str | None,
    when: datetime,
    *clocks: SlaClock,
    title: str | None = None,
) -> TicketLine:
    return TicketLine(id, type, priority, status, assignee, title or f"Ticket {id}", when, clocks)


T1 = line(1, TS, P1, Status.IN_PROGRESS, ALICE, at(20, 13), RESOLUTION, title="Checkout <down> & out")
T2 = line(2, TS, P2, Status.UNDER_INVESTIGATION, BOB, at(23, 8, 59, 59), REVIEW)
T3 = line(3, SQ, None, Status.OPEN, ALICE, at(23, 8, 30), RESPONSE)
T16 = line(16, TS, P1, Status.OPEN, BOB, at(20, 8, 30), RESPONSE, REVIEW, RESOLUTION, title="VPN down for everyone")
SOON_T3 = line(3, SQ, None, Status.OPEN, ALICE, at(23, 9, 0, 1), REVIEW)
SOON_T15 = line(15, SQ, None, Status.OPEN, None, at(23, 9, 30), RESPONSE)
SOON_T6 = line(6, TS, P4, Status.OPEN, None, at(23, 11), RESPONSE)
STALE_T4 = TicketLine(4, GDPR, None, Status.IN_PROGRESS, BOB, None, at(18, 10))  # no title: private
STALE_T7 = line(7, ST, None, Status.OPEN, BOB, at(19, 16))
STALE_T2 = line(2, TS, P2, Status.UNDER_INVESTIGATION, BOB, at(20, 9))
WAITING_T8 = line(8, SQ, None, Status.AWAITING_INFO, ALICE, at(13, 11))
WAITING_T5 = line(5, TS, P3, Status.AWAITING_INFO, ALICE, at(20, 15))
# (assignee, open, P1/P2, breached, stale): Alice T1 T3 T5 T8 T12; Bob T2 T4 T7 T10 T16; nobody T6 T15.
LOAD = (AssigneeLoad(ALICE, 5, 1, 2, 0), AssigneeLoad(BOB, 5, 3, 2, 3), AssigneeLoad(None, 2, 0, 0, 0))


def test_the_daily_digest_on_a_monday_covers_from_friday_and_every_figure_is_right(
    desk: sessionmaker[Session],
) -> None:
    digest = digest_of(desk, DigestKind.DAILY)

    assert (digest.period_start, digest.period_end, digest.now) == (at(20, 9), NOW, NOW)
    assert digest.soon_until == at(23, 11)
    assert dict(digest.open_by_priority_status) == {
        (P1, Status.IN_PROGRESS): 1,
        (P1, Status.OPEN): 1,
        (P2, Status.UNDER_INVESTIGATION): 1,
        (P2, Status.AWAITING_SIGN_OFF): 1,
        (P3, Status.AWAITING_INFO): 1,
        (P3, Status.IN_PROGRESS): 1,
        (P4, Status.OPEN): 1,
        (None, Status.OPEN): 3,
        (None, Status.IN_PROGRESS): 1,
        (None, Status.AWAITING_INFO): 1,
    }
    assert digest.open_total == 12
    assert (digest.created, digest.resolved) == (4, 3)  # created T1 T3 T6 T12; resolved T9 T10 T13
    assert digest.sla == (
        ClockAchievement(RESPONSE, met=1, missed=1),  # T1 met; T14 missed (T12 stopped at now: outside)
        ClockAchievement(REVIEW, met=2, missed=1),  # T9 and T11 (on the first instant) met; T1 missed
        ClockAchievement(RESOLUTION, met=1, missed=1),  # T9 met; T10 missed
    )
    assert [a.percent for a in digest.sla] == [50.0, pytest.approx(200 / 3), 50.0]

    assert digest.breached.items == (T16, T1, T2, T3)  # P1s first, then by how long overdue; no priority last
    assert digest.breached.total == 4
    assert digest.about_to_breach.items == (SOON_T3, SOON_T15, SOON_T6)  # soonest first; T7 is a second too late
    assert digest.about_to_breach.total == 3
    assert digest.stale.items == (STALE_T4, STALE_T7, STALE_T2)  # longest silence first; closed T9 never
    assert digest.stale.total == 3
    assert digest.awaiting_requester.items == (WAITING_T8, WAITING_T5)
    assert digest.awaiting_requester.total == 2
    assert digest.load.items == LOAD
    assert digest.load.total == 3


def test_the_weekly_digest_counts_seven_days(desk: sessionmaker[Session]) -> None:
    digest = digest_of(desk, DigestKind.WEEKLY)

    assert (digest.period_start, digest.period_end) == (at(16, 9), NOW)
    # Created: T1-T6, T9-T13 and T16 (T13 on the first instant; T14 a second early; T15 at the end).
    assert (digest.created, digest.resolved) == (12, 4)  # resolved T9 T10 T11 T13; T14 at now is outside
    assert digest.sla == (
        ClockAchievement(RESPONSE, met=7, missed=1),  # T1 T2 T5 T9 T10 T11 T13 met; T14 missed
        ClockAchievement(REVIEW, met=2, missed=1),
        ClockAchievement(RESOLUTION, met=2, missed=1),  # T9 T11 met; T10 missed
    )
    assert [a.percent for a in digest.sla] == [87.5, pytest.approx(200 / 3), pytest.approx(200 / 3)]
    # What is open and what needs attention does not depend on the period.
    assert digest.breached.items == (T16, T1, T2, T3)
    assert digest.load.items == LOAD


def test_lists_are_capped_but_keep_their_true_totals(desk: sessionmaker[Session]) -> None:
    digest = digest_of(desk, DigestKind.DAILY, limit=2)

    assert (digest.breached.items, digest.breached.total, digest.breached.more) == ((T16, T1), 4, 2)
    assert (digest.about_to_breach.items, digest.about_to_breach.total) == ((SOON_T3, SOON_T15), 3)
    assert (digest.stale.items, digest.stale.total) == ((STALE_T4, STALE_T7), 3)
    assert (digest.awaiting_requester.items, digest.awaiting_requester.more) == ((WAITING_T8, WAITING_T5), 0)
    assert (digest.load.items, digest.load.total) == (LOAD[:2], 3)


def test_a_gdpr_request_shows_only_its_reference(desk: sessionmaker[Session]) -> None:
    digest = digest_of(desk, DigestKind.DAILY)
    assert digest.stale.items[0] == STALE_T4 and digest.stale.items[0].title is None

    message = json.dumps(digest_message(digest, prefix="SUP", zone=LONDON))
    assert "*SUP-4*" in message
    assert "Jane Doe" not in message and "U9JANE" not in message
    assert "U7RIYA" not in message  # no requester at all: the digest names assignees only
    assert "Checkout &lt;down&gt; &amp; out" in message  # other titles appear, escaped


def test_later_in_the_day_the_lists_move_on(desk: sessionmaker[Session]) -> None:
    """At 10:00 T3's review and T15's response have breached; T6 and T7 are now within two working hours."""
    digest = digest_of(desk, DigestKind.DAILY, now=at(23, 10))

    assert (digest.period_start, digest.soon_until) == (at(20, 9), at(23, 12))
    assert [t.ticket_id for t in digest.breached.items] == [16, 1, 2, 3, 15]
    assert digest.breached.items[3].clocks == (RESPONSE, REVIEW)  # T3: both clocks, soonest due first
    assert [(t.ticket_id, t.at) for t in digest.about_to_breach.items] == [(6, at(23, 11)), (7, at(23, 11, 0, 1))]
    assert [t.ticket_id for t in digest.stale.items] == [4, 7, 2]


def test_an_empty_desk_has_zeros_and_no_percentages(sessions: sessionmaker[Session]) -> None:
    digest = digest_of(sessions, DigestKind.DAILY)

    assert (digest.open_total, digest.created, digest.resolved) == (0, 0, 0)
    assert dict(digest.open_by_priority_status) == {}
    assert [(a.met, a.missed, a.percent) for a in digest.sla] == [(0, 0, None)] * 3
    for listing in (digest.breached, digest.about_to_breach, digest.stale, digest.awaiting_requester, digest.load):
        assert (listing.items, listing.total) == ((), 0)


@pytest.mark.parametrize(
    ("now", "start"),
    [
        pytest.param(at(23, 9), at(20, 9), id="monday-covers-from-friday"),
        pytest.param(at(23, 7, 30), at(20, 9), id="monday-before-opening"),
        pytest.param(at(24, 9), at(23, 9), id="tuesday-covers-monday"),
        pytest.param(at(22, 12), at(20, 9), id="sunday-covers-friday"),
        pytest.param(at(21, 9), at(20, 9), id="saturday-covers-friday"),
        pytest.param(at(24, 8, 59), at(23, 9), id="before-digest-time-still-previous-day"),
    ],
)
def test_the_daily_period_starts_at_the_digest_time_of_the_previous_working_day(now: datetime, start: datetime) -> None:
    assert digest_period(kind=DigestKind.DAILY, now=now, calendar=CALENDAR) == (start, now)


def test_the_daily_period_skips_closed_dates_and_follows_daylight_saving() -> None:
    bank_holiday = WorkingCalendar.weekdays(zone=LONDON, closed_dates=[date(2026, 11, 23)])
    tuesday = at(24, 9)
    assert digest_period(kind=DigestKind.DAILY, now=tuesday, calendar=bank_holiday) == (at(20, 9), tuesday)
    # Monday 30 Mar 2026 09:00 BST is 08:00 UTC; the Friday before, 09:00 GMT is 09:00 UTC.
    monday_bst = datetime(2026, 3, 30, 8, tzinfo=UTC)
    friday_gmt = datetime(2026, 3, 27, 9, tzinfo=UTC)
    assert digest_period(kind=DigestKind.DAILY, now=monday_bst, calendar=CALENDAR) == (friday_gmt, monday_bst)
    # A custom digest time, in local time.
    assert digest_period(kind=DigestKind.DAILY, now=tuesday, calendar=CALENDAR, digest_time=time(8, 30)) == (
        at(23, 8, 30),
        tuesday,
    )
    assert digest_period(kind=DigestKind.WEEKLY, now=tuesday, calendar=CALENDAR) == (at(17, 9), tuesday)


class FakeReports:
    """ReportQueries with canned answers: the ranking of the load is the core's, whatever storage returns."""

    def open_counts(self) -> list[OpenCount]:
        return [
            OpenCount(P1, Status.OPEN, "U3CAROL", 2),
            OpenCount(None, Status.OPEN, None, 1),
            OpenCount(P2, Status.IN_PROGRESS, None, 2),
            OpenCount(P3, Status.OPEN, "U3CAROL", 1),
            OpenCount(P4, Status.AWAITING_INFO, ALICE, 3),
            OpenCount(P2, Status.OPEN, BOB, 1),
        ]

    def created_between(self, start: datetime, end: datetime) -> int:
        return 0

    def resolved_between(self, start: datetime, end: datetime) -> int:
        return 0

    def clock_outcomes(self, start: datetime, end: datetime) -> dict[SlaClock, tuple[int, int]]:
        return {REVIEW: (3, 1)}

    def overdue(self, now: datetime, *, limit: int) -> Overdue:
        return Overdue(Capped((), 4), Capped((), 1), {"U3CAROL": 2, None: 2}, {ALICE: 1})

    def due_between(self, after: datetime, until: datetime, *, limit: int) -> Capped[TicketLine]:
        return Capped((), 0)

    def awaiting_requester(self, *, limit: int) -> Capped[TicketLine]:
        return Capped((), 0)


def test_the_load_ranks_the_busiest_first_and_unassigned_before_others_as_busy() -> None:
    digest = build_digest(reports=FakeReports(), kind=DigestKind.DAILY, now=NOW, calendar=CALENDAR, limit=3)

    assert digest.load.items == (
        AssigneeLoad(None, 3, 2, 2, 0),  # 3 open, like Alice and Carol: unassigned work comes first
        AssigneeLoad(ALICE, 3, 0, 0, 1),
        AssigneeLoad("U3CAROL", 3, 2, 2, 0),
    )
    assert digest.load.total == 4  # Bob is counted in "...and 1 more"
    assert digest.open_by_priority_status[(P2, Status.OPEN)] == 1 and digest.open_total == 10
    assert digest.sla == (
        ClockAchievement(RESPONSE, 0, 0),
        ClockAchievement(REVIEW, 3, 1),
        ClockAchievement(RESOLUTION, 0, 0),
    )
