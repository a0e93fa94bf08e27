"""Who is on duty (rota.roster.Rota): overrides, leave, membership edits, stretches, handovers, conflicts.

Expected values are worked out by hand. Reference points (Europe/London):
- 2026-11-02 is a Monday; GMT (UTC+0) until 2027-03-28 01:00 UTC, then BST (UTC+1) until 2027-10-31 01:00 UTC.
- WEEKLY: A, B, C from Mon 2026-11-02, handover Monday 09:00 local. Shift n belongs to members[n % 3]:
  week 0 A (11-02 09:00Z), week 1 B (11-09), week 2 C (11-16), week 3 A (11-23), week 4 B (11-30).
  Shift 20 (C) starts 2027-03-22 09:00Z, shift 21 (A) 2027-03-29 08:00Z (BST), shift 51 (A) 2027-10-25 08:00Z,
  shift 52 (B) 2027-11-01 09:00Z (GMT again).
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rota.roster import LOOK_AHEAD, Duty, DutySource, Leave, Override, OverrideReason, Rota
from rota.rotation import Handover, RotaError, Rotation, SupportLine
from tests.fakes import FIRST, LONDON, MON_0900, SECOND, make_rotation
from tests.fakes import make_rota as make_desk_rota

DAILY_0900 = Handover(at=time(9, 0))
ROTA, OVERRIDE, COVER, NOBODY = DutySource.ROTA, DutySource.OVERRIDE, DutySource.LEAVE_COVER, DutySource.NOBODY
US = timedelta(microseconds=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def make_rota(
    rotation: Rotation | None = None,
    *,
    overrides: tuple[Override, ...] = (),
    leave: tuple[Leave, ...] = (),
    second: Rotation | None = None,
) -> Rota:
    """This file's rota: WEEKLY (or `rotation`) on 1st line, 2nd line only when given, lead L."""
    return make_desk_rota(rotation or make_rotation(), second, leads=("L",), overrides=overrides, leave=leave)


def days_off(user: str, first: tuple[int, int, int], last: tuple[int, int, int]) -> Leave:
    return Leave.for_days(user, date(*first), date(*last), LONDON)


def cover(
    user: str, starts_at: datetime, ends_at: datetime, *, id: int | None = None, line: SupportLine = FIRST
) -> Override:
    return Override(line, user, starts_at, ends_at, id=id)


def stretches(duties: list[Duty]) -> list[tuple[str | None, datetime, datetime, str | None, DutySource]]:
    return [(d.user_id, d.starts_at, d.ends_at, d.scheduled, d.source) for d in duties]


WEEKLY = make_rotation()


# --- DST: handovers stay at 09:00 local ---------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(utc(2027, 3, 22, 8, 59, 59), "B", id="spring-week-before-handover"),
        pytest.param(utc(2027, 3, 22, 9, 0), "C", id="spring-week-handover-09:00-GMT"),
        pytest.param(utc(2027, 3, 29, 7, 59, 59, 999999), "C", id="spring-last-microsecond-of-C"),
        pytest.param(utc(2027, 3, 29, 8, 0), "A", id="spring-09:00-BST-is-08:00Z"),
        pytest.param(utc(2027, 3, 29, 9, 0), "A", id="spring-10:00-BST"),
        pytest.param(datetime(2027, 3, 29, 8, 59, 59, tzinfo=LONDON), "C", id="spring-asked-in-local-time"),
        pytest.param(utc(2027, 10, 25, 7, 59, 59), "C", id="autumn-week-before-handover-BST"),
        pytest.param(utc(2027, 10, 25, 8, 0), "A", id="autumn-week-handover-09:00-BST"),
        pytest.param(utc(2027, 11, 1, 8, 0), "A", id="autumn-08:00-GMT-still-A"),
        pytest.param(utc(2027, 11, 1, 8, 59, 59, 999999), "A", id="autumn-last-microsecond-of-A"),
        pytest.param(utc(2027, 11, 1, 9, 0), "B", id="autumn-09:00-GMT-is-09:00Z"),
    ],
)
def test_on_duty_around_dst_handovers(at: datetime, expected: str) -> None:
    assert make_rota().on_duty(FIRST, at) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(
            utc(2027, 3, 20),
            utc(2027, 4, 6),
            [
                ("B", utc(2027, 3, 20), utc(2027, 3, 22, 9, 0)),
                ("C", utc(2027, 3, 22, 9, 0), utc(2027, 3, 29, 8, 0)),  # an hour short
                ("A", utc(2027, 3, 29, 8, 0), utc(2027, 4, 5, 8, 0)),
                ("B", utc(2027, 4, 5, 8, 0), utc(2027, 4, 6)),
            ],
            id="spring",
        ),
        pytest.param(
            utc(2027, 10, 20),
            utc(2027, 11, 3),
            [
                ("C", utc(2027, 10, 20), utc(2027, 10, 25, 8, 0)),
                ("A", utc(2027, 10, 25, 8, 0), utc(2027, 11, 1, 9, 0)),  # an hour long
                ("B", utc(2027, 11, 1, 9, 0), utc(2027, 11, 3)),
            ],
            id="autumn",
        ),
    ],
)
def test_duties_across_dst_weeks(
    start: datetime, end: datetime, expected: list[tuple[str, datetime, datetime]]
) -> None:
    duties = make_rota().duties(FIRST, start, end)
    assert [(d.user_id, d.starts_at, d.ends_at) for d in duties] == expected
    assert {d.source for d in duties} == {ROTA}


@pytest.mark.parametrize(
    ("start", "end", "instants"),
    [
        pytest.param(
            utc(2027, 3, 20),
            utc(2027, 4, 10),
            [utc(2027, 3, 22, 9), utc(2027, 3, 29, 8), utc(2027, 4, 5, 8)],
            id="spring",
        ),
        pytest.param(
            utc(2027, 10, 20),
            utc(2027, 11, 10),
            [utc(2027, 10, 25, 8), utc(2027, 11, 1, 9), utc(2027, 11, 8, 9)],
            id="autumn",
        ),
    ],
)
def test_handovers_across_dst_are_at_0900_local(start: datetime, end: datetime, instants: list[datetime]) -> None:
    handovers = make_rota().handovers(FIRST, start, end)
    assert [at for at, _ in handovers] == instants
    assert {at.astimezone(LONDON).time() for at, _ in handovers} == {time(9, 0)}


