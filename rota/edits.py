"""Rota edits: leave (with the leads warned of conflicts when it is recorded), membership and overrides.

Pure like rota/services.py (which re-exports these); `check_*` run the same refusals without writing, so a
form can show them before its ack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.errors import InvalidInput, NotAllowed
from core.people import Mention, said
from rota.ports import RotaNotifier, RotaRepository
from rota.roster import Duty, DutySource, Leave, Override, OverrideReason, Rota
from rota.rotation import RotaError, Rotation, SupportLine

MAX_DAYS = 366  # leave or an override of at most a year at a time


def rota_zone(rota: Rota) -> ZoneInfo:
    """The zone leave dates are read in: the 1st-line rota's (every line shares the desk's zone by default)."""
    first = rota.rotations.get(SupportLine.FIRST) or next(iter(rota.rotations.values()), None)
    return first.tz if first else ZoneInfo("UTC")


@dataclass(frozen=True)
class LeaveRecorded:
    leave: Leave
    conflicts: list[Duty]  # the stretches of duty it takes the person away from, with who covers (or nobody)

    @property
    def uncovered(self) -> list[Duty]:
        return [d for d in self.conflicts if d.user_id is None or d.source is DutySource.NOBODY]


def add_leave(
    *,
    user_id: str,
    actor_id: str,
    first: date,
    last: date,
    repo: RotaRepository,
    notifier: RotaNotifier,
    rota: Rota,
    now: datetime,
    note: str | None = None,
) -> LeaveRecorded:
    """Record whole days off; the leads are warned now of every shift it touches, loudly if nobody covers."""
    leave = check_leave(user_id=user_id, actor_id=actor_id, first=first, last=last, rota=rota, now=now)
    conflicts = [d for d in rota.leave_conflicts(leave) if d.ends_at > now]
    stored = repo.add_leave(
        leave,
        actor_id=actor_id,
        now=now,
        note=note,
        details={
            "first": first.isoformat(),
            "last": last.isoformat(),
            "conflicts": len(conflicts),
            "uncovered": sum(d.user_id is None for d in conflicts),
        },
    )
    if conflicts:
        notifier.leave_conflicts(stored, conflicts, sorted(rota.leads) or [actor_id])
    return LeaveRecorded(stored, conflicts)


def check_leave(*, user_id: str, actor_id: str, first: date, last: date, rota: Rota, now: datetime) -> Leave:
    """Refuse leave that cannot be recorded; returns it as UTC instants (whole days in the rota's zone)."""
    if actor_id != user_id and actor_id not in rota.leads:
        raise NotAllowed("You can record your own leave; only the support leads can record someone else's.")
    if user_id not in rota.members and actor_id not in rota.leads:
        raise NotAllowed("Only rota members record leave here; nobody else has shifts to cover.")
    if last < first:
        raise InvalidInput("last_day", f"The leave ends ({last:%a %d %b}) before it starts ({first:%a %d %b}).")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput("last_day", "Record leave of at most a year at a time.")
    try:
        leave = Leave.for_days(user_id, first, last, rota_zone(rota))
    except RotaError as error:
        raise InvalidInput("last_day", str(error)) from None
    if leave.ends_at <= now:
        raise InvalidInput("last_day", "Those days are already over; leave is recorded ahead of time.")
    return leave


def check_lead(rota: Rota, actor_id: str, what: str) -> None:
    """Refuse anyone but a lead, before showing them a form they could not submit."""
    if actor_id not in rota.leads:
        raise NotAllowed(f"Only the support leads can {what}.")


def check_members(
    *, line: SupportLine, members: Sequence[str], actor_id: str, rota: Rota, now: datetime
) -> tuple[Rotation, Rotation]:
    """Refuse a membership edit that cannot be; returns (the rotation now, the one taking over)."""
    check_lead(rota, actor_id, "change who is on the rota")
    current = rota.rotations.get(line)
    if current is None:
        raise InvalidInput("members", f"There is no {line.label} rota in the configuration to edit.")
    ordered = tuple(dict.fromkeys(m for m in members if m))
    if not ordered:
        raise InvalidInput("members", "A rota needs at least one member.")
    if ordered == current.members:
        raise InvalidInput("members", f"That is the {line.label} rota as it stands; nothing changed.")
    return current, rota.continued_with(line, ordered, now)


def set_members(
    *,
    line: SupportLine,
    members: Sequence[str],
    actor_id: str,
    repo: RotaRepository,
    rota: Rota,
    now: datetime,
) -> Rotation:
    """A lead sets who is on a line and in what order; it takes over at the next handover."""
    _, rotation = check_members(line=line, members=members, actor_id=actor_id, rota=rota, now=now)
    repo.add_rotation(rotation, effective_from=rotation.shift_start(0), actor_id=actor_id, now=now)
    return rotation


def add_override(
    *,
    line: SupportLine,
    user_id: str,
    starts_at: datetime,
    ends_at: datetime,
    actor_id: str,
    repo: RotaRepository,
    rota: Rota,
    now: datetime,
) -> list[Override]:
    """A lead puts someone on duty for a time range; a range crossing handovers is split, not refused."""
    pieces = check_override(
        line=line, user_id=user_id, starts_at=starts_at, ends_at=ends_at, actor_id=actor_id, rota=rota, now=now
    )
    asked = {"asked": {"user": user_id, "from": starts_at.isoformat(), "to": ends_at.isoformat()}}
    return repo.add_overrides(pieces, actor_id=actor_id, now=now, details=asked)


def check_override(
    *,
    line: SupportLine,
    user_id: str,
    starts_at: datetime,
    ends_at: datetime,
    actor_id: str,
    rota: Rota,
    now: datetime,
) -> list[Override]:
    """Refuse an override that cannot be (or would change nothing); returns it split at the handovers it crosses,
    without the stretches where the person is on duty by the rotation anyway."""
    check_lead(rota, actor_id, "put someone on duty directly")
    if line not in rota.rotations:
        raise InvalidInput("line", f"There is no {line.label} rota in the configuration.")
    if ends_at <= starts_at:
        raise InvalidInput("ends", "The override must end after it starts.")
    if ends_at <= now:
        raise InvalidInput("ends", "That time is already over.")
    if ends_at - starts_at > timedelta(days=MAX_DAYS):
        raise InvalidInput("ends", "Override at most a year at a time.")
    pieces = rota.split_at_handovers(
        Override(line, user_id, starts_at, ends_at, None, OverrideReason.MANUAL), drop_unchanged=True
    )
    if not pieces:
        raise InvalidInput(
            "user", said("{who} is on {line} duty for all of that time already.", who=Mention(user_id), line=line.label)
        )
    return pieces
