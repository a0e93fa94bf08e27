"""Rotation arithmetic: who is on duty when, across handovers, weekends and both DST changes.

Expected values are worked out by hand. Reference points (Europe/London):
- 2026-11-02 is a Monday; GMT (UTC+0) until 2027-03-28 01:00 UTC, then BST (UTC+1)
  until 2027-10-31 01:00 UTC. 2026-10-25 was the previous autumn change.
- Weekly rota A, B, C from 2026-11-02: shift n starts on 2026-11-02 + 7n days at 09:00 local
  and belongs to members[n % 3]. 2027-03-29 is shift 21 (147 days), 2027-11-01 is shift 52 (364 days).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest

from rota.roster import Rota
from rota.rotation import (
    Handover,
    RotaError,
    Rotation,
    SupportLine,
    parse_handover,
    parse_rotation_period,
)
from tests.fakes import LONDON, MON_0900, make_rotation

MEMBERS = ("A", "B", "C")  # make_rotation's by default
DAILY_0900 = Handover(at=time(9, 0))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


WEEKLY = make_rotation()


# --- weekly rota, Monday 09:00 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(utc(2025, 1, 1, 12, 0), None, id="long-before-start"),
        pytest.param(utc(2026, 10, 26, 10, 0), None, id="week-before-start"),
        pytest.param(utc(2026, 11, 2, 8, 59, 59), None, id="second-before-first-handover"),
        pytest.param(utc(2026, 11, 2, 9, 0), "A", id="at-first-handover"),
        pytest.param(utc(2026, 11, 2, 9, 0, 1), "A", id="just-after-first-handover"),
        pytest.param(utc(2026, 11, 8, 23, 59, 59), "A", id="sunday-night-still-A"),
        pytest.param(utc(2026, 11, 9, 8, 59, 59), "A", id="monday-before-handover-still-A"),
        pytest.param(utc(2026, 11, 9, 9, 0), "B", id="at-second-handover"),
        pytest.param(utc(2026, 11, 12, 15, 0), "B", id="mid-week-B"),
        pytest.param(utc(2026, 11, 16, 9, 0), "C", id="third-week-C"),
        pytest.param(utc(2026, 11, 23, 8, 59, 59), "C", id="before-wrap"),
        pytest.param(utc(2026, 11, 23, 9, 0), "A", id="wraps-to-A"),
        pytest.param(utc(2028, 1, 3, 9, 0), "B", id="shift-61-far-future"),
    ],
)
def test_weekly_on_duty_around_handovers(at: datetime, expected: str | None) -> None:
    assert WEEKLY.on_duty(at) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Spring forward: Sun 2027-03-28. Shift 20 (C) began Mon 03-22 09:00 GMT = 09:00 UTC.
        pytest.param(utc(2027, 3, 22, 8, 59, 59), "B", id="spring-week-before-B"),
        pytest.param(utc(2027, 3, 22, 9, 0), "C", id="spring-week-before-C"),
        pytest.param(utc(2027, 3, 29, 7, 59, 59), "C", id="spring-08:59:59-BST"),
        pytest.param(utc(2027, 3, 29, 8, 0), "A", id="spring-09:00-BST-is-08:00-UTC"),
        pytest.param(utc(2027, 3, 29, 8, 30), "A", id="spring-09:30-BST"),
        pytest.param(datetime(2027, 3, 29, 8, 59, tzinfo=LONDON), "C", id="spring-local-08:59"),
        pytest.param(datetime(2027, 3, 29, 9, 0, tzinfo=LONDON), "A", id="spring-local-09:00"),
        # Autumn back: Sun 2027-10-31. Shift 51 (A) began Mon 10-25 09:00 BST = 08:00 UTC.
        pytest.param(utc(2027, 10, 25, 7, 59, 59), "C", id="autumn-week-before-C"),
        pytest.param(utc(2027, 10, 25, 8, 0), "A", id="autumn-week-before-A"),
        pytest.param(utc(2027, 11, 1, 8, 0), "A", id="autumn-08:00-GMT-still-A"),
        pytest.param(utc(2027, 11, 1, 8, 59, 59), "A", id="autumn-08:59:59-GMT"),
        pytest.param(utc(2027, 11, 1, 9, 0), "B", id="autumn-09:00-GMT-is-09:00-UTC"),
    ],
)
def test_weekly_handover_stays_at_0900_local_across_dst(at: datetime, expected: str) -> None:
    assert WEEKLY.on_duty(at) == expected


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (-2, utc(2026, 10, 19, 8, 0)),  # BST
        (-1, utc(2026, 10, 26, 9, 0)),  # GMT, the day after 2026-10-25
        (0, utc(2026, 11, 2, 9, 0)),
        (1, utc(2026, 11, 9, 9, 0)),
        (20, utc(2027, 3, 22, 9, 0)),
        (21, utc(2027, 3, 29, 8, 0)),  # first Monday of BST
        (51, utc(2027, 10, 25, 8, 0)),  # last Monday of BST
        (52, utc(2027, 11, 1, 9, 0)),  # first Monday of GMT
    ],
)
def test_weekly_shift_start_instants(index: int, expected: datetime) -> None:
    assert WEEKLY.shift_start(index) == expected


def test_shift_spanning_spring_forward_is_an_hour_short() -> None:
    shift = WEEKLY.shift_at(utc(2027, 3, 25, 12, 0))
    assert shift is not None
    assert (shift.index, shift.member) == (20, "C")
    assert shift.starts_at == utc(2027, 3, 22, 9, 0)
    assert shift.ends_at == utc(2027, 3, 29, 8, 0)
    assert shift.ends_at - shift.starts_at == timedelta(days=6, hours=23)


def test_shift_spanning_autumn_back_is_an_hour_long() -> None:
    shift = WEEKLY.shift_at(utc(2027, 10, 28, 12, 0))
    assert shift is not None
    assert (shift.index, shift.member) == (51, "A")
    assert shift.starts_at == utc(2027, 10, 25, 8, 0)
    assert shift.ends_at == utc(2027, 11, 1, 9, 0)
    assert shift.ends_at - shift.starts_at == timedelta(days=7, hours=1)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Rota started Mon 2026-10-19 09:00 BST (08:00 UTC); clocks went back Sun 2026-10-25.
        pytest.param(utc(2026, 10, 19, 7, 59, 59), None, id="before-start-in-BST"),
        pytest.param(utc(2026, 10, 19, 8, 0), "A", id="start-09:00-BST"),
        pytest.param(utc(2026, 10, 26, 8, 30), "A", id="08:30-GMT-still-A"),
        pytest.param(utc(2026, 10, 26, 8, 59, 59), "A", id="08:59:59-GMT-still-A"),
        pytest.param(utc(2026, 10, 26, 9, 0), "B", id="09:00-GMT-B"),
    ],
)
def test_weekly_handover_across_autumn_2026(at: datetime, expected: str | None) -> None:
    rotation = make_rotation(start=date(2026, 10, 19))
    assert rotation.on_duty(at) == expected
    assert rotation.shift_start(1) == utc(2026, 10, 26, 9, 0)


# --- daily and every-N-days rotas ----------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Start Fri 2026-11-06; Saturday and Sunday are shifts like any other day.
        pytest.param(utc(2026, 11, 6, 8, 59, 59), None, id="fri-before-start"),
        pytest.param(utc(2026, 11, 6, 9, 0), "A", id="fri-09:00"),
        pytest.param(utc(2026, 11, 7, 8, 59, 59), "A", id="sat-08:59:59"),
        pytest.param(utc(2026, 11, 7, 9, 0), "B", id="sat-09:00"),
        pytest.param(utc(2026, 11, 8, 9, 0), "C", id="sun-09:00"),
        pytest.param(utc(2026, 11, 8, 23, 0), "C", id="sun-23:00"),
        pytest.param(utc(2026, 11, 9, 8, 59, 59), "C", id="mon-08:59:59"),
        pytest.param(utc(2026, 11, 9, 9, 0), "A", id="mon-09:00"),
        pytest.param(utc(2026, 11, 10, 9, 0), "B", id="tue-09:00"),
    ],
)
def test_daily_rotation_runs_through_the_weekend(at: datetime, expected: str | None) -> None:
    rotation = make_rotation(period_days=1, handover=DAILY_0900, start=date(2026, 11, 6))
    assert rotation.on_duty(at) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Start Fri 2027-03-26: A Fri, B Sat, C Sun 03-28 09:00 BST = 08:00 UTC.
        pytest.param(utc(2027, 3, 27, 9, 0), "B", id="sat-09:00-GMT"),
        pytest.param(utc(2027, 3, 28, 7, 59, 59), "B", id="sun-08:59:59-BST"),
        pytest.param(utc(2027, 3, 28, 8, 0), "C", id="sun-09:00-BST"),
        pytest.param(utc(2027, 3, 29, 8, 0), "A", id="mon-09:00-BST"),
    ],
)
def test_daily_rotation_across_spring_forward(at: datetime, expected: str) -> None:
    rotation = make_rotation(period_days=1, handover=DAILY_0900, start=date(2027, 3, 26))
    assert rotation.on_duty(at) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(utc(2026, 11, 1, 12, 0), None, id="day-before-start"),
        pytest.param(utc(2026, 11, 2, 9, 0), "A", id="day-0"),
        pytest.param(utc(2026, 11, 4, 23, 0), "A", id="day-2-late"),
        pytest.param(utc(2026, 11, 5, 8, 59, 59), "A", id="day-3-before-handover"),
        pytest.param(utc(2026, 11, 5, 9, 0), "B", id="day-3-handover"),
        pytest.param(utc(2026, 11, 8, 8, 59, 59), "B", id="day-6-before-handover"),
        pytest.param(utc(2026, 11, 8, 9, 0), "C", id="day-6-handover"),
        pytest.param(utc(2026, 11, 11, 9, 0), "A", id="day-9-wraps"),
    ],
)
def test_every_three_days(at: datetime, expected: str | None) -> None:
    rotation = make_rotation(period_days=3, handover=DAILY_0900)
    assert rotation.on_duty(at) == expected


# --- DST gap and overlap handover times must not crash -------------------------------------


def test_handover_inside_spring_gap_does_not_crash() -> None:
    """01:30 does not exist in London on 2027-03-28; the handover lands inside the skipped hour's UTC span."""
    rotation = make_rotation(period_days=1, handover=Handover(at=time(1, 30)), start=date(2027, 3, 26))
    gap_shift = rotation.shift_start(2)
    assert utc(2027, 3, 28, 1, 0) <= gap_shift <= utc(2027, 3, 28, 1, 30)
    assert rotation.shift_start(1) == utc(2027, 3, 27, 1, 30)  # 01:30 GMT
    assert rotation.shift_start(3) == utc(2027, 3, 29, 0, 30)  # 01:30 BST
    assert rotation.on_duty(utc(2027, 3, 28, 0, 59, 59)) == "B"
    assert rotation.on_duty(utc(2027, 3, 28, 1, 30)) == "C"
    assert rotation.on_duty(utc(2027, 3, 29, 0, 29, 59)) == "C"
    assert rotation.on_duty(utc(2027, 3, 29, 0, 30)) == "A"
    shifts = list(rotation.shifts(utc(2027, 3, 26, 12, 0), utc(2027, 3, 30, 0, 0)))
    assert [s.member for s in shifts] == ["A", "B", "C", "A"]
    assert all(a.ends_at == b.starts_at for a, b in pairwise(shifts))