def test_leave_in_the_spring_dst_week_uses_local_midnights() -> None:
    # C is away Sat 27 and Sun 28 March 2027: 00:00 GMT Saturday to 00:00 BST Monday (23:00Z Sunday).
    rota = make_rota(leave=(days_off("C", (2027, 3, 27), (2027, 3, 28)),))
    assert stretches(rota.duties(FIRST, utc(2027, 3, 26), utc(2027, 3, 30))) == [
        ("C", utc(2027, 3, 26), utc(2027, 3, 27), "C", ROTA),
        ("A", utc(2027, 3, 27), utc(2027, 3, 28, 23), "C", COVER),
        ("C", utc(2027, 3, 28, 23), utc(2027, 3, 29, 8), "C", ROTA),
        ("A", utc(2027, 3, 29, 8), utc(2027, 3, 30), "A", ROTA),
    ]


# --- daily over a weekend, every 3 days ----------------------------------------------------------


def test_daily_rotation_over_a_weekend() -> None:
    rota = make_rota(make_rotation(period_days=1, handover=DAILY_0900, start=date(2026, 11, 6)))  # a Friday
    handovers = rota.handovers(FIRST, utc(2026, 11, 6), utc(2026, 11, 10))
    assert [(at, duty.user_id if duty else None) for at, duty in handovers] == [
        (utc(2026, 11, 6, 9), "A"),  # Fri
        (utc(2026, 11, 7, 9), "B"),  # Sat
        (utc(2026, 11, 8, 9), "C"),  # Sun
        (utc(2026, 11, 9, 9), "A"),  # Mon
    ]
    current = rota.current_duty(FIRST, utc(2026, 11, 7, 23, 0))  # Saturday night
    following = rota.next_duty(FIRST, utc(2026, 11, 7, 23, 0))
    assert current is not None and following is not None
    assert (current.user_id, current.ends_at) == ("B", utc(2026, 11, 8, 9))
    assert (following.user_id, following.starts_at, following.ends_at) == (
        "C",
        utc(2026, 11, 8, 9),
        utc(2026, 11, 9, 9),
    )


def test_every_three_days() -> None:
    rota = make_rota(make_rotation(period_days=3, handover=DAILY_0900))
    assert stretches(rota.duties(FIRST, utc(2026, 11, 2), utc(2026, 11, 12))) == [
        (None, utc(2026, 11, 2), utc(2026, 11, 2, 9), None, NOBODY),
        ("A", utc(2026, 11, 2, 9), utc(2026, 11, 5, 9), "A", ROTA),
        ("B", utc(2026, 11, 5, 9), utc(2026, 11, 8, 9), "B", ROTA),
        ("C", utc(2026, 11, 8, 9), utc(2026, 11, 11, 9), "C", ROTA),
        ("A", utc(2026, 11, 11, 9), utc(2026, 11, 12), "A", ROTA),
    ]


# --- leave ---------------------------------------------------------------------------------------

WEEK0_A_OFF = days_off("A", (2026, 11, 2), (2026, 11, 8))  # to 11-09 00:00Z, nine hours before A's shift ends


@pytest.mark.parametrize(
    ("leave", "at", "expected"),
    [
        pytest.param((WEEK0_A_OFF,), utc(2026, 11, 4, 12), ("B", "A", COVER), id="next-in-order-covers"),
        pytest.param((WEEK0_A_OFF,), utc(2026, 11, 9, 8), ("A", "A", ROTA), id="back-for-the-end-of-the-shift"),
        pytest.param((WEEK0_A_OFF,), utc(2026, 11, 9, 0), ("A", "A", ROTA), id="leave-end-is-exclusive"),
        pytest.param((WEEK0_A_OFF,), utc(2026, 11, 8, 23, 59, 59), ("B", "A", COVER), id="leave-last-second"),
        pytest.param((WEEK0_A_OFF,), utc(2026, 11, 2, 8, 59), (None, None, NOBODY), id="before-the-start"),
        pytest.param(
            (WEEK0_A_OFF, days_off("B", (2026, 11, 4), (2026, 11, 5))),
            utc(2026, 11, 4, 12),
            ("C", "A", COVER),
            id="next-also-away-so-the-one-after",
        ),
        pytest.param(
            (WEEK0_A_OFF, days_off("B", (2026, 11, 4), (2026, 11, 5)), days_off("C", (2026, 11, 1), (2026, 11, 30))),
            utc(2026, 11, 4, 12),
            (None, "A", NOBODY),
            id="everyone-away",
        ),
        pytest.param(
            (days_off("B", (2026, 11, 2), (2026, 11, 30)),), utc(2026, 11, 4), ("A", "A", ROTA), id="others-leave"
        ),
        pytest.param(
            (days_off("B", (2026, 11, 9), (2026, 11, 9)),), utc(2026, 11, 9, 12), ("C", "B", COVER), id="B-to-C"
        ),
        pytest.param(
            (days_off("C", (2026, 11, 16), (2026, 11, 22)), days_off("A", (2026, 11, 16), (2026, 11, 22))),
            utc(2026, 11, 18),
            ("B", "C", COVER),
            id="wraps-round-the-order",
        ),
        pytest.param(
            (
                Leave("A", utc(2026, 11, 3), utc(2026, 11, 5)),
                Leave("A", utc(2026, 11, 4), utc(2026, 11, 7)),
            ),
            utc(2026, 11, 6),
            ("B", "A", COVER),
            id="overlapping-leave-merged",
        ),
        pytest.param(
            (
                Leave("A", utc(2026, 11, 3), utc(2026, 11, 5)),
                Leave("A", utc(2026, 11, 5), utc(2026, 11, 7)),
            ),
            utc(2026, 11, 5),
            ("B", "A", COVER),
            id="touching-leave-merged",
        ),
        pytest.param(
            (Leave("A", utc(2026, 11, 3), utc(2026, 11, 4)), Leave("A", utc(2026, 11, 5), utc(2026, 11, 6))),
            utc(2026, 11, 4, 12),
            ("A", "A", ROTA),
            id="between-two-stretches-of-leave",
        ),
    ],
)
def test_leave_is_covered_by_the_next_member_not_away(
    leave: tuple[Leave, ...], at: datetime, expected: tuple[str | None, str | None, DutySource]
) -> None:
    rota = make_rota(leave=leave)
    assert rota.duty_at(FIRST, at) == expected
    assert rota.on_duty(FIRST, at) == expected[0]


