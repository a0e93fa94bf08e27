"""Reassigning a ticket over signed HTTP: the "Reassign to..." menu on support cards, and who may use it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from handlers.slack.simulator import find_action
from storage.models import EventRow, TicketRow
from storage.tickets import SqlTicketRepository
from tests.e2e.conftest import ALICE, BOB, DAN, LEAD, RIYA, TRIAGE, ZOE, Desk, dm
from tests.e2e.test_permissions import GDPR_ONLY, GDPR_TITLE, OUTSIDER, state

REASSIGN = "ticket_reassign"


def event_kinds(desk: Desk, ticket_id: int = 1) -> list[str]:
    with desk.runtime.sessions() as session:
        return list(session.scalars(select(EventRow.kind).where(EventRow.ticket_id == ticket_id).order_by(EventRow.id)))


def reassign(desk: Desk, user: str, channel: str, ref: str, to: str) -> str:
    """Pick `to` in the card's "Reassign to..." menu as `user`; returns the ephemeral answer."""
    seen = len(desk.fake.calls_to("response_url"))
    desk.pick_user(user, channel, ref, REASSIGN, to)
    answer = desk.fake.wait_for_count("response_url", seen + 1)[-1]
    assert answer.args["response_type"] == "ephemeral" and answer.args["replace_original"] is False
    desk.settle()
    return answer.text


def test_a_lead_reassigns_from_the_triage_card_and_everyone_hears(desk: Desk) -> None:
    ref = desk.open_ticket()
    assert state(desk)[:3] == ("open", "P2", ALICE)
    assert f"{ref} is now with <@{BOB}>" in reassign(desk, LEAD, TRIAGE, ref, BOB)

    assert state(desk)[:4] == ("open", "P2", BOB, "first_line")  # status and line as they were
    assert event_kinds(desk)[-1] == "reassigned"
    bob_card = desk.card(dm(BOB), ref)  # the new assignee gets the card with the actions
    find_action(bob_card["blocks"], "ticket_acknowledge")
    alice_card = desk.card(dm(ALICE), ref)  # the old one's card turns read-only, in place
    assert "now with <@U2BOB>" in alice_card["text"]
    with pytest.raises(LookupError):
        find_action(alice_card["blocks"], REASSIGN)
    assert "<@U2BOB>" in desk.card(TRIAGE, ref)["text"]
    told = [c.text for c in desk.posts_to(RIYA)]
    assert any(f"{ref} is now with <@U2BOB>" in t and "<@U8LEAD>" in t for t in told), told
    with pytest.raises(LookupError):  # the requester's card offers no menu
        find_action(desk.card(dm(RIYA), ref)["blocks"], REASSIGN)


def test_a_lead_reassigns_from_a_p1_alert(desk: Desk) -> None:
    ref = desk.open_ticket(priority="P1")
    alert = desk.card(dm(LEAD), ref)
    find_action(alert["blocks"], REASSIGN)
    reassign(desk, LEAD, dm(LEAD), ref, DAN)
    assert state(desk)[2] == DAN
    assert desk.card(dm(DAN), ref)["text"].startswith(f"{ref} is assigned to you")


def test_the_assignee_hands_their_acknowledged_ticket_to_another_rota_member(desk: Desk) -> None:
    ref = desk.open_ticket()
    desk.act(ALICE, dm(ALICE), ref, "ticket_acknowledge")
    desk.fake.wait_for(lambda calls: state(desk)[0] == "under_investigation")
    desk.settle()
    reassign(desk, ALICE, dm(ALICE), ref, BOB)
    status, _, assignee, *_ = state(desk)
    assert (status, assignee) == ("under_investigation", BOB)
    assert desk.card(dm(BOB), ref)["text"].startswith(f"{ref} is assigned to you")


def test_another_rota_member_cannot_reassign_someone_elses_ticket(desk: Desk) -> None:
    ref = desk.open_ticket()
    before = state(desk)
    answer = reassign(desk, BOB, TRIAGE, ref, BOB)
    assert "Only its assignee or a lead can hand on <@U1ALICE>'s ticket" in answer
    assert "press Acknowledge" in answer  # the open ticket can still be taken the usual way
    assert state(desk) == before


