"""What the scheduled jobs send, delivered to Teams end to end: SLA reminders and breaches, stale nudges, the
digest, handovers, shift reminders and rota requests, as Adaptive Cards whose people are mentions.

Time is the ManualClock (Tue 24 Nov 2026 10:00 London, GMT, so local = UTC); the jobs run as the scheduler
runs them (`jobs.sweep(now)`, `jobs.post_digest`, `jobs.rota.run(now)`), then the outbox drains into the fake
Bot Connector. The rota (tests/teams/conftest.py): 1st line Alice this week, Bob from Mon 30 Nov 09:00;
2nd line Erin this week, Dan from Mon 30 Nov.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handlers.teams.simulator import TeamsUser
from rota.rotation import SupportLine
from rota.services import request_swap
from services.unit_of_work import UnitOfWork
from tests.teams.conftest import (
    ALICE,
    BOB,
    DAN,
    DIGEST,
    ERIN,
    LEAD,
    RIYA,
    TRIAGE,
    TeamsDesk,
    personal,
)
from triage.digest import DigestKind
from triage.reminders import AlertKind, SlaNotice
from triage.services import acknowledge_ticket
from triage.sla import SlaClock

LONDON = ZoneInfo("Europe/London")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in November 2026: Tue 24, Wed 25, Thu 26, Fri 27, Mon 30."""
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def introduce(desk: TeamsDesk, *users: TeamsUser) -> None:
    """Each says `help` to the bot, as people do: the bot learns their name, `29:` id and 1:1 chat."""
    for user in users:
        assert desk.sim.message(user, "help").status == 200
    desk.settle()


def drain(desk: TeamsDesk) -> None:
    desk.runtime.worker.kick()
    desk.settle()


def sweep(desk: TeamsDesk, when: datetime) -> None:
    desk.clock.set(when)
    desk.runtime.jobs.sweep(desk.clock.now())
    drain(desk)


def sent(desk: TeamsDesk, conversation: str) -> list[dict[str, Any]]:
    """The activities the connector accepted in a conversation, oldest first (as posted, before any edit)."""
    return [c.body for c in desk.posts_to(conversation)]


def texts(desk: TeamsDesk, conversation: str, *, about: str = "") -> list[str]:
    return [str(a.get("text")) for a in sent(desk, conversation) if about in str(a.get("text"))]


def card(activity: dict[str, Any]) -> dict[str, Any]:
    return dict(activity["attachments"][0]["content"])


def the(desk: TeamsDesk, conversation: str, starts: str) -> dict[str, Any]:
    found = [a for a in sent(desk, conversation) if str(a.get("text", "")).startswith(starts)]
    assert len(found) == 1, (starts, [a.get("text") for a in sent(desk, conversation)])
    return found[0]


def card_texts(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False)


