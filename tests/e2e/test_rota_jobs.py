"""Handovers, shift reminders and user-group sync end to end: the real app, the fake Slack, a ManualClock.

The rota (bot/demo/demo.yml, weekly, Monday 09:00 Europe/London, GMT in November so local = UTC): the week of
Mon 23 Nov has 1st line U1ALICE and 2nd line U5ERIN; from Mon 30 Nov 09:00, 1st line U2BOB and 2nd line
U4DAN. This module's config adds a Slack user group per line.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.jobs.rota import RotaJobs
from handlers.slack.fake_api import Call
from rota.roster import Leave
from storage.models import EventRow, TicketRow
from tests.conftest import REPO
from tests.e2e.conftest import ALICE, BOB, DAN, ERIN, LEAD, RIYA, TRIAGE, Desk, dm

LONDON = ZoneInfo("Europe/London")
FIRST_GROUP, SECOND_GROUP = "S0FIRST", "S0SECOND"
FRIDAY_CLOSED = "friday-27-nov-closed"


@pytest.fixture
def config_path(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """demo.yml plus a user group per line; with FRIDAY_CLOSED, Fri 27 Nov is a closure day too."""
    path = tmp_path / "supportbot.yml"
    shutil.copy(REPO / "bot" / "demo" / "demo.yml", path)
    text = path.read_text()
    text = text.replace("  first_line:\n", f"  first_line:\n    usergroup: {FIRST_GROUP}\n")
    text = text.replace("  second_line:\n", f"  second_line:\n    usergroup: {SECOND_GROUP}\n")
    if getattr(request, "param", None) == FRIDAY_CLOSED:
        text = text.replace("dates: [2026-12-24]", "dates: [2026-12-24, 2026-11-27]")
    path.write_text(text)
    return path


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in November 2026 (Mon 23 ... Fri 27, Sat 28, Sun 29, Mon 30) or, past 30, December."""
    if day > 30:
        return datetime(2026, 12, day - 30, hour, minute, tzinfo=LONDON)
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def every_minute(desk: Desk, when: datetime) -> None:
    """One pass of the scheduler's minute job at `when`, then everything it queued delivered."""
    desk.clock.set(when)
    desk.runtime.jobs.every_minute(desk.clock.now())
    desk.runtime.worker.kick()
    desk.settle()


def rota_only(desk: Desk, when: datetime) -> None:
    desk.clock.set(when)
    desk.runtime.jobs.rota.run(desk.clock.now())
    desk.runtime.worker.kick()
    desk.settle()


def acknowledge(desk: Desk, ref: str, user: str) -> None:
    before = len(desk.posts_to(RIYA))
    desk.act(user, dm(user), ref, "ticket_acknowledge")
    desk.fake.wait_for(lambda calls: len(desk.posts_to(RIYA)) > before)
    desk.settle()


def content(call: Call) -> str:
    return call.text + json.dumps(call.args.get("blocks"), ensure_ascii=False)


def now_reads(desk: Desk, first_post: Call) -> str:
    """The text of the message `first_post` created, after any chat.update."""
    return str(desk.fake.messages[(first_post.response["channel"], first_post.response["ts"])]["text"])


def texts(calls: list[Call]) -> list[str]:
    return [c.text for c in calls]


def usergroup_calls(desk: Desk) -> list[tuple[str, str]]:
    return [(c.args["usergroup"], c.args["users"]) for c in desk.fake.calls_to("usergroups.users.update")]


def assignees(desk: Desk) -> dict[int, str | None]:
    with desk.runtime.sessions() as session:
        return dict(session.execute(select(TicketRow.id, TicketRow.assignee_id)).all())


def handover_events(desk: Desk) -> list[tuple[int, str, dict[str, Any]]]:
    with desk.runtime.sessions() as session:
        rows = session.execute(
            select(EventRow.ticket_id, EventRow.actor_id, EventRow.data).where(EventRow.kind == "assigned")
        )
        return [(t, a, d) for t, a, d in rows if d.get("reason") == "handover"]


def all_calls(desk: Desk) -> list[tuple[str, str | None, str]]:
    return [(c.method, c.channel, c.text) for c in desk.fake.calls]


# -- the handover ------------------------------------------------------------------------------------


