"""The rota's Teams cards say what the Slack messages say, with Teams' markup, mentions and buttons."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from handlers.slack import rota_cancel_view, rota_views
from handlers.slack.ids import ActionId, RotaActionId
from handlers.teams import rota_cards
from handlers.teams.digest_cards import TicketVerb
from handlers.teams.rota_cards import RotaVerb, TeamsMessage, TeamsPerson, mention
from rota.ports import RequestKind, RequestStatus, RotaRequest
from rota.roster import Duty, DutySource, Leave, Override, OverrideReason
from tests.fakes import ALICE, BOB, CAROL, DAN, FIRST, LEAD, LONDON, SECOND, ZOE
from tests.teams_cards.cards import (
    Invalid,
    actions,
    at,
    body_text,
    from_slack,
    people,
    slack_body,
    slack_buttons,
    unbold,
    validate,
)

MON = datetime(2026, 11, 30, 9, tzinfo=LONDON)
NEXT_MON = datetime(2026, 12, 7, 9, tzinfo=LONDON)
AFTER = datetime(2026, 12, 14, 9, tzinfo=LONDON)
CREATED = datetime(2026, 11, 24, 10, tzinfo=LONDON)


def request(
    kind: RequestKind = RequestKind.SWAP, status: RequestStatus = RequestStatus.PENDING, **changes: Any
) -> RotaRequest:
    swap = kind is RequestKind.SWAP
    values: dict[str, Any] = {
        "id": 42,
        "kind": kind,
        "line": FIRST,
        "requester_id": ALICE,
        "target_id": BOB,
        "given_from": MON,
        "given_to": NEXT_MON,
        "taken_from": NEXT_MON if swap else None,
        "taken_to": AFTER if swap else None,
        "status": status,
        "created_at": CREATED,
    }
    values.update(changes)
    return RotaRequest(**values)


LEAVE = Leave(user_id=ALICE, starts_at=MON, ends_at=NEXT_MON, id=5)
COVERED = Duty(FIRST, BOB, MON, NEXT_MON, scheduled=ALICE, source=DutySource.LEAVE_COVER)
UNCOVERED = Duty(SECOND, None, MON, NEXT_MON, scheduled=ALICE, source=DutySource.NOBODY)
OWN = Duty(FIRST, ALICE, MON, NEXT_MON, scheduled=ALICE, source=DutySource.ROTA)
SWAPPED = Duty(FIRST, CAROL, NEXT_MON, AFTER, scheduled=ALICE, source=DutySource.OVERRIDE)
OVERRIDE = Override(FIRST, CAROL, MON, NEXT_MON, replaces=ALICE, reason=OverrideReason.COVER, id=9)
SLACK_ONLY = Override(SECOND, ZOE, MON, NEXT_MON, replaces=DAN, reason=OverrideReason.MANUAL, id=10)

Pair = tuple[dict[str, Any], TeamsMessage]


def outcome(status: RequestStatus, by: str | None) -> Callable[[], Pair]:
    decided = request(status=status, decided_by=by)
    return lambda: (
        rota_views.outcome_message(decided, LONDON),
        rota_cards.outcome_card(decided, LONDON, people=people),
    )


# name -> (Slack message, Teams message) built from the same values; who must be mentioned.
CASES: dict[str, tuple[Callable[[], Pair], set[str]]] = {
    "swap request": (
        lambda: (
            rota_views.request_message(request(), LONDON),
            rota_cards.request_card(request(), LONDON, people=people),
        ),
        {ALICE},
    ),
    "cover request": (
        lambda: (
            rota_views.request_message(request(RequestKind.COVER), LONDON),
            rota_cards.request_card(request(RequestKind.COVER), LONDON, people=people),
        ),
        {ALICE},
    ),
    "swap approval": (
        lambda: (
            rota_views.approval_message(request(status=RequestStatus.AWAITING_APPROVAL), LONDON),
            rota_cards.approval_card(request(status=RequestStatus.AWAITING_APPROVAL), LONDON, people=people),
        ),
        {ALICE, BOB},
    ),
    "cover approval": (
        lambda: (
            rota_views.approval_message(request(RequestKind.COVER), LONDON),
            rota_cards.approval_card(request(RequestKind.COVER), LONDON, people=people),
        ),
        {ALICE, BOB},
    ),
    **{
        f"outcome {status.value}{' by ' + by if by else ''}": (
            outcome(status, by),
            {ALICE, BOB} | ({by} if by else set()),
        )
        for status, by in [
            (RequestStatus.AWAITING_APPROVAL, None),
            (RequestStatus.ACCEPTED, BOB),
            (RequestStatus.DECLINED, BOB),
            (RequestStatus.REJECTED, LEAD),
            (RequestStatus.CANCELLED, ALICE),
            (RequestStatus.CANCELLED, None),
        ]
    },
    "leave covered": (
        lambda: (
            rota_views.leave_conflict_message(LEAVE, [COVERED], LONDON),
            rota_cards.leave_conflict_card(LEAVE, [COVERED], LONDON, people=people),
        ),
        {ALICE, BOB},
    ),
    "leave with nobody on duty": (
        lambda: (
            rota_views.leave_conflict_message(LEAVE, [COVERED, UNCOVERED], LONDON),
            rota_cards.leave_conflict_card(LEAVE, [COVERED, UNCOVERED], LONDON, people=people),
        ),
        {ALICE, BOB},
    ),
    "leave cancelled, shifts back": (
        lambda: (
            rota_cancel_view.leave_cancelled_message(LEAVE, by=LEAD, back_on=[OWN, SWAPPED], zone=LONDON),
            rota_cards.leave_cancelled_card(LEAVE, by=LEAD, back_on=[OWN, SWAPPED], zone=LONDON, people=people),
        ),
        {LEAD, ALICE, CAROL},
    ),
    "leave cancelled, no shifts": (
        lambda: (
            rota_cancel_view.leave_cancelled_message(LEAVE, by=LEAD, back_on=[], zone=LONDON),
            rota_cards.leave_cancelled_card(LEAVE, by=LEAD, back_on=[], zone=LONDON, people=people),
        ),
        {LEAD},
    ),
    "override removed, someone instead": (
        lambda: (
            rota_cancel_view.override_removed_message(OVERRIDE, by=LEAD, instead=[OWN], zone=LONDON),
            rota_cards.override_removed_card(OVERRIDE, by=LEAD, instead=[OWN], zone=LONDON, people=people),
        ),
        {LEAD, CAROL, ALICE},
    ),
    "override removed, nobody instead": (
        lambda: (
            rota_cancel_view.override_removed_message(OVERRIDE, by=LEAD, instead=[], zone=LONDON),
            rota_cards.override_removed_card(OVERRIDE, by=LEAD, instead=[], zone=LONDON, people=people),
        ),
        {LEAD, CAROL, ALICE},
    ),
    "override of a Slack-only person removed": (
        lambda: (
            rota_cancel_view.override_removed_message(SLACK_ONLY, by=LEAD, instead=[], zone=LONDON),
            rota_cards.override_removed_card(SLACK_ONLY, by=LEAD, instead=[], zone=LONDON, people=people),
        ),
        {LEAD, DAN},
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_card_is_valid_and_says_what_slack_says(name: str) -> None:
    build, named = CASES[name]
    slack, teams = build()

    validate(teams)
    assert unbold(body_text(teams)) == unbold(slack_body(slack)).rstrip()
    assert teams.text == from_slack(slack["text"])
    for user in named:
        assert at(user) in body_text(teams)
    assert {e["mentioned"]["name"] for e in teams.entities} == {people(u).name for u in named}


@pytest.mark.parametrize("name", CASES)
def test_the_buttons_are_slacks_with_the_request_id(name: str) -> None:
    slack, teams = CASES[name][0]()

    assert [(a["verb"], a["title"]) for a in actions(teams.card)] == slack_buttons(slack)
    slack_values = [e["value"] for b in slack["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [str(a["data"]["request_id"]) for a in actions(teams.card)] == slack_values


def test_the_dates_are_the_desks_without_slack_markup() -> None:
    card = rota_cards.request_card(request(), LONDON, people=people)

    assert "Mon 30 Nov 09:00 → Mon 07 Dec 09:00" in card.text
    assert "Mon 07 Dec 09:00 → Mon 14 Dec 09:00" in card.text
    # In summer the desk's zone is an hour ahead of UTC.
    summer = request(
        given_from=datetime(2026, 7, 6, 8, tzinfo=LONDON), given_to=datetime(2026, 7, 13, 8, tzinfo=LONDON)
    )
    assert "Mon 06 Jul 08:00 → Mon 13 Jul 08:00" in rota_cards.request_card(summer, LONDON, people=people).text


def test_the_answer_buttons_are_accept_decline_and_approve_reject() -> None:
    asked = rota_cards.request_card(request(), LONDON, people=people)
    approval = rota_cards.approval_card(request(), LONDON, people=people)

    assert [(a["title"], a.get("style")) for a in actions(asked.card)] == [("Accept", "positive"), ("Decline", None)]
    assert [(a["title"], a.get("style")) for a in actions(approval.card)] == [
        ("Approve", "positive"),
        ("Reject", "destructive"),
    ]
    assert all(a["data"] == {"request_id": 42} for a in actions(asked.card) + actions(approval.card))
    assert "actions" not in rota_cards.outcome_card(request(status=RequestStatus.ACCEPTED), LONDON, people=people).card


def test_verbs_are_the_slack_action_ids() -> None:
    assert {v.name: v.value for v in RotaVerb} == {
        a.name: a.value for a in RotaActionId if a.name in RotaVerb.__members__
    }
    assert {v.name: v.value for v in TicketVerb} == {a.name: a.value for a in ActionId}


def test_a_mention_is_at_text_and_its_entity() -> None:
    text, entity = mention(TeamsPerson(name="Alice <b>Adams</b>", teams_id="29:abc"))

    assert text == "<at>Alice bAdams/b</at>"  # angle brackets could close the tag early
    assert entity == {"type": "mention", "text": text, "mentioned": {"id": "29:abc", "name": "Alice bAdams/b"}}
    assert mention(TeamsPerson(name="Zoe_*", teams_id=None)) == ("**Zoe\\_\\***", None)


def test_a_person_named_twice_has_one_entity() -> None:
    card = rota_cards.outcome_card(request(status=RequestStatus.ACCEPTED, decided_by=BOB), LONDON, people=people)

    assert body_text(card).count(at(BOB)) == 2
    assert [e["mentioned"]["id"] for e in card.entities] == ["29:u1alice", "29:u2bob"]
    assert card.attachment() == {"contentType": "application/vnd.microsoft.card.adaptive", "content": card.card}


BROKEN: dict[str, Callable[[TeamsMessage], TeamsMessage]] = {
    "empty body": lambda m: replace(m, card={**m.card, "body": []}),
    "version 1.6": lambda m: replace(m, card={**m.card, "version": "1.6"}),
    "Slack mention": lambda m: replace(m, text=m.text + " <@U1ALICE>"),
    "Slack bold": lambda m: replace(
        m, card={**m.card, "body": [{"type": "TextBlock", "text": "*bold*", "wrap": True}]}
    ),
    "Slack emoji": lambda m: replace(m, text=":calendar: " + m.text),
    "button without verb": lambda m: replace(
        m, card={**m.card, "actions": [{"type": "Action.Execute", "title": "Accept", "data": {}}]}
    ),
    "Action.Submit": lambda m: replace(
        m, card={**m.card, "actions": [{"type": "Action.Submit", "title": "Accept", "verb": "x", "data": {}}]}
    ),
    "entity missing": lambda m: replace(
        m, entities=m.entities[1:], card={**m.card, "msteams": {"entities": list(m.entities[1:])}}
    ),
    "mention without entity": lambda m: replace(m, text=m.text + " <at>Someone</at>"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_the_checks_can_fail(name: str) -> None:
    """Control: each check rejects a card broken the way it guards against."""
    good = rota_cards.approval_card(request(), LONDON, people=people)
    validate(good)
    with pytest.raises(Invalid):
        validate(BROKEN[name](good))


def test_no_slack_markup_survives_in_any_card() -> None:
    for build, _ in CASES.values():
        _, teams = build()
        assert not re.search(r"<@|<!|:[a-z_]+:", str(teams.card) + teams.text)
