"""The rota window's platform-neutral parts: which forms a person may open, whose shifts a form offers, the form
values parsed into domain values (refusals as InvalidInput on the input they are about), and the confirmations'
words. Slack's modals and Teams' dialogs both use these; each renders them in its own markup."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from core.errors import InvalidInput, NotAllowed
from handlers.common.ids import RotaField, RotaForm
from handlers.common.words import when
from rota.cancellations import cancellable_requests, upcoming_leave, upcoming_overrides
from rota.edits import LeaveRecorded
from rota.ports import RequestStatus, RotaRequest
from rota.roster import Duty, Leave, Override, Rota
from rota.rotation import RotaError, Rotation, SupportLine, check_year
from rota.services import check_members, line_members, upcoming_shifts

WEEKS = 8  # how far ahead the rota window looks
MEMBER_FIELDS = {SupportLine.FIRST: RotaField.MEMBERS_FIRST, SupportLine.SECOND: RotaField.MEMBERS_SECOND}


class SwapShifts(TypedDict):
    """A swap as the form gives it: checked on the cached rota first, then requested in a transaction."""

    requester_id: str
    target_id: str
    line: SupportLine
    my_shift_start: datetime
    their_shift_start: datetime


class CoverShift(TypedDict):
    requester_id: str
    target_id: str
    line: SupportLine
    starts_at: datetime
    ends_at: datetime


class OverrideWanted(TypedDict):
    line: SupportLine
    user_id: str
    starts_at: datetime
    ends_at: datetime
    actor_id: str


# -- what a person may open ----------------------------------------------------------------------------


def form_choices(*, is_member: bool, is_lead: bool) -> list[tuple[RotaForm, str]]:
    """What the viewer can do from the rota: members swap, ask for cover, add leave; leads edit; both can take
    back what they asked for. Each form with its button's label."""
    choices: list[tuple[RotaForm, str]] = []
    if is_member:
        choices += [(RotaForm.SWAP, "Request a swap"), (RotaForm.COVER, "Ask for cover"), (RotaForm.LEAVE, "Add leave")]
    elif is_lead:
        choices.append((RotaForm.LEAVE, "Add leave"))
    if is_lead:
        choices += [(RotaForm.MEMBERS, "Edit membership"), (RotaForm.OVERRIDE, "Add an override")]
    if is_member or is_lead:
        choices.append((RotaForm.MANAGE, "Cancel requests, leave..." if is_lead else "My requests and leave"))
    return choices


def swap_shifts(rota: Rota, user: str, now: datetime) -> tuple[list[Duty], list[Duty]]:
    """My upcoming shifts on the lines I am on, and the others' on those lines I could take in exchange."""
    lines = [line for line in rota.rotations if user in line_members(rota, line, now)]
    mine = [d for line in lines for d in upcoming_shifts(rota, user, line, now)]
    if not mine:
        raise NotAllowed(f"You have no shifts in the next {WEEKS} weeks to swap.")
    theirs = sorted(
        (
            d
            for line in lines
            for member in line_members(rota, line, now)
            if member != user
            for d in upcoming_shifts(rota, member, line, now)
        ),
        key=lambda d: (d.starts_at, d.line),
    )
    if not theirs:
        raise NotAllowed("Nobody else on your line has a shift in the next few weeks to swap with.")
    return mine, theirs


def cover_shifts(rota: Rota, user: str, now: datetime) -> list[Duty]:
    """My shifts (or what is left of them) in the window, that I could hand over."""
    mine = sorted(
        (d for d in rota.shifts_of(user, now, now + timedelta(weeks=WEEKS)) if d.ends_at > now),
        key=lambda d: (d.starts_at, d.line),
    )
    if not mine:
        raise NotAllowed(f"You have no shifts in the next {WEEKS} weeks to hand over.")
    return mine


@dataclass(frozen=True)
class Cancellable:
    """What a person may take back: their own unsettled requests, their leave (a lead: everyone's), and for a lead
    the upcoming overrides (None for anyone else)."""

    requests: list[RotaRequest]
    leave: list[Leave]
    overrides: list[Override] | None


WAITING = {RequestStatus.PENDING: "waiting for their answer", RequestStatus.AWAITING_APPROVAL: "waiting for a lead"}


def cancellable(pending: Sequence[RotaRequest], rota: Rota, user: str, now: datetime) -> Cancellable:
    """From the requests pending for `user` (a read of storage) and the cached rota."""
    is_lead = user in rota.leads
    return Cancellable(
        requests=cancellable_requests(pending, user),
        leave=upcoming_leave(rota, now, user_id=None if is_lead else user),
        overrides=upcoming_overrides(rota, now) if is_lead else None,
    )


# -- form values into domain values --------------------------------------------------------------------


def _instant(text: Any, field: RotaField, stale: str) -> datetime:
    try:
        return datetime.fromisoformat(str(text)).astimezone(UTC)
    except ValueError:
        raise InvalidInput(field, stale) from None


