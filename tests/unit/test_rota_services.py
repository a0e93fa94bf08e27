"""Rota use cases against a small in-memory fake of the RotaRepository port: swaps, cover, approval, leave."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from core.errors import InvalidInput, NotAllowed
from core.people import Mention, said
from handlers.slack.errors import slack_mention
from rota.ports import RequestKind, RequestStatus, RotaRequest
from rota.roster import DutySource, Override
from rota.services import (
    add_leave,
    add_override,
    decide_approval,
    request_cover,
    request_swap,
    respond_to_request,
    set_members,
    upcoming_shifts,
)
from tests.fakes import (
    ALICE,
    BOB,
    CAROL,
    DAN,
    ERIN,
    FIRST,
    LEAD,
    LONDON,
    SECOND,
    ZOE,
    InMemoryRotaRepository,
    RecordingRotaNotifier,
    make_rota,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON).astimezone(UTC)  # week 4: Alice (1st), Erin (2nd)


def local(day: int, month: int = 12, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def repo() -> InMemoryRotaRepository:
    return InMemoryRotaRepository(make_rota())


@pytest.fixture
def notifier() -> RecordingRotaNotifier:
    return RecordingRotaNotifier()


def swap(repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier, **overrides: Any) -> RotaRequest:
    arguments: dict[str, Any] = {
        "requester_id": ALICE,
        "target_id": BOB,
        "line": FIRST,
        "my_shift_start": local(14),  # Alice's next shift
        "their_shift_start": local(30, 11),  # Bob's next shift
        **overrides,
    }
    return request_swap(**arguments, repo=repo, notifier=notifier, rota=repo.rota, now=NOW)


def respond(
    repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier, user: str, accept: bool, *, approval: bool = False
) -> RotaRequest:
    return respond_to_request(
        request_id=1,
        actor_id=user,
        accept=accept,
        needs_approval=approval,
        repo=repo,
        notifier=notifier,
        rota=repo.rota,
        now=NOW,
    )


def test_upcoming_shifts_are_the_persons_shifts_still_to_start() -> None:
    shifts = upcoming_shifts(make_rota(), ALICE, FIRST, NOW)
    assert shifts[0].starts_at == local(14) and all(d.starts_at > NOW and d.user_id == ALICE for d in shifts)
    assert upcoming_shifts(make_rota(), ALICE, SECOND, NOW) == []


def test_swap_happy_path_two_overrides_agreed_by_both(
    repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier
) -> None:
    request = swap(repo, notifier)
    assert request.status is RequestStatus.PENDING and request.kind is RequestKind.SWAP
    assert notifier.calls == [("request_made", BOB)]
    assert repo.rota.on_duty(FIRST, local(30, 11, 12)) == BOB  # nothing changes until Bob accepts
    decided = respond(repo, notifier, BOB, True)
    assert decided.status is RequestStatus.ACCEPTED and decided.decided_by == BOB
    assert repo.rota.on_duty(FIRST, local(30, 11, 12)) == ALICE
    assert repo.rota.on_duty(FIRST, local(14, 12, 12)) == BOB
    assert repo.rota.duty_at(FIRST, local(14, 12, 12))[2] is DutySource.OVERRIDE
    assert notifier.calls[-1] == ("request_decided", RequestStatus.ACCEPTED)
    assert [w[:2] for w in repo.writes] == [("add_request", ALICE), ("accept_request", BOB)]  # one write each


def test_decline_changes_nothing(repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier) -> None:
    swap(repo, notifier)
    before = repo.rota
    assert respond(repo, notifier, BOB, False).status is RequestStatus.DECLINED
    assert repo.rota is before
    assert notifier.calls[-1] == ("request_decided", RequestStatus.DECLINED)


@pytest.mark.parametrize(
    ("changes", "error", "words"),
    [
        pytest.param({"requester_id": ZOE}, NotAllowed, "rota members", id="requester-not-a-member"),
        pytest.param({"target_id": DAN}, InvalidInput, "not on the 1st line rota", id="target-on-the-other-line"),
        pytest.param({"target_id": ALICE}, InvalidInput, "other than yourself", id="self"),
        pytest.param({"my_shift_start": local(30, 11)}, NotAllowed, "not your", id="not-my-shift"),
        pytest.param({"their_shift_start": local(14)}, NotAllowed, "not @U2BOB's", id="not-their-shift"),
        pytest.param({"my_shift_start": local(23, 11)}, NotAllowed, "not your", id="my-shift-already-running"),
        pytest.param({"my_shift_start": local(14, 12, 10)}, NotAllowed, "not your", id="not-a-shift-start"),
    ],
)
def test_swap_refusals(
    repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier, changes: dict[str, Any], error: type, words: str
) -> None:
    with pytest.raises(error, match=words):
        swap(repo, notifier, **changes)
    assert repo.requests == {} and notifier.calls == [] and repo.writes == []


@pytest.mark.parametrize("who", [ALICE, CAROL, LEAD])
def test_only_the_target_may_answer(repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier, who: str) -> None:
    swap(repo, notifier)
    with pytest.raises(NotAllowed) as refused:
        respond(repo, notifier, who, True)
    assert refused.value.message == said("Only {who} can answer this request.", who=Mention(BOB))
    assert refused.value.render(slack_mention) == "Only <@U2BOB> can answer this request."
    assert str(refused.value) == "Only @U2BOB can answer this request."
    assert repo.requests[1].status is RequestStatus.PENDING


@pytest.mark.parametrize(
    ("changes", "person", "slack_text"),
    [
        pytest.param(
            {"their_shift_start": local(14)},
            BOB,
            "That shift is not <@U2BOB>'s upcoming 1st line shift any more; open `/support rota` again.",
            id="not-their-shift",
        ),
        pytest.param({"target_id": DAN}, DAN, "<@U4DAN> is not on the 1st line rota.", id="target-on-the-other-line"),
    ],
)
def test_swap_refusals_name_people_by_id_for_the_platform_to_render(
    repo: InMemoryRotaRepository,
    notifier: RecordingRotaNotifier,
    changes: dict[str, Any],
    person: str,
    slack_text: str,
) -> None:
    with pytest.raises((NotAllowed, InvalidInput)) as refused:
        swap(repo, notifier, **changes)
    assert refused.value.message.people == (person,)
    assert refused.value.render(slack_mention) == slack_text
    assert str(refused.value) == slack_text.replace(f"<@{person}>", f"@{person}")


def test_an_answered_request_cannot_be_answered_again(
    repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier
) -> None:
    swap(repo, notifier)
    respond(repo, notifier, BOB, False)
    with pytest.raises(NotAllowed, match="already declined"):
        respond(repo, notifier, BOB, True)


def test_a_request_overtaken_by_another_change_is_refused_on_accept(
    repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier
) -> None:
    swap(repo, notifier)
    add_override(
        line=FIRST,
        user_id=CAROL,
        starts_at=local(14),
        ends_at=local(15),
        actor_id=LEAD,
        repo=repo,
        rota=repo.rota,
        now=NOW,
    )
    with pytest.raises(NotAllowed, match="rota has changed"):
        respond(repo, notifier, BOB, True)


def test_approval_flow_lead_approves(repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier) -> None:
    swap(repo, notifier)
    waiting = respond(repo, notifier, BOB, True, approval=True)
    assert waiting.status is RequestStatus.AWAITING_APPROVAL
    assert ("approval_needed", (LEAD,)) in notifier.calls
    assert repo.rota.on_duty(FIRST, local(30, 11, 12)) == BOB
    with pytest.raises(NotAllowed, match="Only the support leads"):
        decide_approval(request_id=1, actor_id=BOB, approve=True, repo=repo, notifier=notifier, rota=repo.rota, now=NOW)
    approved = decide_approval(
        request_id=1, actor_id=LEAD, approve=True, repo=repo, notifier=notifier, rota=repo.rota, now=NOW
    )
    assert approved.status is RequestStatus.ACCEPTED and approved.decided_by == LEAD
    assert repo.rota.on_duty(FIRST, local(30, 11, 12)) == ALICE
    with pytest.raises(NotAllowed, match="already accepted"):
        decide_approval(
            request_id=1, actor_id=LEAD, approve=False, repo=repo, notifier=notifier, rota=repo.rota, now=NOW
        )


def test_approval_flow_lead_rejects(repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier) -> None:
    swap(repo, notifier)
    respond(repo, notifier, BOB, True, approval=True)
    before = repo.rota
    rejected = decide_approval(
        request_id=1, actor_id=LEAD, approve=False, repo=repo, notifier=notifier, rota=repo.rota, now=NOW
    )
    assert rejected.status is RequestStatus.REJECTED and repo.rota is before


def test_approval_needs_leads_to_exist() -> None:
    repo, notifier = InMemoryRotaRepository(make_rota(leads=frozenset())), RecordingRotaNotifier()
    swap(repo, notifier)
    assert respond(repo, notifier, BOB, True, approval=True).status is RequestStatus.ACCEPTED


def test_cover_of_the_rest_of_a_running_shift(repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier) -> None:
    request = request_cover(
        requester_id=ALICE, target_id=CAROL, line=FIRST, starts_at=local(23, 11), ends_at=local(30, 11),
        repo=repo, notifier=notifier, rota=repo.rota, now=NOW,
    )  # fmt: skip
    assert request.given_from == NOW  # the past part is not handed over
    respond_to_request(
        request_id=1,
        actor_id=CAROL,
        accept=True,
        needs_approval=False,
        repo=repo,
        notifier=notifier,
        rota=repo.rota,
        now=NOW,
    )
    assert repo.rota.on_duty(FIRST, NOW) == CAROL
    assert repo.rota.on_duty(FIRST, local(30, 11, 10)) == BOB


def test_cover_of_someone_elses_time_is_refused(repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier) -> None:
    with pytest.raises(NotAllowed, match="not on 1st line duty"):
        request_cover(
            requester_id=ALICE, target_id=CAROL, line=FIRST, starts_at=local(30, 11), ends_at=local(1),
            repo=repo, notifier=notifier, rota=repo.rota, now=NOW,
        )  # fmt: skip


def test_leave_conflict_warns_the_leads_with_who_covers(
    repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier
) -> None:
    recorded = add_leave(
        user_id=BOB,
        actor_id=BOB,
        first=date(2026, 12, 1),
        last=date(2026, 12, 2),
        repo=repo,
        notifier=notifier,
        rota=repo.rota,
        now=NOW,
    )
    assert recorded.leave.id is not None
    assert [d.user_id for d in recorded.conflicts] == [CAROL]
    assert recorded.uncovered == []
    kind, (conflicts, leads) = notifier.calls[-1]
    assert kind == "leave_conflicts" and leads == (LEAD,) and conflicts[0].source is DutySource.LEAVE_COVER
    assert repo.rota.on_duty(FIRST, local(1, 12, 12)) == CAROL


def test_leave_where_nobody_covers_is_reported_as_uncovered(notifier: RecordingRotaNotifier) -> None:
    repo = InMemoryRotaRepository(make_rota())
    add_leave(
        user_id=DAN,
        actor_id=LEAD,
        first=date(2026, 11, 30),
        last=date(2026, 12, 4),
        repo=repo,
        notifier=notifier,
        rota=repo.rota,
        now=NOW,
    )
    notifier.calls.clear()
    recorded = add_leave(
        user_id=ERIN,
        actor_id=ERIN,
        first=date(2026, 11, 25),
        last=date(2026, 12, 1),
        repo=repo,
        notifier=notifier,
        rota=repo.rota,
        now=NOW,
    )
    assert recorded.uncovered and all(d.user_id is None for d in recorded.uncovered)
    assert notifier.calls and notifier.calls[0][0] == "leave_conflicts"


def test_leave_without_conflict_says_nothing(repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier) -> None:
    recorded = add_leave(
        user_id=ALICE,
        actor_id=ALICE,
        first=date(2026, 12, 1),
        last=date(2026, 12, 4),
        repo=repo,
        notifier=notifier,
        rota=repo.rota,
        now=NOW,
    )
    assert recorded.conflicts == [] and notifier.calls == []
    assert repo.writes == [
        ("add_leave", ALICE, {"first": "2026-12-01", "last": "2026-12-04", "conflicts": 0, "uncovered": 0})
    ]


@pytest.mark.parametrize(
    ("user", "actor", "first", "last", "error", "words"),
    [
        pytest.param(BOB, ALICE, date(2026, 12, 1), date(2026, 12, 2), NotAllowed, "your own leave", id="someone-else"),
        pytest.param(ZOE, ZOE, date(2026, 12, 1), date(2026, 12, 2), NotAllowed, "rota members", id="not-a-member"),
        pytest.param(BOB, BOB, date(2026, 12, 2), date(2026, 12, 1), InvalidInput, "before it starts", id="backwards"),
        pytest.param(BOB, BOB, date(2026, 11, 1), date(2026, 11, 2), InvalidInput, "already over", id="past"),
    ],
)
def test_leave_refusals(
    repo: InMemoryRotaRepository,
    notifier: RecordingRotaNotifier,
    user: str,
    actor: str,
    first: date,
    last: date,
    error: type,
    words: str,
) -> None:
    with pytest.raises(error, match=words):
        add_leave(
            user_id=user, actor_id=actor, first=first, last=last, repo=repo, notifier=notifier, rota=repo.rota, now=NOW
        )
    assert repo.rota.leave == ()


def test_lead_may_record_anyones_leave(repo: InMemoryRotaRepository, notifier: RecordingRotaNotifier) -> None:
    add_leave(
        user_id=BOB,
        actor_id=LEAD,
        first=date(2026, 12, 1),
        last=date(2026, 12, 1),
        repo=repo,
        notifier=notifier,
        rota=repo.rota,
        now=NOW,
    )
    assert repo.rota.is_on_leave(BOB, local(1, 12, 12))


def test_membership_edit_takes_over_at_the_next_handover(repo: InMemoryRotaRepository) -> None:
    rotation = set_members(line=FIRST, members=[CAROL, ALICE, ZOE], actor_id=LEAD, repo=repo, rota=repo.rota, now=NOW)
    assert rotation.shift_start(0) == local(30, 11)
    assert repo.rota.on_duty(FIRST, NOW) == ALICE  # the current shift is left alone
    assert [repo.rota.on_duty(FIRST, local(d, m, 12)) for d, m in ((30, 11), (7, 12), (14, 12))] == [ZOE, CAROL, ALICE]
    assert repo.writes == [("add_rotation", LEAD, {})]


@pytest.mark.parametrize(
    ("actor", "members", "error", "words"),
    [
        pytest.param(ALICE, [BOB, ALICE], NotAllowed, "Only the support leads", id="not-a-lead"),
        pytest.param(LEAD, [], InvalidInput, "at least one member", id="empty"),
        pytest.param(LEAD, [ALICE, BOB, CAROL], InvalidInput, "nothing changed", id="unchanged"),
    ],
)
def test_membership_refusals(
    repo: InMemoryRotaRepository, actor: str, members: list[str], error: type, words: str
) -> None:
    before = repo.rota
    with pytest.raises(error, match=words):
        set_members(line=FIRST, members=members, actor_id=actor, repo=repo, rota=repo.rota, now=NOW)
    assert repo.rota is before


def test_lead_override_across_a_handover_is_split(repo: InMemoryRotaRepository) -> None:
    stored = add_override(
        line=SECOND,
        user_id=LEAD,
        starts_at=local(29, 11),
        ends_at=local(1, 12),
        actor_id=LEAD,
        repo=repo,
        rota=repo.rota,
        now=NOW,
    )
    assert [(o.replaces, o.starts_at) for o in stored] == [(ERIN, local(29, 11)), (DAN, local(30, 11))]
    with pytest.raises(NotAllowed):
        add_override(
            line=SECOND,
            user_id=DAN,
            starts_at=local(29, 11),
            ends_at=local(1, 12),
            actor_id=DAN,
            repo=repo,
            rota=repo.rota,
            now=NOW,
        )


def test_lead_override_leaves_out_the_persons_own_shift_and_refuses_a_no_op(repo: InMemoryRotaRepository) -> None:
    def put_on(user: str, starts_at: datetime, ends_at: datetime) -> list[Override]:
        return add_override(
            line=SECOND,
            user_id=user,
            starts_at=starts_at,
            ends_at=ends_at,
            actor_id=LEAD,
            repo=repo,
            rota=repo.rota,
            now=NOW,
        )

    stored = put_on(DAN, local(29, 11), local(1, 12))  # Dan's own week starts Mon 30 Nov
    assert [(o.replaces, o.starts_at, o.ends_at) for o in stored] == [(ERIN, local(29, 11), local(30, 11))]
    with pytest.raises(InvalidInput, match="on 2nd line duty for all of that time already") as refused:
        put_on(ERIN, local(25, 11), local(26, 11))  # her own week
    assert refused.value.render_errors(slack_mention) == {
        "user": "<@U5ERIN> is on 2nd line duty for all of that time already."
    }
    assert [w[0] for w in repo.writes] == ["add_overrides"]