def test_handover_inside_autumn_overlap_does_not_crash() -> None:
    """01:30 happens twice in London on 2027-10-31; either instant is acceptable, the rota must stay ordered."""
    rotation = make_rotation(period_days=1, handover=Handover(at=time(1, 30)), start=date(2027, 10, 29))
    assert rotation.shift_start(2) in (utc(2027, 10, 31, 0, 30), utc(2027, 10, 31, 1, 30))
    assert rotation.shift_start(1) == utc(2027, 10, 30, 0, 30)  # 01:30 BST
    assert rotation.shift_start(3) == utc(2027, 11, 1, 1, 30)  # 01:30 GMT
    assert rotation.on_duty(utc(2027, 10, 31, 0, 29, 59)) == "B"
    assert rotation.on_duty(utc(2027, 10, 31, 1, 30)) == "C"
    shifts = list(rotation.shifts(utc(2027, 10, 29, 12, 0), utc(2027, 11, 2, 0, 0)))
    assert [s.member for s in shifts] == ["A", "B", "C", "A"]
    assert all(s.starts_at < s.ends_at for s in shifts)


# --- future start, empty rota, next_shift ---------------------------------------------------


@pytest.mark.parametrize(
    ("at", "index", "member", "starts_at"),
    [
        pytest.param(utc(2026, 10, 1, 12, 0), 0, "A", utc(2026, 11, 2, 9, 0), id="month-before-start"),
        pytest.param(utc(2026, 11, 2, 8, 59, 59), 0, "A", utc(2026, 11, 2, 9, 0), id="second-before-start"),
        pytest.param(utc(2026, 11, 3, 12, 0), 1, "B", utc(2026, 11, 9, 9, 0), id="during-first-shift"),
        pytest.param(utc(2026, 11, 9, 9, 0), 2, "C", utc(2026, 11, 16, 9, 0), id="at-handover-is-strictly-after"),
        pytest.param(utc(2026, 11, 24, 12, 0), 4, "B", utc(2026, 11, 30, 9, 0), id="second-cycle"),
        pytest.param(utc(2027, 3, 25, 12, 0), 21, "A", utc(2027, 3, 29, 8, 0), id="next-is-after-spring-forward"),
    ],
)
def test_next_shift(at: datetime, index: int, member: str, starts_at: datetime) -> None:
    shift = WEEKLY.next_shift(at)
    assert shift is not None
    assert (shift.index, shift.member, shift.starts_at) == (index, member, starts_at)
    assert shift.starts_at > at


