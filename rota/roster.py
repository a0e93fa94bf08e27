"""Who is on duty: rotations (with their edit history), overrides and leave, answered by binary search.

The final answer for "who is on duty for line L at time t" is: the newest override covering t, else the
rotation's member for t, skipping members on leave (the next in order who is not covers), else nobody.
"""

from __future__ import annotations

import enum
import heapq
import itertools
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from rota.rotation import RotaError, Rotation, SupportLine

LOOK_AHEAD = timedelta(days=120)  # how far "who is next" and conflict checks look
_BEGINNING = datetime.min.replace(tzinfo=UTC)


def _utc(value: datetime, what: str) -> datetime:
    """Stored instants are aware UTC: comparisons between two values of one ZoneInfo ignore `fold`."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise RotaError(f"{what} needs a time zone: {value.isoformat()}")
    return value if value.tzinfo is UTC else value.astimezone(UTC)


class OverrideReason(enum.StrEnum):
    COVER = "cover"
    SWAP = "swap"
    MANUAL = "manual"


@dataclass(frozen=True)
class Override:
    """`user_id` covers `line` for [starts_at, ends_at); `replaces` is who the rotation had (for display)."""

    line: SupportLine
    user_id: str
    starts_at: datetime
    ends_at: datetime
    replaces: str | None = None
    reason: OverrideReason = OverrideReason.COVER
    id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts_at", _utc(self.starts_at, "an override's start"))
        object.__setattr__(self, "ends_at", _utc(self.ends_at, "an override's end"))
        if self.ends_at <= self.starts_at:
            raise RotaError("an override must end after it starts")

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class Leave:
    """`user_id` is away for [starts_at, ends_at)."""

    user_id: str
    starts_at: datetime
    ends_at: datetime
    id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts_at", _utc(self.starts_at, "the start of leave"))
        object.__setattr__(self, "ends_at", _utc(self.ends_at, "the end of leave"))
        if self.ends_at <= self.starts_at:
            raise RotaError("leave must end after it starts")

    @classmethod
    def for_days(cls, user_id: str, first: date, last: date, zone: ZoneInfo, *, id: int | None = None) -> Leave:
        """Whole local days, first to last inclusive."""
        if last < first:
            raise RotaError(f"leave ends ({last.isoformat()}) before it starts ({first.isoformat()})")
        starts = datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)
        after = last + timedelta(days=1)
        ends = datetime(after.year, after.month, after.day, tzinfo=zone).astimezone(UTC)
        return cls(user_id, starts, ends, id)


class DutySource(enum.StrEnum):
    ROTA = "rota"  # the rotation's own member
    OVERRIDE = "override"  # someone covers by agreement (cover, swap, a lead's change)
    LEAVE_COVER = "leave_cover"  # the scheduled member is on leave; the next in order covers
    NOBODY = "nobody"  # no rota, not started, or everyone away


@dataclass(frozen=True)
class Duty:
    """A stretch of time with one person (or nobody) on duty for a line."""

    line: SupportLine
    user_id: str | None
    starts_at: datetime
    ends_at: datetime
    scheduled: str | None  # the rotation's member, before overrides and leave
    source: DutySource


def same_person_stretches(duties: Sequence[Duty]) -> list[Duty]:
    """Consecutive duties merged while the same person (or nobody) stays on duty: what people call a shift."""
    merged: list[Duty] = []
    for duty in duties:
        if merged and merged[-1].user_id == duty.user_id:
            last = merged[-1]
            merged[-1] = Duty(last.line, last.user_id, last.starts_at, duty.ends_at, last.scheduled, last.source)
        else:
            merged.append(duty)
    return merged


class _Intervals:
    """Non-overlapping [start, end) intervals with a value each, found by bisect."""

    def __init__(self, items: list[tuple[datetime, datetime, str]]) -> None:
        items.sort()
        self.starts = [s for s, _, _ in items]
        self.ends = [e for _, e, _ in items]
        self.values = [v for _, _, v in items]

    def at(self, at: datetime) -> str | None:
        i = bisect_right(self.starts, at) - 1
        if i >= 0 and at < self.ends[i]:
            return self.values[i]
        return None

    def boundaries(self, start: datetime, end: datetime) -> Iterable[datetime]:
        i = max(bisect_right(self.starts, start) - 1, 0)
        while i < len(self.starts) and self.starts[i] < end:
            yield self.starts[i]
            yield self.ends[i]
            i += 1


def _flatten(overrides: list[Override]) -> _Intervals:
    """Paint overrides in creation order (later ones win where they overlap) into disjoint intervals."""
    # Sweep over boundaries with a heap of active overrides keyed by recency (lazy deletion).
    order = {id(o): rank for rank, o in enumerate(overrides)}
    points = sorted({t for o in overrides for t in (o.starts_at, o.ends_at)})
    by_start = sorted(overrides, key=lambda o: o.starts_at)
    active: list[tuple[int, datetime, str]] = []
    painted: list[tuple[datetime, datetime, str]] = []
    k = 0
    for left, right in itertools.pairwise(points):
        while k < len(by_start) and by_start[k].starts_at <= left:
            o = by_start[k]
            heapq.heappush(active, (-order[id(o)], o.ends_at, o.user_id))
            k += 1
        while active and active[0][1] <= left:
            heapq.heappop(active)
        if active:
            user = active[0][2]
            if painted and painted[-1][1] == left and painted[-1][2] == user:
                painted[-1] = (painted[-1][0], right, user)
            else:
                painted.append((left, right, user))
    return _Intervals(painted)


def _union(leave: Iterable[Leave]) -> _Intervals:
    merged: list[tuple[datetime, datetime, str]] = []
    for item in sorted(leave, key=lambda x: x.starts_at):
        if merged and item.starts_at <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], item.ends_at), item.user_id)
        else:
            merged.append((item.starts_at, item.ends_at, item.user_id))
    return _Intervals(merged)


@dataclass(frozen=True)
class Rota:
    """All support lines: each line's rotation (the latest) and the ones it replaced, overrides, leave, leads.

    `rotations` holds each line's current rotation; `earlier` the rotations it replaced, oldest first. Each
    rotation is in force from its first shift until a newer one's first shift starts (a newer one that starts
    earlier replaces the older plan from there on).

    The indexes are built on first use and cached on the instance. Request threads may share one Rota: at
    worst two threads build the same index and one result is kept; a reader never sees half of one.
    """

    rotations: Mapping[SupportLine, Rotation]
    leads: frozenset[str] = frozenset()
    overrides: tuple[Override, ...] = ()
    leave: tuple[Leave, ...] = ()
    earlier: Mapping[SupportLine, tuple[Rotation, ...]] = field(default_factory=dict)

    # -- indexes, built once per Rota ----------------------------------------------------

    @cached_property
    def _chains(self) -> dict[SupportLine, tuple[list[datetime], list[Rotation]]]:
        chains = {}
        for line, current in self.rotations.items():
            kept: list[tuple[datetime, Rotation]] = []
            for rotation in (current, *reversed(self.earlier.get(line, ()))):  # newest first
                begins = rotation.shift_start(0)
                if not kept or begins < kept[-1][0]:  # otherwise a newer rotation replaced all of it
                    kept.append((begins, rotation))
            kept.reverse()
            # The oldest answers for all time before it (with nobody, before its first shift).
            chains[line] = ([_BEGINNING] + [begins for begins, _ in kept[1:]], [r for _, r in kept])
        return chains

    @cached_property
    def _override_index(self) -> dict[SupportLine, _Intervals]:
        ordered = sorted(self.overrides, key=lambda o: (o.id is None, o.id or 0))  # unsaved ones are newest
        return {line: _flatten([o for o in ordered if o.line is line]) for line in SupportLine}

    @cached_property
    def _leave_index(self) -> dict[str, _Intervals]:
        people: dict[str, list[Leave]] = {}
        for item in self.leave:
            people.setdefault(item.user_id, []).append(item)
        return {user: _union(items) for user, items in people.items()}

    # -- questions -----------------------------------------------------------------------

    def rotation_at(self, line: SupportLine, at: datetime) -> Rotation | None:
        """The rotation in force for `line` at `at` (membership edits take over at a handover)."""
        chain = self._chains.get(line)
        if chain is None:
            return None
        starts, rotations = chain
        return rotations[0] if len(rotations) == 1 else rotations[bisect_right(starts, at) - 1]

    def is_on_leave(self, user_id: str, at: datetime) -> bool:
        index = self._leave_index.get(user_id)
        return index is not None and index.at(at) is not None

    def scheduled(self, line: SupportLine, at: datetime) -> str | None:
        """The rotation's member at `at`, before overrides and leave."""
        rotation = self.rotation_at(line, at)
        return rotation.on_duty(at) if rotation else None

    def duty_at(self, line: SupportLine, at: datetime) -> tuple[str | None, str | None, DutySource]:
        """(on duty, scheduled, why): the final answer, with the reason for it."""
        if at.tzinfo is not UTC:  # once here, rather than a zone lookup in every comparison below
            at = _utc(at, "a lookup")
        rotation = self.rotation_at(line, at)
        scheduled = None
        index = -1
        if rotation is not None and rotation.members:
            index = rotation.shift_index_at(at)
            if index >= 0:
                scheduled = rotation.member_at_index(index)
        covering = self._override_index[line].at(at) if self.overrides else None
        if covering is not None:
            return covering, scheduled, DutySource.OVERRIDE
        if scheduled is None or rotation is None:
            return None, scheduled, DutySource.NOBODY
        if not self.leave or not self.is_on_leave(scheduled, at):
            return scheduled, scheduled, DutySource.ROTA
        for k in range(1, len(rotation.members)):
            candidate = rotation.member_at_index(index + k)
            if not self.is_on_leave(candidate, at):
                return candidate, scheduled, DutySource.LEAVE_COVER
        return None, scheduled, DutySource.NOBODY

    def on_duty(self, line: SupportLine, at: datetime) -> str | None:
        """Who is on duty for `line` at `at`: override, else rotation skipping leave, else None."""
        return self.duty_at(line, at)[0]

    def duties(self, line: SupportLine, start: datetime, end: datetime) -> list[Duty]:
        """Every stretch of duty overlapping [start, end), merged where the person and reason stay the same."""
        start, end = _utc(start, "a window's start"), _utc(end, "a window's end")
        if start >= end:
            return []
        points = {start, end}
        for rotation in self._chains.get(line, ([], []))[1]:
            for shift in rotation.shifts(start, end):
                points.update((shift.starts_at, shift.ends_at))
        for chain_start in self._chains.get(line, ([], []))[0][1:]:
            points.add(chain_start)
        if self.overrides:
            points.update(self._override_index[line].boundaries(start, end))
        for index in self._leave_index.values():
            points.update(index.boundaries(start, end))
        cuts = sorted(p for p in points if start <= p <= end)
        duties: list[Duty] = []
        for left, right in itertools.pairwise(cuts):
            user, scheduled, source = self.duty_at(line, left)
            last = duties[-1] if duties else None
            if last and (last.user_id, last.scheduled, last.source) == (user, scheduled, source):
                duties[-1] = Duty(line, user, last.starts_at, right, scheduled, source)
            else:
                duties.append(Duty(line, user, left, right, scheduled, source))
        return duties

    def current_duty(self, line: SupportLine, at: datetime) -> Duty | None:
        """The stretch running at `at`, extended to when the person on duty changes."""
        stretch = self._people_from(line, at, 1)
        return stretch[0] if stretch else None

    def next_duty(self, line: SupportLine, at: datetime) -> Duty | None:
        """The next stretch with a different person (or nobody) on duty after the current one."""
        stretch = self._people_from(line, at, 2)
        return stretch[1] if len(stretch) > 1 else None

    def _people_from(self, line: SupportLine, at: datetime, wanted: int) -> list[Duty]:
        """Stretches of one person each from `at`, up to LOOK_AHEAD: the first `wanted` of them are whole."""
        # A short window first (a handler asks this per request); a stretch is whole once another follows it.
        window = timedelta(days=8)
        while True:
            window = min(window, LOOK_AHEAD)
            stretch = same_person_stretches(self.duties(line, at, at + window))
            if len(stretch) > wanted or window == LOOK_AHEAD:
                return stretch
            window *= 4

    def next_shift(self, line: SupportLine, at: datetime) -> Duty | None:
        """Alias kept for callers that think in shifts: the next person's stretch of duty."""
        return self.next_duty(line, at)

    def shifts_of(self, user_id: str, start: datetime, end: datetime) -> list[Duty]:
        """A person's stretches of duty on every line, in time order (for "my next shifts" and calendars)."""
        lines = [line for line in SupportLine if line in self.rotations or any(o.line is line for o in self.overrides)]
        mine = [d for line in lines for d in same_person_stretches(self.duties(line, start, end))]
        return sorted((d for d in mine if d.user_id == user_id), key=lambda d: (d.starts_at, d.line))

    def handovers(self, line: SupportLine, start: datetime, end: datetime) -> list[tuple[datetime, Duty | None]]:
        """Scheduled handovers in (start, end]: each instant with the duty that begins there."""
        result = []
        for rotation in self._chains.get(line, ([], []))[1]:
            for shift in rotation.shifts(start, end + timedelta(microseconds=1)):
                if start < shift.starts_at <= end and self.rotation_at(line, shift.starts_at) is rotation:
                    result.append((shift.starts_at, self.current_duty(line, shift.starts_at)))
        return sorted(result, key=lambda item: item[0])

    # -- edits (return new values; storage persists them) ----------------------------------

    @property
    def members(self) -> frozenset[str]:
        return frozenset(m for rotation in self.rotations.values() for m in rotation.members)

    def is_support_staff(self, user_id: str) -> bool:
        """Rota members and leads: the people who may work tickets."""
        return user_id in self.leads or user_id in self.members

    def continued_with(self, line: SupportLine, members: tuple[str, ...], at: datetime) -> Rotation:
        """A lead's membership or order edit of `line` at `at`, continued from whoever is on then.

        The latest rotation may not have started yet (an earlier edit waits for its handover); who is on
        at `at` then comes from the rotation in force, which only the Rota knows.
        """
        latest = self.rotations.get(line)
        if latest is None:
            raise RotaError(f"there is no {line.label} rota to edit")
        return latest.continued_with(members, at, current=self.scheduled(line, at))

    def split_at_handovers(self, override: Override, *, drop_unchanged: bool = False) -> list[Override]:
        """An override that crosses a handover becomes one piece per shift, each naming whom it replaces.

        With `drop_unchanged`, stretches where the person is on duty by the rotation anyway (scheduled, not on
        leave, not overridden) are left out: they would change nothing. Then [] means nothing would change.
        """
        pieces: list[Override] = []
        for duty in self.duties(override.line, override.starts_at, override.ends_at):
            if drop_unchanged and duty.source is DutySource.ROTA and duty.user_id == override.user_id:
                continue
            if pieces and pieces[-1].replaces == duty.scheduled and pieces[-1].ends_at == duty.starts_at:
                last = pieces[-1]
                pieces[-1] = Override(last.line, last.user_id, last.starts_at, duty.ends_at, last.replaces, last.reason)
                continue
            pieces.append(
                Override(override.line, override.user_id, duty.starts_at, duty.ends_at, duty.scheduled, override.reason)
            )
        return pieces if pieces or drop_unchanged else [override]

    def with_changes(
        self,
        *,
        overrides: Iterable[Override] = (),
        leave: Iterable[Leave] = (),
        rotations: Mapping[SupportLine, Rotation] | None = None,
    ) -> Rota:
        """This rota plus new overrides, leave or replacement rotations (the replaced ones kept as history)."""
        earlier = dict(self.earlier)
        current = dict(self.rotations)
        for line, rotation in (rotations or {}).items():
            if line in current:
                earlier[line] = (*earlier.get(line, ()), current[line])
            current[line] = rotation
        return Rota(
            rotations=current,
            leads=self.leads,
            overrides=(*self.overrides, *overrides),
            leave=(*self.leave, *leave),
            earlier=earlier,
        )

    def leave_conflicts(self, leave: Leave) -> list[Duty]:
        """The stretches of duty `leave` takes the person away from, with who covers them instead (or nobody)."""
        after = self.with_changes(leave=[leave])
        conflicts: list[Duty] = []
        for line in self.rotations:
            for duty in self.duties(line, leave.starts_at, leave.ends_at):
                if duty.user_id == leave.user_id:
                    conflicts.extend(
                        d
                        for d in after.duties(
                            line, max(duty.starts_at, leave.starts_at), min(duty.ends_at, leave.ends_at)
                        )
                    )
        return conflicts
