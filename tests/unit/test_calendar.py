"""The working-time calendar: hand-checked boundary tables, then properties over 2000-2060 in four zones.

Expected values are local wall-clock literals worked out by hand from a paper calendar (weekdays
checked against `date.weekday()`, bank holidays against gov.uk), never computed by the code under test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rota.calendar import WorkingCalendar, WorkingPeriod

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")

M, H = 60, 3600
DAY = 8 * H  # one working day of 08:00-16:00

# England & Wales bank holidays, written out (gov.uk): 28 Dec 2026 is Boxing Day's substitute.
ENGLAND: dict[int, tuple[date, ...]] = {
    2026: (
        date(2026, 1, 1),
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),  # Boxing Day (26th) falls on a Saturday
    ),
    2027: (date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3)),
}


def ldn(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    """A London wall-clock literal."""
    return datetime(y, mo, d, h, mi, s, us, tzinfo=LONDON)


def default() -> WorkingCalendar:
    return WorkingCalendar.weekdays(zone=LONDON)


def with_holiday_dates() -> WorkingCalendar:
    return WorkingCalendar.weekdays(zone=LONDON, closed_dates=[d for year in ENGLAND.values() for d in year])


def with_holiday_years() -> WorkingCalendar:
    return WorkingCalendar.weekdays(zone=LONDON, closed_for_year=lambda year: ENGLAND.get(year, ()))


def overnight() -> WorkingCalendar:
    """Mon-Fri night shifts, 22:00 to 06:00 the next morning."""
    return WorkingCalendar(zone=LONDON, periods=[WorkingPeriod(day, time(22), time(6)) for day in range(5)])


def nightly() -> WorkingCalendar:
    """Night shifts every day of the week, so some of them span the DST changes."""
    return WorkingCalendar(zone=LONDON, periods=[WorkingPeriod(day, time(22), time(6)) for day in range(7)])


def split() -> WorkingCalendar:
    """Two periods a day: 08:00-12:00 and 13:00-17:00."""
    periods = [
        WorkingPeriod(day, start, end) for day in range(5) for start, end in ((time(8), time(12)), (time(13), time(17)))
    ]
    return WorkingCalendar(zone=LONDON, periods=periods)


# --- add_working_time: the default calendar (Mon-Fri 08:00-16:00 London, no bank holidays) ------

DEFAULT_ADDS = [
    # (start, seconds, expected)
    pytest.param(ldn(2026, 11, 27, 15, 45), 30 * M, ldn(2026, 11, 30, 8, 15), id="fri-15:45+30m->mon-08:15"),
    pytest.param(ldn(2026, 11, 26, 15, 30), 30 * M, ldn(2026, 11, 26, 16), id="15:30+30m->16:00-same-day"),
    pytest.param(ldn(2026, 11, 26, 15), 1 * H, ldn(2026, 11, 26, 16), id="15:00+1h->closing-stays"),
    pytest.param(ldn(2026, 11, 26, 16), 30 * M, ldn(2026, 11, 27, 8, 30), id="16:00+30m->next-day-08:30"),
    pytest.param(ldn(2026, 11, 26, 7, 59), 30 * M, ldn(2026, 11, 26, 8, 30), id="07:59+30m"),
    pytest.param(ldn(2026, 11, 26, 8), 30 * M, ldn(2026, 11, 26, 8, 30), id="08:00+30m"),
    pytest.param(ldn(2026, 11, 26, 15, 59), 30 * M, ldn(2026, 11, 27, 8, 29), id="15:59+30m"),
    pytest.param(ldn(2026, 11, 28, 10), 30 * M, ldn(2026, 11, 30, 8, 30), id="saturday+30m"),
    pytest.param(ldn(2026, 11, 29, 23, 59, 59), 1, ldn(2026, 11, 30, 8, 0, 1), id="sunday-night+1s"),
    pytest.param(ldn(2026, 11, 24, 8), 8 * H, ldn(2026, 11, 24, 16), id="08:00+8h->16:00"),
    pytest.param(ldn(2026, 11, 24, 8), DAY, ldn(2026, 11, 24, 16), id="08:00+1d->16:00"),
    pytest.param(ldn(2026, 11, 24, 8), DAY + 1, ldn(2026, 11, 25, 8, 0, 1), id="08:00+1d+1s"),
    pytest.param(ldn(2026, 11, 2, 10), 14 * DAY, ldn(2026, 11, 20, 10), id="mon-10:00+14d->fri-20th"),
    pytest.param(ldn(2026, 11, 2, 8), 14 * DAY, ldn(2026, 11, 19, 16), id="mon-08:00+14d->thu-16:00"),
    pytest.param(ldn(2026, 11, 26, 12), 3 * DAY, ldn(2026, 12, 1, 12), id="thu-noon+3d->tue-noon"),
    pytest.param(ldn(2026, 11, 26, 12), 0, ldn(2026, 11, 26, 12), id="in-hours+0->itself"),
    pytest.param(ldn(2026, 11, 26, 16), 0, ldn(2026, 11, 27, 8), id="closing+0->next-opening"),
    pytest.param(ldn(2026, 11, 28, 10), 0, ldn(2026, 11, 30, 8), id="saturday+0->monday-opening"),
    pytest.param(ldn(2026, 11, 26, 15, 59, 59, 999_999), 0.000_001, ldn(2026, 11, 26, 16), id="last-microsecond"),
    pytest.param(ldn(2026, 11, 26, 10), 0.5, ldn(2026, 11, 26, 10, 0, 0, 500_000), id="half-a-second"),
    pytest.param(ldn(2026, 12, 31, 15), 2 * H, ldn(2027, 1, 1, 9), id="new-year-is-a-working-day-here"),
    # DST: 08:00-16:00 stays local, so the UTC gap over the weekend is an hour shorter (March) or longer (October).
    pytest.param(ldn(2026, 3, 27, 15, 30), 1 * H, ldn(2026, 3, 30, 8, 30), id="dst-march-2026"),
    pytest.param(ldn(2026, 10, 23, 15, 30), 1 * H, ldn(2026, 10, 26, 8, 30), id="dst-october-2026"),
    pytest.param(ldn(2027, 3, 26, 15, 30), 1 * H, ldn(2027, 3, 29, 8, 30), id="dst-march-2027"),
    pytest.param(ldn(2027, 10, 29, 15, 30), 1 * H, ldn(2027, 11, 1, 8, 30), id="dst-october-2027"),
    pytest.param(ldn(2026, 3, 26, 12), 2 * DAY, ldn(2026, 3, 30, 12), id="dst-march-2d"),
    pytest.param(ldn(2026, 10, 22, 12), 2 * DAY, ldn(2026, 10, 26, 12), id="dst-october-2d"),
    # Subtraction: the latest instant with that much working time before the start; openings stay.
    pytest.param(ldn(2026, 11, 30, 8, 30), -1 * H, ldn(2026, 11, 27, 15, 30), id="mon-08:30-1h->fri-15:30"),
    pytest.param(ldn(2026, 11, 30, 8), -8 * H, ldn(2026, 11, 27, 8), id="mon-08:00-1d->fri-08:00"),
    pytest.param(ldn(2026, 11, 24, 10), -2 * H, ldn(2026, 11, 24, 8), id="opening-stays-backwards"),
    pytest.param(ldn(2026, 11, 28, 12), -30 * M, ldn(2026, 11, 27, 15, 30), id="saturday-30m"),
    pytest.param(ldn(2026, 11, 24, 16), -30 * M, ldn(2026, 11, 24, 15, 30), id="closing-30m"),
    pytest.param(ldn(2026, 11, 30, 8), -1, ldn(2026, 11, 27, 15, 59, 59), id="opening-1s"),
    pytest.param(ldn(2026, 11, 20, 10), -14 * DAY, ldn(2026, 11, 2, 10), id="fri-14d->mon"),
    pytest.param(ldn(2026, 3, 30, 8, 30), -1 * H, ldn(2026, 3, 27, 15, 30), id="dst-march-backwards"),
    pytest.param(ldn(2026, 10, 26, 8, 30), -1 * H, ldn(2026, 10, 23, 15, 30), id="dst-october-backwards"),
]


@pytest.mark.parametrize(("start", "seconds", "expected"), DEFAULT_ADDS)
def test_add_working_time_default_calendar(start: datetime, seconds: float, expected: datetime) -> None:
    result = default().add_working_time(start, seconds)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(("start", "seconds", "expected"), DEFAULT_ADDS)
def test_epoch_fast_path_matches_the_table(start: datetime, seconds: float, expected: datetime) -> None:
    assert default().add_working_time_epoch(start.timestamp(), seconds) == expected.timestamp()


@pytest.mark.parametrize(
    ("start", "seconds", "utc"),
    [
        # The same deadlines as instants: Friday 16:00 GMT -> Monday 08:00 BST is 63 hours, not 64.
        pytest.param(ldn(2026, 3, 27, 15, 30), 1 * H, datetime(2026, 3, 30, 7, 30, tzinfo=UTC), id="march"),
        pytest.param(ldn(2026, 10, 23, 15, 30), 1 * H, datetime(2026, 10, 26, 8, 30, tzinfo=UTC), id="october"),
    ],
)
def test_dst_deadlines_as_utc(start: datetime, seconds: float, utc: datetime) -> None:
    assert default().add_working_time(start, seconds) == utc


# --- holidays: given as dates, or per year by a callable (both the same England & Wales list) -----

HOLIDAY_ADDS = [
    pytest.param(ldn(2026, 4, 2, 15), 2 * H, ldn(2026, 4, 7, 9), id="over-easter"),
    pytest.param(ldn(2026, 4, 3, 10), 30 * M, ldn(2026, 4, 7, 8, 30), id="start-on-good-friday"),
    pytest.param(ldn(2026, 4, 6, 7), 0, ldn(2026, 4, 7, 8), id="easter-monday+0"),
    pytest.param(ldn(2026, 4, 7, 9), -2 * H, ldn(2026, 4, 2, 15), id="back-over-easter"),
    pytest.param(ldn(2026, 12, 24, 15), 2 * H, ldn(2026, 12, 29, 9), id="over-christmas-and-substitute-boxing-day"),
    pytest.param(ldn(2026, 12, 23, 12), 3 * DAY, ldn(2026, 12, 30, 12), id="3d-over-christmas"),
    pytest.param(ldn(2026, 12, 29, 9), -2 * H, ldn(2026, 12, 24, 15), id="back-over-christmas"),
    pytest.param(ldn(2026, 12, 31, 15), 2 * H, ldn(2027, 1, 4, 9), id="over-new-year"),
    pytest.param(ldn(2026, 12, 24, 15), 1 * H, ldn(2026, 12, 24, 16), id="closing-before-holiday-stays"),
]


@pytest.mark.parametrize("make", [with_holiday_dates, with_holiday_years], ids=["closed_dates", "closed_for_year"])
@pytest.mark.parametrize(("start", "seconds", "expected"), HOLIDAY_ADDS)
def test_add_working_time_with_holidays(
    make: Callable[[], WorkingCalendar], start: datetime, seconds: float, expected: datetime
) -> None:
    assert make().add_working_time(start, seconds) == expected


def test_closed_for_year_is_asked_once_per_year() -> None:
    asked: list[int] = []

    def closed(year: int) -> tuple[date, ...]:
        asked.append(year)
        return ENGLAND.get(year, ())

    calendar = WorkingCalendar.weekdays(zone=LONDON, closed_for_year=closed)
    for day in range(1, 29):
        calendar.add_working_time(ldn(2026, 2, day, 9), 14 * DAY)
    assert sorted(asked) == sorted(set(asked))
    assert 2026 in asked


# --- working_time_between ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "a", "b", "seconds"),
    [
        pytest.param(default, ldn(2026, 11, 27, 15), ldn(2026, 11, 30, 9), 2 * H, id="over-a-weekend"),
        pytest.param(default, ldn(2026, 11, 30, 9), ldn(2026, 11, 27, 15), -2 * H, id="negative"),
        pytest.param(default, ldn(2026, 11, 26, 10), ldn(2026, 11, 26, 10), 0, id="a=b"),
        pytest.param(default, ldn(2026, 11, 28, 1), ldn(2026, 11, 29, 23), 0, id="within-a-weekend"),
        pytest.param(default, ldn(2026, 11, 26, 7), ldn(2026, 11, 26, 17), DAY, id="whole-day"),
        pytest.param(default, ldn(2026, 11, 26, 16), ldn(2026, 11, 27, 8), 0, id="closing-to-opening"),
        pytest.param(default, ldn(2026, 11, 2), ldn(2026, 11, 9), 5 * DAY, id="a-week"),
        pytest.param(default, ldn(2026, 11, 26, 15, 59, 59, 999_999), ldn(2026, 11, 26, 16), 0.000_001, id="1us"),
        pytest.param(default, ldn(2026, 3, 28), ldn(2026, 3, 30, 9), 1 * H, id="dst-march"),
        pytest.param(default, ldn(2026, 10, 23, 15), ldn(2026, 10, 26, 9), 2 * H, id="dst-october"),
        pytest.param(default, ldn(2026, 4, 2, 8), ldn(2026, 4, 9, 8), 5 * DAY, id="easter-no-holidays"),
        pytest.param(with_holiday_dates, ldn(2026, 4, 2, 8), ldn(2026, 4, 9, 8), 3 * DAY, id="easter-holidays"),
        pytest.param(with_holiday_years, ldn(2026, 12, 24), ldn(2026, 12, 31), 3 * DAY, id="christmas-holidays"),
        pytest.param(nightly, ldn(2026, 3, 28, 21), ldn(2026, 3, 29, 7), 7 * H, id="night-shift-loses-an-hour"),
        pytest.param(nightly, ldn(2026, 10, 24, 21), ldn(2026, 10, 25, 7), 9 * H, id="night-shift-gains-an-hour"),
    ],
)
def test_working_time_between(make: Callable[[], WorkingCalendar], a: datetime, b: datetime, seconds: float) -> None:
    assert make().working_time_between(a, b) == seconds


def test_working_time_between_accepts_mixed_zones() -> None:
    a = datetime(2026, 11, 27, 10, tzinfo=NEW_YORK)  # 15:00 London
    b = datetime(2026, 11, 30, 9, tzinfo=UTC)  # 09:00 London (GMT)
    assert default().working_time_between(a, b) == 2 * H
    fixed = datetime(2026, 11, 27, 10, 45, tzinfo=timezone(timedelta(hours=-5)))  # 15:45 London
    assert default().add_working_time(fixed, 30 * M) == ldn(2026, 11, 30, 8, 15)


# --- other shapes: overnight shifts, two periods a day, 24x7 --------------------------------------


@pytest.mark.parametrize(
    ("start", "seconds", "expected"),
    [
        pytest.param(ldn(2026, 11, 2, 23), 8 * H, ldn(2026, 11, 3, 23), id="mon-23:00+8h"),
        pytest.param(ldn(2026, 11, 2, 22), 8 * H, ldn(2026, 11, 3, 6), id="whole-shift->closing-stays"),
        pytest.param(ldn(2026, 11, 3, 3), 1 * H, ldn(2026, 11, 3, 4), id="inside-mondays-shift"),
        pytest.param(ldn(2026, 11, 7, 5), 2 * H, ldn(2026, 11, 9, 23), id="saturday-morning-over-weekend"),
        pytest.param(ldn(2026, 11, 2, 3), 0, ldn(2026, 11, 2, 22), id="no-sunday-shift"),
        pytest.param(ldn(2026, 11, 2, 12), 30 * M, ldn(2026, 11, 2, 22, 30), id="midday"),
        pytest.param(ldn(2026, 11, 3, 6), 0, ldn(2026, 11, 3, 22), id="closing+0"),
        pytest.param(ldn(2026, 11, 3, 22, 30), -1 * H, ldn(2026, 11, 3, 5, 30), id="backwards"),
        pytest.param(ldn(2026, 11, 9, 22), -1 * H, ldn(2026, 11, 7, 5), id="backwards-over-weekend"),
    ],
)
def test_overnight_shifts(start: datetime, seconds: float, expected: datetime) -> None:
    assert overnight().add_working_time(start, seconds) == expected


def test_a_closed_date_removes_the_shift_starting_on_it_not_the_one_running_into_it() -> None:
    periods = [WorkingPeriod(day, time(22), time(6)) for day in range(5)]
    calendar = WorkingCalendar(zone=LONDON, periods=periods, closed_dates=[date(2026, 11, 3)])
    assert calendar.is_working(ldn(2026, 11, 3, 5))  # Monday night's shift, into the closed Tuesday
    assert not calendar.is_working(ldn(2026, 11, 3, 23))  # Tuesday night's shift is closed
    assert calendar.add_working_time(ldn(2026, 11, 3, 5), 2 * H) == ldn(2026, 11, 4, 23)


@pytest.mark.parametrize(
    ("start", "seconds", "expected"),
    [
        pytest.param(ldn(2026, 11, 30, 11, 30), 1 * H, ldn(2026, 11, 30, 13, 30), id="over-lunch"),
        pytest.param(ldn(2026, 11, 30, 11), 1 * H, ldn(2026, 11, 30, 12), id="lunch-closing-stays"),
        pytest.param(ldn(2026, 11, 30, 12, 30), 0, ldn(2026, 11, 30, 13), id="lunch+0"),
        pytest.param(ldn(2026, 11, 30, 16, 30), 1 * H, ldn(2026, 12, 1, 8, 30), id="evening"),
        pytest.param(ldn(2026, 11, 30, 8), 8 * H, ldn(2026, 11, 30, 17), id="whole-day"),
        pytest.param(ldn(2026, 11, 30, 13), -1 * H, ldn(2026, 11, 30, 11), id="back-over-lunch"),
        pytest.param(ldn(2026, 11, 30, 13, 30), -30 * M, ldn(2026, 11, 30, 13), id="afternoon-opening-stays"),
    ],
)
def test_two_periods_a_day(start: datetime, seconds: float, expected: datetime) -> None:
    assert split().add_working_time(start, seconds) == expected


def test_day_seconds() -> None:
    assert default().day_seconds == 28_800
    assert overnight().day_seconds == 28_800
    assert split().day_seconds == 28_800
    assert WorkingCalendar.weekdays(zone=LONDON, start=time(9), end=time(17, 30)).day_seconds == 30_600
    assert WorkingCalendar.always_open().day_seconds == 86_400
    uneven = [WorkingPeriod(0, time(9), time(12)), WorkingPeriod(4, time(9), time(17))]  # longest day wins
    assert WorkingCalendar(zone=LONDON, periods=uneven).day_seconds == 8 * H
    assert WorkingCalendar(zone=LONDON, periods=uneven, day_seconds=7 * H).day_seconds == 7 * H


def test_always_open() -> None:
    utc = WorkingCalendar.always_open()
    monday = datetime(2026, 11, 2, 10, tzinfo=UTC)
    assert utc.add_working_time(monday, 3600) == datetime(2026, 11, 2, 11, tzinfo=UTC)
    assert utc.add_working_time(monday, 0) == monday
    assert utc.add_working_time(monday, -86_400) == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert utc.working_time_between(datetime(2026, 11, 7, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC)) == 86_400
    assert utc.is_working(datetime(2026, 11, 8, 3, tzinfo=UTC))
    assert utc.next_working_instant(monday) == monday
    assert utc.next_day_opening(monday) == datetime(2026, 11, 3, tzinfo=UTC)
    london = WorkingCalendar.always_open(LONDON)  # 24 hours of working time over the spring change
    assert london.add_working_time(ldn(2026, 3, 28, 12), 86_400) == ldn(2026, 3, 29, 13)
    assert london.add_working_time(ldn(2026, 3, 29, 13), -86_400) == ldn(2026, 3, 28, 12)
    assert london.next_day_opening(ldn(2026, 3, 28, 12)) == ldn(2026, 3, 29)


# --- is_working, next_working_instant, next_day_opening ----------------------------------------


@pytest.mark.parametrize(
    ("make", "t", "working"),
    [
        pytest.param(default, ldn(2026, 11, 26, 8), True, id="opening"),
        pytest.param(default, ldn(2026, 11, 26, 7, 59, 59, 999_999), False, id="just-before-opening"),
        pytest.param(default, ldn(2026, 11, 26, 15, 59, 59, 999_999), True, id="just-before-closing"),
        pytest.param(default, ldn(2026, 11, 26, 16), False, id="closing"),
        pytest.param(default, ldn(2026, 11, 28, 12), False, id="saturday"),
        pytest.param(default, ldn(2026, 4, 3, 10), True, id="good-friday-no-holidays"),
        pytest.param(with_holiday_dates, ldn(2026, 4, 3, 10), False, id="good-friday-holiday"),
        pytest.param(overnight, ldn(2026, 11, 3, 3), True, id="night-shift"),
        pytest.param(overnight, ldn(2026, 11, 3, 6), False, id="night-shift-closing"),
        pytest.param(overnight, ldn(2026, 11, 7, 5, 59), True, id="friday-night-into-saturday"),
        pytest.param(overnight, ldn(2026, 11, 8, 1), False, id="no-saturday-night"),
        pytest.param(split, ldn(2026, 11, 30, 12), False, id="lunch"),
        pytest.param(split, ldn(2026, 11, 30, 13), True, id="after-lunch"),
    ],
)
def test_is_working(make: Callable[[], WorkingCalendar], t: datetime, working: bool) -> None:
    assert make().is_working(t) is working


@pytest.mark.parametrize(
    ("make", "t", "expected"),
    [
        pytest.param(default, ldn(2026, 11, 26, 10), ldn(2026, 11, 26, 10), id="in-hours"),
        pytest.param(default, ldn(2026, 11, 26, 7), ldn(2026, 11, 26, 8), id="early"),
        pytest.param(default, ldn(2026, 11, 26, 16), ldn(2026, 11, 27, 8), id="closing"),
        pytest.param(default, ldn(2026, 11, 27, 17), ldn(2026, 11, 30, 8), id="friday-evening"),
        pytest.param(default, ldn(2026, 3, 28, 12), datetime(2026, 3, 30, 7, tzinfo=UTC), id="over-dst"),
        pytest.param(with_holiday_years, ldn(2026, 4, 2, 16), ldn(2026, 4, 7, 8), id="easter"),
        pytest.param(overnight, ldn(2026, 11, 3, 3), ldn(2026, 11, 3, 3), id="night-shift"),
        pytest.param(split, ldn(2026, 11, 30, 12, 15), ldn(2026, 11, 30, 13), id="lunch"),
    ],
)
def test_next_working_instant(make: Callable[[], WorkingCalendar], t: datetime, expected: datetime) -> None:
    result = make().next_working_instant(t)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("make", "t", "expected"),
    [
        pytest.param(default, ldn(2026, 11, 27, 10), ldn(2026, 11, 30, 8), id="friday->monday"),
        pytest.param(default, ldn(2026, 11, 26, 7), ldn(2026, 11, 27, 8), id="before-opening->tomorrow"),
        pytest.param(default, ldn(2026, 11, 26, 23, 59), ldn(2026, 11, 27, 8), id="late"),
        pytest.param(default, ldn(2026, 11, 28, 10), ldn(2026, 11, 30, 8), id="saturday"),
        pytest.param(default, ldn(2026, 3, 27, 10), ldn(2026, 3, 30, 8), id="over-dst"),
        pytest.param(
            default,
            datetime(2026, 11, 26, 23, 30, tzinfo=NEW_YORK),
            ldn(2026, 11, 30, 8),
            id="date-is-local-to-calendar",
        ),
        pytest.param(with_holiday_dates, ldn(2026, 4, 2, 10), ldn(2026, 4, 7, 8), id="easter"),
        pytest.param(with_holiday_dates, ldn(2026, 12, 23, 10), ldn(2026, 12, 24, 8), id="christmas-eve"),
        pytest.param(with_holiday_dates, ldn(2026, 12, 24, 10), ldn(2026, 12, 29, 8), id="christmas"),
        pytest.param(overnight, ldn(2026, 11, 2, 23), ldn(2026, 11, 3, 22), id="night-shift"),
        pytest.param(overnight, ldn(2026, 11, 3, 3), ldn(2026, 11, 4, 22), id="night-shift-after-midnight"),
        pytest.param(split, ldn(2026, 11, 30, 10), ldn(2026, 12, 1, 8), id="first-period-of-tomorrow"),
    ],
)
def test_next_day_opening(make: Callable[[], WorkingCalendar], t: datetime, expected: datetime) -> None:
    assert make().next_day_opening(t) == expected


# --- DST edge: wall-clock times that do not exist or happen twice --------------------------------


def test_period_starting_in_the_spring_gap_starts_when_the_gap_ends() -> None:
    # Sundays 01:30-03:00: on 29 Mar 2026 01:30 does not exist (01:00 GMT -> 02:00 BST).
    calendar = WorkingCalendar(zone=LONDON, periods=[WorkingPeriod(6, time(1, 30), time(3))])
    assert calendar.next_working_instant(ldn(2026, 3, 29)) == datetime(2026, 3, 29, 1, tzinfo=UTC)  # 02:00 BST
    assert calendar.working_time_between(ldn(2026, 3, 29), ldn(2026, 3, 29, 5)) == 1 * H


def test_period_in_the_autumn_fold_takes_the_first_occurrence() -> None:
    # 01:30 happens twice on 25 Oct 2026; the period starts at the first (BST), ends 03:00 GMT.
    calendar = WorkingCalendar(zone=LONDON, periods=[WorkingPeriod(6, time(1, 30), time(3))])
    assert calendar.next_working_instant(ldn(2026, 10, 25)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert calendar.working_time_between(ldn(2026, 10, 25), ldn(2026, 10, 25, 5)) == 2.5 * H


def test_period_wholly_inside_the_gap_is_empty() -> None:
    calendar = WorkingCalendar(zone=LONDON, periods=[WorkingPeriod(6, time(1, 10), time(1, 50))])
    assert calendar.working_time_between(ldn(2026, 3, 29), ldn(2026, 3, 30)) == 0
    assert calendar.next_working_instant(ldn(2026, 3, 29)) == ldn(2026, 4, 5, 1, 10)
    assert calendar.next_day_opening(ldn(2026, 3, 28, 12)) == ldn(2026, 4, 5, 1, 10)


# --- errors -----------------------------------------------------------------------------------------

NAIVE = datetime(2026, 11, 26, 10)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c: c.add_working_time(NAIVE, 60), id="add_working_time"),
        pytest.param(lambda c: c.add_working_time(NAIVE, -60), id="add_working_time-negative"),
        pytest.param(lambda c: c.working_time_between(NAIVE, ldn(2026, 11, 27)), id="between-a"),
        pytest.param(lambda c: c.working_time_between(ldn(2026, 11, 27), NAIVE), id="between-b"),
        pytest.param(lambda c: c.next_working_instant(NAIVE), id="next_working_instant"),
        pytest.param(lambda c: c.is_working(NAIVE), id="is_working"),
        pytest.param(lambda c: c.next_day_opening(NAIVE), id="next_day_opening"),
    ],
)
def test_naive_datetimes_are_rejected(call: Callable[[WorkingCalendar], object]) -> None:
    calendar = default()
    calendar.add_working_time(ldn(2026, 11, 26, 10), 60)  # with a horizon built, too
    with pytest.raises(ValueError, match="naive"):
        call(calendar)
    with pytest.raises(ValueError, match="naive"):
        call(default())


def test_a_calendar_without_working_periods_is_rejected() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(zone=LONDON, periods=[])
    with pytest.raises(ValueError):
        WorkingCalendar.weekdays(zone=LONDON, days=())


@pytest.mark.parametrize("weekday", [-1, 7])
def test_weekday_out_of_range_is_rejected(weekday: int) -> None:
    with pytest.raises(ValueError):
        WorkingPeriod(weekday, time(8), time(16))


def test_a_calendar_closed_every_day_raises_instead_of_looping() -> None:
    def every_day(year: int) -> list[date]:
        first = date(year, 1, 1)
        return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]

    calendar = WorkingCalendar.weekdays(zone=LONDON, closed_for_year=every_day)
    with pytest.raises(ValueError, match="no working time"):
        calendar.add_working_time(ldn(2026, 11, 26, 10), 60)
    with pytest.raises(ValueError, match="no working time"):
        calendar.add_working_time(ldn(2026, 11, 26, 10), -60)
    with pytest.raises(ValueError, match="no working time"):
        calendar.next_working_instant(ldn(2026, 11, 26, 10))
    with pytest.raises(ValueError, match="no working time"):
        calendar.next_day_opening(ldn(2026, 11, 26, 10))


# --- the horizon grows on demand, in either direction, and answers like a fresh calendar -----------


def sample_answers(calendar: WorkingCalendar, around: datetime) -> list[object]:
    """A spread of questions over a fortnight around `around`."""
    answers: list[object] = []
    for hours in range(0, 14 * 24, 7):
        t = around + timedelta(hours=hours, minutes=hours % 60)
        answers.append(calendar.is_working(t))
        answers.append(calendar.next_day_opening(t))
        for seconds in (0, 30 * M, 4 * H, 2 * DAY, 14 * DAY, -30 * M, -14 * DAY):
            answers.append(calendar.add_working_time(t, seconds))
        answers.append(calendar.working_time_between(t, t + timedelta(days=9)))
    return answers


@pytest.mark.parametrize(
    ("far", "friday", "monday"),
    [
        pytest.param(ldn(2040, 1, 2), ldn(2040, 1, 6, 15, 45), ldn(2040, 1, 9, 8, 15), id="2040"),
        pytest.param(ldn(2001, 5, 28), ldn(2001, 6, 1, 15, 45), ldn(2001, 6, 4, 8, 15), id="2001"),
    ],
)
def test_horizon_grows_far_away(far: datetime, friday: datetime, monday: datetime) -> None:
    grown = with_holiday_years()
    grown.add_working_time(ldn(2026, 11, 26, 10), 60)  # built around 2026
    assert grown.add_working_time(friday, 30 * M) == monday
    assert sample_answers(grown, far) == sample_answers(with_holiday_years(), far)


@pytest.mark.parametrize("step", [1, -1], ids=["forwards", "backwards"])
def test_a_day_by_day_walk_sees_every_day_right(step: int) -> None:
    """Wherever the horizon's seams fall, each weekday is open 08:00-16:00 and each weekend day is not."""
    calendar = default()
    day = date(2026, 11, 26)
    for _ in range(8 * 366):
        weekday = day.weekday() < 5
        noon = datetime.combine(day, time(12), tzinfo=LONDON)
        assert calendar.is_working(noon) is weekday
        assert calendar.is_working(datetime.combine(day, time(7, 59), tzinfo=LONDON)) is False
        expected_opening = datetime.combine(day, time(8), tzinfo=LONDON) if weekday else None
        if expected_opening is not None:
            assert calendar.next_working_instant(datetime.combine(day, time(0), tzinfo=LONDON)) == expected_opening
            assert calendar.working_time_between(datetime.combine(day, time(0), tzinfo=LONDON), noon) == 4 * H
        day += timedelta(days=step)


