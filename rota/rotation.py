"""Rotation arithmetic: shifts start at a local wall-clock handover time, so they stay put across DST."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CACHED_STARTS = 4096  # shift starts remembered per rotation (about 11 years of a daily rota)


class SupportLine(enum.StrEnum):
    FIRST = "first_line"
    SECOND = "second_line"

    @property
    def label(self) -> str:
        return "1st line" if self is SupportLine.FIRST else "2nd line"


class RotaError(ValueError):
    """A rota definition that cannot work."""


@dataclass(frozen=True)
class Handover:
    """When one shift hands over to the next: an optional weekday and a local time."""

    at: time
    weekday: int | None = None  # 0 = Monday; None = every day of a handover

    def __str__(self) -> str:
        clock = self.at.strftime("%H:%M")
        return clock if self.weekday is None else f"{WEEKDAYS[self.weekday]} {clock}"


YEARS = range(1900, 2200)  # dates the rota answers for: shift arithmetic near 9999-12-31 would overflow datetime


def check_year(day: date, what: str) -> None:
    """Refuse a date (or datetime) far outside any rota before its arithmetic overflows, as a RotaError."""
    if day.year not in YEARS:
        raise RotaError(f"{what} is out of range: use a year from {YEARS[0]} to {YEARS[-1]}")


_HANDOVER = re.compile(r"^\s*(?:(?P<day>[a-zA-Z]{3})\s+)?(?P<h>\d{1,2}):(?P<m>\d{2})\s*$")
_EVERY_N = re.compile(r"^\s*every\s+(?P<n>\d+)\s+days?\s*$")


def parse_handover(text: str) -> Handover:
    """Parse "mon 09:00" or "09:00"."""
    match = _HANDOVER.match(str(text))
    if not match:
        raise RotaError(f"handover {text!r} is not 'HH:MM' or 'ddd HH:MM' (e.g. 'mon 09:00')")
    hour, minute = int(match["h"]), int(match["m"])
    if hour > 23 or minute > 59:
        raise RotaError(f"handover {text!r} is not a time of day (hours 00-23, minutes 00-59)")
    weekday = None
    if match["day"]:
        day = match["day"].lower()
        if day not in WEEKDAYS:
            raise RotaError(f"handover {text!r}: {match['day']!r} is not a weekday ({', '.join(WEEKDAYS)})")
        weekday = WEEKDAYS.index(day)
    return Handover(at=time(hour, minute), weekday=weekday)


def parse_rotation_period(text: str) -> int:
    """Parse "daily", "weekly" or "every N days" into a shift length in days."""
    value = str(text).strip().lower()
    if value == "daily":
        return 1
    if value == "weekly":
        return 7
    match = _EVERY_N.match(value)
    if match and int(match["n"]) >= 1:
        return int(match["n"])
    raise RotaError(f"rotation {text!r} is not 'daily', 'weekly' or 'every N days'")


@dataclass(frozen=True)
class Shift:
    line: SupportLine
    member: str
    index: int  # shift number since the rota started; 0 is the first member's first shift
    starts_at: datetime  # aware UTC
    ends_at: datetime  # aware UTC


@dataclass(frozen=True)
class Rotation:
    """One support line's rota: members take turns of `period_days`, changing at `handover`."""

    line: SupportLine
    members: tuple[str, ...]
    period_days: int
    handover: Handover
    start: date
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if self.period_days < 1:
            raise RotaError("a shift lasts at least one day")
        if self.handover.weekday is not None:
            if self.period_days % 7:
                raise RotaError(f"handover {self.handover} names a weekday, which only fits rotations of whole weeks")
            if self.start.weekday() != self.handover.weekday:
                raise RotaError(
                    f"start {self.start.isoformat()} is a {WEEKDAYS[self.start.weekday()]}, "
                    f"but handover is on {WEEKDAYS[self.handover.weekday]}: start the rota on a handover day"
                )
        # Not fields (so not compared, hashed or replaced): a per-value memo for the hot lookup path.
        # Request threads may share it; a lost or repeated write only costs a recomputation.
        object.__setattr__(self, "_starts", {})
        object.__setattr__(self, "_period", timedelta(days=self.period_days))
        object.__setattr__(self, "_origin", self.shift_start(0))

    if TYPE_CHECKING:  # set per instance in __post_init__; ClassVar keeps them out of the dataclass's fields
        _starts: ClassVar[dict[int, datetime]]
        _period: ClassVar[timedelta]
        _origin: ClassVar[datetime]

    def shift_start(self, index: int) -> datetime:
        """The UTC instant at which shift `index` begins (local wall-clock handover)."""
        cached = self._starts.get(index)
        if cached is not None:
            return cached
        local_day = self.start + timedelta(days=index * self.period_days)
        # fold=0 and a round trip through UTC: a handover inside a DST gap moves forward.
        local = datetime.combine(local_day, self.handover.at, tzinfo=self.tz)
        value = local.astimezone(UTC)
        if len(self._starts) >= _CACHED_STARTS:
            self._starts.clear()
        self._starts[index] = value
        return value

    def shift_index_at(self, at: datetime) -> int:
        """Index of the shift running at `at` (negative before the rota starts)."""
        # Elapsed UTC time over the shift length is off by at most one shift (DST moves a handover by an
        # hour or two, a shift lasts at least a day); the cached boundaries settle it without a tz lookup.
        index = (at - self._origin) // self._period
        starts = self._starts
        while at < (starts.get(index) or self.shift_start(index)):
            index -= 1
        while at >= (starts.get(index + 1) or self.shift_start(index + 1)):
            index += 1
        return index

    def _shift(self, index: int) -> Shift:
        return Shift(
            line=self.line,
            member=self.members[index % len(self.members)],
            index=index,
            starts_at=self.shift_start(index),
            ends_at=self.shift_start(index + 1),
        )

    def shift_at(self, at: datetime) -> Shift | None:
        """The shift running at `at`, or None before the start or with no members."""
        if not self.members:
            return None
        index = self.shift_index_at(at)
        return self._shift(index) if index >= 0 else None

    def on_duty(self, at: datetime) -> str | None:
        shift = self.shift_at(at)
        return shift.member if shift else None

    def next_shift(self, at: datetime) -> Shift | None:
        """The first shift that starts after `at`."""
        if not self.members:
            return None
        return self._shift(max(self.shift_index_at(at) + 1, 0))

    def member_at_index(self, index: int) -> str:
        return self.members[index % len(self.members)]

    def continued_with(self, members: tuple[str, ...], at: datetime, *, current: str | None = None) -> Rotation:
        """The rotation a membership or order edit at `at` gives: it takes over at the next handover.

        The current shift is left alone (a lead can cover it); the next shift goes to whoever follows the
        current member in the new order, or, if they were removed, to whoever would have been next. Before
        the rota starts there is no current member and the new order stands as given. `current` names who
        is on at `at` when that comes from an earlier rotation (this one has not started yet): use
        `Rota.continued_with`, which knows.
        """
        if not members:
            raise RotaError("a rota needs at least one member")
        following = max(self.shift_index_at(at) + 1, 0)  # the next handover, or the first one
        if current is None and following > 0 and self.members:
            current = self.member_at_index(following - 1)
        if current is None:
            first = members[0]
        elif current in members:
            first = members[(members.index(current) + 1) % len(members)]
        else:
            old = self.members
            first = next((m for k in range(len(old)) if (m := old[(following + k) % len(old)]) in members), members[0])
        offset = members.index(first)
        return Rotation(
            line=self.line,
            members=members[offset:] + members[:offset],
            period_days=self.period_days,
            handover=self.handover,
            # That handover's local date by arithmetic, not read back from its UTC instant (which a DST gap
            # may have moved), so the new rotation's shift 0 is exactly that handover.
            start=self.start + timedelta(days=following * self.period_days),
            tz=self.tz,
        )

    def shifts(self, start: datetime, end: datetime) -> Iterator[Shift]:
        """Every shift overlapping [start, end)."""
        if not self.members or start >= end:
            return
        index = max(self.shift_index_at(start), 0)
        while (shift := self._shift(index)).starts_at < end:
            if shift.ends_at > start:
                yield shift
            index += 1
