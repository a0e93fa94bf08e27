"""Rotation arithmetic: shifts start at a local wall-clock handover time, so they stay put across DST."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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

    def shift_start(self, index: int) -> datetime:
        """The UTC instant at which shift `index` begins (local wall-clock handover)."""
        local_day = self.start + timedelta(days=index * self.period_days)
        # fold=0 and a round trip through UTC: a handover inside a DST gap moves forward.
        local = datetime.combine(local_day, self.handover.at, tzinfo=self.tz)
        return local.astimezone(UTC)

    def shift_index_at(self, at: datetime) -> int:
        """Index of the shift running at `at` (negative before the rota starts)."""
        local_day = at.astimezone(self.tz).date()
        index = (local_day - self.start).days // self.period_days
        if at < self.shift_start(index):
            index -= 1
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

    def continued_with(self, members: tuple[str, ...], at: datetime) -> Rotation:
        """The rotation a membership or order edit at `at` gives: it takes over at the next handover.

        The current shift is left alone (a lead can cover it); the next shift goes to whoever follows the
        current member in the new order, or, if they were removed, to whoever would have been next.
        """
        if not members:
            raise RotaError("a rota needs at least one member")
        following = self.next_shift(at)
        assert following is not None  # self has members
        current = self.shift_at(at)
        if current is not None and current.member in members:
            first = members[(members.index(current.member) + 1) % len(members)]
        else:
            old = self.members
            start = old.index(following.member)
            first = next((m for k in range(len(old)) if (m := old[(start + k) % len(old)]) in members), members[0])
        offset = members.index(first)
        ordered = members[offset:] + members[:offset]
        return Rotation(
            line=self.line,
            members=ordered,
            period_days=self.period_days,
            handover=self.handover,
            start=following.starts_at.astimezone(self.tz).date(),
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
