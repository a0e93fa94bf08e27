"""/support -> modal -> ticket -> on-duty engineer -> acknowledged, escalated, resolved; over real HTTP."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from sqlalchemy import select

from handlers.slack.simulator import find_action
from storage.models import EventRow, TicketRow
from tests.e2e.conftest import ALICE, ERIN, LEAD, RIYA, TRIAGE, ZOE, Desk, dm


def ticket_row(desk: Desk, ticket_id: int) -> TicketRow:
    with desk.runtime.sessions() as session:
        row = session.get(TicketRow, ticket_id)
        assert row is not None
        return row


def event_kinds(desk: Desk, ticket_id: int) -> list[str]:
    with desk.runtime.sessions() as session:
        return list(session.scalars(select(EventRow.kind).where(EventRow.ticket_id == ticket_id).order_by(EventRow.id)))


def test_support_command_acks_empty_and_opens_the_modal_with_the_title_prefilled(desk: Desk) -> None:
    reply = desk.sim.command(RIYA, "Printer on fire")
    assert reply.status == 200 and reply.body == ""
    call = desk.fake.wait_for_count("views.open", 1)[0]
    assert call.args["trigger_id"].startswith("trigger-command-")
    view = call.args["view"]
    assert view["callback_id"] == "new_ticket"
    title = next(b for b in view["blocks"] if b.get("block_id") == "title")
    assert title["element"]["initial_value"] == "Printer on fire"
    assert {b["block_id"] for b in view["blocks"]} == {"title", "description", "type", "priority"}
    types = next(b for b in view["blocks"] if b["block_id"] == "type")["element"]["options"]
    assert [o["value"] for o in types] == [
        "technical_support",
        "support_query",
        "service_task",
        "gdpr_request",
        "bug_report",
        "feature_request",
    ]
    priorities = next(b for b in view["blocks"] if b["block_id"] == "priority")["element"]["options"]
    assert [o["value"] for o in priorities] == ["P1", "P2", "P3", "P4", "unsure"]
    assert "unavailable" in priorities[0]["description"]["text"]


def test_unsigned_forged_and_stale_requests_are_refused_with_401(desk: Desk) -> None:
    body = urlencode({"command": "/support", "text": "", "user_id": RIYA, "trigger_id": "t", "team_id": "T0SUPPORT"})
    assert desk.sim.send(body, signature="v0=" + "0" * 64).status == 401
    assert desk.sim.send(body, signature="").status == 401
    import time

    assert desk.sim.send(body, timestamp=int(time.time()) - 600).status == 401  # replayed: five minutes is the limit
    assert desk.fake.calls_to("views.open") == []


def test_blank_title_and_missing_description_come_back_as_errors_in_the_modal(desk: Desk) -> None:
    view = desk.open_modal(RIYA)
    reply = desk.sim.submit(
        RIYA, view, {"title": "   \n ", "description": "", "type": "support_query", "priority": "P3"}
    )
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"title", "description"}
    assert "title" in answer["errors"]["title"].lower()
    desk.settle()
    assert desk.fake.calls_to("chat.postMessage") == []
    with desk.runtime.sessions() as session:
        assert session.scalars(select(TicketRow)).all() == []


def test_over_long_title_and_missing_type_are_refused_in_the_modal(desk: Desk) -> None:
    view = desk.open_modal(RIYA)
    reply = desk.sim.submit(RIYA, view, {"title": "x" * 151, "description": "d", "type": None, "priority": "P3"})
    errors = reply.json()["errors"]
    assert "150" in errors["title"] and "type" in errors


def test_a_new_ticket_is_announced_routed_to_first_line_and_confirmed(desk: Desk) -> None:
    ref = desk.open_ticket(RIYA, "VPN drops every few minutes", priority="P2")
    assert ref == "SUP-1"
    desk.fake.wait_for(lambda calls: len(desk.posts_to(ALICE)) == 1 and len(desk.posts_to(RIYA)) == 1)

    triage = desk.posts_to(TRIAGE)[0]
    assert f"<@{ALICE}>" in triage.text and "P2 High" in triage.text and "Technical support" in triage.text
    find_action(triage.args["blocks"], "ticket_acknowledge")

    assignee = desk.posts_to(ALICE)[0]
    for action in (
        "ticket_acknowledge",
        "ticket_escalate",
        "ticket_set_status",
        "ticket_resolve",
        "ticket_mark_duplicate",
    ):
        find_action(assignee.args["blocks"], action)

    requester = desk.posts_to(RIYA)[0]
    assert "SUP-1" in requester.text
    assert "VPN drops" in json.dumps(requester.args["blocks"])

    row = ticket_row(desk, 1)
    assert (row.assignee_id, row.status, row.line, row.requester_id) == (ALICE, "open", "first_line", RIYA)
    assert event_kinds(desk, 1) == ["created", "assigned"]
    assert desk.posts_to(ERIN) == [] and desk.posts_to(LEAD) == []  # only a P1 wakes 2nd line and the leads


def test_a_p1_technical_ticket_alerts_the_on_duty_second_line_and_the_leads_at_once(desk: Desk) -> None:
    desk.open_ticket(RIYA, "Nobody can log in", priority="P1")
    desk.fake.wait_for(lambda calls: desk.posts_to(ERIN) and desk.posts_to(LEAD))
    assert "P1" in desk.posts_to(ERIN)[0].text and "P1" in desk.posts_to(LEAD)[0].text


def test_acknowledge_updates_the_cards_in_place_and_tells_the_requester(desk: Desk) -> None:
    ref = desk.open_ticket()
    triage_ts = desk.posts_to(TRIAGE)[0].response["ts"]
    desk.act(ALICE, dm(ALICE), ref, "ticket_acknowledge")
    desk.fake.wait_for(lambda calls: len(desk.posts_to(RIYA)) == 2)
    desk.settle()

    updates = desk.fake.calls_to("chat.update")
    triage_update = next(c for c in updates if c.channel == TRIAGE)
    assert triage_update.args["ts"] == triage_ts  # the same message, edited
    assert "Under investigation" in triage_update.text
    assert "ticket_acknowledge" not in json.dumps(triage_update.args["blocks"])  # no second acknowledge
    assert "picked up" in desk.posts_to(RIYA)[1].text
    assert ticket_row(desk, 1).status == "under_investigation"
    assert event_kinds(desk, 1)[-1] == "acknowledged"


def test_acknowledging_from_triage_takes_the_ticket_and_a_second_click_is_told_who_has_it(desk: Desk) -> None:
    ref = desk.open_ticket()
    desk.act("U2BOB", TRIAGE, ref, "ticket_acknowledge")
    desk.fake.wait_for(lambda calls: len(desk.posts_to("U2BOB")) == 1)  # Bob gets the card: it is his now
    assert ticket_row(desk, 1).assignee_id == "U2BOB"
    stale = desk.sim.act(ALICE, desk.posts_to(TRIAGE)[0].args, "ticket_acknowledge", channel=TRIAGE)
    assert stale.status == 200
    assert "<@U2BOB> has already picked this ticket up" in desk.ephemeral().text


def test_someone_outside_the_rota_is_politely_refused_and_nothing_changes(desk: Desk) -> None:
    ref = desk.open_ticket()
    desk.act(ZOE, TRIAGE, ref, "ticket_acknowledge")
    refusal = desk.ephemeral()
    assert refusal.args["response_type"] == "ephemeral" and refusal.args["replace_original"] is False
    assert "only the assignee" in refusal.text
    desk.settle()
    assert desk.fake.calls_to("chat.update") == []
    assert ticket_row(desk, 1).status == "open"

    desk.act(ZOE, TRIAGE, ref, "ticket_escalate")  # the modal is not even offered
    assert "only the assignee" in desk.ephemeral(2).text
    assert len(desk.fake.calls_to("views.open")) == 1  # just the /support one


def test_escalation_needs_a_note_then_hands_over_to_second_line(desk: Desk) -> None:
    ref = desk.open_ticket()
    desk.act(ALICE, dm(ALICE), ref, "ticket_escalate")
    view = desk.fake.wait_for_count("views.open", 2)[-1].args["view"]
    assert view["callback_id"] == "escalate_ticket"

    empty = desk.sim.submit(ALICE, view, {"note": "  "})
    assert empty.json()["response_action"] == "errors" and "note" in empty.json()["errors"]

    reply = desk.sim.submit(ALICE, view, {"note": "Reproduced; gateway DHCP renewals line up with the drops."})
    assert reply.status == 200 and reply.body == ""
    desk.fake.wait_for(lambda calls: desk.posts_to(ERIN) and len(desk.posts_to(RIYA)) == 2)
    desk.settle()

    handover = json.dumps(desk.posts_to(ERIN)[0].args["blocks"])
    assert "gateway DHCP renewals" in handover and "ticket_resolve" in handover
    assert "ticket_escalate" not in handover  # already with 2nd line
    assert f"<@{ERIN}>" in desk.posts_to(RIYA)[1].text
    alice_card = desk.card(dm(ALICE), ref)
    assert "ticket_acknowledge" not in json.dumps(alice_card["blocks"]) and "no action needed" in json.dumps(
        alice_card["blocks"]
    )
    row = ticket_row(desk, 1)
    assert (row.line, row.assignee_id) == ("second_line", ERIN)


def test_status_menu_moves_the_workflow_and_resolve_asks_for_the_fix(desk: Desk) -> None:
    ref = desk.open_ticket()
    desk.act(ALICE, dm(ALICE), ref, "ticket_acknowledge")
    desk.fake.wait_for(lambda calls: len(desk.posts_to(RIYA)) == 2)
    desk.settle()
    desk.act(ALICE, dm(ALICE), ref, "ticket_set_status", option="Awaiting info from requester")
    desk.fake.wait_for(lambda calls: len(desk.posts_to(RIYA)) == 3)
    assert "Awaiting info from requester" in desk.posts_to(RIYA)[2].text

    desk.act(ALICE, dm(ALICE), ref, "ticket_resolve")
    view = desk.fake.wait_for_count("views.open", 2)[-1].args["view"]
    desk.sim.submit(ALICE, view, {"resolution": "Reinstalled the VPN client; confirm it stays up?"})
    desk.fake.wait_for(lambda calls: len(desk.posts_to(RIYA)) == 4)
    assert "Reinstalled the VPN client" in desk.posts_to(RIYA)[3].text
    assert ticket_row(desk, 1).status == "awaiting_sign_off"
    assert event_kinds(desk, 1)[-2:] == ["status_changed", "resolved"]


def test_a_stale_menu_choice_that_the_workflow_refuses_is_explained(desk: Desk) -> None:
    ref = desk.open_ticket()
    card = desk.card(dm(ALICE), ref)
    _, menu = find_action(card["blocks"], "ticket_set_status")
    menu["options"].append({"text": {"type": "plain_text", "text": "Closed"}, "value": "1:closed"})  # a forged choice
    desk.sim.act(ALICE, card, "ticket_set_status", channel=dm(ALICE), option="Closed")
    assert "cannot move to Closed" in desk.ephemeral().text
    assert ticket_row(desk, 1).status == "open"


def test_marking_a_duplicate_closes_it_and_its_requester_follows_the_original(desk: Desk) -> None:
    first = desk.open_ticket(RIYA, "Payroll page is blank")
    second = desk.open_ticket("U6SAM", "Payroll shows nothing")
    desk.act(ALICE, dm(ALICE), second, "ticket_mark_duplicate")
    view = desk.fake.wait_for_count("views.open", 3)[-1].args["view"]

    for bad, message in [("nonsense", "reference like SUP-42"), ("SUP-99", "no ticket"), (second, "itself")]:
        reply = desk.sim.submit(ALICE, view, {"original": bad})
        assert message in reply.json()["errors"]["original"], bad

    assert desk.sim.submit(ALICE, view, {"original": first}).body == ""
    desk.fake.wait_for(lambda calls: len(desk.posts_to("U6SAM")) == 2)
    assert first in desk.posts_to("U6SAM")[1].text
    assert ticket_row(desk, 2).status == "closed" and ticket_row(desk, 2).duplicate_of_id == 1

    desk.settle()
    desk.act(ALICE, dm(ALICE), first, "ticket_acknowledge")  # an update on the original reaches both requesters
    desk.fake.wait_for(lambda calls: len(desk.posts_to("U6SAM")) == 3 and len(desk.posts_to(RIYA)) == 2)


def test_gdpr_requests_are_announced_without_their_contents(desk: Desk) -> None:
    desk.open_ticket(
        RIYA,
        "Delete my personal data",
        type="gdpr_request",
        priority="unsure",
        description="Everything you hold on me.",
    )
    triage = desk.posts_to(TRIAGE)[0]
    announced = triage.text + json.dumps(triage.args["blocks"])
    assert "Delete my personal data" not in announced and "Everything you hold" not in announced
    assert RIYA not in announced  # not even who asked
    assert "GDPR request" in announced and f"<@{ALICE}>" in announced
    desk.fake.wait_for(lambda calls: desk.posts_to(ALICE))
    assert "Delete my personal data" in json.dumps(desk.posts_to(ALICE)[0].args["blocks"])  # the assignee sees it

    desk.sim.command(ZOE, "status SUP-1")
    assert "private" in desk.ephemeral().text
    desk.sim.command("U2BOB", "status SUP-1")  # on the rota, but not the assignee
    assert "private" in desk.ephemeral(2).text
    desk.sim.command(LEAD, "status SUP-1")
    assert "Delete my personal data" in json.dumps(desk.ephemeral(3).args)


def test_a_gdpr_request_cannot_be_merged_or_worked_by_rota_members_who_may_not_see_it(desk: Desk) -> None:
    gdpr = desk.open_ticket(RIYA, "Send me a copy of my data", type="gdpr_request", priority="unsure")
    other = desk.open_ticket("U6SAM", "Payroll shows nothing")
    desk.act(ALICE, dm(ALICE), other, "ticket_mark_duplicate")
    view = desk.fake.wait_for_count("views.open", 3)[-1].args["view"]
    reply = desk.sim.submit(ALICE, view, {"original": gdpr})
    assert "GDPR requests are kept apart" in reply.json()["errors"]["original"]
    assert ticket_row(desk, 1).participants and [p.user_id for p in ticket_row(desk, 1).participants] == [RIYA]

    stale_card = desk.posts_to(ALICE)[0].args  # Bob (on the rota, not the assignee) tries Alice's GDPR card
    desk.sim.act("U2BOB", stale_card, "ticket_acknowledge", channel=dm(ALICE))
    assert "only its assignee and the leads" in desk.ephemeral().text
    assert ticket_row(desk, 1).status == "open"


def test_the_handover_note_stays_on_the_second_line_card_as_the_ticket_moves(desk: Desk) -> None:
    ref = desk.open_ticket()
    desk.act(ALICE, dm(ALICE), ref, "ticket_escalate")
    view = desk.fake.wait_for_count("views.open", 2)[-1].args["view"]
    desk.sim.submit(ALICE, view, {"note": "Gateway logs attached to the wiki page."})
    desk.fake.wait_for(lambda calls: desk.posts_to(ERIN))
    desk.settle()
    desk.act(ERIN, dm(ERIN), ref, "ticket_set_status", option="Under investigation")
    desk.fake.wait_for(lambda calls: any(c.channel == dm(ERIN) for c in desk.fake.calls_to("chat.update")))
    desk.settle()
    card = json.dumps(desk.card(dm(ERIN), ref)["blocks"])
    assert "Under investigation" in card and "Gateway logs attached" in card


def test_triage_can_set_the_priority_and_a_new_p1_wakes_second_line_and_the_leads(desk: Desk) -> None:
    ref = desk.open_ticket(priority="unsure")
    assert "Priority not set" in desk.posts_to(TRIAGE)[0].text
    assert desk.posts_to(ERIN) == []
    desk.act(ALICE, dm(ALICE), ref, "ticket_set_priority", option="P1 Highest")
    desk.fake.wait_for(lambda calls: desk.posts_to(ERIN) and desk.posts_to(LEAD) and len(desk.posts_to(RIYA)) == 2)
    assert "P1" in desk.posts_to(ERIN)[0].text
    assert "P1 Highest" in desk.posts_to(RIYA)[1].text
    assert ticket_row(desk, 1).priority == "P1"
    assert event_kinds(desk, 1)[-1] == "priority_changed"


def test_a_reopened_duplicate_is_no_longer_linked_to_its_original(desk: Desk) -> None:
    first = desk.open_ticket(RIYA, "Payroll page is blank")
    second = desk.open_ticket("U6SAM", "Payroll shows nothing")
    desk.act(ALICE, dm(ALICE), second, "ticket_mark_duplicate")
    view = desk.fake.wait_for_count("views.open", 3)[-1].args["view"]
    desk.sim.submit(ALICE, view, {"original": first})
    desk.fake.wait_for(lambda calls: len(desk.posts_to("U6SAM")) == 2)
    desk.settle()
    desk.act(LEAD, TRIAGE, second, "ticket_set_status", option="Under investigation")
    desk.fake.wait_for(lambda calls: len(desk.posts_to("U6SAM")) == 3)
    desk.settle()
    assert ticket_row(desk, 2).duplicate_of_id is None
    assert "Closed as a duplicate" not in json.dumps(desk.card(TRIAGE, second)["blocks"])


def test_a_forged_form_submission_is_refused_and_what_was_typed_is_given_back(desk: Desk) -> None:
    desk.open_ticket()
    forged = {
        "type": "modal",
        "callback_id": "resolve_ticket",
        "private_metadata": json.dumps({"ticket_id": 1}),
        "blocks": [
            {"type": "input", "block_id": "resolution", "element": {"type": "plain_text_input", "action_id": "value"}}
        ],
    }
    reply = desk.sim.submit(ZOE, forged, {"resolution": "I fixed it myself, honest"})
    assert reply.status == 200
    desk.fake.wait_for(lambda calls: desk.posts_to(ZOE))
    told = desk.posts_to(ZOE)[0].text
    assert "only the assignee" in told and "I fixed it myself, honest" in told
    assert ticket_row(desk, 1).status == "open"