def test_leave_over_two_consecutive_shifts_of_the_same_person_weekly() -> None:
    # A is away all of November from the 2nd to the 29th: A's weeks 0 and 3 go to B, the next in order.
    rota = make_rota(leave=(days_off("A", (2026, 11, 2), (2026, 11, 29)),))
    assert stretches(rota.duties(FIRST, utc(2026, 11, 2, 9), utc(2026, 11, 30, 9))) == [
        ("B", utc(2026, 11, 2, 9), utc(2026, 11, 9, 9), "A", COVER),
        ("B", utc(2026, 11, 9, 9), utc(2026, 11, 16, 9), "B", ROTA),
        ("C", utc(2026, 11, 16, 9), utc(2026, 11, 23, 9), "C", ROTA),
        ("B", utc(2026, 11, 23, 9), utc(2026, 11, 30), "A", COVER),
        ("A", utc(2026, 11, 30), utc(2026, 11, 30, 9), "A", ROTA),  # back at midnight, for the last nine hours
    ]


def test_leave_over_two_consecutive_shifts_of_the_same_person_daily_pair() -> None:
    # A, B daily from Mon 11-02: A has Mon and Wed, and is away Mon-Thu, so B is on from Mon 09:00 to Fri 09:00.
    rota = make_rota(
        make_rotation(("A", "B"), period_days=1, handover=DAILY_0900),
        leave=(days_off("A", (2026, 11, 2), (2026, 11, 5)),),
    )
    assert stretches(rota.duties(FIRST, utc(2026, 11, 2, 9), utc(2026, 11, 6, 9))) == [
        ("B", utc(2026, 11, 2, 9), utc(2026, 11, 3, 9), "A", COVER),
        ("B", utc(2026, 11, 3, 9), utc(2026, 11, 4, 9), "B", ROTA),
        ("B", utc(2026, 11, 4, 9), utc(2026, 11, 5, 9), "A", COVER),
        ("B", utc(2026, 11, 5, 9), utc(2026, 11, 6, 9), "B", ROTA),
    ]
    assert [(d.starts_at, d.ends_at) for d in rota.shifts_of("B", utc(2026, 11, 2), utc(2026, 11, 7))] == [
        (utc(2026, 11, 2, 9), utc(2026, 11, 6, 9))
    ]
    current, following = rota.current_duty(FIRST, utc(2026, 11, 3, 12)), rota.next_duty(FIRST, utc(2026, 11, 3, 12))
    assert current is not None and following is not None
    assert (current.user_id, current.ends_at) == ("B", utc(2026, 11, 6, 9))
    assert (following.user_id, following.starts_at, following.ends_at) == (
        "A",
        utc(2026, 11, 6, 9),
        utc(2026, 11, 7, 9),
    )
    everyone_away = rota.with_changes(leave=[days_off("B", (2026, 11, 4), (2026, 11, 4))])
    assert everyone_away.duty_at(FIRST, utc(2026, 11, 4, 12)) == (None, "A", NOBODY)


def test_a_one_member_rota_on_leave_has_nobody() -> None:
    rota = make_rota(make_rotation(("A",)), leave=(WEEK0_A_OFF,))
    assert rota.duty_at(FIRST, utc(2026, 11, 4)) == (None, "A", NOBODY)


# --- overrides -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "leave", "at", "expected"),
    [
        pytest.param(
            (cover("D", utc(2026, 11, 4), utc(2026, 11, 5)),), (), utc(2026, 11, 4), ("D", "A", OVERRIDE), id="at-start"
        ),
        pytest.param(
            (cover("D", utc(2026, 11, 4), utc(2026, 11, 5)),),
            (),
            utc(2026, 11, 5),
            ("A", "A", ROTA),
            id="end-exclusive",
        ),
        pytest.param(
            (cover("D", utc(2026, 11, 4), utc(2026, 11, 5)),),
            (WEEK0_A_OFF,),
            utc(2026, 11, 4, 12),
            ("D", "A", OVERRIDE),
            id="beats-leave",
        ),
        pytest.param(
            (cover("D", utc(2026, 11, 4), utc(2026, 11, 5)),),
            (WEEK0_A_OFF,),
            utc(2026, 11, 5, 12),
            ("B", "A", COVER),
            id="then-leave-cover",
        ),
        pytest.param(
            (cover("B", utc(2026, 11, 4), utc(2026, 11, 5)),),
            (days_off("B", (2026, 11, 4), (2026, 11, 4)),),
            utc(2026, 11, 4, 12),
            ("B", "A", OVERRIDE),
            id="an-agreed-cover-stands-over-the-coverers-own-leave",
        ),
        pytest.param(
            (cover("D", utc(2026, 10, 1), utc(2026, 10, 2)),),
            (),
            utc(2026, 10, 1),
            ("D", None, OVERRIDE),
            id="before-start",
        ),
        pytest.param(
            (cover("D", utc(2026, 11, 4), utc(2026, 11, 5), line=SECOND),),
            (),
            utc(2026, 11, 4, 12),
            ("A", "A", ROTA),
            id="other-line",
        ),
        # Overlaps: the newest (highest id; unsaved ones newer still, in order) wins where they overlap.
        pytest.param(
            (
                cover("X", utc(2026, 11, 3), utc(2026, 11, 6), id=1),
                cover("Y", utc(2026, 11, 4), utc(2026, 11, 5), id=2),
            ),
            (),
            utc(2026, 11, 4, 12),
            ("Y", "A", OVERRIDE),
            id="newer-inside-older",
        ),
        pytest.param(
            (
                cover("X", utc(2026, 11, 3), utc(2026, 11, 6), id=1),
                cover("Y", utc(2026, 11, 4), utc(2026, 11, 5), id=2),
            ),
            (),
            utc(2026, 11, 5, 12),
            ("X", "A", OVERRIDE),
            id="older-resumes-after-newer",
        ),
        pytest.param(
            (
                cover("Y", utc(2026, 11, 4), utc(2026, 11, 5), id=2),
                cover("X", utc(2026, 11, 3), utc(2026, 11, 6), id=1),
            ),
            (),
            utc(2026, 11, 4, 12),
            ("Y", "A", OVERRIDE),
            id="id-not-tuple-order-decides",
        ),
        pytest.param(
            (
                cover("X", utc(2026, 11, 4), utc(2026, 11, 5), id=1),
                cover("Y", utc(2026, 11, 3), utc(2026, 11, 6), id=2),
            ),
            (),
            utc(2026, 11, 4, 12),
            ("Y", "A", OVERRIDE),
            id="newer-hides-older-inside-it",
        ),
        pytest.param(
            (cover("X", utc(2026, 11, 4), utc(2026, 11, 6)), cover("Y", utc(2026, 11, 3), utc(2026, 11, 5), id=9)),
            (),
            utc(2026, 11, 4, 12),
            ("X", "A", OVERRIDE),
            id="unsaved-is-newest",
        ),
        pytest.param(
            (cover("X", utc(2026, 11, 4), utc(2026, 11, 6)), cover("Y", utc(2026, 11, 3), utc(2026, 11, 5))),
            (),
            utc(2026, 11, 4, 12),
            ("Y", "A", OVERRIDE),
            id="two-unsaved-later-wins",
        ),
        pytest.param(
            (
                cover("X", utc(2026, 11, 3), utc(2026, 11, 5), id=1),
                cover("Y", utc(2026, 11, 4), utc(2026, 11, 6), id=2),
            ),
            (),
            utc(2026, 11, 3, 23, 59, 59),
            ("X", "A", OVERRIDE),
            id="older-before-the-overlap",
        ),
    ],
)
def test_override_lookup(
    overrides: tuple[Override, ...],
    leave: tuple[Leave, ...],
    at: datetime,
    expected: tuple[str | None, str | None, DutySource],
) -> None:
    assert make_rota(overrides=overrides, leave=leave).duty_at(FIRST, at) == expected


