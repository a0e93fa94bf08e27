"""Taking rota changes back: a request its requester no longer wants, leave, and a lead's override. Pure.

Like rota/services.py, refusals are NotAllowed with the words shown to the person; the repository audits each
cancellation. When a lead takes back someone else's change, the people whose duty it moves are told.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from core.errors import NotAllowed
from core.people import Mention, said
from rota.ports import RequestStatus, RotaNotifier, RotaRepository, RotaRequest
from rota.roster import Leave, Override, Rota

CANCELLABLE = frozenset({RequestStatus.PENDING, RequestStatus.AWAITING_APPROVAL})


def cancellable_requests(requests: Sequence[RotaRequest], user_id: str) -> list[RotaRequest]:
    """The person's own requests that nobody has settled yet (theirs to take back)."""
    return [r for r in requests if r.requester_id == user_id and r.status in CANCELLABLE]


def upcoming_leave(rota: Rota, now: datetime, *, user_id: str | None = None) -> list[Leave]:
    """Leave not over yet (one person's, or everyone's for a lead), soonest first."""
    chosen = [v for v in rota.leave if v.ends_at > now and (user_id is None or v.user_id == user_id)]
    return sorted(chosen, key=lambda v: (v.starts_at, v.id or 0))


def upcoming_overrides(rota: Rota, now: datetime) -> list[Override]:
    """Overrides not over yet, soonest first: what a lead may still remove."""
    return sorted((o for o in rota.overrides if o.ends_at > now), key=lambda o: (o.starts_at, o.line, o.id or 0))


def cancel_request(
    *,
    request_id: int,
    actor_id: str,
    repo: RotaRepository,
    notifier: RotaNotifier,
    rota: Rota,
    now: datetime,
) -> RotaRequest:
    """The requester takes back a swap or cover request before it is settled; the other person is told."""
    request = repo.get_request(request_id)
    if request is None:
        raise NotAllowed("I can't find that request any more.")
    if actor_id != request.requester_id:
        raise NotAllowed(said("Only {who}, who asked, can cancel this request.", who=Mention(request.requester_id)))
    if request.status not in CANCELLABLE:
        raise NotAllowed(f"That request is already {request.status.value.replace('_', ' ')}; nothing was changed.")
    cancelled = replace(request, status=RequestStatus.CANCELLED, decided_at=now, decided_by=actor_id)
    repo.save_request(cancelled)
    notifier.request_decided(cancelled)
    return cancelled


def cancel_leave(
    *, leave_id: int, actor_id: str, repo: RotaRepository, notifier: RotaNotifier, rota: Rota, now: datetime
) -> Leave:
    """The member (or a lead) takes back leave that is not over: their shifts are theirs again at once.

    When a lead did it, the member is told, with the shifts that are theirs again.
    """
    leave = next((v for v in rota.leave if v.id == leave_id), None)
    if leave is None or leave.ends_at <= now:
        raise NotAllowed("That leave is no longer on the rota (it is over, or was cancelled already).")
    if actor_id != leave.user_id and actor_id not in rota.leads:
        raise NotAllowed(said("Only {who} or a lead can cancel this leave.", who=Mention(leave.user_id)))
    cancelled = repo.cancel_leave(leave_id, actor_id=actor_id, now=now)
    if cancelled is None:
        raise NotAllowed("That leave was cancelled already; nothing was changed.")
    if actor_id != leave.user_id:
        after = replace(rota, leave=tuple(v for v in rota.leave if v.id != leave_id))
        back_on = after.shifts_of(leave.user_id, max(leave.starts_at, now), leave.ends_at)
        notifier.leave_cancelled(leave, by=actor_id, back_on=back_on)
    return cancelled


def cancel_override(
    *, override_id: int, actor_id: str, repo: RotaRepository, notifier: RotaNotifier, rota: Rota, now: datetime
) -> Override:
    """A lead removes an override that is not over: the rotation (or another override) applies again at once.

    The person who was covering and whoever is on duty instead are told.
    """
    if actor_id not in rota.leads:
        raise NotAllowed("Only the support leads can remove an override.")
    override = next((o for o in rota.overrides if o.id == override_id), None)
    if override is None or override.ends_at <= now:
        raise NotAllowed("That override is no longer on the rota (it is over, or was removed already).")
    removed = repo.cancel_override(override_id, actor_id=actor_id, now=now)
    if removed is None:
        raise NotAllowed("That override was removed already; nothing was changed.")
    after = replace(rota, overrides=tuple(o for o in rota.overrides if o.id != override_id))
    instead = after.duties(override.line, max(override.starts_at, now), override.ends_at)
    notifier.override_removed(override, by=actor_id, instead=instead)
    return removed
