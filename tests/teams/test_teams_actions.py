"""Every ticket button in Teams, over real HTTP: the Slack buttons' permissions, refusals and services.

Buttons are pressed as Teams sends them (an `adaptiveCard/action` invoke naming the verb and carrying the button's
data and the card's inputs); a refusal is the invoke's answer (a message to that person only), never a post.
"""

from __future__ import annotations

from typing import Any

import pytest

from handlers.teams.digest_cards import sla_alert_card
from handlers.teams.rota_cards import TeamsPerson
from handlers.teams.simulator import Reply, TeamsUser
from storage.tickets import SqlTicketRepository
from tests.teams.conftest import ALICE, BOB, CAROL, ERIN, LEAD, RIYA, ZOE, TeamsDesk, personal
from triage.model import EventKind, Priority, Status, Ticket
from triage.reminders import AlertKind, SlaNotice
from triage.sla import SlaClock

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"


def execute(desk: TeamsDesk, user: TeamsUser, verb: str, data: dict[str, Any]) -> Reply:
    """Press an Action.Execute as Teams sends it."""
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
    reply = desk.sim.invoke(user, "adaptiveCard/action", value)
    assert reply.status == 200, reply
    return reply


def ticket(desk: TeamsDesk, ticket_id: int) -> Ticket:
    with desk.runtime.sessions() as session:
        found = SqlTicketRepository(session).get(ticket_id)
    assert found is not None
    return found


def events(desk: TeamsDesk, ticket_id: int) -> list[EventKind]:
    with desk.runtime.sessions() as session:
        return [e.kind for e in SqlTicketRepository(session).events(ticket_id)]


def number(ref: str) -> int:
    return int(ref.split("-")[1])


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if str(e.get("type", "")).startswith("Input.")}


