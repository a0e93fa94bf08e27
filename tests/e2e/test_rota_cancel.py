"""Taking rota changes back in Slack (requests, leave, overrides), rota form confirmations that survive a
Slack outage, and `/support` commands that arrive without the ids Slack normally sends. All over HTTP."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from handlers.slack.fake_api import TEAM
from handlers.slack.rota_actions import run_rota
from rota.edits import add_leave, add_override
from rota.ports import RequestStatus
from rota.rotation import SupportLine
from rota.services import request_cover
from storage.models import AuditRow, RotaRequestRow
from tests.conftest import LONDON
from tests.e2e.conftest import ALICE, BOB, DAN, LEAD, RIYA, Desk, dm

FIRST = SupportLine.FIRST
CANCEL_REQUEST, CANCEL_LEAVE, REMOVE_OVERRIDE = "rota_cancel_request", "rota_cancel_leave", "rota_remove_override"


def at(day: int, month: int = 12, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=LONDON)


def open_rota_form(desk: Desk, user: str, action_id: str) -> dict[str, Any]:
    """`/support rota`, then a button in it; returns the window it pushes."""
    opened, pushed = len(desk.fake.calls_to("views.open")), len(desk.fake.calls_to("views.push"))
    assert desk.sim.command(user, "rota").status == 200
    overview: dict[str, Any] = desk.fake.wait_for_count("views.open", opened + 1)[-1].args["view"]
    assert desk.sim.act_in_view(user, overview, action_id).status == 200
    view: dict[str, Any] = desk.fake.wait_for_count("views.push", pushed + 1)[-1].args["view"]
    return view


def rows(view: dict[str, Any], action_id: str) -> list[tuple[str, str]]:
    """(text, button value) of each row with this button."""
    return [
        (b["text"]["text"], b["accessory"]["value"])
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == action_id
    ]


def cancel(desk: Desk, user: str, view: dict[str, Any], action_id: str, value: str) -> dict[str, Any]:
    """Press a Cancel/Remove button; returns the window as it is shown again afterwards."""
    updated = len(desk.fake.calls_to("views.update"))
    desk.press_in_view(user, view, action_id, value)
    again: dict[str, Any] = desk.fake.wait_for_count("views.update", updated + 1)[-1].args["view"]
    desk.settle()
    return again


def refused(desk: Desk, user: str, view: dict[str, Any], action_id: str, value: str) -> str:
    """Press as someone who may not: the refusal comes by DM (a window has no response_url)."""
    before = len(desk.posts_to(user))
    desk.press_in_view(user, view, action_id, value)
    desk.fake.wait_for(lambda calls: sum(c.method == "chat.postMessage" and c.channel == user for c in calls) > before)
    desk.settle()
    return desk.posts_to(user)[before].text


def audit_actions(desk: Desk) -> list[str]:
    """What people did to the rota, one entry per action (the config's seeding left out)."""
    with desk.runtime.sessions() as session:
        return list(session.scalars(select(AuditRow.action).where(AuditRow.actor_id != "config").order_by(AuditRow.id)))


def on_duty(desk: Desk, when: datetime) -> str | None:
    return desk.runtime.deps.rota.on_duty(FIRST, when)


# -- requests -------------------------------------------------------------------------------------------


def test_the_requester_cancels_a_pending_request_and_the_target_is_told(desk: Desk) -> None:
    deps = desk.runtime.deps
    run_rota(
        deps,
        lambda uow: request_cover(
            requester_id=ALICE,
            target_id=BOB,
            line=FIRST,
            starts_at=at(14, hour=9),
            ends_at=at(21, hour=9),
            **uow.notifying_rota_ports(),
        ),
    )
    desk.settle()
    view = open_rota_form(desk, ALICE, "rota_form_manage")
    [(text, value)] = rows(view, CANCEL_REQUEST)
    assert "<@U2BOB> covers <@U1ALICE>'s 1st line duty" in text and "waiting for their answer" in text

    assert "Only <@U1ALICE>, who asked, can cancel" in refused(desk, BOB, view, CANCEL_REQUEST, value)
    assert open_rota_form(desk, BOB, "rota_form_manage")["blocks"][1]["text"]["text"] == "_No requests waiting._"

    again = cancel(desk, ALICE, view, CANCEL_REQUEST, value)
    assert rows(again, CANCEL_REQUEST) == [] and "No requests waiting." in str(again["blocks"])
    with desk.runtime.sessions() as session:
        assert session.get_one(RotaRequestRow, int(value)).status == RequestStatus.CANCELLED.value
    told = [c.text for c in desk.posts_to(BOB)]
    assert any("<@U1ALICE> cancelled the request; the rota is unchanged" in t for t in told), told
    assert audit_actions(desk) == ["rota_cover_requested", "rota_request_cancelled"]

    # Bob's Accept, pressed afterwards, changes nothing.
    before = len(desk.fake.calls_to("response_url"))
    desk.act(BOB, dm(BOB), "asks you to cover", "rota_request_accept")
    assert "was cancelled" in desk.fake.wait_for_count("response_url", before + 1)[-1].text
    assert on_duty(desk, at(15)) == ALICE


# -- leave ----------------------------------------------------------------------------------------------


def test_cancelling_leave_gives_the_shifts_back_at_once(desk: Desk) -> None:
    deps = desk.runtime.deps
    run_rota(
        deps,
        lambda uow: add_leave(
            user_id=ALICE,
            actor_id=ALICE,
            first=date(2026, 12, 15),
            last=date(2026, 12, 16),
            **uow.notifying_rota_ports(),
        ),
    )
    run_rota(
        deps,
        lambda uow: add_leave(
            user_id=BOB, actor_id=BOB, first=date(2027, 1, 4), last=date(2027, 1, 4), **uow.notifying_rota_ports()
        ),
    )
    desk.settle()
    assert on_duty(desk, at(15)) == BOB  # the next member in order covers Alice's leave

    view = open_rota_form(desk, ALICE, "rota_form_manage")
    [(text, value)] = rows(view, CANCEL_LEAVE)  # her own leave only, not Bob's
    assert "Tue 15 Dec 00:00" in text and "My leave" in str(view["blocks"])
    assert "Only <@U1ALICE> or a lead can cancel this leave" in refused(desk, BOB, view, CANCEL_LEAVE, value)
    assert on_duty(desk, at(15)) == BOB

    again = cancel(desk, ALICE, view, CANCEL_LEAVE, value)
    assert rows(again, CANCEL_LEAVE) == []
    assert on_duty(desk, at(15)) == ALICE  # `who` changes at once
    assert audit_actions(desk) == ["rota_leave_added", "rota_leave_added", "rota_leave_cancelled"]
    assert "no longer on the rota" in refused(desk, ALICE, view, CANCEL_LEAVE, value)  # pressed twice: told


def test_a_lead_cancels_a_members_leave(desk: Desk) -> None:
    run_rota(
        desk.runtime.deps,
        lambda uow: add_leave(
            user_id=ALICE,
            actor_id=ALICE,
            first=date(2026, 12, 15),
            last=date(2026, 12, 16),
            **uow.notifying_rota_ports(),
        ),
    )
    desk.settle()
    view = open_rota_form(desk, LEAD, "rota_form_manage")
    [(text, value)] = rows(view, CANCEL_LEAVE)
    assert text.startswith("<@U1ALICE>")  # a lead sees everyone's leave, named
    cancel(desk, LEAD, view, CANCEL_LEAVE, value)
    assert on_duty(desk, at(15)) == ALICE
    with desk.runtime.sessions() as session:
        entry = session.scalars(select(AuditRow).where(AuditRow.action == "rota_leave_cancelled")).one()
    assert entry.actor_id == LEAD and entry.details["user"] == ALICE


# -- overrides ------------------------------------------------------------------------------------------


def test_a_lead_removes_an_override_and_a_member_cannot(desk: Desk) -> None:
    deps = desk.runtime.deps
    run_rota(
        deps,
        lambda uow: add_override(
            line=FIRST, user_id=DAN, starts_at=at(1, hour=10), ends_at=at(1, hour=14), actor_id=LEAD, **uow.rota_ports()
        ),
    )
    assert on_duty(desk, at(1)) == DAN
    member_view = open_rota_form(desk, ALICE, "rota_form_manage")
    assert rows(member_view, REMOVE_OVERRIDE) == [] and "Overrides" not in str(member_view["blocks"])

    view = open_rota_form(desk, LEAD, "rota_form_manage")
    [(text, value)] = rows(view, REMOVE_OVERRIDE)
    assert "<@U4DAN> for <@U2BOB> (manual) Tue 01 Dec 10:00" in text
    assert "Only the support leads can remove an override" in refused(desk, ALICE, view, REMOVE_OVERRIDE, value)
    assert on_duty(desk, at(1)) == DAN

    again = cancel(desk, LEAD, view, REMOVE_OVERRIDE, value)
    assert rows(again, REMOVE_OVERRIDE) == [] and "No overrides to come." in str(again["blocks"])
    assert on_duty(desk, at(1)) == BOB  # the rotation applies again at once
    assert audit_actions(desk) == ["rota_override_added", "rota_override_cancelled"]


# -- form confirmations go through the outbox -----------------------------------------------------------


def test_a_form_confirmation_lost_to_a_slack_outage_arrives_on_retry(desk: Desk) -> None:
    form = open_rota_form(desk, ALICE, "rota_form_leave")
    # Slack is down for longer than the client's own retries: 503 three times (the call and two retries).
    desk.fake.fail_next("chat.postMessage", status=503, channel=ALICE, count=3)
    reply = desk.sim.submit(ALICE, form, {"first_day": "2026-12-15", "last_day": "2026-12-16"})
    assert reply.status == 200 and not reply.body, reply
    desk.fake.wait_for_count("chat.postMessage!failed", 3)
    desk.settle()
    assert desk.posts_to(ALICE) == []  # Slack was down at that moment
    assert on_duty(desk, at(15)) == BOB  # the leave itself is recorded

    desk.clock.advance(timedelta(seconds=11))  # past the first back-off
    desk.runtime.worker.kick()
    desk.settle()
    [confirmation] = desk.posts_to(ALICE)
    assert "Your leave Tue 15 Dec to Wed 16 Dec is recorded" in confirmation.text


# -- /support without the ids Slack normally sends -----------------------------------------------------


def command_without(desk: Desk, text: str, missing: str) -> str:
    fields = {
        "team_id": TEAM,
        "channel_id": "C0GENERAL",
        "user_id": RIYA,
        "command": "/support",
        "text": text,
        "response_url": desk.fake.response_url(f"bare-{text}-{missing}"),
        "trigger_id": "trigger-bare",
    }
    del fields[missing]
    reply = desk.sim.send(urlencode(fields))
    assert reply.status == 200, reply
    return reply.text


def test_commands_without_trigger_id_or_response_url_are_answered_politely(desk: Desk) -> None:
    for text in ("", "printer on fire", "rota"):
        assert "did not let me open a window" in command_without(desk, text, "trigger_id")
    for text in ("status SUP-1", "mine", "who"):
        assert "no way to answer that" in command_without(desk, text, "response_url")
    assert desk.fake.calls_to("views.open") == []


# -- the people a lead's cancellation affects are told ----------------------------------------------------


def shown(call: Any) -> str:
    """A DM as the person reads it: its blocks' text."""
    return "\n".join(b["text"]["text"] for b in call.args["blocks"])


def test_a_member_is_told_when_a_lead_cancels_their_leave(desk: Desk) -> None:
    deps = desk.runtime.deps
    run_rota(
        deps,
        lambda uow: add_leave(
            user_id=ALICE,
            actor_id=ALICE,
            first=date(2026, 12, 15),
            last=date(2026, 12, 16),
            **uow.notifying_rota_ports(),
        ),
    )
    desk.settle()
    before = len(desk.posts_to(ALICE))
    view = open_rota_form(desk, LEAD, "rota_form_manage")
    [(_, value)] = rows(view, CANCEL_LEAVE)
    cancel(desk, LEAD, view, CANCEL_LEAVE, value)
    [told] = desk.posts_to(ALICE)[before:]
    assert told.text == "<@U8LEAD> cancelled your leave"
    assert "<@U8LEAD> cancelled your leave Tue 15 Dec 00:00" in shown(told)
    assert "These shifts are yours again:\n• Tue 15 Dec 00:00 → Thu 17 Dec 00:00  <@U1ALICE>" in shown(told)


def test_a_member_cancelling_their_own_leave_is_not_told_what_they_did(desk: Desk) -> None:
    run_rota(
        desk.runtime.deps,
        lambda uow: add_leave(
            user_id=ALICE,
            actor_id=ALICE,
            first=date(2026, 12, 15),
            last=date(2026, 12, 16),
            **uow.notifying_rota_ports(),
        ),
    )
    desk.settle()
    before = len(desk.posts_to(ALICE))
    view = open_rota_form(desk, ALICE, "rota_form_manage")
    [(_, value)] = rows(view, CANCEL_LEAVE)
    cancel(desk, ALICE, view, CANCEL_LEAVE, value)
    assert desk.posts_to(ALICE)[before:] == []


def test_removing_an_override_tells_who_was_covering_and_who_is_on_instead(desk: Desk) -> None:
    run_rota(
        desk.runtime.deps,
        lambda uow: add_override(
            line=FIRST, user_id=DAN, starts_at=at(1, hour=10), ends_at=at(1, hour=14), actor_id=LEAD, **uow.rota_ports()
        ),
    )
    desk.settle()
    before = {user: len(desk.posts_to(user)) for user in (DAN, BOB, LEAD)}
    view = open_rota_form(desk, LEAD, "rota_form_manage")
    [(_, value)] = rows(view, REMOVE_OVERRIDE)
    cancel(desk, LEAD, view, REMOVE_OVERRIDE, value)
    [to_dan] = desk.posts_to(DAN)[before[DAN] :]
    [to_bob] = desk.posts_to(BOB)[before[BOB] :]
    for told in (to_dan, to_bob):
        text = shown(told)
        assert "<@U8LEAD> removed an override: 1st line: <@U4DAN> for <@U2BOB> (manual) Tue 01 Dec 10:00" in text
        assert "On duty instead:\n• Tue 01 Dec 10:00 → Tue 01 Dec 14:00  <@U2BOB>" in text
    assert desk.posts_to(LEAD)[before[LEAD] :] == []  # the lead knows what they did
