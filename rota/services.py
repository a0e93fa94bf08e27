"""Rota use cases: swaps and cover between members, with a lead's approval when configured. Pure: ports only.

Every refusal is a core.errors.NotAllowed or InvalidInput whose message (people named by id) is shown to the person;
every change is audited by the repository's write itself (one entry per action), in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core.errors import InvalidInput, NotAllowed
from core.people import Mention, Said, said
from rota.edits import (
    LeaveRecorded,
    add_leave,
    add_override,
    check_lead,
    check_leave,
    check_members,
    check_override,
    rota_zone,
    set_members,
)
from rota.ports import RequestKind, RequestStatus, RotaNotifier, RotaRepository, RotaRequest
from rota.roster import Duty, Override, OverrideReason, Rota
from rota.rotation import SupportLine

__all__ = [
    "LeaveRecorded",
    "add_leave",
    "add_override",
    "check_cover",
    "check_lead",
    "check_leave",
    "check_members",
    "check_override",
    "check_swap",
    "decide_approval",
    "request_cover",
    "request_swap",
    "respond_to_request",
    "rota_zone",
    "set_members",
    "upcoming_shifts",
]

HORIZON = timedelta(weeks=8)  # how far ahead the rota modal offers shifts (and requests may reach)


def _mention(user_id: str | None) -> Mention | str:
    return Mention(user_id) if user_id else "nobody"


def line_members(rota: Rota, line: SupportLine, now: datetime) -> tuple[str, ...]:
    """Members of `line` now and in the rotation to come (an edit taking over at the next handover)."""
    current = rota.rotation_at(line, now)
    latest = rota.rotations.get(line)
    members = [*(current.members if current else ()), *(latest.members if latest else ())]
    return tuple(dict.fromkeys(members))


def upcoming_shifts(rota: Rota, user_id: str, line: SupportLine, now: datetime) -> list[Duty]:
    """A person's stretches of duty on `line` that have not started yet, within the horizon."""
    return [d for d in rota.shifts_of(user_id, now, now + HORIZON) if d.line is line and d.starts_at > now]


def _shift_of(
    rota: Rota, user_id: str, line: SupportLine, starts_at: datetime, now: datetime, whose: str | Said
) -> Duty:
    for duty in upcoming_shifts(rota, user_id, line, now):
        if duty.starts_at == starts_at:
            return duty
    raise NotAllowed(
        said(
            "That shift is not {whose} upcoming {line} shift any more; open `/support rota` again.",
            whose=whose,
            line=line.label,
        )
    )


def _check_members(rota: Rota, line: SupportLine, now: datetime, requester_id: str, target_id: str) -> None:
    members = line_members(rota, line, now)
    if requester_id not in members:
        raise NotAllowed(f"Only {line.label} rota members can swap or hand over {line.label} shifts.")
    if target_id == requester_id:
        raise InvalidInput("target", "Pick someone other than yourself.")
    if target_id not in members:
        raise InvalidInput("target", said("{who} is not on the {line} rota.", who=_mention(target_id), line=line.label))


def check_swap(
    *,
    requester_id: str,
    target_id: str,
    line: SupportLine,
    my_shift_start: datetime,
    their_shift_start: datetime,
    rota: Rota,
    now: datetime,
) -> tuple[Duty, Duty]:
    """Refuse a swap that cannot be: both on the line, both shifts still to come and theirs per the rota."""
    _check_members(rota, line, now, requester_id, target_id)
    mine = _shift_of(rota, requester_id, line, my_shift_start, now, "your")
    theirs = _shift_of(rota, target_id, line, their_shift_start, now, said("{who}'s", who=_mention(target_id)))
    return mine, theirs


def _ask(request: RotaRequest, repo: RotaRepository, notifier: RotaNotifier) -> RotaRequest:
    """Store a new request (the repository audits it) and DM the person asked."""
    stored = repo.add_request(request)
    notifier.request_made(stored)
    return stored


def request_swap(
    *,
    requester_id: str,
    target_id: str,
    line: SupportLine,
    my_shift_start: datetime,
    their_shift_start: datetime,
    repo: RotaRepository,
    notifier: RotaNotifier,
    rota: Rota,
    now: datetime,
) -> RotaRequest:
    """Ask another member of the line to trade one upcoming shift for one of theirs; they accept or decline."""
    mine, theirs = check_swap(
        requester_id=requester_id,
        target_id=target_id,
        line=line,
        my_shift_start=my_shift_start,
        their_shift_start=their_shift_start,
        rota=rota,
        now=now,
    )
    return _ask(
        RotaRequest(
            id=None,
            kind=RequestKind.SWAP,
            line=line,
            requester_id=requester_id,
            target_id=target_id,
            given_from=mine.starts_at,
            given_to=mine.ends_at,
            taken_from=theirs.starts_at,
            taken_to=theirs.ends_at,
            status=RequestStatus.PENDING,
            created_at=now,
        ),
        repo,
        notifier,
    )


def check_cover(
    *,
    requester_id: str,
    target_id: str,
    line: SupportLine,
    starts_at: datetime,
    ends_at: datetime,
    rota: Rota,
    now: datetime,
) -> datetime:
    """Refuse cover that cannot be; returns when the cover starts (now, for the rest of a running shift)."""
    _check_members(rota, line, now, requester_id, target_id)
    starts_at = max(starts_at, now)  # the part of a running shift that is still to come
    if ends_at <= starts_at:
        raise InvalidInput("shift", "That stretch is already over; pick one still to come.")
    if any(d.user_id != requester_id for d in rota.duties(line, starts_at, ends_at)):
        raise NotAllowed(f"You are not on {line.label} duty for all of that time, so it is not yours to hand over.")
    return starts_at