def test_escalate_unfolds_its_note_refuses_an_empty_one_and_hands_over(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    data = {"ticket": number(ref), "card": ALICE.aad}
    form = execute(teams_desk, ALICE, "ticket_escalate", data).body
    assert form["type"] == ADAPTIVE
    note = inputs(form["value"])["note"]
    assert note["label"] == "Handover note" and note["isRequired"]
    empty = execute(teams_desk, ALICE, "ticket_escalate", {**data, "note": "  "}).body
    assert "Please write a handover note" in inputs(empty["value"])["note"]["errorMessage"]
    assert ticket(teams_desk, number(ref)).assignee_id == ALICE.aad  # nothing changed yet
    done = execute(teams_desk, ALICE, "ticket_escalate", {**data, "note": "Router rebooted, still drops."}).body
    assert done["type"] == ADAPTIVE and "no action needed from you" in str(done["value"])
    escalated = ticket(teams_desk, number(ref))
    assert escalated.assignee_id == ERIN.aad and escalated.handover_note == "Router rebooted, still drops."
    teams_desk.settle()
    assert "Router rebooted" in str(teams_desk.card_in(personal(ERIN), ref))  # 2nd line holds the card now


def test_the_inline_escalate_on_the_card_works_too(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    card = teams_desk.card_in(personal(ALICE), ref)
    reply = teams_desk.sim.press(ALICE, card, "Escalate", {"note": "Needs the network team."})
    assert reply.body["type"] == ADAPTIVE
    assert ticket(teams_desk, number(ref)).assignee_id == ERIN.aad


def test_update_status_menu_moves_the_ticket_and_a_stale_choice_is_refused(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    data = {"ticket": number(ref), "card": ALICE.aad}
    moved = execute(teams_desk, ALICE, "ticket_set_status", {**data, "status": "under_investigation"}).body
    assert moved["type"] == ADAPTIVE and "Under investigation" in str(moved["value"])
    again = execute(teams_desk, ALICE, "ticket_set_status", {**data, "status": "nonsense"}).body
    assert again["type"] == MESSAGE and "Pick one of the choices" in again["value"]
    assert ticket(teams_desk, number(ref)).status is Status.UNDER_INVESTIGATION


def test_change_priority_from_the_card_and_from_an_alert(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    card = execute(teams_desk, ALICE, "ticket_set_priority", {"ticket": number(ref), "new_priority": "P3"}).body
    assert card["type"] == ADAPTIVE and ticket(teams_desk, number(ref)).priority is Priority.P3
    # the SLA alert's menu names its input "priority" and its ticket "ticket_id"
    execute(teams_desk, LEAD, "ticket_set_priority", {"ticket_id": number(ref), "priority": "P4"})
    assert ticket(teams_desk, number(ref)).priority is Priority.P4
    same = execute(teams_desk, LEAD, "ticket_set_priority", {"ticket_id": number(ref), "priority": "P4"}).body
    assert same["type"] == MESSAGE and "already" in same["value"]


def test_resolve_asks_for_the_fix_and_waits_for_sign_off(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    data = {"ticket_id": number(ref)}  # as on an alert: a plain button, the form comes back in its place
    form = execute(teams_desk, ALICE, "ticket_resolve", data).body["value"]
    assert inputs(form)["resolution"]["label"] == "Fix or workaround"
    assert [a["title"] for a in form["actions"]] == ["Resolve", "Cancel"]
    back = execute(teams_desk, ALICE, form["actions"][1]["verb"], form["actions"][1]["data"]).body
    assert back["type"] == ADAPTIVE and "Acknowledge" in str(back["value"])  # Cancel: the ticket's card again
    execute(teams_desk, ALICE, "ticket_resolve", {**data, "resolution": "Replaced the VPN client."})
    assert ticket(teams_desk, number(ref)).status is Status.AWAITING_SIGN_OFF


def test_mark_duplicate_checks_the_reference_in_the_form(teams_desk: TeamsDesk) -> None:
    original = teams_desk.open_ticket()
    dup = teams_desk.open_ticket(ZOE, "VPN keeps dropping")
    data = {"ticket": number(dup), "card": ALICE.aad}
    form = execute(teams_desk, ALICE, "ticket_mark_duplicate", data).body["value"]
    assert inputs(form)["original"]["label"] == "Duplicate of"
    wrong = execute(teams_desk, ALICE, "ticket_mark_duplicate", {**data, "original": "banana"}).body["value"]
    assert "like SUP-42" in inputs(wrong)["original"]["errorMessage"]
    missing = execute(teams_desk, ALICE, "ticket_mark_duplicate", {**data, "original": "SUP-99"}).body["value"]
    assert "no ticket with that reference" in inputs(missing)["original"]["errorMessage"]
    itself = execute(teams_desk, ALICE, "ticket_mark_duplicate", {**data, "original": dup}).body["value"]
    assert "cannot be a duplicate of itself" in inputs(itself)["original"]["errorMessage"]
    execute(teams_desk, ALICE, "ticket_mark_duplicate", {**data, "original": original.lower()})
    closed = ticket(teams_desk, number(dup))
    assert closed.status is Status.CLOSED and closed.duplicate_of_id == number(original)
    assert ZOE.aad in ticket(teams_desk, number(original)).participant_ids  # Zoe now hears the original's updates


def test_reassign_by_people_picker_and_by_menu_with_the_slack_rules(teams_desk: TeamsDesk) -> None:
    assert teams_desk.sim.message(BOB, "help").status == 200  # Teams has told us Bob's name
    ref = teams_desk.open_ticket()
    data = {"ticket": number(ref)}
    # the lead picks Bob in Teams' people picker: his AAD object id (upper-case, as Graph may give it)
    execute(teams_desk, LEAD, "ticket_reassign", {**data, "assignee": BOB.aad.upper()})
    assert ticket(teams_desk, number(ref)).assignee_id == BOB.aad
    # Carol is on the rota but neither its assignee nor a lead: refused, as in Slack
    refused = execute(teams_desk, CAROL, "ticket_reassign", {**data, "assignee": CAROL.aad}).body
    assert refused["type"] == MESSAGE and "Only its assignee or a lead" in refused["value"]
    assert "Bob" in refused["value"]  # people named by name, not by id
    # the assignee hands it on from the card's menu; not to someone off the rota
    off_rota = execute(teams_desk, BOB, "ticket_reassign", {**data, "assignee": RIYA.aad}).body
    assert off_rota["type"] == MESSAGE and "not on the support rota" in off_rota["value"]
    execute(teams_desk, BOB, "ticket_reassign", {**data, "assignee": CAROL.aad})
    assert ticket(teams_desk, number(ref)).assignee_id == CAROL.aad
    teams_desk.settle()
    assert teams_desk.card_in(personal(CAROL), ref)  # Carol got the card


def test_snooze_from_the_sla_alert_card(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    current = ticket(teams_desk, number(ref))
    deps = teams_desk.runtime.deps
    with teams_desk.runtime.sessions() as session:
        clocks = deps.sla.clocks(current, SqlTicketRepository(session).events(number(ref)), teams_desk.clock.now())
    response = next(c for c in clocks if c.clock is SlaClock.RESPONSE)
    notice = SlaNotice(AlertKind.NEAR_BREACH, SlaClock.RESPONSE, response.cycle, response.due_at)
    card = sla_alert_card(
        current, "SUP", notice, zone=deps.config.timezone, people=lambda key: TeamsPerson(key, None)
    ).card
    refused = teams_desk.sim.press(ZOE, card, "Snooze 1h").body
    assert refused["type"] == MESSAGE and "only the assignee" in refused["value"]
    snoozed = teams_desk.sim.press(ALICE, card, "Snooze 1h").body
    assert snoozed == {"statusCode": 200, "type": MESSAGE, "value": "OK, I will remind you again Tue 24 Nov 11:00 GMT."}
    assert EventKind.SNOOZED in events(teams_desk, number(ref))
    stale = {"ticket_id": number(ref), "clock": "response", "cycle": response.cycle + 1, "snooze": "1h"}
    assert "already stopped" in execute(teams_desk, ALICE, "reminder_snooze:1h", stale).body["value"]


def test_update_the_requester_in_a_form_from_the_alert(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    data = {"ticket_id": number(ref)}
    form = execute(teams_desk, ALICE, "ticket_post_update", data).body["value"]
    assert inputs(form)["update"]["label"] == "Message to the requester"
    execute(teams_desk, ALICE, "ticket_post_update", {**data, "update": "Looking at the VPN logs now."})
    assert EventKind.UPDATE_POSTED in events(teams_desk, number(ref))
    teams_desk.settle()
    told = [c.body.get("text", "") for c in teams_desk.posts_to(personal(RIYA))]
    assert any(ref in text and "update" in text for text in told)


ALL_BUTTONS = [
    ("ticket_acknowledge", {}),
    ("ticket_escalate", {}),
    ("ticket_escalate", {"note": "a note"}),
    ("ticket_set_status", {"status": "under_investigation"}),
    ("ticket_set_priority", {"new_priority": "P1"}),
    ("ticket_resolve", {}),
    ("ticket_resolve", {"resolution": "fixed"}),
    ("ticket_mark_duplicate", {}),
    ("ticket_mark_duplicate", {"original": "SUP-1"}),
    ("ticket_reassign", {"assignee": BOB.aad}),
    ("ticket_post_update", {}),
    ("ticket_post_update", {"update": "news"}),
    ("reminder_snooze:1h", {"clock": "response", "cycle": 0}),
    ("reminder_snooze:tomorrow", {"clock": "response", "cycle": 0}),
]


@pytest.mark.parametrize(("verb", "extra"), ALL_BUTTONS)
def test_an_outsider_is_refused_every_button_privately(teams_desk: TeamsDesk, verb: str, extra: dict[str, Any]) -> None:
    teams_desk.open_ticket()  # SUP-1: the original a duplicate would name
    ref = teams_desk.open_ticket(title="Second VPN ticket")
    before = ticket(teams_desk, number(ref))
    posts = len(teams_desk.fake.calls_to("POST", "/activities"))
    reply = execute(teams_desk, ZOE, verb, {"ticket": number(ref), "card": "triage", **extra}).body
    assert reply["type"] == MESSAGE and "only the assignee, the support rota or a lead" in reply["value"]
    after = ticket(teams_desk, number(ref))
    assert (after.version, after.status, after.assignee_id) == (before.version, before.status, before.assignee_id)
    teams_desk.settle()
    assert len(teams_desk.fake.calls_to("POST", "/activities")) == posts  # nothing posted to anyone


def test_a_gdpr_request_is_worked_only_by_its_assignee_and_the_leads(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket(
        title="Send me my data", type="gdpr_request", description="A copy of my records.", priority="unsure"
    )
    data = {"ticket": number(ref)}
    for verb in ("ticket_acknowledge", "ticket_escalate", "ticket_resolve", "ticket_post_update"):
        refused = execute(teams_desk, BOB, verb, data).body  # on the rota, but not its assignee
        assert refused["type"] == MESSAGE and "This is a GDPR request" in refused["value"], verb
    assert "GDPR" in execute(teams_desk, BOB, "ticket_show", data).body["value"]  # nor may he see it
    assert ticket(teams_desk, number(ref)).status is Status.OPEN
    dup = execute(teams_desk, ALICE, "ticket_mark_duplicate", {**data, "original": "SUP-9"}).body["value"]
    assert "no ticket with that reference" in str(dup)
    other = teams_desk.open_ticket(title="Another")
    kept_apart = execute(teams_desk, ALICE, "ticket_mark_duplicate", {**data, "original": other}).body["value"]
    assert "GDPR requests are kept apart" in inputs(kept_apart)["original"]["errorMessage"]
    shown = execute(teams_desk, LEAD, "ticket_acknowledge", data).body
    assert shown["type"] == ADAPTIVE and ticket(teams_desk, number(ref)).status is Status.UNDER_INVESTIGATION
