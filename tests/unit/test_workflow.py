"""The status workflow: the seeds' path is allowed, shortcuts and backwards jumps are refused."""

from __future__ import annotations

import pytest

from triage.errors import InvalidTransition, TriageError
from triage.model import Status
from triage.workflow import allowed_next, check_transition

S = Status


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.OPEN, S.UNDER_INVESTIGATION),
        (S.UNDER_INVESTIGATION, S.IN_PROGRESS),
        (S.UNDER_INVESTIGATION, S.AWAITING_INFO),
        (S.UNDER_INVESTIGATION, S.RAISED_WITH_DEVELOPMENT),
        (S.IN_PROGRESS, S.FIX_AWAITING_RELEASE),
        (S.RAISED_WITH_DEVELOPMENT, S.FIX_AWAITING_RELEASE),
        (S.FIX_AWAITING_RELEASE, S.AWAITING_SIGN_OFF),
        (S.AWAITING_SIGN_OFF, S.CLOSED),
        (S.CLOSED, S.UNDER_INVESTIGATION),  # reopen
        (S.AWAITING_SIGN_OFF, S.UNDER_INVESTIGATION),  # sign-off refused
        (S.AWAITING_INFO, S.UNDER_INVESTIGATION),  # the requester answered
    ],
)
def test_allowed_transitions(current: Status, target: Status) -> None:
    check_transition(current, target)  # does not raise
    assert target in allowed_next(current)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.OPEN, S.CLOSED),
        (S.OPEN, S.IN_PROGRESS),
        (S.OPEN, S.FIX_AWAITING_RELEASE),
        (S.CLOSED, S.IN_PROGRESS),
        (S.CLOSED, S.AWAITING_SIGN_OFF),
        (S.CLOSED, S.OPEN),
        (S.FIX_AWAITING_RELEASE, S.OPEN),
        (S.UNDER_INVESTIGATION, S.OPEN),
        (S.UNDER_INVESTIGATION, S.FIX_AWAITING_RELEASE),
        (S.OPEN, S.OPEN),
        (S.CLOSED, S.CLOSED),
        (S.IN_PROGRESS, S.IN_PROGRESS),
    ],
)
def test_refused_transitions(current: Status, target: Status) -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_transition(current, target)
    assert target not in allowed_next(current)
    assert str(caught.value) == f"A ticket that is {current.label} cannot move to {target.label}."


def test_invalid_transition_is_a_triage_error() -> None:
    assert issubclass(InvalidTransition, TriageError)


@pytest.mark.parametrize("status", list(Status))
def test_no_status_leads_back_to_open_or_to_itself(status: Status) -> None:
    assert S.OPEN not in allowed_next(status)
    assert status not in allowed_next(status)


@pytest.mark.parametrize("status", [s for s in Status if s is not S.CLOSED])
def test_every_open_status_can_reach_closed(status: Status) -> None:
    seen, frontier = {status}, [status]
    while frontier:
        for nxt in allowed_next(frontier.pop()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert S.CLOSED in seen


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.OPEN, [S.UNDER_INVESTIGATION, S.AWAITING_SIGN_OFF]),
        (S.UNDER_INVESTIGATION, [S.IN_PROGRESS, S.AWAITING_INFO, S.RAISED_WITH_DEVELOPMENT, S.AWAITING_SIGN_OFF]),
        (S.FIX_AWAITING_RELEASE, [S.RAISED_WITH_DEVELOPMENT, S.AWAITING_SIGN_OFF]),
        (S.AWAITING_SIGN_OFF, [S.UNDER_INVESTIGATION, S.IN_PROGRESS, S.CLOSED]),
        (S.CLOSED, [S.UNDER_INVESTIGATION]),
    ],
)
def test_allowed_next_is_in_workflow_order(status: Status, expected: list[Status]) -> None:
    assert allowed_next(status) == expected


@pytest.mark.parametrize("status", list(Status))
def test_allowed_next_is_sorted_by_workflow_position(status: Status) -> None:
    order = list(Status)
    positions = [order.index(s) for s in allowed_next(status)]
    assert positions == sorted(positions)
    assert allowed_next(status), f"{status} is a dead end"
