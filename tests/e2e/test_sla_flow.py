"""SLA clocks end to end: reminders, breaches, snoozes, stale nudges and digests over real HTTP.

Time is a ManualClock moved by the test; the sweep runs as the scheduler runs it (`jobs.sweep(now)` or
`jobs.every_minute(now)`), then the outbox is drained into the fake Slack. Working hours are Mon-Fri
08:00-16:00 Europe/London, which is GMT (UTC+0) for all of these November dates, so local = UTC here.
The rota (bot/demo/demo.yml) for the week of Mon 23 Nov 09:00 to Mon 30 Nov 09:00: 1st line U1ALICE,
2nd line U5ERIN; leads U8LEAD.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import build_core
from bot.settings import Settings
from handlers.slack.fake_api import Call
from handlers.slack.simulator import find_action
from services.clock import ManualClock
from storage.models import EventRow, SentNoticeRow
from tests.e2e.conftest import ALICE, ERIN, LEAD, RIYA, TRIAGE, ZOE, Desk, dm
from triage.digest import DigestKind
from triage.reminders import SweepResult

LONDON = ZoneInfo("Europe/London")
LEADS_CHANNEL = "C0LEADS"
SLA_TEXTS = ("due soon", "SLA breached", "no update to the requester for a working day")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in November 2026: Mon 23, Tue 24, Wed 25, Thu 26, Fri 27, Sat 28, Sun 29, Mon 30."""
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def sweep(desk: Desk, when: datetime) -> SweepResult:
    """One scheduler pass at `when`, then everything it queued delivered to the fake Slack."""
    desk.clock.set(when)
    result = desk.runtime.jobs.sweep(desk.clock.now())
    desk.runtime.worker.kick()
    desk.settle()
    return result


def sla_posts(desk: Desk, channel: str) -> list[Call]:
    """Reminders, breach alerts and stale nudges posted to `channel`, oldest first."""
    return [c for c in desk.posts_to(channel) if c.text.endswith(SLA_TEXTS)]


def sla_texts(desk: Desk, channel: str) -> list[str]:
    return [c.text for c in sla_posts(desk, channel)]


def message(call: Call) -> dict[str, Any]:
    """A posted message as the person sees it (with its ts), to click its buttons."""
    return {**call.args, "ts": call.response["ts"]}


def open_at(desk: Desk, when: datetime, **ticket: Any) -> str:
    desk.clock.set(when)
    return desk.open_ticket(**ticket)


def requester_hears(desk: Desk, before: int) -> None:
    """Wait until the requester got one more DM (the action after the ack has committed), then settle."""
    desk.fake.wait_for(lambda calls: len(desk.posts_to(RIYA)) > before)
    desk.settle()


def acknowledge(desk: Desk, ref: str, when: datetime, user: str = ALICE) -> None:
    desk.clock.set(when)
    before = len(desk.posts_to(RIYA))
    desk.act(user, dm(user), ref, "ticket_acknowledge")
    requester_hears(desk, before)


def set_status(desk: Desk, ref: str, when: datetime, status: str) -> None:
    desk.clock.set(when)
    before = len(desk.posts_to(RIYA))
    desk.sim.act(ALICE, assignee_card(desk, ref), "ticket_set_status", channel=dm(ALICE), option=status)
    requester_hears(desk, before)


def set_priority(desk: Desk, ref: str, when: datetime, priority: str) -> None:
    desk.clock.set(when)
    before = len(desk.posts_to(RIYA))
    desk.sim.act(ALICE, assignee_card(desk, ref), "ticket_set_priority", channel=dm(ALICE), option=priority)
    requester_hears(desk, before)


def resolve(desk: Desk, ref: str, when: datetime, fix: str) -> None:
    desk.clock.set(when)
    opened = len(desk.fake.calls_to("views.open"))
    desk.sim.act(ALICE, assignee_card(desk, ref), "ticket_resolve", channel=dm(ALICE))
    view = desk.fake.wait_for_count("views.open", opened + 1)[-1].args["view"]
    before = len(desk.posts_to(RIYA))
    assert desk.sim.submit(ALICE, view, {"resolution": fix}).body == ""
    requester_hears(desk, before)


def assignee_card(desk: Desk, ref: str) -> dict[str, Any]:
    """Alice's ticket card (the first DM she got about it), as it reads now."""
    first = next(c for c in desk.posts_to(ALICE) if c.text.startswith(f"{ref} is assigned to you"))
    return {**desk.fake.messages[(dm(ALICE), first.response["ts"])], "ts": first.response["ts"]}


