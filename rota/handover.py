"""Handover policy: which handovers are due, which tickets change hands, when shift reminders go out.

Pure: takes the Rota, the working calendar and `now`; bot/jobs/rota.py claims the keys and sends.

- A handover is a scheduled shift change of one line (Rota.handovers). The outgoing member is whoever was
  on duty just before it, the incoming one whoever is on duty at it (overrides and leave included).
- Tickets at a handover: the line's open tickets that nobody has acknowledged yet (status Open) and that
  are unassigned or with someone who was on duty for the line during the shift that ends (the outgoing
  member, or a cover) move to the incoming member. Acknowledged tickets stay with their assignee (a lead
  can reassign). With nobody incoming, nothing moves and the leads are alerted.
- Only handovers of the last CATCH_UP are acted on: a bot that was down for days does not replay them.
- Shift reminders go at the opening of the last working day before the day a stretch of duty starts
  (Friday 08:00 for a Monday 09:00 shift; Thursday if Friday is a bank holiday), and are still sent late
  after downtime as long as the shift has not started.
- User groups follow every change of the person on duty (handovers, covers, leave), not only handovers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rota.calendar import WorkingCalendar
from rota.roster import Rota, same_person_stretches
from rota.rotation import SupportLine

CATCH_UP = timedelta(hours=12)  # handovers and user-group changes older than this are not replayed
REMINDER_HORIZON = timedelta(days=21)  # how far ahead shifts are looked for (covers long holiday closures)
_JUST_BEFORE = timedelta(microseconds=1)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


@dataclass(frozen=True)
class HandoverDue:
    """One line's handover: who hands over to whom, and who held the line during the shift that ends."""

    line: SupportLine
    at: datetime
    outgoing: str | None
    incoming: str | None
    until: datetime | None  # when the incoming member's stretch ends (None: not within the look-ahead)
    period_days: int  # the rotation's shift length: 7 reads "this week", 1 "today"
    shift_holders: frozenset[str]  # everyone on duty for the line during the shift that ends

    @property
    def key(self) -> str:
        return f"handover:{self.line.value}:{_iso(self.at)}"

    @property
    def leaves_nobody(self) -> bool:
        return self.incoming is None


def handovers_due(rota: Rota, *, since: datetime | None, now: datetime) -> list[HandoverDue]:
    """Every line's handovers in (since, now], at most CATCH_UP old, oldest first."""
    start = now - CATCH_UP if since is None else max(since, now - CATCH_UP)
    due: list[HandoverDue] = []
    for line in rota.rotations:
        for at, duty in rota.handovers(line, start, now):
            rotation = rota.rotation_at(line, at - _JUST_BEFORE) or rota.rotation_at(line, at)
            assert rotation is not None
            previous = rotation.shift_at(at - _JUST_BEFORE)
            held_from = previous.starts_at if previous else at
            holders = frozenset(d.user_id for d in rota.duties(line, held_from, at) if d.user_id)
            due.append(
                HandoverDue(
                    line=line,
                    at=at,
                    outgoing=rota.on_duty(line, at - _JUST_BEFORE),
                    incoming=rota.on_duty(line, at),
                    until=duty.ends_at if duty and duty.user_id else None,
                    period_days=rotation.period_days,
                    shift_holders=holders,
                )
            )
    return sorted(due, key=lambda h: (h.at, h.line.value))


@dataclass(frozen=True)
class HeldTicket:
    """What the policy needs to know of an open ticket of the line handing over."""

    id: int
    assignee_id: str | None
    acknowledged: bool  # a person has picked it up (any status beyond Open)


@dataclass(frozen=True)
class TicketPlan:
    move: tuple[int, ...]  # to the incoming member
    keep: tuple[int, ...]  # stay where they are (acknowledged, someone else's, or nobody to take them)


def plan_ticket_moves(handover: HandoverDue, tickets: Iterable[HeldTicket]) -> TicketPlan:
    """Unacknowledged tickets of the shift that ends go to the incoming member; the rest stay put."""
    move: list[int] = []
    keep: list[int] = []
    for ticket in tickets:
        from_shift = ticket.assignee_id is None or ticket.assignee_id in handover.shift_holders
        if (
            handover.incoming is not None
            and not ticket.acknowledged
            and from_shift
            and ticket.assignee_id != handover.incoming
        ):
            move.append(ticket.id)
        else:
            keep.append(ticket.id)
    return TicketPlan(tuple(move), tuple(keep))


def period_word(period_days: int) -> str:
    """How the triage post names the shift that starts: "This week", "Today", or "From now"."""
    return {1: "Today", 7: "This week"}.get(period_days, "From now")


def on_duty_now(rota: Rota, at: datetime) -> dict[SupportLine, str | None]:
    """Each configured line's person on duty at `at`, in line order, for the triage post."""
    return {line: rota.on_duty(line, at) for line in SupportLine if line in rota.rotations}


# -- stretches of duty (user groups, reminders) ------------------------------------------------


@dataclass(frozen=True)
class DutyChange:
    """The person on duty for a line changed at `at` (a handover, a cover starting or ending, leave)."""

    line: SupportLine
    at: datetime
    user_id: str | None

    @property
    def key(self) -> str:
        return f"usergroup:{self.line.value}:{_iso(self.at)}"


def duty_changes(rota: Rota, line: SupportLine, *, since: datetime | None, now: datetime) -> list[DutyChange]:
    """Changes of the person on duty in (since, now], at most CATCH_UP old."""
    start = now - CATCH_UP if since is None else max(since, now - CATCH_UP)
    stretches = same_person_stretches(rota.duties(line, start, now + _JUST_BEFORE))
    return [DutyChange(line, s.starts_at, s.user_id) for s in stretches[1:] if s.starts_at <= now]


@dataclass(frozen=True)
class ShiftReminder:
    """A DM the working day before someone's stretch of duty starts."""

    line: SupportLine
    user_id: str
    starts_at: datetime
    ends_at: datetime | None  # None: beyond the look-ahead
    remind_at: datetime

    @property
    def key(self) -> str:
        return f"shift-reminder:{self.line.value}:{self.user_id}:{_iso(self.starts_at)}"


def reminder_time(starts_at: datetime, calendar: WorkingCalendar) -> datetime:
    """The opening of the last working day before the shift's (desk-local) start date."""
    zone = calendar.zone
    day = starts_at.astimezone(zone).date()
    for back in range(1, 32):
        candidate = day - timedelta(days=back)
        opening = calendar.next_working_instant(_midnight(candidate, calendar))
        if opening.astimezone(zone).date() == candidate:
            return opening
    return starts_at - timedelta(days=1)  # a calendar with no working day for a month: a day ahead


def _midnight(day: date, calendar: WorkingCalendar) -> datetime:
    return datetime.combine(day, time(0), tzinfo=calendar.zone)


def reminders_due(
    rota: Rota, calendar: WorkingCalendar, *, now: datetime, horizon: timedelta = REMINDER_HORIZON
) -> list[ShiftReminder]:
    """Stretches of duty that start after `now` and whose reminder time has come, soonest first."""
    end = now + horizon
    due: list[ShiftReminder] = []
    for line in rota.rotations:
        for stretch in same_person_stretches(rota.duties(line, now, end)):
            if stretch.user_id is None or stretch.starts_at <= now:
                continue
            remind_at = reminder_time(stretch.starts_at, calendar)
            if remind_at > now:
                continue
            until = stretch.ends_at if stretch.ends_at < end else None
            due.append(ShiftReminder(line, stretch.user_id, stretch.starts_at, until, remind_at))
    return sorted(due, key=lambda r: (r.starts_at, r.line.value, r.user_id))
