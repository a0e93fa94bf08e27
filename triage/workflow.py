"""The status workflow: which moves are allowed, from the seeds' status definitions."""

from __future__ import annotations

from triage.errors import InvalidTransition
from triage.model import Status

S = Status

# Open -> Under investigation -> (In progress | Awaiting info | Raised with development)
# -> Fix awaiting release -> Awaiting sign-off -> Closed; resolving (awaiting sign-off) is
# allowed from any working state because a workaround can come at any point, and a
# refused sign-off or a reopened ticket goes back to investigation.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.OPEN: frozenset({S.UNDER_INVESTIGATION, S.AWAITING_SIGN_OFF}),
    S.UNDER_INVESTIGATION: frozenset({S.IN_PROGRESS, S.AWAITING_INFO, S.RAISED_WITH_DEVELOPMENT, S.AWAITING_SIGN_OFF}),
    S.IN_PROGRESS: frozenset({S.AWAITING_INFO, S.RAISED_WITH_DEVELOPMENT, S.FIX_AWAITING_RELEASE, S.AWAITING_SIGN_OFF}),
    S.AWAITING_INFO: frozenset({S.UNDER_INVESTIGATION, S.IN_PROGRESS, S.AWAITING_SIGN_OFF, S.CLOSED}),
    S.RAISED_WITH_DEVELOPMENT: frozenset(
        {S.UNDER_INVESTIGATION, S.IN_PROGRESS, S.FIX_AWAITING_RELEASE, S.AWAITING_SIGN_OFF}
    ),
    S.FIX_AWAITING_RELEASE: frozenset({S.RAISED_WITH_DEVELOPMENT, S.AWAITING_SIGN_OFF}),
    S.AWAITING_SIGN_OFF: frozenset({S.CLOSED, S.UNDER_INVESTIGATION, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.UNDER_INVESTIGATION}),
}


def allowed_next(status: Status) -> list[Status]:
    """Next statuses in workflow order, for a menu."""
    return [s for s in Status if s in TRANSITIONS[status]]


def check_transition(current: Status, target: Status) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"A ticket that is {current.label} cannot move to {target.label}.")