def card_now(desk: Desk, first_post: Call) -> str:
    """The card posted by `first_post`, after any chat.update, as JSON text."""
    return json.dumps(desk.fake.messages[(first_post.response["channel"], first_post.response["ts"])])


def status_sla(desk: Desk, user: str, ref: str) -> str:
    """The SLA block of `/support status` as `user` sees it now."""
    before = len(desk.fake.calls_to("response_url"))
    assert desk.sim.command(user, f"status {ref}").status == 200
    answer = desk.ephemeral(before + 1)
    return next(
        b["text"]["text"] for b in answer.args["blocks"] if b.get("text", {}).get("text", "").startswith("*SLA*")
    )


def sent_keys(desk: Desk) -> list[str]:
    with desk.runtime.sessions() as session:
        return sorted(session.scalars(select(SentNoticeRow.key).where(SentNoticeRow.ticket_id.is_not(None))))


def event_kinds(desk: Desk) -> list[str]:
    with desk.runtime.sessions() as session:
        return list(session.scalars(select(EventRow.kind).order_by(EventRow.id)))


# -- reminder, breach, status -------------------------------------------------------------------


def test_a_p2_response_reminder_at_20_minutes_then_one_breach_to_assignee_second_line_and_triage(desk: Desk) -> None:
    ref = open_at(desk, at(24, 10), priority="P2")
    triage_card = desk.posts_to(TRIAGE)[0]
    alice_card = desk.posts_to(ALICE)[0]

    assert sweep(desk, at(24, 10, 19)).sent == {"near_breach": 0, "snoozed": 0, "breach": 0, "stale": 0}
    assert sla_texts(desk, ALICE) == []

    sweep(desk, at(24, 10, 20))
    assert sla_texts(desk, ALICE) == ["SUP-1: response due soon"]
    reminder = sla_posts(desk, ALICE)[0]
    assert "The *response* deadline is <!date^1795516200^{date_short_pretty} {time}|Tue 24 Nov 10:30 GMT>." in (
        json.dumps(reminder.args["blocks"])
    )
    _, update = find_action(reminder.args["blocks"], "ticket_post_update")
    _, snooze = find_action(reminder.args["blocks"], "reminder_snooze:1h")
    _, tomorrow = find_action(reminder.args["blocks"], "reminder_snooze:tomorrow")
    assert (update["text"]["text"], snooze["text"]["text"], tomorrow["text"]["text"]) == (
        "Update the requester",
        "Snooze 1h",
        "Snooze until tomorrow",
    )
    assert sla_texts(desk, ERIN) == [] and sla_texts(desk, TRIAGE) == []  # a reminder is the assignee's alone

    assert sum(sweep(desk, at(24, 10, 20)).sent.values()) == 0  # the same pass again: nothing
    assert sum(sweep(desk, at(24, 10, 29)).sent.values()) == 0
    assert len(sla_posts(desk, ALICE)) == 1

    sweep(desk, at(24, 10, 31))
    assert sla_texts(desk, ALICE) == ["SUP-1: response due soon", "SUP-1: response SLA breached"]
    assert sla_texts(desk, ERIN) == ["SUP-1: response SLA breached"]
    assert sla_texts(desk, TRIAGE) == ["SUP-1: response SLA breached"]
    assert sla_texts(desk, LEAD) == []  # a response breach is for 2nd line, not the leads
    assert "The *response* target was breached (due " in json.dumps(sla_posts(desk, TRIAGE)[0].args["blocks"])
    sweep(desk, at(24, 10, 32))
    sweep(desk, at(24, 10, 45))
    assert len(sla_posts(desk, ALICE)) == 2 and len(sla_posts(desk, ERIN)) == 1 and len(sla_posts(desk, TRIAGE)) == 1

    breached = (
        "*Response* :red_circle: breached (was due <!date^1795516200^{date_short_pretty} {time}|Tue 24 Nov 10:30 GMT>)"
    )
    assert breached in card_now(desk, triage_card)
    assert breached in card_now(desk, alice_card)
    assert "*Review* due <!date^1795528800^{date_short_pretty} {time}|Tue 24 Nov 14:00 GMT>" in card_now(
        desk, triage_card
    )

    desk.clock.set(at(24, 10, 31))
    assert status_sla(desk, ALICE, ref) == (
        "*SLA*\n"
        "• *Response* :red_circle: breached 1 working minute ago\n"
        "• *Review* due <!date^1795528800^{date_short_pretty} {time}|Tue 24 Nov 14:00 GMT>\n"
        "• *Resolution* due <!date^1795687200^{date_short_pretty} {time}|Thu 26 Nov 10:00 GMT>"
    )
    assert sent_keys(desk) == ["1:response:1:breach", "1:response:1:near_breach"]