def test_overlapping_overrides_as_stretches() -> None:
    rota = make_rota(
        overrides=(
            cover("X", utc(2026, 11, 3), utc(2026, 11, 6), id=1),
            cover("Y", utc(2026, 11, 4), utc(2026, 11, 5), id=2),
        )
    )
    assert stretches(rota.duties(FIRST, utc(2026, 11, 3), utc(2026, 11, 7))) == [
        ("X", utc(2026, 11, 3), utc(2026, 11, 4), "A", OVERRIDE),
        ("Y", utc(2026, 11, 4), utc(2026, 11, 5), "A", OVERRIDE),
        ("X", utc(2026, 11, 5), utc(2026, 11, 6), "A", OVERRIDE),
        ("A", utc(2026, 11, 6), utc(2026, 11, 7), "A", ROTA),
    ]


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "pieces"),
    [
        pytest.param(
            utc(2026, 11, 3), utc(2026, 11, 4), [(utc(2026, 11, 3), utc(2026, 11, 4), "A")], id="inside-one-shift"
        ),
        pytest.param(
            utc(2026, 11, 8, 12),
            utc(2026, 11, 10, 12),
            [(utc(2026, 11, 8, 12), utc(2026, 11, 9, 9), "A"), (utc(2026, 11, 9, 9), utc(2026, 11, 10, 12), "B")],
            id="across-one-handover",
        ),
        pytest.param(
            utc(2026, 11, 8, 12),
            utc(2026, 11, 17),
            [
                (utc(2026, 11, 8, 12), utc(2026, 11, 9, 9), "A"),
                (utc(2026, 11, 9, 9), utc(2026, 11, 16, 9), "B"),
                (utc(2026, 11, 16, 9), utc(2026, 11, 17), "C"),
            ],
            id="across-two-handovers",
        ),
        pytest.param(
            utc(2026, 11, 8),
            utc(2026, 11, 9, 9),
            [(utc(2026, 11, 8), utc(2026, 11, 9, 9), "A")],
            id="ends-on-the-handover",
        ),
        pytest.param(
            utc(2026, 11, 9, 9),
            utc(2026, 11, 10),
            [(utc(2026, 11, 9, 9), utc(2026, 11, 10), "B")],
            id="starts-on-the-handover",
        ),
        pytest.param(
            utc(2027, 3, 28, 12),
            utc(2027, 3, 30),
            [(utc(2027, 3, 28, 12), utc(2027, 3, 29, 8), "C"), (utc(2027, 3, 29, 8), utc(2027, 3, 30), "A")],
            id="across-the-spring-dst-handover",
        ),
        pytest.param(
            utc(2026, 11, 1),
            utc(2026, 11, 3),
            [(utc(2026, 11, 1), utc(2026, 11, 2, 9), None), (utc(2026, 11, 2, 9), utc(2026, 11, 3), "A")],
            id="across-the-rota-start",
        ),
    ],
)
def test_split_at_handovers(
    starts_at: datetime, ends_at: datetime, pieces: list[tuple[datetime, datetime, str | None]]
) -> None:
    rota = make_rota(
        overrides=(cover("E", utc(2026, 11, 8, 13), utc(2026, 11, 8, 14), id=1),),  # does not split it further
        leave=(days_off("B", (2026, 11, 10), (2026, 11, 10)),),  # nor does leave
    )
    wanted = Override(FIRST, "D", starts_at, ends_at, reason=OverrideReason.SWAP)
    split = rota.split_at_handovers(wanted)
    assert [(p.starts_at, p.ends_at, p.replaces) for p in split] == pieces
    assert {(p.user_id, p.line, p.reason, p.id) for p in split} == {("D", FIRST, OverrideReason.SWAP, None)}
    after = rota.with_changes(overrides=split)
    for piece in split:
        for at in (piece.starts_at, piece.ends_at - US):
            assert after.duty_at(FIRST, at) == ("D", piece.replaces, OVERRIDE)


def test_split_at_handovers_on_a_line_without_a_rota() -> None:
    wanted = Override(SECOND, "D", utc(2026, 11, 8), utc(2026, 11, 12))
    assert make_rota().split_at_handovers(wanted) == [Override(SECOND, "D", utc(2026, 11, 8), utc(2026, 11, 12), None)]


@pytest.mark.parametrize(
    "value",
    [datetime(2026, 11, 4), datetime(2026, 11, 4, tzinfo=LONDON)],
    ids=["naive", "local"],
)
def test_overrides_and_leave_need_aware_times_and_are_kept_in_utc(value: datetime) -> None:
    later = value + timedelta(hours=1)
    if value.tzinfo is None:
        with pytest.raises(RotaError):
            Override(FIRST, "D", value, later)
        with pytest.raises(RotaError):
            Leave("D", value, later)
        return
    assert Override(FIRST, "D", value, later).starts_at.tzinfo is UTC
    assert Leave("D", value, later).ends_at.tzinfo is UTC