def test_future_start_nobody_on_duty_until_it() -> None:
    at = utc(2026, 10, 1, 12, 0)
    assert WEEKLY.on_duty(at) is None
    assert WEEKLY.shift_at(at) is None
    first = WEEKLY.next_shift(at)
    assert first is not None
    assert first.ends_at == utc(2026, 11, 9, 9, 0)
    assert first.line is SupportLine.FIRST


def test_empty_members_gives_none_everywhere() -> None:
    rotation = make_rotation(members=())
    at = utc(2026, 11, 10, 12, 0)
    assert rotation.on_duty(at) is None
    assert rotation.shift_at(at) is None
    assert rotation.next_shift(at) is None
    assert list(rotation.shifts(utc(2026, 11, 1), utc(2026, 12, 1))) == []


# --- shifts(start, end) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "indices", "members"),
    [
        pytest.param(
            utc(2026, 11, 4), utc(2026, 11, 25), [0, 1, 2, 3], ["A", "B", "C", "A"], id="mid-week-to-mid-week"
        ),
        pytest.param(
            utc(2026, 11, 2, 9, 0), utc(2026, 11, 16, 9, 0), [0, 1], ["A", "B"], id="end-on-handover-excluded"
        ),
        pytest.param(utc(2026, 11, 9, 9, 0), utc(2026, 11, 9, 9, 0, 1), [1], ["B"], id="start-on-handover"),
        pytest.param(utc(2026, 10, 1), utc(2026, 11, 10), [0, 1], ["A", "B"], id="from-before-rota-start"),
        pytest.param(utc(2026, 10, 1), utc(2026, 11, 2, 9, 0), [], [], id="ends-when-rota-starts"),
        pytest.param(utc(2027, 3, 20), utc(2027, 4, 6), [19, 20, 21, 22], ["B", "C", "A", "B"], id="across-spring"),
    ],
)
def test_shifts_overlapping_a_window(start: datetime, end: datetime, indices: list[int], members: list[str]) -> None:
    shifts = list(WEEKLY.shifts(start, end))
    assert [s.index for s in shifts] == indices
    assert [s.member for s in shifts] == members
    for shift in shifts:
        assert shift.starts_at < end and shift.ends_at > start