def parse_my_shift(value: Any, *, stale: str) -> tuple[SupportLine, datetime, datetime]:
    """`line|start|end` from the "My shift" menu; `stale` is the refusal when its times no longer parse."""
    parts = str(value or "").split("|")
    if len(parts) != 3 or parts[0] not in set(SupportLine):
        raise InvalidInput(RotaField.SHIFT, "Pick one of your shifts.")
    return (
        SupportLine(parts[0]),
        _instant(parts[1], RotaField.SHIFT, stale),
        _instant(parts[2], RotaField.SHIFT, stale),
    )


def parse_their_shift(value: Any, *, stale: str) -> tuple[SupportLine, str, datetime]:
    """`line|user|start` from the "Their shift" menu."""
    parts = str(value or "").split("|")
    if len(parts) != 3 or parts[0] not in set(SupportLine) or not parts[1]:
        raise InvalidInput(RotaField.THEIR_SHIFT, "Pick the shift you would take in exchange.")
    return SupportLine(parts[0]), parts[1], _instant(parts[2], RotaField.THEIR_SHIFT, stale)


def parse_swap(user: str, values: dict[str, Any], *, stale: str) -> SwapShifts:
    """A swap form's two shifts, which must be on the same line."""
    line, mine, _ = parse_my_shift(values.get(RotaField.SHIFT), stale=stale)
    their_line, target, theirs = parse_their_shift(values.get(RotaField.THEIR_SHIFT), stale=stale)
    if their_line is not line:
        raise InvalidInput(RotaField.THEIR_SHIFT, f"Pick a {line.label} shift, the line of yours.")
    return SwapShifts(requester_id=user, target_id=target, line=line, my_shift_start=mine, their_shift_start=theirs)


def parse_day(value: Any, field: RotaField) -> date:
    try:
        day = date.fromisoformat(str(value))
        check_year(day, day.isoformat())
        return day
    except RotaError as error:
        raise InvalidInput(field, str(error)) from None
    except ValueError:
        raise InvalidInput(field, "Pick a date.") from None


def parse_epoch(value: Any, field: RotaField) -> datetime:
    """A date-time picker's epoch seconds."""
    if type(value) is not int or not 0 < value < 2**33:
        raise InvalidInput(field, "Pick a date and time.")
    return datetime.fromtimestamp(value, UTC)


def parse_moment(day: Any, clock: Any, field: RotaField, zone: ZoneInfo) -> datetime:
    """A date and a time from two inputs, in the desk's zone."""
    try:
        when = time.fromisoformat(str(clock))
    except ValueError:
        raise InvalidInput(field, "Pick a time.") from None
    local = datetime.combine(parse_day(day, field), when, tzinfo=zone)
    return local.astimezone(UTC)


def parse_line(values: dict[str, Any]) -> SupportLine:
    line_value = values.get(RotaField.LINE)
    if line_value not in set(SupportLine):
        raise InvalidInput(RotaField.LINE, "Pick a line.")
    return SupportLine(line_value)


def member_changes(
    values: dict[str, Any],
    *,
    members_of: Callable[[Any], list[str]],
    render: Callable[[InvalidInput], str],
    actor_id: str,
    rota: Rota,
    now: datetime,
) -> dict[SupportLine, list[str]]:
    """The membership form: each line's new order (`members_of` turns an input's value into person keys), checked
    on the cached rota. A line left as it was is no change; every refusal is placed on its line's input, and a form
    that changes nothing is refused."""
    changes: dict[SupportLine, list[str]] = {}
    errors: dict[str, str] = {}
    for line, field in MEMBER_FIELDS.items():
        if field.value not in values:
            continue
        wanted = members_of(values[field.value])
        try:
            check_members(line=line, members=wanted, actor_id=actor_id, rota=rota, now=now)
            changes[line] = wanted
        except InvalidInput as invalid:
            if "nothing changed" not in str(invalid):
                errors[field.value] = render(invalid)
    if errors or not changes:
        first = next(iter(errors or {RotaField.MEMBERS_FIRST.value: ""}))
        raise InvalidInput(first, errors.get(first) or "Nothing changed.", more=errors)
    return changes


# -- confirmations -------------------------------------------------------------------------------------


def members_changed(rotation: Rotation, names: Callable[[str], str], zone: ZoneInfo) -> str:
    """A line's new order, confirmed; `names` writes each member in the platform's way."""
    order = ", ".join(names(m) for m in rotation.members)
    return f"The {rotation.line.label} rota is now {order} in that order, from {when(rotation.shift_start(0), zone)}."


def leave_recorded(whose: str, first: date, last: date, recorded: LeaveRecorded, emoji: Callable[[str], str]) -> str:
    """What the person who recorded leave hears; `whose` is "Your" or the person's name in the platform's markup."""
    text = f"{whose} leave {first:%a %d %b} to {last:%a %d %b} is recorded."
    if recorded.uncovered:
        return text + f" {emoji('rotating_light')} Nobody covers some of those shifts; the leads have been told."
    if recorded.conflicts:
        return text + " The shifts it touches go to the next member in order; the leads have been told."
    return text + " It touches no shifts."