def test_the_scheduler_minute_job_sends_the_reminder_once_even_when_run_twice(desk: Desk) -> None:
    open_at(desk, at(24, 10), priority="P2")
    for minute in (19, 20, 20, 21):
        desk.clock.set(at(24, 10, minute))
        desk.runtime.jobs.every_minute(desk.clock.now())
        desk.runtime.worker.kick()
        desk.settle()
    assert sla_texts(desk, ALICE) == ["SUP-1: response due soon"]


def test_at_the_deadline_itself_the_target_is_still_met_everywhere(desk: Desk) -> None:
    """A breach is sent only once the target is exceeded; `/support status` must not call it breached earlier."""
    ref = open_at(desk, at(24, 10), priority="P2")
    assert sweep(desk, at(24, 10, 30)).sent["breach"] == 0
    desk.clock.set(at(24, 10, 30))
    assert status_sla(desk, ALICE, ref).split("\n")[1] == (
        "• *Response* due <!date^1795516200^{date_short_pretty} {time}|Tue 24 Nov 10:30 GMT>"
    )


# -- acknowledged in time ------------------------------------------------------------------------


def test_acknowledging_before_the_reminder_stops_the_response_clock_but_review_keeps_running(desk: Desk) -> None:
    ref = open_at(desk, at(24, 10), priority="P2")
    acknowledge(desk, ref, at(24, 10, 15))

    for minute in (20, 31, 59):
        sweep(desk, at(24, 10, minute))
    sweep(desk, at(24, 12, 59))
    assert sla_texts(desk, ALICE) == []

    sweep(desk, at(24, 13, 0))  # review 4h: 75% is 3h after 10:00
    assert sla_texts(desk, ALICE) == ["SUP-1: review due soon"]
    sweep(desk, at(24, 13, 59))
    assert len(sla_posts(desk, ALICE)) == 1

    sweep(desk, at(24, 14, 0))  # reaching the target is still meeting it
    assert len(sla_posts(desk, ALICE)) == 1
    sweep(desk, at(24, 14, 1))
    assert sla_texts(desk, ALICE) == ["SUP-1: review due soon", "SUP-1: review SLA breached"]
    assert sla_texts(desk, ERIN) == ["SUP-1: review SLA breached"]
    assert sla_texts(desk, TRIAGE) == ["SUP-1: review SLA breached"]
    assert not any(k.startswith("1:response:") for k in sent_keys(desk))
    desk.clock.set(at(24, 14, 1))
    assert status_sla(desk, ALICE, ref).split("\n")[1] == "• *Response* met :white_check_mark:"


# -- catch-up after downtime ---------------------------------------------------------------------


def test_after_downtime_only_the_breach_is_sent_and_the_missed_reminder_never_follows(desk: Desk) -> None:
    open_at(desk, at(24, 10), priority="P2")
    result = sweep(desk, at(24, 10, 45))  # nothing ran at 10:20 or 10:30
    assert (result.sent["near_breach"], result.sent["breach"], result.superseded) == (0, 1, 1)
    assert sla_texts(desk, ALICE) == ["SUP-1: response SLA breached"]
    assert sla_texts(desk, ERIN) == ["SUP-1: response SLA breached"]

    for when in (at(24, 10, 46), at(24, 11, 30), at(24, 12, 59)):
        sweep(desk, when)
    assert sla_texts(desk, ALICE) == ["SUP-1: response SLA breached"]


# -- out of hours ---------------------------------------------------------------------------------


def test_a_p3_opened_late_on_friday_is_reminded_on_monday_morning_not_at_the_weekend(desk: Desk) -> None:
    open_at(desk, at(27, 15, 50), priority="P3")  # 10 working minutes on Friday, the rest on Monday
    sweep(desk, at(27, 16, 0))
    sweep(desk, at(28, 10, 0))  # Saturday
    sweep(desk, at(29, 23, 59))  # Sunday night
    sweep(desk, at(30, 8, 9))
    assert sla_texts(desk, ALICE) == []

    sweep(desk, at(30, 8, 10))
    assert sla_texts(desk, ALICE) == ["SUP-1: response due soon"]
    sweep(desk, at(30, 8, 19))
    assert len(sla_posts(desk, ALICE)) == 1

    sweep(desk, at(30, 8, 20))  # due now: exceeded only after it
    assert len(sla_posts(desk, ALICE)) == 1
    sweep(desk, at(30, 8, 21))
    assert sla_texts(desk, ALICE) == ["SUP-1: response due soon", "SUP-1: response SLA breached"]
    assert sla_texts(desk, ERIN) == ["SUP-1: response SLA breached"]  # Erin's week runs to Monday 09:00