def test_shifts_over_a_year_are_contiguous() -> None:
    shifts = list(WEEKLY.shifts(utc(2026, 11, 2, 9, 0), utc(2027, 11, 2, 0, 0)))
    assert len(shifts) == 53  # indices 0..52; shift 52 starts 2027-11-01 09:00 UTC
    assert [s.index for s in shifts] == list(range(53))
    assert all(a.ends_at == b.starts_at for a, b in pairwise(shifts))
    assert all(s.member == MEMBERS[s.index % 3] for s in shifts)
    assert {s.starts_at.astimezone(LONDON).time() for s in shifts} == {time(9, 0)}
    assert {s.starts_at.astimezone(LONDON).weekday() for s in shifts} == {0}


# --- construction rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period_days", "handover", "start"),
    [
        pytest.param(1, MON_0900, date(2026, 11, 2), id="weekday-handover-daily"),
        pytest.param(3, MON_0900, date(2026, 11, 2), id="weekday-handover-3-days"),
        pytest.param(10, MON_0900, date(2026, 11, 2), id="weekday-handover-10-days"),
        pytest.param(7, MON_0900, date(2026, 11, 3), id="start-on-tuesday"),
        pytest.param(7, MON_0900, date(2026, 11, 1), id="start-on-sunday"),
        pytest.param(0, DAILY_0900, date(2026, 11, 2), id="zero-day-shift"),
    ],
)
def test_rotation_refuses_unworkable_definitions(period_days: int, handover: Handover, start: date) -> None:
    with pytest.raises(RotaError):
        make_rotation(period_days=period_days, handover=handover, start=start)