def request_cover(
    *,
    requester_id: str,
    target_id: str,
    line: SupportLine,
    starts_at: datetime,
    ends_at: datetime,
    repo: RotaRepository,
    notifier: RotaNotifier,
    rota: Rota,
    now: datetime,
) -> RotaRequest:
    """Ask another member of the line to cover a stretch of my duty (all of a shift, or part of it)."""
    starts_at = check_cover(
        requester_id=requester_id,
        target_id=target_id,
        line=line,
        starts_at=starts_at,
        ends_at=ends_at,
        rota=rota,
        now=now,
    )
    return _ask(
        RotaRequest(
            id=None,
            kind=RequestKind.COVER,
            line=line,
            requester_id=requester_id,
            target_id=target_id,
            given_from=starts_at,
            given_to=ends_at,
            taken_from=None,
            taken_to=None,
            status=RequestStatus.PENDING,
            created_at=now,
        ),
        repo,
        notifier,
    )


def _load_request(repo: RotaRepository, request_id: int) -> RotaRequest:
    request = repo.get_request(request_id)
    if request is None:
        raise NotAllowed("I can't find that request any more.")
    return request


def _already(request: RotaRequest) -> NotAllowed:
    words = {
        RequestStatus.PENDING: "is still waiting for an answer",
        RequestStatus.AWAITING_APPROVAL: "is waiting for a lead's approval",
        RequestStatus.ACCEPTED: "was already accepted and is in the rota",
        RequestStatus.DECLINED: "was already declined",
        RequestStatus.REJECTED: "was already rejected by a lead",
        RequestStatus.CANCELLED: "was cancelled",
    }
    return NotAllowed(f"That {request.kind.value} request {words[request.status]}; nothing was changed.")


def request_overrides(request: RotaRequest, rota: Rota) -> list[Override]:
    """The overrides an agreed request becomes: cover is one, a swap two (each split at handovers)."""
    reason = OverrideReason.SWAP if request.kind is RequestKind.SWAP else OverrideReason.COVER
    wanted = [
        Override(request.line, request.target_id, request.given_from, request.given_to, request.requester_id, reason)
    ]
    if request.kind is RequestKind.SWAP and request.taken_from and request.taken_to:
        wanted.append(
            Override(
                request.line, request.requester_id, request.taken_from, request.taken_to, request.target_id, reason
            )
        )
    return [piece for override in wanted for piece in rota.split_at_handovers(override)]


def _check_still_valid(request: RotaRequest, rota: Rota, now: datetime) -> None:
    """The shifts may have moved since the request (another swap, an edit, time passing): refuse then."""
    if request.given_to <= now or (request.kind is RequestKind.SWAP and request.given_from <= now):
        raise NotAllowed("That shift has already started or passed, so the request no longer applies.")
    stale = NotAllowed("The rota has changed since this request was made, so it no longer applies; ask again.")
    if any(d.user_id != request.requester_id for d in rota.duties(request.line, request.given_from, request.given_to)):
        raise stale
    if request.taken_from and request.taken_to:
        if request.taken_from <= now:
            raise NotAllowed("That shift has already started or passed, so the request no longer applies.")
        if any(d.user_id != request.target_id for d in rota.duties(request.line, request.taken_from, request.taken_to)):
            raise stale


def _apply(request: RotaRequest, actor_id: str, repo: RotaRepository, rota: Rota, now: datetime) -> RotaRequest:
    _check_still_valid(request, rota, now)
    accepted = replace(request, status=RequestStatus.ACCEPTED, decided_at=now, decided_by=actor_id)
    repo.accept_request(accepted, request_overrides(request, rota))
    return accepted


def respond_to_request(
    *,
    request_id: int,
    actor_id: str,
    accept: bool,
    needs_approval: bool,
    repo: RotaRepository,
    notifier: RotaNotifier,
    rota: Rota,
    now: datetime,
) -> RotaRequest:
    """The target accepts or declines; an accepted request takes effect, or waits for a lead when configured."""
    request = _load_request(repo, request_id)
    if actor_id != request.target_id:
        raise NotAllowed(said("Only {who} can answer this request.", who=_mention(request.target_id)))
    if request.status is not RequestStatus.PENDING:
        raise _already(request)
    if not accept:
        decided = replace(request, status=RequestStatus.DECLINED, decided_at=now, decided_by=actor_id)
        repo.save_request(decided)
    elif needs_approval and rota.leads:
        _check_still_valid(request, rota, now)
        decided = replace(
            request, status=RequestStatus.AWAITING_APPROVAL, extra={**request.extra, "accepted_at": now.isoformat()}
        )
        repo.save_request(decided)
        notifier.approval_needed(decided, sorted(rota.leads))
    else:
        decided = _apply(request, actor_id, repo, rota, now)
    notifier.request_decided(decided)
    return decided


def decide_approval(
    *,
    request_id: int,
    actor_id: str,
    approve: bool,
    repo: RotaRepository,
    notifier: RotaNotifier,
    rota: Rota,
    now: datetime,
) -> RotaRequest:
    """A lead approves (the change takes effect) or rejects an accepted swap or cover."""
    if actor_id not in rota.leads:
        raise NotAllowed("Only the support leads can approve or reject rota changes.")
    request = _load_request(repo, request_id)
    if request.status is not RequestStatus.AWAITING_APPROVAL:
        raise _already(request)
    if approve:
        decided = _apply(request, actor_id, repo, rota, now)
    else:
        decided = replace(request, status=RequestStatus.REJECTED, decided_at=now, decided_by=actor_id)
        repo.save_request(decided)
    notifier.request_decided(decided)
    return decided