def test_a_ticket_opened_on_saturday_starts_its_clocks_at_monday_opening(desk: Desk) -> None:
    ref = open_at(desk, at(28, 11, 0), priority="P2")
    desk.clock.set(at(28, 11, 0))
    assert status_sla(desk, ALICE, ref).split("\n")[1] == (
        "• *Response* due <!date^1796027400^{date_short_pretty} {time}|Mon 30 Nov 08:30 GMT>"
    )
    sweep(desk, at(28, 11, 30))
    sweep(desk, at(29, 11, 30))
    sweep(desk, at(30, 8, 19))
    assert sla_texts(desk, ALICE) == []
    sweep(desk, at(30, 8, 20))
    sweep(desk, at(30, 8, 31))
    assert sla_texts(desk, ALICE) == ["SUP-1: response due soon", "SUP-1: response SLA breached"]


def test_a_p1_opened_just_before_friday_closing_is_chased_at_monday_opening(desk: Desk) -> None:
    open_at(desk, at(27, 15, 55), priority="P1")  # 5 working minutes on Friday
    sweep(desk, at(27, 16, 0))
    sweep(desk, at(28, 9, 0))
    assert sla_texts(desk, ALICE) == []
    sweep(desk, at(30, 8, 15))  # 20 working minutes of the 30m response target
    assert sla_texts(desk, ALICE) == ["SUP-1: response due soon"]
    sweep(desk, at(30, 8, 40))  # response breached at 08:25; review 1h, reminded at 45 working minutes
    assert sla_texts(desk, ALICE) == [
        "SUP-1: response due soon",
        "SUP-1: response SLA breached",
        "SUP-1: review due soon",
    ]


def test_a_p1_reminder_missed_on_friday_is_sent_on_saturday(desk: Desk) -> None:
    open_at(desk, at(27, 15, 30), priority="P1")  # response due at closing time, Fri 16:00
    sweep(desk, at(28, 10, 0))  # the scheduler was down from Friday 15:30 until Saturday morning
    assert sla_texts(desk, ALICE) == ["SUP-1: response SLA breached"]
    assert sla_texts(desk, ERIN) == ["SUP-1: response SLA breached"]


def test_a_p3_reminder_missed_on_friday_waits_for_monday_rather_than_going_out_on_saturday(desk: Desk) -> None:
    """Reminders go out in working hours only, except for a P1: a catch-up on Saturday must hold them."""
    open_at(desk, at(27, 15, 30), priority="P3")  # response due at closing time, Fri 16:00
    sweep(desk, at(28, 10, 0))  # the scheduler was down from Friday 15:30 until Saturday morning
    assert sla_texts(desk, ALICE) == []
    sweep(desk, at(30, 8, 0))
    assert sla_texts(desk, ALICE) == ["SUP-1: response SLA breached"]


# -- paused while awaiting the requester ----------------------------------------------------------


def test_awaiting_info_pauses_the_resolution_clock_and_resuming_continues_with_the_time_left(desk: Desk) -> None:
    ref = open_at(desk, at(24, 10), priority="P2")  # resolution 2d = 16 working hours
    acknowledge(desk, ref, at(24, 10, 5))
    set_status(desk, ref, at(24, 11, 0), "Awaiting info from requester")  # 1h of resolution used

    desk.clock.set(at(25, 14, 0))
    lines = status_sla(desk, ALICE, ref).split("\n")
    assert lines[3] == "• *Resolution* paused while we wait for the requester (1 working day 7h left)"
    for when in (at(25, 14, 0), at(26, 10, 0), at(26, 15, 0)):  # unpaused it would remind Wed 14:00, breach Thu 10:00
        sweep(desk, when)
    assert sla_texts(desk, ALICE) == []

    set_status(desk, ref, at(27, 10, 0), "In progress")  # 15h left: Fri 6h + Mon 8h + Tue 1h
    desk.clock.set(at(27, 10, 0))
    assert status_sla(desk, ALICE, ref).split("\n")[3] == (
        "• *Resolution* due <!date^1796115600^{date_short_pretty} {time}|Tue 01 Dec 09:00 GMT>"
    )
    sweep(desk, at(30, 12, 59))  # 75% (12h used) is 11h after resuming: Fri 6h + Mon 5h -> Mon 13:00
    assert "SUP-1: resolution due soon" not in sla_texts(desk, ALICE)
    sweep(desk, at(30, 13, 0))
    assert sla_texts(desk, ALICE).count("SUP-1: resolution due soon") == 1