def test_monday_handover_dms_both_members_moves_unacknowledged_tickets_and_posts_the_week(desk: Desk) -> None:
    desk.clock.set(at(24, 10))
    waiting = desk.open_ticket(title="VPN drops every few minutes")
    taken = desk.open_ticket(title="Printer jams on tray 2")
    private = desk.open_ticket(title="Delete everything about Riya Patel", type="gdpr_request", priority="")
    acknowledge(desk, taken, ALICE)
    assert (waiting, taken, private) == ("SUP-1", "SUP-2", "SUP-3")
    alice_card = next(c for c in desk.posts_to(ALICE) if c.text.startswith("SUP-1 is assigned to you"))
    requester_posts = len(desk.posts_to(RIYA))

    every_minute(desk, at(30, 8, 59))
    assert not any("handover" in c.text for c in desk.posts_to(ALICE))
    every_minute(desk, at(30, 9, 1))

    # The outgoing member hears who took over and where each open ticket went; GDPR titles never appear.
    (outgoing,) = [c for c in desk.posts_to(ALICE) if "handover" in c.text]
    assert outgoing.text == "1st line handover: your shift has ended; <@U2BOB> is on duty now"
    said = content(outgoing)
    assert "*SUP-1* VPN drops every few minutes · Open · moved to <@U2BOB>" in said
    assert "*SUP-2* Printer jams on tray 2 · Under investigation · stays with you" in said
    assert "*SUP-3* GDPR request · Open · moved to <@U2BOB>" in said
    assert "Riya Patel" not in said

    # The incoming member gets the same list from their side, and a card for each ticket now theirs.
    (incoming,) = [c for c in desk.posts_to(BOB) if c.text.startswith("Your 1st line shift")]
    assert incoming.text == "Your 1st line shift starts now"
    said = content(incoming)
    assert "taking over from <@U1ALICE>" in said and "Mon 07 Dec 09:00 GMT" in said
    assert "*SUP-1* VPN drops every few minutes · Open · moved to you" in said
    assert "*SUP-2* Printer jams on tray 2 · Under investigation · with <@U1ALICE>" in said
    assert "Riya Patel" not in said
    cards = [c.text for c in desk.posts_to(BOB) if "is assigned to you" in c.text]
    assert cards == [
        "SUP-1 is assigned to you: VPN drops every few minutes",
        "SUP-3 is assigned to you: Delete everything about Riya Patel",
    ]

    # Cards elsewhere update in place; the acknowledged ticket stays; the requester is not told.
    assert assignees(desk) == {1: BOB, 2: ALICE, 3: BOB}
    triage_card = next(c for c in desk.posts_to(TRIAGE) if c.text.startswith("SUP-1 ("))
    assert "assigned to <@U2BOB>" in now_reads(desk, triage_card)
    assert now_reads(desk, alice_card) == "SUP-1 is now with <@U2BOB>"
    assert len(desk.posts_to(RIYA)) == requester_posts
    assert [(t, a, d["from"], d["to"]) for t, a, d in handover_events(desk)] == [
        (1, ALICE, ALICE, BOB),
        (3, ALICE, ALICE, BOB),
    ]

    # 2nd line hands over too, with no tickets; one triage post names both lines.
    assert [c.text for c in desk.posts_to(ERIN) if "handover" in c.text] == [
        "2nd line handover: your shift has ended; <@U4DAN> is on duty now"
    ]
    assert "No open 2nd line tickets." in content(
        next(c for c in desk.posts_to(DAN) if c.text == "Your 2nd line shift starts now")
    )
    week = [c for c in desk.posts_to(TRIAGE) if c.text.startswith("This week")]
    assert texts(week) == ["This week: 1st line <@U2BOB>, 2nd line <@U4DAN>"]

    # Each user group was set at start-up (08:59) and now points at the new member.
    assert usergroup_calls(desk) == [
        (FIRST_GROUP, ALICE),
        (SECOND_GROUP, ERIN),
        (FIRST_GROUP, BOB),
        (SECOND_GROUP, DAN),
    ]
    assert not any("Nobody is on duty" in c.text for c in desk.posts_to(LEAD))  # SLA breaches, but no rota alert

    # Running again (the minute job, or the rota job alone) sends nothing new.
    before = all_calls(desk)
    every_minute(desk, at(30, 9, 2))
    rota_only(desk, at(30, 9, 2))
    rota_only(desk, at(30, 15))
    assert all_calls(desk) == before


def test_a_bot_down_all_monday_does_not_replay_the_handover_on_tuesday(desk: Desk) -> None:
    desk.clock.set(at(24, 10))
    desk.open_ticket()
    rota_only(desk, at(31, 10))  # Tue 1 Dec: the handover was 25 hours ago
    assert not any("handover" in c.text or "shift starts" in c.text for c in desk.fake.calls_to("chat.postMessage"))
    assert assignees(desk) == {1: ALICE}
    # ...but the user groups are put right at start-up all the same.
    assert sorted(usergroup_calls(desk)) == [(FIRST_GROUP, BOB), (SECOND_GROUP, DAN)]