def test_deadlines_far_beyond_the_horizon() -> None:
    # No holidays, five days a week: 2,000 working days are exactly 400 weeks, wall-clock.
    start, later, earlier = ldn(2026, 11, 2, 10), ldn(2034, 7, 3, 10), ldn(2019, 3, 4, 10)
    calendar = default()
    calendar.add_working_time(start, 60)  # a horizon of a few years around 2026, then beyond it:
    assert calendar.add_working_time(start, 2000 * DAY) == later
    assert calendar.add_working_time(start, -2000 * DAY) == earlier
    assert calendar.working_time_between(earlier, later) == 4000 * DAY
    assert default().add_working_time(later, -4000 * DAY) == earlier
    epoch = default()
    epoch.add_working_time_epoch(start.timestamp(), 60)
    assert epoch.add_working_time_epoch(start.timestamp(), 2000 * DAY) == later.timestamp()
    assert epoch.add_working_time_epoch(start.timestamp(), -2000 * DAY) == earlier.timestamp()


def test_threads_growing_the_horizon_all_get_the_right_answers() -> None:
    # A Friday at 15:45 + 30 minutes is the Monday at 08:15, every year: a literal we can check.
    fridays = []
    for year in range(2001, 2061):
        june = date(year, 6, 1)
        friday = june + timedelta(days=(4 - june.weekday()) % 7)
        fridays.append(datetime.combine(friday, time(15, 45), tzinfo=LONDON))
    reference = default()
    work: list[tuple[datetime, float]] = [(f, seconds) for f in fridays for seconds in (30 * M, 14 * DAY, -30 * M)]
    expected = {item: reference.add_working_time(*item) for item in work}

    calendar = default()
    barrier = threading.Barrier(16)

    def worker(n: int) -> list[tuple[datetime, float, datetime]]:
        barrier.wait()  # all at once, on a calendar with no horizon yet
        # Each thread walks the years in its own order, so growth happens in both directions at once.
        mine = work[n::16] + work[:n:3] + list(reversed(work))[n::5]
        return [(t, s, calendar.add_working_time(t, s)) for t, s in mine]

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(worker, range(16), timeout=60))
    assert len(results) == 16
    for answers in results:
        for t, seconds, got in answers:
            assert got == expected[(t, seconds)]
            if seconds == 30 * M:
                assert got == t + timedelta(days=3, hours=-7, minutes=-30)  # Friday 15:45 -> Monday 08:15 wall clock