# -- reopened: a new resolution cycle -------------------------------------------------------------


def test_a_reopened_ticket_starts_a_new_resolution_cycle_whose_reminders_go_out_again(desk: Desk) -> None:
    ref = open_at(desk, at(24, 10), priority="P2")
    acknowledge(desk, ref, at(24, 10, 5))
    sweep(desk, at(25, 14, 0))  # 12 of 16 working hours: Tue 6h + Wed 6h
    assert sla_texts(desk, ALICE).count("SUP-1: resolution due soon") == 1

    resolve(desk, ref, at(25, 14, 30), "Replaced the router.")
    set_status(desk, ref, at(25, 15, 0), "Under investigation")  # it is back: cycle 2 from Wed 15:00

    sweep(desk, at(27, 10, 59))
    assert sla_texts(desk, ALICE).count("SUP-1: resolution due soon") == 1
    sweep(desk, at(27, 11, 0))  # 12h of cycle 2: Wed 1h + Thu 8h + Fri 3h
    assert sla_texts(desk, ALICE).count("SUP-1: resolution due soon") == 2
    sweep(desk, at(27, 11, 1))
    assert sla_texts(desk, ALICE).count("SUP-1: resolution due soon") == 2
    assert [k for k in sent_keys(desk) if k.startswith("1:resolution:")] == [
        "1:resolution:1:near_breach",
        "1:resolution:2:near_breach",
    ]


# -- priority changes re-target the clocks --------------------------------------------------------


def test_raising_a_p4_to_p2_gives_it_a_resolution_deadline(desk: Desk) -> None:
    ref = open_at(desk, at(24, 10), priority="P4")
    desk.clock.set(at(24, 10, 5))
    assert [line.split(" ")[1] for line in status_sla(desk, ALICE, ref).split("\n")[1:]] == [
        "*Response*",
        "*Review*",
    ]
    set_priority(desk, ref, at(24, 10, 10), "P2 High")
    desk.clock.set(at(24, 10, 10))
    assert status_sla(desk, ALICE, ref).split("\n")[2:] == [
        "• *Review* due <!date^1795528800^{date_short_pretty} {time}|Tue 24 Nov 14:00 GMT>",
        "• *Resolution* due <!date^1795687200^{date_short_pretty} {time}|Thu 26 Nov 10:00 GMT>",
    ]
    acknowledge(desk, ref, at(24, 10, 15))
    sweep(desk, at(25, 14, 0))
    assert "SUP-1: resolution due soon" in sla_texts(desk, ALICE)


def test_raising_a_p3_to_p1_brings_its_deadlines_forward(desk: Desk) -> None:
    ref = open_at(desk, at(24, 10), priority="P3")
    acknowledge(desk, ref, at(24, 10, 5))
    desk.clock.set(at(24, 10, 10))
    assert status_sla(desk, ALICE, ref).split("\n")[2] == (
        "• *Review* due <!date^1795600800^{date_short_pretty} {time}|Wed 25 Nov 10:00 GMT>"
    )
    set_priority(desk, ref, at(24, 10, 10), "P1 Highest")
    assert status_sla(desk, ALICE, ref).split("\n")[2:] == [
        "• *Review* due <!date^1795518000^{date_short_pretty} {time}|Tue 24 Nov 11:00 GMT>",
        "• *Resolution* due <!date^1795528800^{date_short_pretty} {time}|Tue 24 Nov 14:00 GMT>",
    ]
    sweep(desk, at(24, 10, 44))
    assert sla_texts(desk, ALICE) == []
    sweep(desk, at(24, 10, 45))  # review 1h: 45 working minutes (10 before would be later)
    assert sla_texts(desk, ALICE) == ["SUP-1: review due soon"]
    sweep(desk, at(24, 11, 1))
    assert sla_texts(desk, ERIN) == ["SUP-1: review SLA breached"]