def test_two_schedulers_racing_hand_over_once(desk: Desk) -> None:
    desk.clock.set(at(24, 10))
    desk.open_ticket()
    second = RotaJobs(desk.runtime.deps)
    rota_only(desk, at(30, 9, 1))
    second.run(desk.clock.now())
    desk.runtime.worker.kick()
    desk.settle()
    assert len([c for c in desk.posts_to(ALICE) if "handover" in c.text]) == 1
    assert len([c for c in desk.posts_to(TRIAGE) if c.text.startswith("This week")]) == 1
    assert len(handover_events(desk)) == 1


# -- the shift reminder, the working day before --------------------------------------------------------


def reminders(desk: Desk, user: str) -> list[str]:
    return [c.text for c in desk.posts_to(user) if c.text.startswith("Reminder:")]


def test_the_reminder_comes_on_friday_for_a_monday_shift(desk: Desk) -> None:
    rota_only(desk, at(27, 7, 59))
    assert reminders(desk, BOB) == [] and reminders(desk, DAN) == []
    rota_only(desk, at(27, 8))
    assert reminders(desk, BOB) == ["Reminder: your 1st line shift starts Mon 30 Nov 09:00 GMT"]
    assert reminders(desk, DAN) == ["Reminder: your 2nd line shift starts Mon 30 Nov 09:00 GMT"]
    assert "until <!date^" in content(desk.posts_to(BOB)[-1])
    rota_only(desk, at(27, 8, 1))
    rota_only(desk, at(30, 8, 59))
    assert len(reminders(desk, BOB)) == 1 and reminders(desk, ALICE) == []


@pytest.mark.parametrize("config_path", [FRIDAY_CLOSED], indirect=True)
def test_with_friday_a_bank_holiday_the_reminder_comes_on_thursday(desk: Desk) -> None:
    rota_only(desk, at(26, 7, 59))
    assert reminders(desk, BOB) == []
    rota_only(desk, at(26, 8))
    assert reminders(desk, BOB) == ["Reminder: your 1st line shift starts Mon 30 Nov 09:00 GMT"]
    rota_only(desk, at(27, 8))
    assert len(reminders(desk, BOB)) == 1


def test_a_handover_to_nobody_alerts_the_leads_and_moves_nothing(desk: Desk) -> None:
    desk.clock.set(at(24, 10))
    desk.open_ticket()
    with desk.runtime.deps.unit_of_work() as uow:  # all of 1st line away from the handover on
        for user in (ALICE, BOB, "U3CAROL"):
            uow.rota_repo.add_leave(Leave(user, at(30, 9), at(30, 9) + timedelta(days=7)), actor_id=LEAD, now=uow.now)
    rota_only(desk, at(30, 8, 59))
    rota_only(desk, at(30, 9, 1))

    (outgoing,) = [c for c in desk.posts_to(ALICE) if "handover" in c.text]
    assert outgoing.text == "1st line handover: your shift has ended; nobody is on duty after you"
    assert "*SUP-1* VPN drops every few minutes · Open · stays with you" in content(outgoing)
    assert texts(desk.posts_to(LEAD)) == ["Nobody is on duty for 1st line"]
    assert assignees(desk) == {1: ALICE}
    assert texts([c for c in desk.posts_to(TRIAGE) if c.text.startswith("This week")]) == [
        "This week: 1st line nobody, 2nd line <@U4DAN>"
    ]
    # The group keeps its last member rather than being emptied (Slack refuses an empty group).
    assert usergroup_calls(desk) == [(FIRST_GROUP, ALICE), (SECOND_GROUP, ERIN), (SECOND_GROUP, DAN)]


def test_supportbot_sweep_runs_the_handover_once(
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    config_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    desk.clock.set(at(24, 10))
    desk.open_ticket()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", desk.fake.api_url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SUPPORTBOT_CONFIG", str(config_path))
    assert main(["sweep", "--at", "2026-11-30T09:05"]) == 0
    first = capsys.readouterr().out
    assert "; 2 handover(s), 1 ticket(s) moved, 0 shift reminder(s), 2 user-group update(s); " in first
    assert main(["sweep", "--at", "2026-11-30T09:06"]) == 0
    second = capsys.readouterr().out
    assert "handover" not in second and second.endswith("; 0 message(s) delivered\n")
    assert assignees(desk) == {1: BOB}
    assert usergroup_calls(desk) == [(FIRST_GROUP, BOB), (SECOND_GROUP, DAN)]