def buttons(content: dict[str, Any]) -> list[str]:
    """Every Action.Execute title, in ActionSets, the card's actions and unfolding ShowCards."""
    titles: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                titles.append(node["title"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(content.get("body", []))
    walk(content.get("actions", []))
    return titles


def mentions_are_entities(activity: dict[str, Any]) -> list[dict[str, Any]]:
    """Every `<at>Name</at>` in the activity's text and card has its mention entity; answers the card's entities."""
    text = str(activity.get("text") or "")
    for name in re.findall(r"<at>([^<]*)</at>", text):
        assert any(
            e["type"] == "mention" and e["text"] == f"<at>{name}</at>" and e["mentioned"]["name"] == name
            for e in activity.get("entities", [])
        ), (name, activity.get("entities"))
    entities: list[dict[str, Any]] = []
    if activity.get("attachments"):
        content = card(activity)
        entities = content.get("msteams", {}).get("entities", [])
        body = json.dumps(content.get("body", []), ensure_ascii=False)
        used = set(re.findall(r"<at>[^<]*</at>", body))
        assert used == {e["text"] for e in entities}, (used, entities)
    for entity in [*entities, *activity.get("entities", [])]:
        mentioned = entity["mentioned"]["id"]
        assert mentioned.startswith("29:") or _GUID.match(mentioned), entity
    return entities


def mentioned(entities: list[dict[str, Any]], user: TeamsUser) -> bool:
    return any(e["mentioned"] == {"id": user.id, "name": user.name} for e in entities)


# -- SLA reminders, breaches, stale nudges ---------------------------------------------------------------


def test_a_response_reminder_then_one_breach_reach_the_teams_assignee_second_line_and_triage(
    teams_desk: TeamsDesk,
) -> None:
    introduce(teams_desk, ALICE, ERIN, RIYA)
    ref = teams_desk.open_ticket(priority="P2")
    opened = card(the(teams_desk, personal(ALICE), f"{ref} is assigned to you"))
    assert "SLA: **Response** due Tue 24 Nov 10:30 GMT" in card_texts(opened)  # the clocks, as Slack shows them

    sweep(teams_desk, at(24, 10, 19))
    assert texts(teams_desk, personal(ALICE), about="due soon") == []

    sweep(teams_desk, at(24, 10, 20))
    assert texts(teams_desk, personal(ALICE), about=f"{ref}: ") == [f"{ref}: response due soon"]
    reminder = the(teams_desk, personal(ALICE), f"{ref}: response due soon")
    content = card(reminder)
    assert "The **response** deadline is Tue 24 Nov 10:30 GMT." in card_texts(content)
    assert {"Update the requester", "Snooze 1h", "Snooze until tomorrow", "Acknowledge"} <= set(buttons(content))
    assert mentioned(mentions_are_entities(reminder), ALICE)  # "Assigned to <at>Alice</at>"
    assert texts(teams_desk, personal(ERIN), about=ref) == [] and texts(teams_desk, TRIAGE, about=f"{ref}:") == []

    sweep(teams_desk, at(24, 10, 20))  # the same pass again: nothing more
    sweep(teams_desk, at(24, 10, 31))
    assert texts(teams_desk, personal(ALICE), about=f"{ref}: ") == [
        f"{ref}: response due soon",
        f"{ref}: response SLA breached",
    ]
    assert texts(teams_desk, personal(ERIN), about=f"{ref}: ") == [f"{ref}: response SLA breached"]
    assert texts(teams_desk, TRIAGE, about=f"{ref}: ") == [f"{ref}: response SLA breached"]
    in_triage = the(teams_desk, TRIAGE, f"{ref}: response SLA breached")
    assert buttons(card(in_triage)) == []  # the channel's copy has no buttons
    mentions_are_entities(in_triage)
    sweep(teams_desk, at(24, 10, 45))
    assert len(texts(teams_desk, personal(ALICE), about=f"{ref}: ")) == 2

    breached = "**Response** 🔴 breached (was due Tue 24 Nov 10:30 GMT)"
    assert breached in card_texts(teams_desk.card_in(TRIAGE, ref))  # support's cards follow the clocks
    assert breached in card_texts(teams_desk.card_in(personal(ALICE), ref))


def test_a_gdpr_requests_alert_shows_its_contents_to_the_assignee_only(teams_desk: TeamsDesk) -> None:
    """A GDPR request has no SLA clocks, so no job breaches one: the port is driven as the sweep drives it (in a
    unit of work, delivered by the worker over HTTP), to the assignee, 2nd line and the triage channel."""
    introduce(teams_desk, ALICE, ERIN, RIYA)
    ref = teams_desk.open_ticket(
        title="Erase Jo Bloggs' records",
        type="gdpr_request",
        priority="P2",
        description="Jo Bloggs asks us to erase their data.",
    )
    notice = SlaNotice(AlertKind.BREACH, SlaClock.RESOLUTION, 1, at(24, 10, 30))

    def alert(uow: UnitOfWork) -> None:
        ticket = uow.tickets.get(1)
        assert ticket is not None and ticket.assignee_id == ALICE.aad
        uow.notifier.sla_alert(ticket, notice, [ALICE.aad, ERIN.aad], in_triage=True)

    teams_desk.runtime.deps.run(alert)
    drain(teams_desk)
    mine = the(teams_desk, personal(ALICE), f"{ref}: resolution SLA breached")
    assert "Erase Jo Bloggs" in card_texts(card(mine))  # the control: the assignee reads what it is about
    assert "Update the requester" in buttons(card(mine))
    for conversation in (personal(ERIN), TRIAGE):
        private = the(teams_desk, conversation, f"{ref}: resolution SLA breached")
        dumped = json.dumps(private, ensure_ascii=False)
        assert "Jo Bloggs" not in dumped and "Riya" not in dumped and RIYA.aad not in dumped, dumped
        assert "GDPR request (details are private to the assignee and leads)" in dumped
        assert buttons(card(private)) == []
        mentions_are_entities(private)


def test_a_ticket_without_news_for_a_working_day_nudges_its_assignee_naming_the_requester(
    teams_desk: TeamsDesk,
) -> None:
    introduce(teams_desk, ALICE, RIYA)
    ref = teams_desk.open_ticket(type="service_task", priority="unsure")
    teams_desk.clock.set(at(24, 10, 5))
    deps = teams_desk.runtime.deps
    deps.run(lambda uow: acknowledge_ticket(ticket_id=1, actor_id=ALICE.aad, **uow.ticket_ports()))
    drain(teams_desk)
    sweep(teams_desk, at(24, 15, 0))
    sweep(teams_desk, at(25, 10, 5))
    assert texts(teams_desk, personal(ALICE), about="no update") == []
    sweep(teams_desk, at(25, 10, 6))
    nudge = the(teams_desk, personal(ALICE), f"{ref}: no update to the requester for a working day")
    assert "<at>Riya</at> has had no update since Tue 24 Nov 10:05 GMT" in card_texts(card(nudge))
    assert mentioned(mentions_are_entities(nudge), RIYA)
    for when in (at(25, 10, 7), at(26, 10, 6)):
        sweep(teams_desk, when)
    assert len(texts(teams_desk, personal(ALICE), about="no update")) == 1
    assert texts(teams_desk, TRIAGE, about="no update") == []


# -- the digest ----------------------------------------------------------------------------------------


def test_the_daily_digest_is_a_card_in_the_teams_digest_channel(teams_desk: TeamsDesk) -> None:
    introduce(teams_desk, ALICE)
    ref = teams_desk.open_ticket(priority="P1")
    teams_desk.clock.set(at(25, 9, 0))
    assert teams_desk.runtime.jobs.post_digest(DigestKind.DAILY, teams_desk.clock.now())
    drain(teams_desk)
    [digest] = sent(teams_desk, DIGEST)
    assert str(digest["text"]).startswith("Daily support digest: 1 open, 1 created, 0 resolved")
    content = card(digest)
    assert f"**{ref}**" in card_texts(content) and "Open tickets per assignee" in card_texts(content)
    assert mentioned(mentions_are_entities(digest), ALICE)
    assert texts(teams_desk, personal(LEAD), about="digest") == []  # a digest channel is set: no lead DMs


# -- handovers and shift reminders ----------------------------------------------------------------------


def test_the_monday_handover_dms_both_posts_the_duty_and_moves_the_ticket_to_the_new_assignee(
    teams_desk: TeamsDesk,
) -> None:
    introduce(teams_desk, ALICE, BOB, DAN, RIYA)
    ref = teams_desk.open_ticket(priority="P3")  # nobody acknowledges it: it moves at the handover
    teams_desk.clock.set(at(30, 9, 0))
    result = teams_desk.runtime.jobs.rota.run(teams_desk.clock.now())
    drain(teams_desk)
    assert result.handovers == 2 and result.moved == 1

    outgoing = the(teams_desk, personal(ALICE), "1st line handover: your shift has ended")
    assert "<at>Bob</at> is on duty now" in outgoing["text"]
    assert f"**{ref}**" in card_texts(card(outgoing)) and "moved to <at>Bob</at>" in card_texts(card(outgoing))
    assert mentioned(mentions_are_entities(outgoing), BOB)
    incoming = the(teams_desk, personal(BOB), "Your 1st line shift starts now")
    assert "taking over from <at>Alice</at>" in card_texts(card(incoming)) and "moved to you" in card_texts(
        card(incoming)
    )
    assert mentioned(mentions_are_entities(incoming), ALICE)
    assert the(teams_desk, personal(DAN), "Your 2nd line shift starts now")

    post = the(teams_desk, TRIAGE, "This week: ")
    assert post["text"] == "This week: 1st line <at>Bob</at>, 2nd line <at>Dan</at>"
    assert mentioned(mentions_are_entities(post), BOB) and mentioned(post["entities"], DAN)

    moved = teams_desk.card_in(personal(BOB), ref)  # the new assignee's own card, with its buttons
    assert "Acknowledge" in buttons(moved) and "Assignee: <at>Bob</at>" in card_texts(moved)
    assert {"type": "mention", "text": "<at>Bob</at>", "mentioned": {"id": BOB.id, "name": "Bob"}} in moved["msteams"][
        "entities"
    ]
    before = teams_desk.card_in(personal(ALICE), ref)  # Alice's card, edited in place
    assert "Now with <at>Bob</at>" in card_texts(before) and "Acknowledge" not in buttons(before)
    assert "Assignee: <at>Bob</at>" in card_texts(teams_desk.card_in(TRIAGE, ref))

    teams_desk.runtime.jobs.rota.run(teams_desk.clock.now())  # run again: nothing twice
    drain(teams_desk)
    assert len(texts(teams_desk, TRIAGE, about="This week")) == 1


def test_the_working_day_before_a_shift_its_member_is_reminded_in_teams(teams_desk: TeamsDesk) -> None:
    introduce(teams_desk, BOB)
    teams_desk.clock.set(at(27, 8, 0))
    assert teams_desk.runtime.jobs.rota.run(teams_desk.clock.now()).reminders == 2
    drain(teams_desk)
    reminder = the(teams_desk, personal(BOB), "Reminder: your 1st line shift starts Mon 30 Nov 09:00 GMT")
    assert "until Mon 07 Dec 09:00 GMT" in card_texts(card(reminder))
    # Dan never wrote to the bot: found in the roster, mentioned by his Teams id, reminded all the same
    assert the(teams_desk, personal(DAN), "Reminder: your 2nd line shift starts Mon 30 Nov 09:00 GMT")
    teams_desk.runtime.jobs.rota.run(teams_desk.clock.now())
    drain(teams_desk)
    assert len(texts(teams_desk, personal(BOB), about="Reminder")) == 1


# -- rota requests -----------------------------------------------------------------------------------


def test_a_swap_request_reaches_the_other_member_as_a_card_with_accept_and_decline(teams_desk: TeamsDesk) -> None:
    introduce(teams_desk, ALICE, BOB)
    deps = teams_desk.runtime.deps
    rota = deps.rota
    mine = rota.next_duty(SupportLine.FIRST, at(30, 9, 0))  # Carol's week, then Alice's
    assert mine is not None
    alice = rota.next_duty(SupportLine.FIRST, mine.starts_at)
    assert alice is not None and alice.user_id == ALICE.aad
    bob = rota.next_duty(SupportLine.FIRST, alice.starts_at)
    assert bob is not None and bob.user_id == BOB.aad
    request = deps.run(
        lambda uow: request_swap(
            requester_id=ALICE.aad,
            target_id=BOB.aad,
            line=SupportLine.FIRST,
            my_shift_start=alice.starts_at,
            their_shift_start=bob.starts_at,
            **uow.notifying_rota_ports(),
        )
    )
    drain(teams_desk)
    asked = the(teams_desk, personal(BOB), "<at>Alice</at> asks to swap 1st line shifts")
    content = card(asked)
    answers = [a for a in content["actions"] if a["type"] == "Action.Execute"]
    assert [(a["title"], a["data"]) for a in answers] == [
        ("Accept", {"request_id": request.id}),
        ("Decline", {"request_id": request.id}),
    ]
    assert mentioned(mentions_are_entities(asked), ALICE)
    assert mentioned(asked["entities"], ALICE)  # the activity's text names Alice too
    assert not [t for t in texts(teams_desk, personal(ALICE)) if "swap" in t]  # only Bob is asked


def test_teams_says_once_at_start_up_that_it_keeps_no_duty_groups(
    caplog: pytest.LogCaptureFixture, teams_desk: TeamsDesk
) -> None:
    said = [r for r in caplog.get_records("setup") if "Teams has no duty groups" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