def test_override_in_local_time_across_the_autumn_fold() -> None:
    """01:00-01:59 happens twice on 2027-10-31; an override given in local time must compare as instants."""
    first_0100 = datetime(2027, 10, 31, 1, 0, tzinfo=LONDON)  # BST, 00:00Z
    second_0130 = datetime(2027, 10, 31, 1, 30, fold=1, tzinfo=LONDON)  # GMT, 01:30Z
    rota = make_rota(overrides=(cover("D", first_0100, second_0130),))
    during = datetime(2027, 10, 31, 1, 45, tzinfo=LONDON)  # the first 01:45, BST: 00:45Z, inside
    after = datetime(2027, 10, 31, 1, 45, fold=1, tzinfo=LONDON)  # the second one: 01:45Z, after
    assert rota.on_duty(FIRST, during) == "D"
    assert rota.on_duty(FIRST, after) == "A"


# --- membership edits ----------------------------------------------------------------------------

FOUR = make_rotation(("A", "B", "C", "D"))  # week 0 A, week 1 B (11-09 to 11-16), week 2 C ...
EDIT_AT = utc(2026, 11, 10, 12)  # during B's week; the edit takes over at 11-16 09:00


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        pytest.param(("A", "B", "D"), ("D", "A", "B"), id="remove-the-next-one"),
        pytest.param(("A", "C", "D"), ("C", "D", "A"), id="remove-the-current-one"),
        pytest.param(("A", "B"), ("A", "B"), id="remove-two-after"),
        pytest.param(("A", "D"), ("D", "A"), id="remove-current-and-next"),
        pytest.param(("A", "C", "B", "D"), ("D", "A", "C", "B"), id="reorder-after-current"),
        pytest.param(("B", "A", "D", "C"), ("A", "D", "C", "B"), id="reorder-current-first"),
        pytest.param(("A", "B", "C", "D", "E"), ("C", "D", "E", "A", "B"), id="add-at-the-end"),
        pytest.param(("A", "B", "E", "C", "D"), ("E", "C", "D", "A", "B"), id="add-after-current"),
        pytest.param(("X", "Y"), ("X", "Y"), id="replace-everyone"),
        pytest.param(("B",), ("B",), id="only-the-current-one"),
    ],
)
def test_membership_edit_mid_rotation(members: tuple[str, ...], expected: tuple[str, ...]) -> None:
    rota = make_rota(FOUR)
    edited = rota.continued_with(FIRST, members, EDIT_AT)
    assert edited == FOUR.continued_with(members, EDIT_AT)  # the rotation in force is the latest one
    assert edited.members == expected
    assert (edited.start, edited.shift_start(0)) == (date(2026, 11, 16), utc(2026, 11, 16, 9))
    after = rota.with_changes(rotations={FIRST: edited})
    assert after.earlier == {FIRST: (FOUR,)}
    for at, who in [
        (utc(2026, 11, 2, 9), "A"),  # history stays
        (utc(2026, 11, 9, 9), "B"),
        (EDIT_AT, "B"),
        (utc(2026, 11, 16, 8, 59, 59, 999999), "B"),  # the current shift is kept
        (utc(2026, 11, 16, 9), expected[0]),
        (utc(2026, 11, 23, 9), expected[1 % len(expected)]),
        (utc(2026, 11, 30, 9), expected[2 % len(expected)]),
    ]:
        assert after.on_duty(FIRST, at) == who, at
    assert [d.user_id for _, d in after.handovers(FIRST, utc(2026, 11, 9, 9), utc(2026, 11, 23, 9)) if d] == [
        expected[0],
        expected[1 % len(expected)],
    ]


def test_membership_edit_at_the_handover_instant_keeps_the_shift_just_begun() -> None:
    edited = FOUR.continued_with(("A", "B", "D"), utc(2026, 11, 9, 9))
    assert (edited.members, edited.start) == (("D", "A", "B"), date(2026, 11, 16))


def test_membership_edit_before_the_spring_dst_handover() -> None:
    edited = FOUR.continued_with(("A", "B", "C"), utc(2027, 3, 25))  # shift 20 of four: A; D removed
    assert (edited.members, edited.shift_start(0)) == (("B", "C", "A"), utc(2027, 3, 29, 8))


def test_membership_edit_before_the_rota_starts_takes_the_new_order_as_given() -> None:
    rota = make_rota()
    edited = rota.continued_with(FIRST, ("C", "B", "A"), utc(2026, 10, 20))
    assert (edited.members, edited.start) == (("C", "B", "A"), date(2026, 11, 2))
    after = rota.with_changes(rotations={FIRST: edited})
    assert after.on_duty(FIRST, utc(2026, 11, 2, 8, 59)) is None
    assert [after.on_duty(FIRST, utc(2026, 11, d, 9)) for d in (2, 9, 16)] == ["C", "B", "A"]


def test_second_edit_before_the_first_takes_over_follows_the_member_on_duty() -> None:
    """Two edits in one shift: the second one continues from B (on duty now), not from the pending plan."""
    rota = make_rota(FOUR)
    first_edit = rota.with_changes(rotations={FIRST: rota.continued_with(FIRST, ("A", "B", "D"), EDIT_AT)})
    assert first_edit.rotations[FIRST].members == ("D", "A", "B")
    second = first_edit.continued_with(FIRST, ("A", "D", "B"), EDIT_AT + timedelta(days=1))  # after B comes A now
    assert (second.members, second.start) == (("A", "D", "B"), date(2026, 11, 16))
    after = first_edit.with_changes(rotations={FIRST: second})
    assert [after.on_duty(FIRST, utc(2026, 11, d, 9)) for d in (9, 16, 23, 30)] == ["B", "A", "D", "B"]
    removed_current = first_edit.continued_with(FIRST, ("A", "C", "D"), EDIT_AT)  # B goes: C was next before any edit
    assert removed_current.members == ("D", "A", "C")  # ... but the pending plan had D next; it stands


def test_membership_edit_of_an_empty_rotation_starts_at_the_next_handover() -> None:
    empty = make_rotation(())
    edited = empty.continued_with(("A", "B"), EDIT_AT)
    assert (edited.members, edited.shift_start(0)) == (("A", "B"), utc(2026, 11, 16, 9))
    with pytest.raises(RotaError):
        FOUR.continued_with((), EDIT_AT)