# --- properties ------------------------------------------------------------------------------------

PROPERTY_ZONES = (LONDON, NEW_YORK, KOLKATA, LORD_HOWE)


def _holidays_every_year(year: int) -> list[date]:
    return [date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)]


# Shared across examples, so each grows its horizon once over 2000-2060.
PROPERTY_CALENDARS: list[WorkingCalendar] = [WorkingCalendar.weekdays(zone=zone) for zone in PROPERTY_ZONES] + [
    WorkingCalendar.weekdays(zone=LONDON, closed_for_year=_holidays_every_year),
    WorkingCalendar(zone=LORD_HOWE, periods=[WorkingPeriod(day, time(22), time(6)) for day in range(5)]),
    WorkingCalendar(zone=NEW_YORK, periods=[WorkingPeriod(day, time(1, 30), time(1, 30)) for day in (5, 6)]),
    WorkingCalendar(
        zone=KOLKATA,
        periods=[WorkingPeriod(day, s, e) for day in range(5) for s, e in ((time(8), time(12)), (time(13), time(17)))],
    ),
]

calendars = st.sampled_from(PROPERTY_CALENDARS)
starts = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.sampled_from(PROPERTY_ZONES)
)
whole_seconds = st.integers(min_value=0, max_value=60 * DAY)
amounts = st.one_of(
    whole_seconds, st.floats(min_value=0, max_value=60 * DAY).map(lambda x: round(x, 6))
)  # microseconds

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)


