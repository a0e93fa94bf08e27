"""Teams' text commands, the welcome card (Home) and the message extension's "New ticket", over real HTTP."""

from __future__ import annotations

from typing import Any

from handlers.teams.simulator import TeamsUser
from storage.tickets import SqlTicketRepository
from tests.teams.conftest import ALICE, APP_ID, BOB, LEAD, RIYA, ZOE, TeamsDesk, personal


def said(desk: TeamsDesk, user: TeamsUser, text: str) -> dict[str, Any]:
    """What the bot answers in the person's 1:1 chat (the last post there)."""
    before = len(desk.posts_to(personal(user)))
    assert desk.sim.message(user, text).status == 200
    desk.settle()
    posts = desk.posts_to(personal(user))
    assert len(posts) == before + 1, [p.body for p in posts]
    return dict(posts[-1].body)


def text(desk: TeamsDesk, user: TeamsUser, words: str) -> str:
    return str(said(desk, user, words)["text"])


def test_help_lists_the_commands(teams_desk: TeamsDesk) -> None:
    answer = text(teams_desk, RIYA, "help")
    for command in ("new", "status SUP-42", "mine", "who", "rota", "help"):
        assert f"`{command}" in answer


def test_status_of_a_ticket_and_helpful_answers_to_bad_references(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    answer = text(teams_desk, RIYA, f"status {ref}")
    assert ref in answer and "VPN drops" in answer and "Open" in answer
    assert text(teams_desk, RIYA, f"status {ref.lower()}").startswith(f"**{ref}**")  # as typed, any case
    assert "Which ticket? Use `status SUP-42`." == text(teams_desk, RIYA, "status")
    assert "(`banana` is not one)" in text(teams_desk, RIYA, "status banana")
    assert "I can't find SUP-99. `mine` lists your open tickets." == text(teams_desk, RIYA, "status SUP-99")


def test_status_of_a_gdpr_request_is_refused_to_others(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket(title="My data please", type="gdpr_request", description="Copy.", priority="unsure")
    assert "private (a GDPR request)" in text(teams_desk, ZOE, f"status {ref}")
    assert "My data please" in text(teams_desk, RIYA, f"status {ref}")  # the requester sees it


def test_mine_lists_my_open_tickets(teams_desk: TeamsDesk) -> None:
    assert "You have no open tickets" in text(teams_desk, RIYA, "mine")
    ref = teams_desk.open_ticket()
    answer = text(teams_desk, RIYA, "mine")
    assert "Your open tickets** (1)" in answer and ref in answer
    assert ref in text(teams_desk, ALICE, "mine") and "assigned to you" in text(teams_desk, ALICE, "mine")
    assert "You have no open tickets" in text(teams_desk, ZOE, "mine")


def test_who_takes_a_line_and_a_day(teams_desk: TeamsDesk) -> None:
    now = text(teams_desk, RIYA, "who")
    assert "On duty now" in now and "1st line" in now and "2nd line" in now
    assert ALICE.aad in now or "Alice" in now
    second = text(teams_desk, RIYA, "who 2nd")
    assert "2nd line" in second and "1st line" not in second
    later = text(teams_desk, RIYA, "who 1st 2026-12-01")
    assert "On duty Tue 01 Dec 12:00" in later and (BOB.aad in later or "Bob" in later)
    assert "On duty Wed 25 Nov 12:00" in text(teams_desk, RIYA, "who tomorrow")
    assert "not a date" in text(teams_desk, RIYA, "who 2026-13-45")


def test_an_unknown_word_is_questioned_as_slack_does(teams_desk: TeamsDesk) -> None:
    assert text(teams_desk, RIYA, "stauts") == "I don't know `stauts`. Did you mean `status`? Try `help`."
    assert "Did you mean `mine`?" in text(teams_desk, RIYA, "mien")
    assert "Did you mean `home`?" in text(teams_desk, RIYA, "hme")  # Teams' own words are suggested too
    # several words are a title, as `/support printer on fire` is in Slack: the new-ticket button, pre-filled
    prompt = said(teams_desk, RIYA, "printer on fire")
    assert prompt["attachments"][0]["content"]["actions"][0]["data"]["title"] == "printer on fire"


# -- Home: the welcome card --------------------------------------------------------------------------------------


def installed(desk: TeamsDesk, user: TeamsUser, *, channel: bool = False, activity_id: str | None = None) -> int:
    activity = desk.sim.activity(user, "conversationUpdate", channel=channel, membersAdded=[{"id": f"28:{APP_ID}"}])
    if activity_id:
        activity["id"] = activity_id
    return desk.sim.send(activity).status


def test_the_welcome_card_on_install_has_the_home_tab_content(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket(ALICE, "My own laptop is slow")  # Alice: requester and assignee
    assert installed(teams_desk, ALICE, activity_id="install-1") == 200
    teams_desk.settle()
    (welcome,) = [p for p in teams_desk.posts_to(personal(ALICE)) if "Support desk" in str(p.body)]
    card = welcome.body["attachments"][0]["content"]
    words = str(card["body"])
    assert "Your open tickets (1)" in words and ref in words and "assigned to you" in words
    assert "Your next shifts" in words and "1st line: Tue 24 Nov 10:00 → Mon 30 Nov 09:00" in words
    assert "On duty now" in words and "2nd line" in words
    titles = {a["title"]: a["data"] for a in card["actions"]}
    assert titles["Open the rota"]["msteams"] == {"type": "imBack", "value": "rota"}
    assert titles["New ticket"]["msteams"] == {"type": "task/fetch"}
    # Teams retries a delivery it saw no answer to: the same activity welcomes nobody twice
    assert installed(teams_desk, ALICE, activity_id="install-1") == 200
    teams_desk.settle()
    assert len([p for p in teams_desk.posts_to(personal(ALICE)) if "Support desk" in str(p.body)]) == 1


def test_a_staff_member_with_nothing_is_welcomed_and_channels_are_not(teams_desk: TeamsDesk) -> None:
    assert installed(teams_desk, ZOE, channel=True) == 200
    teams_desk.settle()
    assert not teams_desk.posts_to(personal(ZOE))
    assert installed(teams_desk, ZOE) == 200
    teams_desk.settle()
    words = str(teams_desk.posts_to(personal(ZOE))[-1].body)
    assert "You have no open tickets" in words and "No shifts in the next 8 weeks" in words


def test_home_answers_with_the_same_card(teams_desk: TeamsDesk) -> None:
    words = str(said(teams_desk, LEAD, "home"))
    assert "Support desk" in words and "No shifts in the next 8 weeks" in words


# -- the message extension --------------------------------------------------------------------------------------


def on_message(author: TeamsUser) -> dict[str, Any]:
    return {
        "commandId": "newTicket",
        "commandContext": "message",
        "messagePayload": {
            "id": "1700000000000",
            "body": {
                "contentType": "html",
                "content": "<p>Printer on floor 3 jams</p><p>Every job since 9am &amp; more.</p>",
            },
            "from": {"user": {"id": author.aad, "displayName": author.name, "userIdentityType": "aadUser"}},
        },
    }


def test_new_ticket_on_a_message_prefills_the_dialog_and_its_author_is_the_requester(teams_desk: TeamsDesk) -> None:
    fetched = teams_desk.sim.invoke(ALICE, "composeExtension/fetchTask", on_message(RIYA)).body
    form = fetched["task"]["value"]["card"]["content"]
    values = {e["id"]: e.get("value") for e in form["body"] if "id" in e}
    assert values["title"] == "Printer on floor 3 jams"
    assert values["description"] == "Printer on floor 3 jams\nEvery job since 9am & more."
    bad = teams_desk.sim.invoke(
        ALICE, "composeExtension/submitAction", {**on_message(RIYA), "data": {"title": "Printer", "description": "x"}}
    ).body
    assert bad["task"]["type"] == "continue" and "errorMessage" in str(bad)
    data = {
        "title": values["title"],
        "description": values["description"],
        "type": "technical_support",
        "priority": "P3",
    }
    done = teams_desk.sim.invoke(ALICE, "composeExtension/submitAction", {**on_message(RIYA), "data": data}).body
    assert done == {"task": {"type": "message", "value": "Thanks, SUP-1 is logged."}}
    with teams_desk.runtime.sessions() as session:
        ticket = SqlTicketRepository(session).get(1)
    assert ticket is not None and ticket.requester_id == RIYA.aad and ticket.title == "Printer on floor 3 jams"
    teams_desk.settle()
    assert teams_desk.card_in(personal(RIYA), "SUP-1")  # Riya is told, as its requester


def test_new_ticket_from_the_compose_box_is_the_submitters(teams_desk: TeamsDesk) -> None:
    compose = {"commandId": "newTicket", "commandContext": "compose"}
    form = teams_desk.sim.invoke(ZOE, "composeExtension/fetchTask", compose).body["task"]["value"]["card"]["content"]
    assert [e["label"] for e in form["body"] if "label" in e] == ["Title", "Description", "Type", "Impact"]
    data = {"title": "Badge reader broken", "description": "Door 2.", "type": "service_task", "priority": "P4"}
    teams_desk.sim.invoke(ZOE, "composeExtension/submitAction", {**compose, "data": data})
    with teams_desk.runtime.sessions() as session:
        ticket = SqlTicketRepository(session).get(1)
    assert ticket is not None and ticket.requester_id == ZOE.aad
    unknown = teams_desk.sim.invoke(ZOE, "composeExtension/fetchTask", {"commandId": "other"}).body
    assert unknown["task"]["type"] == "message"