# -- snooze --------------------------------------------------------------------------------------


def reminder_about(desk: Desk, text: str) -> dict[str, Any]:
    return message(next(c for c in reversed(sla_posts(desk, ALICE)) if c.text == text))


def snooze(desk: Desk, user: str, reminder: dict[str, Any], choice: str, when: datetime) -> Call:
    """Click a snooze button at `when`; returns the ephemeral answer."""
    desk.clock.set(when)
    before = len(desk.fake.calls_to("response_url"))
    reply = desk.sim.act(user, reminder, f"reminder_snooze:{choice}", channel=dm(ALICE))
    assert reply.status == 200 and reply.body == ""
    answer = desk.ephemeral(before + 1)
    desk.settle()
    return answer


def test_snoozing_a_reminder_for_an_hour_brings_it_back_one_working_hour_later_once(desk: Desk) -> None:
    ref = open_at(desk, at(24, 10), priority="P2")  # resolution: reminder Wed 14:00, due Thu 10:00
    acknowledge(desk, ref, at(24, 10, 5))
    sweep(desk, at(25, 14, 0))
    reminder = reminder_about(desk, "SUP-1: resolution due soon")

    answer = snooze(desk, ALICE, reminder, "1h", at(25, 15, 30))  # half an hour tonight, half tomorrow morning
    assert answer.args["response_type"] == "ephemeral" and answer.args["replace_original"] is False
    assert (
        answer.text == "OK, I will remind you again <!date^1795681800^{date_short_pretty} {time}|Thu 26 Nov 08:30 GMT>."
    )

    for when in (at(25, 15, 59), at(25, 16, 30), at(26, 8, 0), at(26, 8, 29)):
        sweep(desk, when)
    assert sla_texts(desk, ALICE).count("SUP-1: resolution due soon") == 1
    sweep(desk, at(26, 8, 30))
    assert sla_texts(desk, ALICE).count("SUP-1: resolution due soon") == 2
    again = reminder_about(desk, "SUP-1: resolution due soon")
    assert "(snoozed reminder)" in json.dumps(again["blocks"])
    find_action(again["blocks"], "reminder_snooze:1h")  # it can be put off again
    for when in (at(26, 8, 31), at(26, 9, 59)):
        sweep(desk, when)
    assert sla_texts(desk, ALICE).count("SUP-1: resolution due soon") == 2


def test_snoozing_until_tomorrow_brings_the_reminder_back_at_the_next_opening(desk: Desk) -> None:
    ref = open_at(desk, at(24, 10), priority="P2")
    acknowledge(desk, ref, at(24, 10, 5))
    sweep(desk, at(25, 14, 0))
    answer = snooze(desk, ALICE, reminder_about(desk, "SUP-1: resolution due soon"), "tomorrow", at(25, 14, 5))
    assert answer.text.endswith("|Thu 26 Nov 08:00 GMT>.")
    sweep(desk, at(25, 15, 59))
    sweep(desk, at(26, 7, 59))
    assert sla_texts(desk, ALICE).count("SUP-1: resolution due soon") == 1
    sweep(desk, at(26, 8, 0))
    assert sla_texts(desk, ALICE).count("SUP-1: resolution due soon") == 2
    sweep(desk, at(26, 10, 1))
    assert sla_texts(desk, ALICE).count("SUP-1: resolution due soon") == 2
    assert sla_texts(desk, ALICE).count("SUP-1: resolution SLA breached") == 1


def test_a_snooze_that_would_outlast_the_deadline_leaves_only_the_breach(desk: Desk) -> None:
    open_at(desk, at(24, 10), priority="P2")
    sweep(desk, at(24, 10, 20))
    reminder = reminder_about(desk, "SUP-1: response due soon")
    answer = snooze(desk, ALICE, reminder, "tomorrow", at(24, 10, 21))
    assert answer.text.endswith("|Wed 25 Nov 08:00 GMT>.")
    sweep(desk, at(24, 10, 30))
    for when in (at(24, 10, 31), at(25, 8, 0), at(25, 8, 1)):
        sweep(desk, when)
    assert [t for t in sla_texts(desk, ALICE) if "response" in t] == [
        "SUP-1: response due soon",
        "SUP-1: response SLA breached",
    ]
    assert "snoozed" in event_kinds(desk)