def test_newer_rotation_starting_earlier_replaces_the_older_from_its_start() -> None:
    rota = make_rota()
    later_plan = make_rotation(("X", "Y"), start=date(2026, 11, 30))
    newest = make_rotation(("P", "Q"), start=date(2026, 11, 16))  # e.g. an import with an earlier start
    after = rota.with_changes(rotations={FIRST: later_plan}).with_changes(rotations={FIRST: newest})
    assert [after.on_duty(FIRST, utc(2026, 11, d, 12)) for d in (10, 20, 27)] == ["B", "P", "Q"]
    assert after.on_duty(FIRST, utc(2026, 12, 1, 12)) == "P"  # not X: the older plan is replaced
    assert [at for at, _ in after.handovers(FIRST, utc(2026, 11, 10), utc(2026, 12, 8))] == [
        utc(2026, 11, 16, 9),
        utc(2026, 11, 23, 9),
        utc(2026, 11, 30, 9),
        utc(2026, 12, 7, 9),
    ]


# --- empty rota, a line without a rotation, before the start ------------------------------------


def test_empty_rota() -> None:
    rota = Rota(rotations={})
    at = utc(2026, 11, 4)
    assert rota.on_duty(FIRST, at) is None
    assert rota.duty_at(SECOND, at) == (None, None, NOBODY)
    assert stretches(rota.duties(FIRST, at, at + timedelta(days=7))) == [
        (None, at, at + timedelta(days=7), None, NOBODY)
    ]
    current = rota.current_duty(FIRST, at)
    assert current is not None and current.user_id is None
    assert rota.next_duty(FIRST, at) is None
    assert rota.handovers(FIRST, at, at + timedelta(days=30)) == []
    assert rota.shifts_of("A", at, at + timedelta(days=30)) == []
    assert rota.leave_conflicts(days_off("A", (2026, 11, 4), (2026, 11, 5))) == []
    assert rota.members == frozenset()


def test_a_line_without_a_rotation_has_nobody_but_its_overrides() -> None:
    rota = make_rota(overrides=(cover("B", utc(2026, 11, 4), utc(2026, 11, 5), line=SECOND),))
    assert rota.on_duty(SECOND, utc(2026, 11, 3)) is None
    assert rota.duty_at(SECOND, utc(2026, 11, 4, 12)) == ("B", None, OVERRIDE)
    assert rota.handovers(SECOND, utc(2026, 11, 1), utc(2026, 12, 1)) == []
    assert [(d.line, d.starts_at) for d in rota.shifts_of("B", utc(2026, 11, 3), utc(2026, 11, 6))] == [
        (SECOND, utc(2026, 11, 4))
    ]


def test_a_rotation_without_members() -> None:
    rota = make_rota(make_rotation(()))
    assert rota.duty_at(FIRST, utc(2026, 11, 4)) == (None, None, NOBODY)
    assert rota.handovers(FIRST, utc(2026, 11, 1), utc(2026, 12, 1)) == []


def test_before_the_start() -> None:
    rota = make_rota()
    at = utc(2026, 10, 20)
    assert rota.duty_at(FIRST, at) == (None, None, NOBODY)
    current, following = rota.current_duty(FIRST, at), rota.next_duty(FIRST, at)
    assert current is not None and following is not None
    assert (current.user_id, current.ends_at, current.source) == (None, utc(2026, 11, 2, 9), NOBODY)
    assert (following.user_id, following.starts_at) == ("A", utc(2026, 11, 2, 9))


# --- current_duty, next_duty, shifts_of, handovers -------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "leave", "at", "current", "following"),
    [
        pytest.param(
            (),
            (),
            utc(2026, 11, 10, 12),
            ("B", utc(2026, 11, 16, 9)),
            ("C", utc(2026, 11, 16, 9), utc(2026, 11, 23, 9)),
            id="mid-shift",
        ),
        pytest.param(
            (),
            (),
            utc(2026, 11, 9, 9),
            ("B", utc(2026, 11, 16, 9)),
            ("C", utc(2026, 11, 16, 9), utc(2026, 11, 23, 9)),
            id="at-handover",
        ),
        pytest.param(
            (),
            (),
            utc(2026, 11, 9, 8, 59),
            ("A", utc(2026, 11, 9, 9)),
            ("B", utc(2026, 11, 9, 9), utc(2026, 11, 16, 9)),
            id="just-before",
        ),
        pytest.param(
            (cover("C", utc(2026, 11, 9, 9), utc(2026, 11, 16, 9)),),
            (),
            utc(2026, 11, 3),
            ("A", utc(2026, 11, 9, 9)),
            ("C", utc(2026, 11, 9, 9), utc(2026, 11, 23, 9)),
            id="next-person-covers-then-has-own-shift",
        ),
        pytest.param(
            (),
            (WEEK0_A_OFF,),
            utc(2026, 11, 3),
            ("B", utc(2026, 11, 9)),
            ("A", utc(2026, 11, 9), utc(2026, 11, 9, 9)),
            id="leave-cover-then-back-for-nine-hours",
        ),
        pytest.param(
            (),
            (days_off("A", (2026, 11, 2), (2026, 11, 9)),),
            utc(2026, 11, 3),
            ("B", utc(2026, 11, 16, 9)),
            ("C", utc(2026, 11, 16, 9), utc(2026, 11, 23, 9)),
            id="leave-cover-runs-into-own-shift",
        ),
        pytest.param(
            (cover("D", utc(2026, 11, 3), utc(2026, 11, 4)),),
            (),
            utc(2026, 11, 3, 12),
            ("D", utc(2026, 11, 4)),
            ("A", utc(2026, 11, 4), utc(2026, 11, 9, 9)),
            id="override-then-the-rest-of-the-shift",
        ),
    ],
)
def test_current_and_next_duty(
    overrides: tuple[Override, ...],
    leave: tuple[Leave, ...],
    at: datetime,
    current: tuple[str, datetime],
    following: tuple[str, datetime, datetime],
) -> None:
    rota = make_rota(overrides=overrides, leave=leave)
    now, then = rota.current_duty(FIRST, at), rota.next_duty(FIRST, at)
    assert now is not None and then is not None
    assert (now.user_id, now.starts_at, now.ends_at) == (current[0], at, current[1])
    assert (then.user_id, then.starts_at, then.ends_at) == following
    assert rota.next_shift(FIRST, at) == then


def test_next_duty_of_a_one_member_rota_is_nobody_new() -> None:
    rota = make_rota(make_rotation(("A",)))
    current = rota.current_duty(FIRST, utc(2026, 11, 4))
    assert current is not None and (current.user_id, current.ends_at) == ("A", utc(2026, 11, 4) + LOOK_AHEAD)
    assert rota.next_duty(FIRST, utc(2026, 11, 4)) is None


