"""README's "Who may do what", refusal by refusal, over signed HTTP: each is polite, ephemeral, and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.models import EventRow, OutboxRow, TicketRow
from tests.e2e.conftest import ALICE, LEAD, RIYA, TRIAGE, ZOE, Desk, dm

BOB = "U2BOB"
OUTSIDER = "only the assignee, the support rota or a lead"
GDPR_ONLY = "only its assignee and the leads"
GDPR_TITLE = "Send me everything you hold on Riya Patel"


def state(desk: Desk, ticket_id: int = 1) -> tuple[Any, ...]:
    """Everything a refused action could have changed: the row, its version, its history, queued messages."""
    with desk.runtime.sessions() as session:
        row = session.get_one(TicketRow, ticket_id)
        events = session.scalar(select(func.count()).select_from(EventRow).where(EventRow.ticket_id == ticket_id))
        messages = session.scalar(select(func.count()).select_from(OutboxRow))
        return (row.status, row.priority, row.assignee_id, row.line, row.duplicate_of_id, row.version, events, messages)


def refused(
    desk: Desk, user: str, ref: str, action_id: str, option: str | None = None, *, channel: str = TRIAGE
) -> str:
    """Press a button (or pick a menu option) on the card in `channel` as `user`; returns the ephemeral answer."""
    seen = len(desk.fake.calls_to("response_url"))
    desk.act(user, channel, ref, action_id, option=option)
    answer = desk.fake.wait_for_count("response_url", seen + 1)[-1]
    assert answer.args["response_type"] == "ephemeral" and answer.args["replace_original"] is False
    desk.settle()
    return answer.text


def reminder_with_update_button(ticket_id: int) -> dict[str, Any]:
    """An SLA reminder's "Update the requester" button, as a forwarded or forged message would carry it."""
    button = {"type": "button", "action_id": "ticket_post_update", "text": {"type": "plain_text", "text": "Update"}}
    return {
        "text": "reminder",
        "blocks": [{"type": "actions", "block_id": "r", "elements": [{**button, "value": str(ticket_id)}]}],
    }


def resolve_as(desk: Desk, user: str, ref: str, channel: str) -> None:
    opened = len(desk.fake.calls_to("views.open"))
    desk.act(user, channel, ref, "ticket_resolve")
    view = desk.fake.wait_for_count("views.open", opened + 1)[-1].args["view"]
    assert desk.sim.submit(user, view, {"resolution": "Reset the VPN profile."}).body == ""
    wait_for_triage_card(desk, "Awaiting sign-off")


def wait_for_triage_card(desk: Desk, status: str) -> None:
    """The work follows the ack: wait until the triage card shows it, then for the rest of the outbox."""
    desk.fake.wait_for(
        lambda calls: any(c.channel == TRIAGE and c.text.endswith(status) for c in desk.fake.calls_to("chat.update"))
    )
    desk.settle()


@pytest.mark.parametrize(
    ("action_id", "option"),
    [
        ("ticket_set_status", "Under investigation"),
        ("ticket_set_priority", "P1 Highest"),
        ("ticket_resolve", None),
        ("ticket_mark_duplicate", None),
    ],
)
def test_an_outsider_cannot_change_status_priority_resolve_or_mark_duplicate(
    desk: Desk, action_id: str, option: str | None
) -> None:
    ref = desk.open_ticket()
    before = state(desk)
    assert OUTSIDER in refused(desk, ZOE, ref, action_id, option)
    assert state(desk) == before
    assert len(desk.fake.calls_to("views.open")) == 1  # no form offered: just /support's own


def test_an_outsider_cannot_post_an_update_to_the_requester(desk: Desk) -> None:
    desk.open_ticket()
    before = state(desk)
    desk.sim.act(ZOE, reminder_with_update_button(1), "ticket_post_update", channel=dm(ZOE))
    assert OUTSIDER in desk.ephemeral().text
    desk.settle()
    assert state(desk) == before and len(desk.fake.calls_to("views.open")) == 1


def test_the_requester_cannot_work_their_own_ticket(desk: Desk) -> None:
    ref = desk.open_ticket(RIYA)
    before = state(desk)
    assert OUTSIDER in refused(desk, RIYA, ref, "ticket_set_priority", "P1 Highest")
    assert state(desk) == before


def test_an_outsider_can_neither_close_nor_reopen(desk: Desk) -> None:
    ref = desk.open_ticket()
    resolve_as(desk, ALICE, ref, dm(ALICE))
    before = state(desk)
    assert before[0] == "awaiting_sign_off"
    assert OUTSIDER in refused(desk, ZOE, ref, "ticket_set_status", "Closed")
    assert state(desk) == before

    desk.act(ALICE, dm(ALICE), ref, "ticket_set_status", option="Closed")
    wait_for_triage_card(desk, "Closed")
    closed = state(desk)
    assert OUTSIDER in refused(desk, ZOE, ref, "ticket_set_status", "Under investigation")
    assert state(desk) == closed


