"""Handover policy tables: which handovers are due, who hands over to whom, which tickets move, reminders.

Reference points (Europe/London): 2026-11-02 is a Monday, GMT (UTC+0) until 2027-03-28 01:00 UTC, then BST.
Weekly rota A, B, C (1st line) and D, E (2nd line) from Mon 2026-11-02 09:00: the week of Mon 30 Nov is
shift 4, so 1st line B (after A) and 2nd line D (after E).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import pytest

from rota.calendar import WorkingCalendar
from rota.handover import (
    CATCH_UP,
    HandoverDue,
    HeldTicket,
    duty_changes,
    handovers_due,
    on_duty_now,
    period_word,
    plan_ticket_moves,
    reminder_time,
    reminders_due,
)
from rota.roster import Leave, Override, Rota
from rota.rotation import Handover
from tests.fakes import FIRST, LONDON, SECOND, make_rota, make_rotation

DAILY_0900 = Handover(time(9, 0))
CALENDAR = WorkingCalendar.weekdays(zone=LONDON)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def weekly_rota(*, overrides: Iterable[Override] = (), leave: Iterable[Leave] = ()) -> Rota:
    return make_rota(("A", "B", "C"), ("D", "E"), leads=("L",), overrides=overrides, leave=leave)


def daily_rota() -> Rota:
    return make_rota(make_rotation(period_days=1, handover=DAILY_0900), None, leads=())


MONDAY_30 = local(2026, 11, 30, 9)


def summary(handovers: list[HandoverDue]) -> list[tuple[str, datetime, str | None, str | None]]:
    return [(h.line.value, h.at, h.outgoing, h.incoming) for h in handovers]


# -- which handovers, and who hands over to whom -----------------------------------------------


@pytest.mark.parametrize(
    ("rota", "since", "now", "expected"),
    [
        pytest.param(
            weekly_rota(),
            None,
            MONDAY_30 - timedelta(seconds=1),
            [],
            id="weekly-a-second-before",
        ),
        pytest.param(
            weekly_rota(),
            None,
            MONDAY_30,
            [("first_line", MONDAY_30, "A", "B"), ("second_line", MONDAY_30, "E", "D")],
            id="weekly-both-lines-at-the-instant",
        ),
        pytest.param(
            weekly_rota(),
            MONDAY_30,
            MONDAY_30 + timedelta(minutes=5),
            [],
            id="weekly-already-looked-at",
        ),
        pytest.param(
            weekly_rota(),
            None,
            MONDAY_30 + CATCH_UP - timedelta(minutes=1),
            [("first_line", MONDAY_30, "A", "B"), ("second_line", MONDAY_30, "E", "D")],
            id="weekly-caught-up-within-12h",
        ),
        pytest.param(
            weekly_rota(),
            local(2026, 11, 29),
            MONDAY_30 + CATCH_UP + timedelta(seconds=1),
            [],
            id="weekly-too-old-to-replay",
        ),
        pytest.param(
            weekly_rota(),
            None,
            local(2027, 3, 29, 9),
            [("first_line", local(2027, 3, 29, 9), "C", "A"), ("second_line", local(2027, 3, 29, 9), "D", "E")],
            id="dst-week-handover-stays-at-09-local",
        ),
        pytest.param(
            daily_rota(),
            local(2026, 11, 27, 12),
            local(2026, 11, 30, 9, 30),
            [("first_line", local(2026, 11, 30, 9), "A", "B")],
            id="daily-after-a-weekend-only-the-last-12h",
        ),
        pytest.param(
            daily_rota(),
            local(2026, 11, 28, 8),
            local(2026, 11, 28, 9),
            [("first_line", local(2026, 11, 28, 9), "B", "C")],
            id="daily-on-a-saturday",
        ),
    ],
)
def test_handovers_due(
    rota: Rota, since: datetime | None, now: datetime, expected: list[tuple[str, datetime, str, str]]
) -> None:
    assert summary(handovers_due(rota, since=since, now=now)) == expected


def test_the_dst_handover_is_at_08_utc_after_the_clocks_go_forward() -> None:
    (first, _) = handovers_due(weekly_rota(), since=None, now=local(2027, 3, 29, 9))
    assert first.at == datetime(2027, 3, 29, 8, tzinfo=UTC)
    assert first.key == "handover:first_line:2027-03-29T08:00:00+00:00"


def test_leave_moves_the_incoming_member_to_the_next_in_order() -> None:
    rota = weekly_rota(leave=[Leave.for_days("B", date(2026, 11, 30), date(2026, 12, 4), LONDON)])
    (first, _) = handovers_due(rota, since=None, now=MONDAY_30)
    assert (first.outgoing, first.incoming) == ("A", "C")


def test_an_override_starting_at_the_handover_is_the_incoming_member() -> None:
    swap = Override(FIRST, "Z", MONDAY_30, MONDAY_30 + timedelta(days=7), replaces="B")
    (first, _) = handovers_due(weekly_rota(overrides=[swap]), since=None, now=MONDAY_30)
    assert (first.outgoing, first.incoming, first.until) == ("A", "Z", MONDAY_30 + timedelta(days=7))


def test_an_override_across_the_handover_keeps_the_same_person_on_both_sides() -> None:
    cover = Override(FIRST, "Z", MONDAY_30 - timedelta(hours=2), MONDAY_30 + timedelta(hours=2), replaces="A")
    (first, _) = handovers_due(weekly_rota(overrides=[cover]), since=None, now=MONDAY_30)
    assert (first.outgoing, first.incoming, first.until) == ("Z", "Z", MONDAY_30 + timedelta(hours=2))
    assert first.shift_holders == {"A", "Z"}


def test_nobody_on_duty_after_the_handover() -> None:
    away = [Leave(user, MONDAY_30, MONDAY_30 + timedelta(days=7)) for user in ("A", "B", "C")]
    (first, second) = handovers_due(weekly_rota(leave=away), since=None, now=MONDAY_30)
    assert (first.outgoing, first.incoming, first.leaves_nobody, first.until) == ("A", None, True, None)
    assert not second.leaves_nobody


def test_the_period_word_and_who_is_on_for_the_triage_post() -> None:
    assert [period_word(n) for n in (1, 7, 3)] == ["Today", "This week", "From now"]
    assert on_duty_now(weekly_rota(), MONDAY_30) == {FIRST: "B", SECOND: "D"}
    assert handovers_due(daily_rota(), since=None, now=MONDAY_30)[0].period_days == 1


# -- which tickets move -------------------------------------------------------------------------


def handover(*, outgoing: str | None = "A", incoming: str | None = "B", holders: set[str] | None = None) -> HandoverDue:
    return HandoverDue(
        line=FIRST,
        at=MONDAY_30,
        outgoing=outgoing,
        incoming=incoming,
        until=None,
        period_days=7,
        shift_holders=frozenset({"A"} if holders is None else holders),
    )


@pytest.mark.parametrize(
    ("ticket", "moves"),
    [
        pytest.param(HeldTicket(1, "A", acknowledged=False), True, id="outgoing-unacknowledged-moves"),
        pytest.param(HeldTicket(2, "A", acknowledged=True), False, id="outgoing-acknowledged-stays"),
        pytest.param(HeldTicket(3, None, acknowledged=False), True, id="unassigned-goes-to-incoming"),
        pytest.param(HeldTicket(4, "Q", acknowledged=False), False, id="someone-elses-stays"),
        pytest.param(HeldTicket(5, "B", acknowledged=False), False, id="already-with-incoming"),
        pytest.param(HeldTicket(6, "LEAD", acknowledged=True), False, id="lead-took-it"),
    ],
)
def test_ticket_moves_at_a_handover(ticket: HeldTicket, moves: bool) -> None:
    plan = plan_ticket_moves(handover(), [ticket])
    assert (ticket.id in plan.move, ticket.id in plan.keep) == (moves, not moves)


def test_a_mid_shift_covers_unacknowledged_tickets_move_too() -> None:
    plan = plan_ticket_moves(handover(holders={"A", "Z"}), [HeldTicket(1, "Z", False), HeldTicket(2, "Z", True)])
    assert (plan.move, plan.keep) == ((1,), (2,))


def test_with_nobody_incoming_nothing_moves() -> None:
    tickets = [HeldTicket(1, "A", False), HeldTicket(2, None, False)]
    assert plan_ticket_moves(handover(incoming=None), tickets).move == ()


# -- user groups follow the person on duty --------------------------------------------------------


def test_duty_changes_include_covers_not_only_handovers() -> None:
    wednesday = local(2026, 12, 2, 12)
    cover = Override(FIRST, "Z", wednesday, wednesday + timedelta(hours=4), replaces="B")
    rota = weekly_rota(overrides=[cover])
    assert [(c.at, c.user_id) for c in duty_changes(rota, FIRST, since=None, now=MONDAY_30)] == [(MONDAY_30, "B")]
    later = duty_changes(rota, FIRST, since=MONDAY_30, now=wednesday + timedelta(hours=5))
    assert [(c.at, c.user_id) for c in later] == [(wednesday, "Z"), (wednesday + timedelta(hours=4), "B")]
    assert later[0].key == "usergroup:first_line:2026-12-02T12:00:00+00:00"
    assert duty_changes(rota, FIRST, since=None, now=MONDAY_30 - timedelta(minutes=1)) == []


# -- shift reminders: the working day before ------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_at", "closed", "expected"),
    [
        pytest.param(MONDAY_30, (), local(2026, 11, 27, 8), id="monday-shift-friday-opening"),
        pytest.param(MONDAY_30, (date(2026, 11, 27),), local(2026, 11, 26, 8), id="friday-bank-holiday-thursday"),
        pytest.param(local(2026, 12, 1, 7), (), local(2026, 11, 30, 8), id="before-opening-still-day-before"),
        pytest.param(local(2026, 11, 29, 9), (), local(2026, 11, 27, 8), id="sunday-shift-friday"),
        pytest.param(local(2027, 3, 29, 9), (), local(2027, 3, 26, 8), id="across-dst"),
        pytest.param(
            local(2027, 1, 4, 9), (date(2026, 12, 31), date(2027, 1, 1)), local(2026, 12, 30, 8), id="new-year"
        ),
    ],
)
def test_reminder_time(starts_at: datetime, closed: tuple[date, ...], expected: datetime) -> None:
    calendar = WorkingCalendar.weekdays(zone=LONDON, closed_dates=closed)
    assert reminder_time(starts_at, calendar) == expected


def test_reminders_are_due_from_the_working_day_before_until_the_shift_starts() -> None:
    rota = weekly_rota()
    assert reminders_due(rota, CALENDAR, now=local(2026, 11, 27, 7, 59)) == []
    due = reminders_due(rota, CALENDAR, now=local(2026, 11, 27, 8))
    assert [(r.line, r.user_id, r.starts_at, r.ends_at) for r in due] == [
        (FIRST, "B", MONDAY_30, MONDAY_30 + timedelta(days=7)),
        (SECOND, "D", MONDAY_30, MONDAY_30 + timedelta(days=7)),
    ]
    assert due[0].key == "shift-reminder:first_line:B:2026-11-30T09:00:00+00:00"
    assert len(reminders_due(rota, CALENDAR, now=MONDAY_30 - timedelta(minutes=1))) == 2  # late, still useful
    assert reminders_due(rota, CALENDAR, now=MONDAY_30) == []  # the shift has begun: too late


def test_a_cover_gets_its_own_reminder_and_leave_cover_names_who_actually_comes_in() -> None:
    thursday = local(2026, 12, 3, 9)
    cover = Override(FIRST, "Z", thursday, thursday + timedelta(hours=8), replaces="B")
    away = Leave.for_days("B", date(2026, 11, 30), date(2026, 12, 1), LONDON)
    rota = weekly_rota(overrides=[cover], leave=[away])
    on_friday = {(r.user_id, r.starts_at) for r in reminders_due(rota, CALENDAR, now=local(2026, 11, 27, 8))}
    assert ("C", MONDAY_30) in on_friday and ("B", MONDAY_30) not in on_friday
    on_wednesday = {(r.user_id, r.starts_at) for r in reminders_due(rota, CALENDAR, now=local(2026, 12, 2, 8))}
    assert ("Z", thursday) in on_wednesday