def test_someone_outside_support_cannot_snooze_and_nothing_is_recorded(desk: Desk) -> None:
    open_at(desk, at(24, 10), priority="P2")
    sweep(desk, at(24, 10, 20))
    reminder = reminder_about(desk, "SUP-1: response due soon")
    desk.clock.set(at(24, 10, 21))
    assert desk.sim.act(ZOE, reminder, "reminder_snooze:1h", channel=dm(ALICE)).status == 200
    refusal = desk.ephemeral()
    assert refusal.args["response_type"] == "ephemeral"
    assert "only the assignee, the support rota or a lead" in refusal.text
    desk.settle()
    assert "snoozed" not in event_kinds(desk)


# -- update the requester ----------------------------------------------------------------------


def test_update_the_requester_from_a_reminder_stops_the_review_clock_and_resets_the_stale_timer(desk: Desk) -> None:
    ref = open_at(desk, at(24, 10), priority="P2")
    acknowledge(desk, ref, at(24, 10, 5))
    sweep(desk, at(24, 13, 0))
    reminder = reminder_about(desk, "SUP-1: review due soon")

    desk.clock.set(at(24, 13, 5))
    opened = len(desk.fake.calls_to("views.open"))
    desk.sim.act(ALICE, reminder, "ticket_post_update", channel=dm(ALICE))
    view = desk.fake.wait_for_count("views.open", opened + 1)[-1].args["view"]
    assert view["callback_id"] == "post_update"

    empty = desk.sim.submit(ALICE, view, {"update": "   "})
    assert empty.json()["response_action"] == "errors" and set(empty.json()["errors"]) == {"update"}
    before = len(desk.posts_to(RIYA))
    assert desk.sim.submit(ALICE, view, {"update": "Found it: the gateway's DHCP lease. Fix due at 15:00."}).body == ""
    requester_hears(desk, before)
    assert desk.posts_to(RIYA)[-1].text == (
        "Update on SUP-1 from <@U1ALICE>:\n>Found it: the gateway's DHCP lease. Fix due at 15:00."
    )

    sweep(desk, at(24, 14, 1))  # the review deadline passes: it was met at 13:05
    assert "SUP-1: review SLA breached" not in sla_texts(desk, ALICE)
    desk.clock.set(at(24, 14, 1))
    assert status_sla(desk, ALICE, ref).split("\n")[2] == "• *Review* met :white_check_mark:"

    sweep(desk, at(25, 10, 6))  # a working day after the acknowledgement: not stale, the update was later
    assert "SUP-1: no update to the requester for a working day" not in sla_texts(desk, ALICE)
    sweep(desk, at(25, 13, 6))
    assert sla_texts(desk, ALICE).count("SUP-1: no update to the requester for a working day") == 1


# -- stale --------------------------------------------------------------------------------------


def test_a_ticket_left_without_an_update_for_a_working_day_nudges_its_assignee_once(desk: Desk) -> None:
    ref = open_at(desk, at(24, 10), type="service_task", priority="unsure")  # review 3d: nothing else due soon
    acknowledge(desk, ref, at(24, 10, 5))
    sweep(desk, at(24, 15, 0))
    sweep(desk, at(25, 10, 5))  # exactly a working day: not yet more than one
    assert sla_texts(desk, ALICE) == []
    sweep(desk, at(25, 10, 6))
    assert sla_texts(desk, ALICE) == ["SUP-1: no update to the requester for a working day"]
    nudge = json.dumps(sla_posts(desk, ALICE)[0].args["blocks"])
    assert "<@U7RIYA> has had no update since <!date^1795514700^" in nudge and "Keep them informed" in nudge
    for when in (at(25, 10, 7), at(25, 15, 0), at(26, 10, 6)):
        sweep(desk, when)
    assert len(sla_posts(desk, ALICE)) == 1
    assert sla_texts(desk, TRIAGE) == [] and sla_texts(desk, ERIN) == []


# -- digests ------------------------------------------------------------------------------------


def digests(desk: Desk) -> list[str]:
    return [c.text.split(":", 1)[0] for c in desk.posts_to(LEADS_CHANNEL)]