def test_shifts_of_a_person_on_both_lines() -> None:
    second = make_rotation(("D", "E"), line=SECOND)  # D week 0, E week 1, D week 2 ...
    rota = make_rota(
        second=second,
        overrides=(cover("B", utc(2026, 11, 4), utc(2026, 11, 5), line=SECOND),),
        leave=(days_off("A", (2026, 11, 23), (2026, 11, 24)),),
    )
    mine = rota.shifts_of("B", utc(2026, 11, 1), utc(2026, 12, 1))
    assert [(d.line, d.starts_at, d.ends_at, d.source) for d in mine] == [
        (SECOND, utc(2026, 11, 4), utc(2026, 11, 5), OVERRIDE),
        (FIRST, utc(2026, 11, 9, 9), utc(2026, 11, 16, 9), ROTA),
        (FIRST, utc(2026, 11, 23, 9), utc(2026, 11, 25), COVER),
        (FIRST, utc(2026, 11, 30, 9), utc(2026, 12, 1), ROTA),  # cut at the window's end
    ]
    assert rota.shifts_of("Z", utc(2026, 11, 1), utc(2026, 12, 1)) == []


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(
            utc(2026, 11, 9, 9), utc(2026, 11, 16, 9), [(utc(2026, 11, 16, 9), "C")], id="start-excluded-end-included"
        ),
        pytest.param(
            utc(2026, 11, 9, 8, 59),
            utc(2026, 11, 16, 9),
            [(utc(2026, 11, 9, 9), "B"), (utc(2026, 11, 16, 9), "C")],
            id="both",
        ),
        pytest.param(utc(2026, 11, 9, 9, 1), utc(2026, 11, 16, 8), [], id="none-inside"),
        pytest.param(utc(2026, 10, 1), utc(2026, 11, 3), [(utc(2026, 11, 2, 9), "A")], id="the-first"),
        pytest.param(
            utc(2026, 11, 20), utc(2026, 11, 24), [(utc(2026, 11, 23, 9), "D")], id="overridden-at-the-handover"
        ),
    ],
)
def test_handovers(start: datetime, end: datetime, expected: list[tuple[datetime, str]]) -> None:
    rota = make_rota(overrides=(cover("D", utc(2026, 11, 23, 9), utc(2026, 11, 24)),))
    handovers = rota.handovers(FIRST, start, end)
    assert [(at, duty.user_id if duty else None) for at, duty in handovers] == expected
    assert all(duty is not None and duty.starts_at == at for at, duty in handovers)


# --- leave conflicts (the warning to the leads) ------------------------------------------------------


@pytest.mark.parametrize(
    ("already", "leave", "expected"),
    [
        pytest.param(
            (),
            days_off("A", (2026, 11, 4), (2026, 11, 12)),
            [("B", utc(2026, 11, 4), utc(2026, 11, 9, 9), "A", COVER)],
            id="part-of-a-shift",
        ),
        pytest.param(
            (),
            days_off("A", (2026, 11, 2), (2026, 11, 29)),
            [
                ("B", utc(2026, 11, 2, 9), utc(2026, 11, 9, 9), "A", COVER),
                ("B", utc(2026, 11, 23, 9), utc(2026, 11, 30), "A", COVER),
            ],
            id="two-shifts",
        ),
        pytest.param((), days_off("B", (2026, 11, 3), (2026, 11, 6)), [], id="not-on-duty-then"),
        pytest.param(
            (days_off("B", (2026, 11, 4), (2026, 11, 5)), days_off("C", (2026, 11, 1), (2026, 11, 8))),
            days_off("A", (2026, 11, 4), (2026, 11, 4)),
            [(None, utc(2026, 11, 4), utc(2026, 11, 5), "A", NOBODY)],
            id="nobody-covers",
        ),
        pytest.param(
            (days_off("B", (2026, 11, 5), (2026, 11, 6)),),
            days_off("A", (2026, 11, 4), (2026, 11, 6)),
            [
                ("B", utc(2026, 11, 4), utc(2026, 11, 5), "A", COVER),
                ("C", utc(2026, 11, 5), utc(2026, 11, 7), "A", COVER),
            ],
            id="cover-changes-hands",
        ),
        pytest.param(
            (WEEK0_A_OFF,),
            days_off("B", (2026, 11, 4), (2026, 11, 4)),
            [("C", utc(2026, 11, 4), utc(2026, 11, 5), "A", COVER)],
            id="the-coverer-goes-away-too",
        ),
        pytest.param(
            (),
            Leave("A", utc(2026, 11, 9, 8), utc(2026, 11, 9, 10)),
            [("B", utc(2026, 11, 9, 8), utc(2026, 11, 9, 9), "A", COVER)],
            id="across-the-handover",
        ),
    ],
)
def test_leave_conflicts(
    already: tuple[Leave, ...],
    leave: Leave,
    expected: list[tuple[str | None, datetime, datetime, str | None, DutySource]],
) -> None:
    assert stretches(make_rota(leave=already).leave_conflicts(leave)) == expected


def test_leave_conflicts_on_both_lines_and_with_an_agreed_cover() -> None:
    second = make_rotation(("A", "E"), line=SECOND)  # A on 2nd line week 0 too
    rota = make_rota(second=second, overrides=(cover("A", utc(2026, 11, 10), utc(2026, 11, 11)),))
    conflicts = rota.leave_conflicts(days_off("A", (2026, 11, 5), (2026, 11, 10)))
    assert [(d.line, d.user_id, d.starts_at, d.ends_at, d.source) for d in conflicts] == [
        (FIRST, "B", utc(2026, 11, 5), utc(2026, 11, 9, 9), COVER),
        (FIRST, "A", utc(2026, 11, 10), utc(2026, 11, 11), OVERRIDE),  # A agreed to cover: still A, the leads see it
        (SECOND, "E", utc(2026, 11, 5), utc(2026, 11, 9, 9), COVER),
    ]


# --- concurrency: one Rota shared by request threads -------------------------------------------------


def test_lazy_indexes_give_the_same_answers_from_many_threads() -> None:
    """Eight request threads share one fresh Rota: the indexes are built once, and nobody sees half of one."""
    start = utc(2026, 11, 2)
    overrides = tuple(
        cover(f"U{i}", start + timedelta(hours=7 * i), start + timedelta(hours=7 * i + 5), id=i) for i in range(200)
    )
    instants = [start + timedelta(minutes=37 * k) for k in range(2000)]
    expected = [make_rota(overrides=overrides, leave=(WEEK0_A_OFF,)).on_duty(FIRST, at) for at in instants]
    shared = make_rota(overrides=overrides, leave=(WEEK0_A_OFF,))
    barrier = threading.Barrier(8)
    answers: list[list[str | None]] = []

    def ask() -> None:
        barrier.wait()
        answers.append([shared.on_duty(FIRST, at) for at in instants])

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8 and all(answer == expected for answer in answers)
    assert sum(1 for who in expected if who and who.startswith("U")) > 100  # the overrides were really looked up


