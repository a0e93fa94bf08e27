"""The Teams desk end to end: commands, the new-ticket dialog, cards, actions, privacy, tokens, faults."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from storage.models import OutboxRow, TicketRow
from tests.teams.conftest import ALICE, RIYA, TRIAGE, ZOE, TeamsDesk, personal


def test_help_and_new_answer_in_the_chat(teams_desk: TeamsDesk) -> None:
    assert teams_desk.sim.message(RIYA, "help").status == 200
    assert teams_desk.sim.message(RIYA, "new Printer on fire").status == 200
    teams_desk.settle()
    replies = teams_desk.posts_to(personal(RIYA))
    assert "status SUP-42" in replies[0].body["text"]
    button = replies[1].body["attachments"][0]["content"]["actions"][0]
    assert button["data"]["msteams"] == {"type": "task/fetch"} and button["data"]["title"] == "Printer on fire"


def test_new_ticket_dialog_prefills_the_title_and_shows_errors(teams_desk: TeamsDesk) -> None:
    fetched = teams_desk.sim.invoke(RIYA, "task/fetch", {"data": {"title": "Printer on fire"}})
    card = fetched.body["task"]["value"]["card"]["content"]
    labels = [element["label"] for element in card["body"] if "label" in element]
    assert labels == ["Title", "Description", "Type", "Impact"]
    assert card["body"][0]["value"] == "Printer on fire"
    refused = teams_desk.sim.invoke(RIYA, "task/submit", {"data": {"title": "Printer on fire", "type": "nonsense"}})
    assert refused.body["task"]["type"] == "continue"
    errors = [e for e in refused.body["task"]["value"]["card"]["content"]["body"] if e.get("errorMessage")]
    assert {e["id"] for e in errors} >= {"description"}
    with teams_desk.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(TicketRow)) == 0


def test_a_ticket_is_announced_dmed_to_the_assignee_and_confirmed(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    assert ref == "SUP-1"
    triage = teams_desk.card_in(TRIAGE, ref)
    assert "VPN drops" in triage["body"][0]["text"]
    assignee = teams_desk.card_in(personal(ALICE), ref)
    titles = [a["title"] for a in assignee["actions"]]
    assert titles[:3] == ["Acknowledge", "Escalate to 2nd line", "Update status"] or "Acknowledge" in titles
    assert "Escalate to 2nd line" in titles and "Change priority" in titles
    assert teams_desk.card_in(personal(RIYA), ref)  # the requester's confirmation
    # the 1:1 conversation with Alice was created once, from the roster, and every call carried the bot token
    assert len(teams_desk.fake.calls_to("POST", "/teams/v3/conversations")) >= 1
    assert all(c.token and c.token.startswith("Bearer bot-token-") for c in teams_desk.fake.calls_to("POST", "/v3/"))


def test_acknowledge_replaces_the_card_and_updates_the_others_in_place(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    posts_before = len(teams_desk.fake.calls_to("POST", "/activities"))
    reply = teams_desk.sim.press(ALICE, teams_desk.card_in(personal(ALICE), ref), "Acknowledge")
    assert reply.status == 200 and reply.body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Acknowledge" not in [a["title"] for a in reply.body["value"].get("actions", [])]
    teams_desk.settle()
    assert "Under investigation" in str(teams_desk.card_in(TRIAGE, ref))
    assert "Under investigation" in str(teams_desk.card_in(personal(RIYA), ref))
    puts = teams_desk.fake.calls_to("PUT", "/activities/")
    assert {c.path.split("/")[4] for c in puts} >= {TRIAGE, personal(ALICE), personal(RIYA)}
    new_posts = teams_desk.fake.calls_to("POST", "/activities")[posts_before:]
    assert not any(ref in str(c.body.get("text", "")) and "attachments" in c.body for c in new_posts)


def test_an_outsider_is_refused_privately_and_nothing_changes(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    card = teams_desk.card_in(TRIAGE, ref)
    reply = teams_desk.sim.press(ZOE, card, "Acknowledge")
    assert reply.body["type"] == "application/vnd.microsoft.activity.message"
    teams_desk.settle()
    assert "Open" in str(teams_desk.card_in(TRIAGE, ref)) and not teams_desk.fake.calls_to("PUT", "/activities/")
    assert not teams_desk.posts_to(personal(ZOE))  # the refusal went only to Zoe, in the invoke response


def test_priority_resolve_and_reassign_act_through_the_same_services(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket()
    sim, card = teams_desk.sim, teams_desk.card_in(personal(ALICE), ref)
    assert sim.press(ALICE, card, "Change priority", {"new_priority": "P1"}).body["type"].endswith("adaptive")
    resolved = sim.press(ALICE, card, "Resolve", {"resolution": "Rebooted the VPN concentrator."})
    assert "Awaiting sign-off" in str(resolved.body["value"])
    teams_desk.settle()
    card = teams_desk.card_in(personal(ALICE), ref)
    assert "Awaiting sign-off" in str(card)


def test_a_gdpr_request_stays_out_of_the_triage_channel(teams_desk: TeamsDesk) -> None:
    ref = teams_desk.open_ticket(
        title="Delete Jo Bloggs' records",
        type="gdpr_request",
        description="Jo Bloggs asks us to erase their data.",
        priority="unsure",
    )
    triage = str(teams_desk.card_in(TRIAGE, ref))
    assert "Jo Bloggs" not in triage and RIYA.aad not in triage and "GDPR request" in triage
    assert "Jo Bloggs" in str(teams_desk.card_in(personal(ALICE), ref))


def _tickets(desk: TeamsDesk) -> int:
    with desk.runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(TicketRow)) or 0)


def test_bad_tokens_get_401_and_change_nothing(teams_desk: TeamsDesk) -> None:
    sim = teams_desk.sim
    submit = sim.activity(
        RIYA,
        "invoke",
        name="task/submit",
        value={"data": {"title": "t", "description": "d", "type": "support_query", "priority": "P4"}},
    )
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    forged = sim.token(key=other_key)
    expired = sim.token(expires_in=-3600)
    wrong_audience = sim.token(audience="someone-else")
    wrong_service = sim.token(service_url="https://evil.example.com/teams/")
    wrong_issuer = sim.token(issuer="https://evil.example.com")
    for token in (forged, expired, wrong_audience, wrong_service, wrong_issuer):
        assert sim.send(submit, token=token).status == 401
    assert sim.send(submit, authorization="").status == 401
    assert _tickets(teams_desk) == 0
    with teams_desk.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 0
    assert sim.send(submit).status == 200 and _tickets(teams_desk) == 1  # the same activity, properly signed


def test_a_429_with_retry_after_is_retried_without_loss_or_doubling(teams_desk: TeamsDesk) -> None:
    teams_desk.fake.fail("POST", f"/v3/conversations/{TRIAGE}/activities", 429, retry_after=0)
    ref = teams_desk.open_ticket()  # Retry-After: 0, so the worker's next pass sends it again at once
    teams_desk.fake.wait_for(lambda calls: sum(TRIAGE in c.path and c.status == 200 for c in calls) == 1)
    teams_desk.settle()
    with teams_desk.runtime.sessions() as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.channel == TRIAGE)).one()
        assert row.attempts == 2 and row.status == "sent" and "429" in str(row.last_error)
    delivered = teams_desk.posts_to(TRIAGE)
    assert len(delivered) == 1 and delivered[0].body["text"].startswith(ref)
    assert len(teams_desk.fake.calls_to("POST", f"/v3/conversations/{TRIAGE}/activities")) == 2