@pytest.mark.parametrize(
    ("callback", "values"),
    [
        ("ticket_escalate", {"note": "Zoe's forged handover"}),
        ("ticket_resolve", {"resolution": "Zoe's forged fix"}),
    ],
)
def test_a_form_submitted_by_an_outsider_is_refused_even_though_they_never_were_offered_it(
    desk: Desk, callback: str, values: dict[str, str]
) -> None:
    """Slack would only send this if the form leaked; the service checks again, so the refusal still holds."""
    ref = desk.open_ticket()
    desk.act(ALICE, dm(ALICE), ref, callback)
    view = desk.fake.wait_for_count("views.open", 2)[-1].args["view"]
    before = state(desk)
    assert desk.sim.submit(ZOE, view, values).body == ""
    desk.fake.wait_for(lambda calls: bool(desk.posts_to(ZOE)))
    assert OUTSIDER in desk.posts_to(ZOE)[-1].text
    desk.settle()
    assert state(desk) == before


def test_a_duplicate_form_submitted_by_an_outsider_is_refused_inside_the_form(desk: Desk) -> None:
    desk.open_ticket()
    second = desk.open_ticket("U6SAM", "Payroll shows nothing")
    desk.act(ALICE, dm(ALICE), second, "ticket_mark_duplicate")
    view = desk.fake.wait_for_count("views.open", 3)[-1].args["view"]
    before = state(desk, 2)
    reply = desk.sim.submit(ZOE, view, {"original": "SUP-1"})
    assert OUTSIDER in json.dumps(reply.json()["errors"])
    assert state(desk, 2) == before


# -- GDPR requests: the rota may not work them, only their assignee and the leads --------------------------


@pytest.mark.parametrize(
    ("action_id", "option"),
    [
        ("ticket_set_status", "Under investigation"),
        ("ticket_set_priority", "P2 High"),
        ("ticket_escalate", None),
        ("ticket_resolve", None),
        ("ticket_mark_duplicate", None),
    ],
)
def test_a_rota_member_who_is_not_the_assignee_cannot_work_a_gdpr_request(
    desk: Desk, action_id: str, option: str | None
) -> None:
    ref = desk.open_ticket(RIYA, GDPR_TITLE, type="gdpr_request", priority="unsure")
    desk.fake.wait_for(lambda calls: bool(desk.posts_to(ALICE)))
    before = state(desk)
    # The triage card of a GDPR request has no buttons; Bob has Alice's card (forwarded, or a forged click).
    assert GDPR_ONLY in refused(desk, BOB, ref, action_id, option, channel=dm(ALICE))
    assert state(desk) == before


def test_a_rota_member_cannot_update_a_gdpr_requester_but_a_lead_can_take_the_request(desk: Desk) -> None:
    desk.open_ticket(RIYA, GDPR_TITLE, type="gdpr_request", priority="unsure")
    before = state(desk)
    desk.sim.act(BOB, reminder_with_update_button(1), "ticket_post_update", channel=dm(BOB))
    assert GDPR_ONLY in desk.ephemeral().text
    desk.settle()
    assert state(desk) == before

    desk.sim.act(LEAD, desk.posts_to(ALICE)[0].args, "ticket_acknowledge", channel=dm(LEAD))
    wait_for_triage_card(desk, "Under investigation")
    assert state(desk)[:3] == ("under_investigation", None, LEAD)


# -- GDPR requests stay private ------------------------------------------------------------------------------


def test_mine_shows_a_gdpr_request_to_its_requester_and_assignee_only(desk: Desk) -> None:
    desk.open_ticket(RIYA, GDPR_TITLE, type="gdpr_request", priority="unsure")
    answers = {}
    for n, user in enumerate((RIYA, ALICE, BOB, LEAD, ZOE), start=1):
        desk.sim.command(user, "mine")
        answers[user] = json.dumps(desk.ephemeral(n).args)
    assert GDPR_TITLE in answers[RIYA] and "SUP-1" in answers[RIYA]
    assert GDPR_TITLE in answers[ALICE] and "SUP-1" in answers[ALICE]
    for user in (BOB, LEAD, ZOE):
        assert "SUP-1" not in answers[user] and GDPR_TITLE not in answers[user], user


def test_a_gdpr_triage_card_stays_private_when_it_is_updated(desk: Desk) -> None:
    ref = desk.open_ticket(
        RIYA, GDPR_TITLE, type="gdpr_request", priority="unsure", description="Riya's file, all of it"
    )
    desk.act(ALICE, dm(ALICE), ref, "ticket_acknowledge")
    wait_for_triage_card(desk, "Under investigation")
    for call in [*desk.posts_to(TRIAGE), *(c for c in desk.fake.calls_to("chat.update") if c.channel == TRIAGE)]:
        public = json.dumps(call.args)
        assert GDPR_TITLE not in public and "Riya's file" not in public and RIYA not in public
    assert "Under investigation" in json.dumps(desk.card(TRIAGE, ref))
