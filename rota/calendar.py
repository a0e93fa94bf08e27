"""Working-time calendar: SLA clocks that only run during local working hours.

Pure: stdlib only, never reads the clock. Working periods are local wall-clock times; they are
turned into UTC instants (integer microseconds since the POSIX epoch) over a horizon of dates,
merged, and given cumulative working time, so every question is a `bisect` away: O(log n) however
far a deadline lands (+30 minutes and +14 working days cost the same). The horizon grows on
demand in either direction; a grown copy is built aside and swapped in under a lock, so
concurrent readers only ever see a complete one. The horizon is one contiguous range of dates, so
asking about 2001 and then 2060 builds everything in between (about 260 intervals a year).

A closed date (closed_dates, or closed_for_year(year), asked once per year) has no periods that
start on it; a night shift that starts the evening before still runs into it. A calendar without
periods is refused at construction; one whose closed dates leave no working time at all (say, a
closed_for_year that closes every day) raises ValueError after searching a century, never loops.

DST: wall-clock times are resolved with zoneinfo, so 08:00 stays 08:00 local across the change.
A wall-clock time that does not exist (the spring-forward gap, e.g. 01:30 on 29 Mar 2026 in
London) is moved to the end of the gap (02:00 BST), the first instant that exists; a period that
lies wholly inside a gap is empty and dropped. An ambiguous time (the autumn fold, e.g. 01:30 on
25 Oct 2026 in London) means its first occurrence (PEP 495 fold=0).
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

__all__ = ["WorkingCalendar", "WorkingPeriod"]

_US = timedelta(microseconds=1)
_US_PER_S = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY = timedelta(days=1)
_DAY_S = 86_400
_SENTINEL = -(2**62)  # a zero-length interval before everything, so bisect never returns -1
_INITIAL_PAST = timedelta(days=2 * 366)
_INITIAL_FUTURE = timedelta(days=3 * 366)
_MIN_GROWTH_DAYS = 731
_GIVE_UP_US = 100 * 366 * _DAY_S * _US_PER_S  # no working time for a century: the calendar has none
_FIRST_DATE = date.min + timedelta(days=3)
_LAST_DATE = date.max - timedelta(days=3)
_DT_SENTINEL = datetime(1, 1, 1, tzinfo=UTC)
_ZERO = timedelta(0)
_UTC_ZONE = ZoneInfo("UTC")
_STEPS: dict[float, timedelta] = {}  # seconds -> timedelta; SLA targets are few, so this stays small


@dataclass(frozen=True)
class WorkingPeriod:
    """One weekly working period in local wall-clock time; end <= start runs past midnight."""

    weekday: int  # 0 = Monday
    start: time
    end: time

    def __post_init__(self) -> None:
        if not isinstance(self.weekday, int) or not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday {self.weekday!r} is not 0 (Monday) to 6 (Sunday)")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working period times are local wall-clock times: give them without tzinfo")

    @property
    def overnight(self) -> bool:
        """Whether the period ends on the next day (end <= start; equal means 24 hours)."""
        return self.end <= self.start

    @property
    def nominal_seconds(self) -> float:
        """Length on the wall clock, ignoring DST changes."""
        seconds = _seconds_of_day(self.end) - _seconds_of_day(self.start)
        return seconds + _DAY_S if seconds <= 0 else seconds


def _seconds_of_day(t: time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / _US_PER_S


def _to_us(t: datetime) -> int:
    """Aware datetime -> integer microseconds since the epoch (exact)."""
    try:
        return (t - _EPOCH) // _US
    except TypeError:
        raise ValueError(f"{t!r} is naive: give an aware datetime") from None


def _from_us(us: int) -> datetime:
    return _EPOCH + _US * us


def _step(seconds: float) -> timedelta:
    """Seconds as a timedelta, rounded to the microsecond like the epoch path (cached)."""
    step = _STEPS.get(seconds)
    if step is None:
        step = timedelta(microseconds=round(seconds * _US_PER_S))
        if len(_STEPS) > 4096:  # a caller with ever-new amounts: keep the cache bounded
            _STEPS.clear()
        _STEPS[seconds] = step
    return step


def _wall_us(zone: ZoneInfo, day: date, at: time) -> int:
    """The instant of a local wall-clock time; gap times move to the gap's end, fold times take fold=0."""
    local = datetime.combine(day, at, tzinfo=zone)
    before = local.utcoffset()
    after = local.replace(fold=1).utcoffset()
    us = (local - _EPOCH) // _US
    if before is None or after is None or before >= after:
        return us  # an ordinary time, or the fold's first occurrence
    # In a gap, fold=0 reads the time with the offset from before the jump (an instant after it) and
    # fold=1 with the offset from after (an instant before it): the transition lies between. Bisect
    # for it, i.e. for the first instant that already has the new offset.
    low = (local.replace(fold=1) - _EPOCH) // _US  # before the transition
    high = us  # after it
    while high - low > 1:
        mid = (low + high) // 2
        if (_EPOCH + _US * mid).astimezone(zone).utcoffset() == after:
            high = mid
        else:
            low = mid
    return high


