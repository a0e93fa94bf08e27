"""`/support help | status | mine | who` and bad input: ephemeral answers, never silence."""

from __future__ import annotations

import json

from tests.e2e.conftest import ALICE, ERIN, RIYA, Desk


def test_help_lists_every_subcommand(desk: Desk) -> None:
    reply = desk.sim.command(RIYA, "help")
    text = reply.text
    for usage in ("/support status SUP-42", "/support mine", "/support who", "/support help"):
        assert usage in text


def test_who_names_the_people_on_duty_now_and_next(desk: Desk) -> None:
    reply = desk.sim.command(RIYA, "who")
    assert reply.status == 200 and reply.body == ""  # acked first; the answer follows on the response_url
    text = desk.ephemeral().text
    assert f"1st line: <@{ALICE}> until Mon 30 Nov 09:00; next <@U2BOB>" in text
    assert f"2nd line: <@{ERIN}> until Mon 30 Nov 09:00; next <@U4DAN>" in text


def test_status_shows_the_ticket_and_its_history(desk: Desk) -> None:
    desk.open_ticket(RIYA, "Laptop will not boot")
    reply = desk.sim.command(RIYA, "status sup-1")
    assert reply.status == 200 and reply.body == ""
    answer = desk.ephemeral()
    content = json.dumps(answer.args)
    assert "Laptop will not boot" in content and "Open" in content and "created" in content
    assert answer.args.get("response_type", "ephemeral") == "ephemeral"


def test_status_of_an_unknown_or_malformed_reference_gets_a_helpful_answer(desk: Desk) -> None:
    desk.sim.command(RIYA, "status SUP-404")
    assert "can't find" in desk.ephemeral().text
    malformed = desk.sim.command(RIYA, "status laptop").text
    assert "/support status SUP-42" in malformed and "laptop" in malformed
    bare = desk.sim.command(RIYA, "status").text
    assert "Which ticket?" in bare


def test_mine_lists_open_tickets_as_requester_and_as_assignee(desk: Desk) -> None:
    desk.sim.command(RIYA, "mine")
    assert "no open tickets" in desk.ephemeral().text
    desk.open_ticket(RIYA, "Monitor flickers")
    desk.sim.command(RIYA, "mine")
    assert "SUP-1" in desk.ephemeral(2).text and "Monitor flickers" in desk.ephemeral(2).text
    desk.sim.command(ALICE, "mine")
    assert "assigned to you" in desk.ephemeral(3).text


def test_a_sentence_that_starts_with_a_subcommand_word_is_a_ticket_title(desk: Desk) -> None:
    for text in ("help me reset my password", "who can approve my laptop", "status page is down"):
        view = desk.open_modal(RIYA, text)
        title = next(b for b in view["blocks"] if b.get("block_id") == "title")
        assert title["element"]["initial_value"] == text


def test_a_misspelt_subcommand_is_questioned_not_turned_into_a_ticket(desk: Desk) -> None:
    text = desk.sim.command(RIYA, "stauts").text
    assert "/support status" in text and "/support help" in text
    assert desk.fake.calls_to("views.open") == []


def test_healthz_answers_200_when_the_database_is_reachable(desk: Desk) -> None:
    reply = desk.get("/healthz")
    assert (reply.status, reply.body.strip()) == (200, "ok")
    assert desk.get("/nowhere").status == 404