@PROPERTY_SETTINGS
@given(calendar=calendars, a=starts, s=whole_seconds)
def test_between_measures_what_add_added(calendar: WorkingCalendar, a: datetime, s: int) -> None:
    assert calendar.working_time_between(a, calendar.add_working_time(a, s)) == s


@PROPERTY_SETTINGS
@given(calendar=calendars, a=starts, s=st.floats(min_value=0, max_value=60 * DAY, allow_nan=False))
def test_between_measures_what_add_added_for_fractions(calendar: WorkingCalendar, a: datetime, s: float) -> None:
    assert calendar.working_time_between(a, calendar.add_working_time(a, s)) == pytest.approx(s, abs=1e-6)


@PROPERTY_SETTINGS
@given(calendar=calendars, a=starts, s=amounts)
def test_a_deadline_is_working_time_or_a_closing(calendar: WorkingCalendar, a: datetime, s: float) -> None:
    deadline = calendar.add_working_time(a, s)
    assert deadline >= a
    if s == 0:
        assert calendar.is_working(deadline)
        assert calendar.working_time_between(a, deadline) == 0
    else:
        # Inside a period or on its closing instant: the microsecond before is working time.
        assert calendar.is_working(deadline - timedelta(microseconds=1))


@PROPERTY_SETTINGS
@given(calendar=calendars, a=starts, s1=whole_seconds, s2=st.integers(min_value=1, max_value=60 * DAY))
def test_adding_twice_is_adding_the_sum(calendar: WorkingCalendar, a: datetime, s1: int, s2: int) -> None:
    assert calendar.add_working_time(calendar.add_working_time(a, s1), s2) == calendar.add_working_time(a, s1 + s2)