def test_an_outsider_cannot_reassign(desk: Desk) -> None:
    ref = desk.open_ticket()
    before = state(desk)
    assert OUTSIDER in reassign(desk, ZOE, TRIAGE, ref, ZOE)
    assert state(desk) == before


@pytest.mark.parametrize("actor", [LEAD, ALICE])
def test_nobody_can_reassign_to_someone_off_the_rota(desk: Desk, actor: str) -> None:
    ref = desk.open_ticket()
    before = state(desk)
    assert "<@U9ZOE> is not on the support rota" in reassign(desk, actor, TRIAGE, ref, ZOE)
    assert state(desk) == before


def test_gdpr_requests_only_by_their_assignee_or_a_lead_and_only_to_support(desk: Desk) -> None:
    ref = desk.open_ticket(RIYA, GDPR_TITLE, type="gdpr_request", priority="unsure")
    with pytest.raises(LookupError):  # the triage card of a GDPR request has no buttons or menus
        find_action(desk.card(TRIAGE, ref)["blocks"], REASSIGN)
    before = state(desk)
    # Bob has Alice's card (forwarded, or a forged click): a rota member is not enough for a GDPR request.
    assert GDPR_ONLY in reassign(desk, BOB, dm(ALICE), ref, BOB)
    assert "is not on the support rota" in reassign(desk, LEAD, dm(ALICE), ref, ZOE)
    assert state(desk) == before

    reassign(desk, ALICE, dm(ALICE), ref, BOB)  # the assignee hands it on
    assert state(desk)[2] == BOB
    bob_card = desk.card(dm(BOB), ref)
    assert GDPR_TITLE in str(bob_card["blocks"])
    assert GDPR_TITLE not in str(desk.card(dm(ALICE), ref)["blocks"])  # the old card keeps only the reference
    assert GDPR_ONLY in reassign(desk, ALICE, dm(BOB), ref, ALICE)  # no longer hers to hand on
    reassign(desk, LEAD, dm(BOB), ref, DAN)  # a lead may
    assert state(desk)[2] == DAN


def test_a_closed_ticket_is_not_reassigned(desk: Desk) -> None:
    ref = desk.open_ticket()
    message = desk.card(dm(ALICE), ref)  # the menu as it was while the ticket was open
    desk.act(ALICE, dm(ALICE), ref, "ticket_set_status", option="Under investigation")
    desk.fake.wait_for(lambda calls: state(desk)[0] == "under_investigation")
    with desk.runtime.sessions.begin() as session:
        session.get_one(TicketRow, 1).status = "closed"
    before = state(desk)
    seen = len(desk.fake.calls_to("response_url"))
    desk.fake.messages[(dm(ALICE), message["ts"])] = {k: v for k, v in message.items() if k != "ts"}
    desk.pick_user(LEAD, dm(ALICE), ref, REASSIGN, BOB)
    assert "closed" in desk.fake.wait_for_count("response_url", seen + 1)[-1].text
    desk.settle()
    assert state(desk) == before


def test_a_reassignment_leaves_the_sla_clocks_alone(desk: Desk) -> None:
    ref = desk.open_ticket()
    desk.clock.advance(timedelta(minutes=10))
    sla = desk.runtime.deps.sla
    now = desk.clock.now()

    def clocks() -> list[Any]:
        with desk.runtime.sessions() as session:
            tickets = SqlTicketRepository(session)
            ticket = tickets.get(1)
            assert ticket is not None
            return sla.clocks(ticket, tickets.events(1), now)

    before = clocks()
    assert all(c.stopped_at is None for c in before)  # nobody has answered the requester yet
    reassign(desk, LEAD, TRIAGE, ref, BOB)
    after = clocks()
    assert after == before  # the response clock still runs, due when it was: a handover is not an answer
    assert "*Response* due" in str(desk.card(dm(BOB), ref)["blocks"])