@pytest.mark.parametrize(
    ("period_days", "handover", "start"),
    [
        pytest.param(7, MON_0900, date(2026, 11, 2), id="weekly-monday"),
        pytest.param(14, MON_0900, date(2026, 11, 2), id="fortnight-monday"),
        pytest.param(7, Handover(time(9, 0), 4), date(2026, 11, 6), id="weekly-friday"),
        pytest.param(1, DAILY_0900, date(2026, 11, 7), id="daily-starting-saturday"),
        pytest.param(7, DAILY_0900, date(2026, 11, 4), id="weekly-no-weekday-any-start"),
    ],
)
def test_rotation_accepts_workable_definitions(period_days: int, handover: Handover, start: date) -> None:
    rotation = make_rotation(period_days=period_days, handover=handover, start=start)
    assert rotation.on_duty(datetime.combine(start, time(12, 0), tzinfo=LONDON)) == "A"


def test_rota_error_is_a_value_error() -> None:
    assert issubclass(RotaError, ValueError)


# --- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon 09:00", Handover(time(9, 0), 0)),
        ("09:00", Handover(time(9, 0), None)),
        ("9:05", Handover(time(9, 5), None)),
        ("SUN 23:59", Handover(time(23, 59), 6)),
        ("Fri 17:30", Handover(time(17, 30), 4)),
        ("  tue 00:00  ", Handover(time(0, 0), 1)),
    ],
)
def test_parse_handover_accepts(text: str, expected: Handover) -> None:
    assert parse_handover(text) == expected


@pytest.mark.parametrize(
    "text",
    ["mon 25:00", "xyz 09:00", "24:00", "09:60", "mon", "", "monday 09:00", "09.00", "9am", "mon 9:0", "mon09:00"],
)
def test_parse_handover_refuses(text: str) -> None:
    with pytest.raises(RotaError):
        parse_handover(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("mon 9:05", "mon 09:05"), ("7:00", "07:00"), ("SAT 18:15", "sat 18:15")]
)
def test_handover_str_is_canonical(text: str, expected: str) -> None:
    assert str(parse_handover(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily", 1),
        ("weekly", 7),
        (" Weekly ", 7),
        ("every 3 days", 3),
        ("every 1 day", 1),
        ("Every 14 Days", 14),
    ],
)
def test_parse_rotation_period_accepts(text: str, expected: int) -> None:
    assert parse_rotation_period(text) == expected


@pytest.mark.parametrize(
    "text",
    ["every 0 days", "fortnightly", "", "every days", "every -1 days", "every 2 weeks", "3", "monthly"],
)
def test_parse_rotation_period_refuses(text: str) -> None:
    with pytest.raises(RotaError):
        parse_rotation_period(text)


# --- Rota (all lines) -----------------------------------------------------------------------


def test_rota_routes_by_line_and_knows_its_staff() -> None:
    second = Rotation(SupportLine.SECOND, ("D", "E"), 7, MON_0900, date(2026, 11, 2), LONDON)
    rota = Rota(rotations={SupportLine.FIRST: WEEKLY, SupportLine.SECOND: second}, leads=frozenset({"L"}))
    at = utc(2026, 11, 10, 12, 0)  # week 2: B on 1st line, E on 2nd
    assert rota.on_duty(SupportLine.FIRST, at) == "B"
    assert rota.on_duty(SupportLine.SECOND, at) == "E"
    assert rota.members == frozenset({"A", "B", "C", "D", "E"})
    assert [rota.is_support_staff(u) for u in ("A", "E", "L", "Z")] == [True, True, True, False]
    only_first = Rota(rotations={SupportLine.FIRST: WEEKLY})
    assert only_first.on_duty(SupportLine.SECOND, at) is None
    assert only_first.next_shift(SupportLine.SECOND, at) is None