@PROPERTY_SETTINGS
@given(calendar=calendars, a=starts, s=amounts)
def test_subtracting_inverts_adding_from_working_time(calendar: WorkingCalendar, a: datetime, s: float) -> None:
    a = calendar.next_working_instant(a)  # now inside working time
    s = round(s, 6)  # a datetime holds microseconds
    assert calendar.add_working_time(calendar.add_working_time(a, s), -s) == a
    assert calendar.working_time_between(calendar.add_working_time(a, -s), a) == pytest.approx(s, abs=1e-6)


@PROPERTY_SETTINGS
@given(calendar=calendars, a=starts, s=st.one_of(amounts, st.floats(min_value=-60 * DAY, max_value=0)))
def test_epoch_fast_path_equals_the_datetime_path(calendar: WorkingCalendar, a: datetime, s: float) -> None:
    assert calendar.add_working_time_epoch(a.timestamp(), s) == calendar.add_working_time(a, s).timestamp()


@PROPERTY_SETTINGS
@given(calendar=calendars, a=starts, b=starts)
def test_between_is_antisymmetric_and_agrees_with_is_working(
    calendar: WorkingCalendar, a: datetime, b: datetime
) -> None:
    assume(a != b)
    forward = calendar.working_time_between(a, b)
    assert calendar.working_time_between(b, a) == -forward
    assert (forward > 0) is (b > a and calendar.next_working_instant(a) < b)