# --- properties ----------------------------------------------------------------------------------------

# Windows around the autumn 2026, spring 2027 and autumn 2027 clock changes; the rotation starts Mon 2026-10-05.
BASES = (utc(2026, 10, 12), utc(2027, 3, 10), utc(2027, 10, 18))
PEOPLE = ("A", "B", "C", "D")
hours = st.integers(min_value=0, max_value=24 * 40)
spans = st.integers(min_value=1, max_value=24 * 10)


@st.composite
def rotas(draw: st.DrawFn) -> tuple[Rota, datetime]:
    base = draw(st.sampled_from(BASES))
    period = draw(st.sampled_from([1, 3, 7]))
    # 01:30 falls in the spring gap and the autumn fold; 23:30 and 00:30 sit next to midnight.
    handover = MON_0900 if period == 7 else Handover(at=time(draw(st.sampled_from([0, 1, 9, 23])), 30))
    members = tuple(draw(st.permutations(("A", "B", "C"))))
    rotation = make_rotation(members, period_days=period, handover=handover, start=date(2026, 10, 5))
    overrides = tuple(
        Override(
            draw(st.sampled_from([FIRST, SECOND])),
            draw(st.sampled_from(PEOPLE)),
            base + timedelta(hours=h),
            base + timedelta(hours=h + n),
            id=draw(st.one_of(st.none(), st.integers(1, 50))),
        )
        for h, n in draw(st.lists(st.tuples(hours, spans), max_size=8))
    )
    leave = tuple(
        Leave(draw(st.sampled_from(PEOPLE)), base + timedelta(hours=h), base + timedelta(hours=h + n))
        for h, n in draw(st.lists(st.tuples(hours, spans), max_size=6))
    )
    rota = make_rota(rotation, overrides=overrides, leave=leave)
    if draw(st.booleans()):  # a lead's membership edit somewhere in the window
        edit = base + timedelta(hours=draw(hours))
        new_members = tuple(draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4, unique=True)))
        rota = rota.with_changes(rotations={FIRST: rota.continued_with(FIRST, new_members, edit)})
    return rota, base


def reference_duty(rota: Rota, line: SupportLine, at: datetime) -> str | None:
    """The rule as the issue words it, by linear scans: newest override, else the rotation skipping leave."""
    covering = [
        (o.id is None, o.id or 0, k, o.user_id) for k, o in enumerate(rota.overrides) if o.line is line and o.covers(at)
    ]
    if covering:
        return max(covering)[3]
    rotation = rota.rotation_at(line, at)
    shift = rotation.shift_at(at) if rotation else None
    if rotation is None or shift is None:
        return None
    away = {item.user_id for item in rota.leave if item.starts_at <= at < item.ends_at}
    for k in range(len(rotation.members)):
        candidate = rotation.member_at_index(shift.index + k)
        if candidate not in away:
            return candidate
    return None


@settings(max_examples=150, deadline=None)
@given(
    drawn=rotas(), a=hours, length=st.integers(min_value=1, max_value=24 * 40), line=st.sampled_from([FIRST, SECOND])
)
def test_duties_partition_the_window_and_agree_with_on_duty(
    drawn: tuple[Rota, datetime], a: int, length: int, line: SupportLine
) -> None:
    rota, base = drawn
    start, end = base + timedelta(hours=a, minutes=17), base + timedelta(hours=a + length, minutes=17)
    duties = rota.duties(line, start, end)
    assert duties and duties[0].starts_at == start and duties[-1].ends_at == end
    assert all(left.ends_at == right.starts_at for left, right in pairwise(duties))
    for duty in duties:
        assert duty.starts_at < duty.ends_at and duty.line is line
        for at in (duty.starts_at, duty.ends_at - US):
            assert rota.duty_at(line, at) == (duty.user_id, duty.scheduled, duty.source)
            assert rota.on_duty(line, at) == reference_duty(rota, line, at)
    for left, right in pairwise(duties):  # merged: neighbours always differ
        assert (left.user_id, left.scheduled, left.source) != (right.user_id, right.scheduled, right.source)


@settings(max_examples=100, deadline=None)
@given(drawn=rotas(), a=hours, n=st.integers(min_value=1, max_value=24 * 30), who=st.sampled_from(PEOPLE))
def test_split_pieces_partition_the_override_and_win_everywhere(
    drawn: tuple[Rota, datetime], a: int, n: int, who: str
) -> None:
    rota, base = drawn
    wanted = Override(FIRST, who, base + timedelta(hours=a), base + timedelta(hours=a + n))
    pieces = rota.split_at_handovers(wanted)
    assert pieces[0].starts_at == wanted.starts_at and pieces[-1].ends_at == wanted.ends_at
    assert all(left.ends_at == right.starts_at for left, right in pairwise(pieces))
    after = rota.with_changes(overrides=pieces)
    for piece in pieces:
        for at in (piece.starts_at, piece.ends_at - US):
            assert after.duty_at(FIRST, at) == (who, rota.scheduled(FIRST, at), OVERRIDE)
            assert piece.replaces == rota.scheduled(FIRST, at)


@settings(max_examples=60, deadline=None)
@given(drawn=rotas(), a=hours, line=st.sampled_from([FIRST, SECOND]))
def test_current_and_next_duty_are_the_first_two_people_over_the_look_ahead(
    drawn: tuple[Rota, datetime], a: int, line: SupportLine
) -> None:
    rota, base = drawn
    at = base + timedelta(hours=a, minutes=5)
    people: list[Duty] = []
    for duty in rota.duties(line, at, at + LOOK_AHEAD):  # merged by person, over the whole look-ahead
        if people and people[-1].user_id == duty.user_id:
            people[-1] = Duty(
                line, duty.user_id, people[-1].starts_at, duty.ends_at, people[-1].scheduled, people[-1].source
            )
        else:
            people.append(duty)
    assert rota.current_duty(line, at) == people[0]
    assert rota.next_duty(line, at) == (people[1] if len(people) > 1 else None)