def test_scheduled_digests_go_out_once_a_working_day_after_nine_and_weekly_on_monday(
    desk: Desk, database_url: str, config_path: Path
) -> None:
    jobs = desk.runtime.jobs

    def run(when: datetime) -> list[DigestKind]:
        posted = jobs.scheduled_digests(when)
        desk.runtime.worker.kick()
        desk.settle()
        return posted

    assert run(at(23, 8, 59)) == []
    assert run(at(23, 9, 0)) == [DigestKind.DAILY, DigestKind.WEEKLY]
    assert run(at(23, 15, 0)) == []
    assert run(at(24, 8, 59)) == []
    assert run(at(24, 9, 0)) == [DigestKind.DAILY]
    assert run(at(24, 9, 1)) == []
    assert run(at(28, 9, 0)) == [] and run(at(29, 12, 0)) == []  # the weekend

    other = build_core(  # a second process on the same database (a cron `sweep` beside `serve`)
        Settings("xoxb-test-token", None, None, desk.fake.api_url, database_url, config_path),
        clock=ManualClock(at(24, 9, 30)),
    )
    try:
        assert other.jobs.scheduled_digests(at(24, 9, 30)) == []
        assert other.worker.drain() == 0
    finally:
        other.close()

    assert run(at(30, 9, 0)) == [DigestKind.DAILY, DigestKind.WEEKLY]
    assert digests(desk) == [
        "Daily support digest",
        "Weekly support digest",
        "Daily support digest",
        "Daily support digest",
        "Weekly support digest",
    ]


def test_the_digest_lists_breached_tickets_with_their_assignee(desk: Desk) -> None:
    open_at(desk, at(24, 10), priority="P2")
    sweep(desk, at(24, 10, 31))
    desk.runtime.jobs.post_digest(DigestKind.DAILY, at(24, 10, 35))
    desk.runtime.worker.kick()
    desk.settle()
    (digest,) = desk.posts_to(LEADS_CHANNEL)
    assert digest.text.startswith("Daily support digest: 1 open, 1 created, 0 resolved, 1 breached,")
    assert (
        "• *SUP-1* P2 · VPN drops every few minutes · <@U1ALICE> · response overdue since "
        "<!date^1795516200^{date_short_pretty} {time}|Tue 24 Nov 10:30 GMT>"
    ) in json.dumps(digest.args["blocks"], ensure_ascii=False)


# -- GDPR requests stay private ------------------------------------------------------------------------

GDPR_TITLE = "Delete everything about Riya Patel"


@pytest.fixture
def gdpr_response_target(config_path: Path) -> None:
    """A desk that holds GDPR requests to a 30m response (requested before `desk`, so it starts with it)."""
    config_path.write_text(config_path.read_text() + "sla:\n  gdpr_request: {response: 30m}\n")


def test_a_gdpr_breach_and_the_digest_never_show_its_title_in_public(gdpr_response_target: None, desk: Desk) -> None:
    open_at(desk, at(24, 10), title=GDPR_TITLE, type="gdpr_request", priority="unsure")
    sweep(desk, at(24, 10, 31))
    assert sla_texts(desk, TRIAGE) == ["SUP-1: response SLA breached"]
    public = json.dumps(sla_posts(desk, TRIAGE)[0].args)
    assert GDPR_TITLE not in public and "Riya" not in public and RIYA not in public
    assert "GDPR request (details are private to the assignee and leads)" in public
    assert GDPR_TITLE in json.dumps(sla_posts(desk, ALICE)[-1].args)  # the assignee may read it

    sweep(desk, at(25, 10, 0))  # and it has gone a working day without an update
    desk.runtime.jobs.post_digest(DigestKind.DAILY, at(25, 10, 1))
    desk.runtime.worker.kick()
    desk.settle()
    (digest,) = desk.posts_to(LEADS_CHANNEL)
    everything = json.dumps(digest.args, ensure_ascii=False)
    assert GDPR_TITLE not in everything and "Riya" not in everything
    assert "• *SUP-1* _GDPR request (private)_ · <@U1ALICE> · response overdue since" in everything
    assert "• *SUP-1* _GDPR request (private)_ · <@U1ALICE> · last update" in everything


def test_a_gdpr_breach_does_not_show_its_title_to_second_line_who_may_not_see_it(
    gdpr_response_target: None, desk: Desk
) -> None:
    """The on-duty 2nd line is told of the breach, but a GDPR request's contents are the assignee's and leads'."""
    ref = open_at(desk, at(24, 10), title=GDPR_TITLE, type="gdpr_request", priority="unsure")
    sweep(desk, at(24, 10, 31))
    assert sla_texts(desk, ERIN) == ["SUP-1: response SLA breached"]
    desk.sim.command(ERIN, f"status {ref}")
    assert "private" in desk.ephemeral().text  # what Erin is allowed to see of it
    assert GDPR_TITLE not in json.dumps(sla_posts(desk, ERIN)[0].args)