class _Fast(NamedTuple):
    """The same horizon as UTC datetimes and timedeltas: the datetime path then needs no conversions."""

    starts: list[datetime]
    ends: list[datetime]
    cum: list[timedelta]
    cumend: list[timedelta]
    lo: datetime
    hi: datetime
    flo: timedelta
    fhi: timedelta


class _Horizon(NamedTuple):
    """Merged working intervals (epoch microseconds) and cumulative working time, valid on [lo, hi]."""

    starts: list[int]
    ends: list[int]
    cum: list[int]  # working microseconds before starts[k] (from an arbitrary origin)
    cumend: list[int]  # working microseconds before ends[k]
    opens: list[int]  # every period's start, unmerged (for next_day_opening)
    lo: int
    hi: int
    flo: int  # cumulative working time at lo
    fhi: int  # ... and at hi
    first: date  # periods starting on first..last (local dates) are in the lists
    last: date
    fast: _Fast


def _cumulative(h: _Horizon, x: int) -> int:
    return _working_before(h.starts, h.ends, h.cum, h.cumend, x)


def _working_before(starts: list[int], ends: list[int], cum: list[int], cumend: list[int], x: int) -> int:
    """F(x): cumulative working time at x (x must be inside the horizon)."""
    i = bisect_right(starts, x) - 1
    return cum[i] + (x - starts[i]) if x < ends[i] else cumend[i]


class WorkingCalendar:
    """Working hours in one time zone, with closed dates; adds and measures working time."""

    def __init__(
        self,
        *,
        zone: ZoneInfo,
        periods: Sequence[WorkingPeriod],
        closed_dates: Iterable[date] = (),
        closed_for_year: Callable[[int], Iterable[date]] | None = None,
        day_seconds: float | None = None,
    ) -> None:
        if not periods:
            raise ValueError("a working calendar needs at least one working period")
        self.zone = zone
        self.periods: tuple[WorkingPeriod, ...] = tuple(periods)
        by_weekday: list[list[WorkingPeriod]] = [[] for _ in range(7)]
        for period in self.periods:
            by_weekday[period.weekday].append(period)
        self._by_weekday = tuple(tuple(sorted(day, key=lambda p: p.start)) for day in by_weekday)
        self._closed = frozenset(_as_date(d) for d in closed_dates)
        self._closed_for_year = closed_for_year
        self._closed_years: dict[int, frozenset[date]] = {}
        self._week_us = sum(p.nominal_seconds for p in self.periods) * _US_PER_S
        if day_seconds is None:
            day_seconds = max(sum(p.nominal_seconds for p in day) for day in self._by_weekday)
        if not day_seconds > 0:
            raise ValueError(f"day_seconds must be positive, not {day_seconds!r}")
        self._day_seconds = float(day_seconds)
        self._lock = threading.Lock()
        self._h: _Horizon | None = None  # built on first use, around the first instant asked about

    @classmethod
    def weekdays(
        cls,
        *,
        zone: ZoneInfo,
        days: Iterable[int] = (0, 1, 2, 3, 4),
        start: time = time(8),
        end: time = time(16),
        closed_dates: Iterable[date] = (),
        closed_for_year: Callable[[int], Iterable[date]] | None = None,
    ) -> WorkingCalendar:
        """The same hours on each of the given weekdays (default Mon-Fri 08:00-16:00)."""
        periods = [WorkingPeriod(weekday=day, start=start, end=end) for day in sorted(set(days))]
        return cls(zone=zone, periods=periods, closed_dates=closed_dates, closed_for_year=closed_for_year)

    @classmethod
    def always_open(cls, zone: ZoneInfo = _UTC_ZONE) -> WorkingCalendar:
        """24x7, no closed dates; a working day is 24 hours."""
        periods = [WorkingPeriod(weekday=day, start=time(0), end=time(0)) for day in range(7)]
        return cls(zone=zone, periods=periods, day_seconds=_DAY_S)

    def __repr__(self) -> str:
        return f"WorkingCalendar(zone={str(self.zone)!r}, periods={list(self.periods)!r}, closed_dates={len(self._closed)})"

    @property
    def day_seconds(self) -> float:
        """Seconds in one working day, for targets written in days ("2d" = 2 * day_seconds)."""
        return self._day_seconds

    # --- queries ---------------------------------------------------------------------------------

    def add_working_time(self, start: datetime, seconds: float) -> datetime:
        """The earliest instant at which `seconds` of working time have elapsed since `start` (UTC)."""
        # The hot path (hundreds of thousands a second): the same rule as _add_us, on UTC datetimes
        # and timedeltas, which compare and subtract in C without converting to numbers and back.
        zone = start.tzinfo
        if zone is not UTC:
            if zone is None or (
                type(zone) is not ZoneInfo and type(zone) is not timezone and start.utcoffset() is None
            ):
                raise ValueError(f"{start!r} is naive: give an aware datetime")
            start = start.astimezone(UTC)
        step = _STEPS.get(seconds) or _step(seconds)
        h = self._h
        if h is not None and step:
            starts, ends, cum, cumend, lo, hi, flo, fhi = h.fast
            if lo <= start <= hi:
                i = bisect_right(starts, start) - 1
                target = (cum[i] + (start - starts[i]) if start < ends[i] else cumend[i]) + step
                if step > _ZERO:
                    if target <= fhi:
                        j = bisect_left(cumend, target)
                        return ends[j] - (cumend[j] - target)
                elif target >= flo:
                    j = bisect_right(cum, target) - 1
                    return starts[j] + (target - cum[j])
        return _from_us(self._add_us(_to_us(start), step // _US))

    def add_working_time_epoch(self, start: float, seconds: float) -> float:
        """add_working_time on POSIX seconds, for batches."""
        # Split off the whole seconds first: start * 1e6 in one go can be a microsecond out after 2030.
        whole = int(start)
        x = whole * _US_PER_S + round((start - whole) * _US_PER_S)
        s = round(seconds * _US_PER_S)
        h = self._h
        if h is not None and s > 0 and h.lo <= x <= h.hi:  # the common case of _add_us, inlined
            starts, ends, cum, cumend = h.starts, h.ends, h.cum, h.cumend
            i = bisect_right(starts, x) - 1
            target = (cum[i] + (x - starts[i]) if x < ends[i] else cumend[i]) + s
            if target <= h.fhi:
                j = bisect_left(cumend, target)
                return (ends[j] - (cumend[j] - target)) / _US_PER_S
        return self._add_us(x, s) / _US_PER_S

    def working_time_between(self, a: datetime, b: datetime) -> float:
        """Working seconds in [a, b); negative when b is before a."""
        x, y = _to_us(a), _to_us(b)
        h = self._covering(min(x, y), max(x, y))
        return (_cumulative(h, y) - _cumulative(h, x)) / _US_PER_S

    def next_working_instant(self, t: datetime) -> datetime:
        """t itself inside working time, else the start of the next working period."""
        return _from_us(self._add_us(_to_us(t), 0))

    def is_working(self, t: datetime) -> bool:
        """Whether t lies inside a working period (openings are, closings are not)."""
        x = _to_us(t)
        h = self._covering(x, x)
        i = bisect_right(h.starts, x) - 1
        return x < h.ends[i]

    def next_day_opening(self, t: datetime) -> datetime:
        """The start of the first working period on a later local date than t's ("until tomorrow")."""
        _to_us(t)  # rejects naive datetimes
        tomorrow = t.astimezone(self.zone).date() + _DAY
        midnight = _wall_us(self.zone, tomorrow, time(0))
        while True:
            h = self._covering(midnight, midnight)
            k = bisect_left(h.opens, midnight)
            if k < len(h.opens) and h.opens[k] <= h.hi:
                return _from_us(h.opens[k])
            self._grow(h, forward=True, work_us=0)

    # --- the engine ------------------------------------------------------------------------------

    def _add_us(self, x: int, s: int) -> int:
        """The deadline rule on epoch microseconds: F(result) = F(x) + s, where F counts working time.

        s > 0: the earliest such instant (so a deadline on closing time stays there); s < 0: the
        latest (so one on an opening stays there); s == 0: the latest, which is x itself in working
        time and the next opening out of hours.
        """
        while True:
            h = self._h
            if h is None or x < h.lo or x > h.hi:
                h = self._covering(x, x)
            starts, ends, cum, cumend, _, _, _, flo, fhi, _, _, _ = h
            i = bisect_right(starts, x) - 1
            fx = cum[i] + (x - starts[i]) if x < ends[i] else cumend[i]
            target = fx + s
            if s > 0:
                if target <= fhi:
                    j = bisect_left(cumend, target)
                    return ends[j] - (cumend[j] - target)
                self._grow(h, forward=True, work_us=target - fhi)
            elif s < 0:
                if target >= flo:
                    j = bisect_right(cum, target) - 1
                    return starts[j] + (target - cum[j])
                self._grow(h, forward=False, work_us=flo - target)
            else:
                if target < fhi:  # some working time lies ahead within the horizon: the next opening is known
                    j = bisect_right(cum, target) - 1
                    return starts[j] + (target - cum[j])
                self._grow(h, forward=True, work_us=1)

    def _covering(self, x: int, y: int) -> _Horizon:
        """A horizon whose valid range holds [x, y], growing the current one if needed."""
        h = self._h
        if h is not None and h.lo <= x and y <= h.hi:
            return h
        with self._lock:
            h = self._h
            if h is not None and h.lo <= x and y <= h.hi:
                return h
            first_needed = self._local_date(x)
            last_needed = self._local_date(y)
            if h is None:
                first, last = first_needed - _INITIAL_PAST, last_needed + _INITIAL_FUTURE
            else:
                first = min(h.first, first_needed - timedelta(days=366)) if x < h.lo else h.first
                last = max(h.last, last_needed + timedelta(days=_MIN_GROWTH_DAYS)) if y > h.hi else h.last
            self._h = self._build(first, last, h)
            return self._h

    def _grow(self, seen: _Horizon, *, forward: bool, work_us: int) -> None:
        """Extend the horizon past `seen` in one direction by enough days for `work_us` more working time."""
        with self._lock:
            h = self._h
            if h is not seen or h is None:
                return  # another thread grew it meanwhile: the caller looks again
            days = max(_MIN_GROWTH_DAYS, int(work_us / self._week_us * 7 * 1.25) + 14)
            if forward:
                grown = self._build(h.first, h.last + timedelta(days=days), h)
                idle = grown.hi - (grown.ends[-1] if len(grown.ends) > 1 else grown.lo)
                stuck = grown.ends[-1] == h.ends[-1] and idle > _GIVE_UP_US
            else:
                grown = self._build(h.first - timedelta(days=days), h.last, h)
                idle = (grown.starts[1] if len(grown.starts) > 1 else grown.hi) - grown.lo
                stuck = grown.starts[1:2] == h.starts[1:2] and idle > _GIVE_UP_US
            self._h = grown
        if stuck:
            raise ValueError("this calendar has no working time within a century of the instant asked about")

    def _local_date(self, us: int) -> date:
        try:
            return _from_us(us).astimezone(self.zone).date()
        except OverflowError:
            raise ValueError("instant out of the supported range") from None

    def _is_closed(self, day: date) -> bool:
        if day in self._closed:
            return True
        if self._closed_for_year is None:
            return False
        year = self._closed_years.get(day.year)
        if year is None:  # asked once per year, always under the lock
            year = self._closed_years[day.year] = frozenset(_as_date(d) for d in self._closed_for_year(day.year))
        return day in year

    def _build(self, first: date, last: date, old: _Horizon | None) -> _Horizon:
        """A new horizon for periods starting on first..last, reusing what `old` already holds."""
        if first < _FIRST_DATE or last > _LAST_DATE:
            raise ValueError("working time out of the supported date range")
        if old is None:
            pairs, opens = self._generate(first, last)
        else:
            before, opens_before = self._generate(first, old.first - _DAY)
            after, opens_after = self._generate(old.last + _DAY, last)
            pairs = before + list(zip(old.starts[1:], old.ends[1:], strict=True)) + after
            opens = opens_before + old.opens + opens_after
        pairs.sort()
        opens.sort()
        starts, ends, cum, cumend = [_SENTINEL], [_SENTINEL], [0], [0]
        total = 0
        for s, e in pairs:  # merge overlapping and touching intervals, so closing means closing
            if s <= ends[-1]:
                if e > ends[-1]:
                    total += e - ends[-1]
                    ends[-1] = e
                    cumend[-1] = total
            else:
                starts.append(s)
                ends.append(e)
                cum.append(total)
                total += e - s
                cumend.append(total)
        # Periods that start before `first` end by the following midnight; ones after `last` start
        # after its midnight. Inside these bounds the lists are complete.
        lo = _wall_us(self.zone, first + 2 * _DAY, time(0))
        hi = _wall_us(self.zone, last, time(0))
        flo = _working_before(starts, ends, cum, cumend, lo)
        fhi = _working_before(starts, ends, cum, cumend, hi)
        fast = _Fast(
            [_DT_SENTINEL] + [_from_us(v) for v in starts[1:]],
            [_DT_SENTINEL] + [_from_us(v) for v in ends[1:]],
            [_US * v for v in cum],
            [_US * v for v in cumend],
            _from_us(lo),
            _from_us(hi),
            _US * flo,
            _US * fhi,
        )
        return _Horizon(starts, ends, cum, cumend, opens, lo, hi, flo, fhi, first, last, fast)

    def _generate(self, first: date, last: date) -> tuple[list[tuple[int, int]], list[int]]:
        """Raw (start, end) intervals and openings of the periods starting on first..last."""
        pairs: list[tuple[int, int]] = []
        opens: list[int] = []
        zone = self.zone
        day = first
        while day <= last:
            periods = self._by_weekday[day.weekday()]
            if periods and not self._is_closed(day):
                for period in periods:
                    s = _wall_us(zone, day, period.start)
                    e = _wall_us(zone, day + _DAY if period.overnight else day, period.end)
                    if e > s:
                        pairs.append((s, e))
                        opens.append(s)
            day += _DAY
        return pairs, opens


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d
