"""The rota in Slack over real HTTP: `/support rota` forms, swap requests and answers, leave, lead edits, `who`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from handlers.slack.simulator import find_action
from rota.rotation import SupportLine
from storage.models import AuditRow
from tests.conftest import LONDON
from tests.e2e.conftest import ALICE, BOB, DAN, ERIN, LEAD, RIYA, Desk, dm

CAROL = "U3CAROL"
FIRST = SupportLine.FIRST


@pytest.fixture
def config_path(config_path: Path, request: pytest.FixtureRequest) -> Path:
    """The demo config; with `swaps_need_approval: true` when a test is parametrized with True."""
    if getattr(request, "param", False):
        config_path.write_text(config_path.read_text() + "swaps_need_approval: true\n")
    return config_path


def at(day: int, month: int = 12, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=LONDON)


def open_rota(desk: Desk, user: str) -> dict[str, Any]:
    before = len(desk.fake.calls_to("views.open"))
    reply = desk.sim.command(user, "rota")
    assert reply.status == 200 and reply.body == ""
    view: dict[str, Any] = desk.fake.wait_for_count("views.open", before + 1)[-1].args["view"]
    return view


def open_form(desk: Desk, user: str, action_id: str) -> dict[str, Any]:
    overview = open_rota(desk, user)
    before = len(desk.fake.calls_to("views.push"))
    assert desk.sim.act_in_view(user, overview, action_id).status == 200
    view: dict[str, Any] = desk.fake.wait_for_count("views.push", before + 1)[-1].args["view"]
    return view


def options(form: dict[str, Any], block_id: str) -> list[str]:
    block = next(b for b in form["blocks"] if b.get("block_id") == block_id)
    return [o["value"] for o in block["element"]["options"]]


def submit(desk: Desk, user: str, form: dict[str, Any], values: dict[str, Any]) -> str:
    """Submit a rota form that should be accepted; returns the DM confirming what was done."""
    before = len(desk.posts_to(user))
    reply = desk.sim.submit(user, form, values)
    assert reply.status == 200 and not reply.body, reply
    desk.fake.wait_for(lambda calls: sum(c.method == "chat.postMessage" and c.channel == user for c in calls) > before)
    desk.settle()
    return desk.posts_to(user)[before].text


def dms(desk: Desk, user: str, words: str) -> list[str]:
    """Every message DMed to `user` (text and blocks) that mentions `words`."""
    sent = [f"{c.text} {c.args.get('blocks')}" for c in desk.posts_to(user)]
    return [m for m in sent if words in m]


def request_swap(desk: Desk) -> None:
    """Alice offers her shift from Mon 14 Dec for Bob's from Mon 30 Nov."""
    form = open_form(desk, ALICE, "rota_form_swap")
    mine = next(v for v in options(form, "shift") if "2026-12-14T09:00" in v)
    theirs = next(v for v in options(form, "their_shift") if f"|{BOB}|2026-11-30T09:00" in v)
    assert "I have asked <@U2BOB>" in submit(desk, ALICE, form, {"shift": mine, "their_shift": theirs})


def press(desk: Desk, user: str, channel: str, ref: str, action_id: str) -> str:
    """Press a button on a DM and wait for the answer in its place (or the refusal beside it)."""
    before = len(desk.fake.calls_to("response_url"))
    desk.act(user, channel, ref, action_id)
    answer = desk.fake.wait_for_count("response_url", before + 1)[-1]
    desk.settle()
    return answer.text


def who(desk: Desk, text: str = "who") -> str:
    before = len(desk.fake.calls_to("response_url"))
    assert desk.sim.command(RIYA, text).status == 200
    return desk.ephemeral(before + 1).text


def audit_actions(desk: Desk) -> list[str]:
    """What people did to the rota, one entry per action (the config's seeding left out)."""
    with desk.runtime.sessions() as session:
        return list(session.scalars(select(AuditRow.action).where(AuditRow.actor_id != "config").order_by(AuditRow.id)))


def test_rota_modal_shows_eight_weeks_and_the_members_actions(desk: Desk) -> None:
    view = open_rota(desk, ALICE)
    assert view["callback_id"] == "rota_overview"
    text = str(view["blocks"])
    assert "1st line" in text and "2nd line" in text and "Mon 30 Nov 09:00" in text and "Mon 18 Jan 09:00" in text
    for action in ("rota_form_swap", "rota_form_cover", "rota_form_leave"):
        find_action(view["blocks"], action)
    with pytest.raises(LookupError):
        find_action(view["blocks"], "rota_form_members")
    lead_view = open_rota(desk, LEAD)
    find_action(lead_view["blocks"], "rota_form_members")
    find_action(lead_view["blocks"], "rota_form_override")


def test_swap_request_accepted_changes_who_is_on(desk: Desk) -> None:
    assert "next <@U2BOB> from Mon 30 Nov 09:00" in who(desk)
    request_swap(desk)
    offer = desk.card(dm(BOB), "asks to swap")
    assert "<@U1ALICE>" in offer["text"]
    assert desk.runtime.deps.rota.on_duty(FIRST, at(1)) == BOB  # nothing changes before Bob answers
    before = len(desk.fake.calls_to("response_url"))
    desk.act(BOB, dm(BOB), "asks to swap", "rota_request_accept")
    outcome = desk.fake.wait_for_count("response_url", before + 1)[-1]
    assert outcome.args.get("replace_original") is True and "Done" in outcome.text
    desk.settle()
    assert "rota has changed" in desk.posts_to(ALICE)[-1].text
    rota = desk.runtime.deps.rota
    assert rota.on_duty(FIRST, at(1)) == ALICE and rota.on_duty(FIRST, at(15)) == BOB
    text = who(desk)
    assert "1st line: <@U1ALICE> until Mon 07 Dec 09:00; next <@U3CAROL>" in text
    assert "next <@U2BOB>" not in text.split("2nd line")[0]
    assert "next <@U3CAROL> from Mon 07 Dec 09:00" in text
    assert "<@U2BOB> (covering for <@U1ALICE>)" in who(desk, "who 1st 2026-12-15")
    assert audit_actions(desk) == ["rota_swap_requested", "rota_request_accepted"]  # one entry per action


def test_a_declined_swap_changes_nothing(desk: Desk) -> None:
    request_swap(desk)
    press(desk, BOB, dm(BOB), "asks to swap", "rota_request_decline")
    assert "declined" in desk.posts_to(ALICE)[-1].text
    assert desk.runtime.deps.rota.overrides == ()
    assert "next <@U2BOB> from Mon 30 Nov 09:00" in who(desk)
    assert audit_actions(desk) == ["rota_swap_requested", "rota_request_declined"]


def test_only_the_target_can_accept(desk: Desk) -> None:
    request_swap(desk)
    before = len(desk.fake.calls_to("response_url"))
    desk.act(CAROL, dm(BOB), "asks to swap", "rota_request_accept")
    refusal = desk.fake.wait_for_count("response_url", before + 1)[-1]
    assert "Only <@U2BOB>" in refusal.text
    assert desk.runtime.deps.rota.overrides == ()


@pytest.mark.parametrize("config_path", [True], indirect=True)
def test_with_approval_required_a_lead_approves(desk: Desk) -> None:
    assert desk.runtime.config.swaps_need_approval
    request_swap(desk)
    press(desk, BOB, dm(BOB), "asks to swap", "rota_request_accept")
    assert "a lead must approve" in desk.posts_to(ALICE)[-1].text
    assert desk.runtime.deps.rota.on_duty(FIRST, at(1)) == BOB
    assert "Only the support leads" in press(desk, BOB, dm(LEAD), "Approval needed", "rota_request_approve")
    assert desk.runtime.deps.rota.on_duty(FIRST, at(1)) == BOB
    assert "Done" in press(desk, LEAD, dm(LEAD), "Approval needed", "rota_request_approve")
    assert desk.runtime.deps.rota.on_duty(FIRST, at(1)) == ALICE
    assert "rota has changed" in desk.posts_to(ALICE)[-1].text and "rota has changed" in desk.posts_to(BOB)[-1].text
    assert audit_actions(desk) == ["rota_swap_requested", "rota_request_awaiting_approval", "rota_request_accepted"]
    with desk.runtime.sessions() as session:
        applied = session.scalars(select(AuditRow).where(AuditRow.action == "rota_request_accepted")).one()
    assert applied.actor_id == LEAD and applied.details["was"] == "awaiting_approval"
    assert [o["user"] for o in applied.details["overrides"]] == [BOB, ALICE]


def test_leave_conflict_warns_the_lead_when_recorded(desk: Desk) -> None:
    form = open_form(desk, BOB, "rota_form_leave")
    told = submit(desk, BOB, form, {"first_day": "2026-12-01", "last_day": "2026-12-02"})
    assert "leads have been told" in told
    (warning,) = dms(desk, LEAD, "leave")  # at once, not on the day: the clock has not moved
    assert "<@U2BOB>" in warning and "<@U3CAROL> covers" in warning
    assert desk.runtime.deps.rota.on_duty(FIRST, at(1)) == CAROL
    with desk.runtime.sessions() as session:
        (entry,) = session.scalars(select(AuditRow).where(AuditRow.actor_id != "config")).all()
    assert (entry.action, entry.details["conflicts"], entry.details["uncovered"]) == ("rota_leave_added", 1, 0)


def test_leave_where_nobody_covers_is_loud(desk: Desk) -> None:
    for user in (DAN, ERIN):
        form = open_form(desk, LEAD, "rota_form_leave")
        submit(desk, LEAD, form, {"first_day": "2026-11-30", "last_day": "2026-12-01", "who": user})
    (warning,) = dms(desk, LEAD, "NOBODY")
    assert "<@U5ERIN>" in warning and "nobody covers" in warning
    assert ":warning: *nobody*" in who(desk, "who 2nd 2026-11-30")


def test_bad_leave_dates_come_back_in_the_form(desk: Desk) -> None:
    form = open_form(desk, BOB, "rota_form_leave")
    answer = desk.sim.submit(BOB, form, {"first_day": "2026-12-03", "last_day": "2026-12-01"}).json()
    assert answer["response_action"] == "errors" and "before it starts" in answer["errors"]["last_day"]
    answer = desk.sim.submit(BOB, form, {"first_day": "2026-11-01", "last_day": "2026-11-02"}).json()
    assert "already over" in answer["errors"]["last_day"]
    desk.settle()
    assert desk.runtime.deps.rota.leave == () and desk.posts_to(LEAD) == []


def test_a_swap_for_a_shift_on_the_other_line_is_refused_in_the_form(desk: Desk) -> None:
    form = open_form(desk, ALICE, "rota_form_swap")
    mine = options(form, "shift")[0]
    answer = desk.sim.submit(
        ALICE, form, {"shift": mine, "their_shift": f"second_line|{DAN}|2026-12-07T09:00:00+00:00"}
    ).json()
    assert answer["response_action"] == "errors" and "their_shift" in answer["errors"]


def test_a_lead_edits_membership_and_order(desk: Desk) -> None:
    form = open_form(desk, LEAD, "rota_form_members")
    first = next(b for b in form["blocks"] if b["block_id"] == "members_first_line")
    assert first["element"]["initial_users"] == [ALICE, BOB, CAROL]
    told = submit(desk, LEAD, form, {"members_first_line": [ALICE, CAROL, BOB], "members_second_line": [DAN, ERIN]})
    assert "from Mon 30 Nov 09:00" in told
    rota = desk.runtime.deps.rota
    assert rota.on_duty(FIRST, at(24, 11)) == ALICE  # the current shift is left alone
    assert [rota.on_duty(FIRST, at(d)) for d in (1, 8, 15)] == [CAROL, BOB, ALICE]
    assert audit_actions(desk) == ["rota_rotation_added"]
    with desk.runtime.sessions() as session:
        edit = session.scalars(select(AuditRow).where(AuditRow.actor_id == LEAD)).one()
    assert edit.details["before"] == [ALICE, BOB, CAROL] and edit.details["members"] == list(
        rota.rotations[FIRST].members
    )


def test_a_non_lead_cannot_edit_membership(desk: Desk) -> None:
    lead_overview = open_rota(desk, LEAD)
    desk.sim.act_in_view(ALICE, lead_overview, "rota_form_members")  # a button she was never shown
    desk.fake.wait_for(lambda calls: any(c.channel == ALICE and "Only the support leads" in c.text for c in calls))
    assert desk.fake.calls_to("views.push") == []
    form = open_form(desk, LEAD, "rota_form_members")
    answer = desk.sim.submit(ALICE, form, {"members_first_line": [ALICE], "members_second_line": [DAN, ERIN]}).json()
    assert answer["response_action"] == "errors" and "Only the support leads" in answer["errors"]["members_first_line"]
    assert desk.runtime.deps.rota.rotations[FIRST].members == (ALICE, BOB, CAROL)


def test_a_lead_adds_an_override(desk: Desk) -> None:
    form = open_form(desk, LEAD, "rota_form_override")
    starts, ends = int(at(25, 11, 9).timestamp()), int(at(26, 11, 9).timestamp())
    bad = desk.sim.submit(LEAD, form, {"line": "first_line", "user": LEAD, "starts": ends, "ends": starts}).json()
    assert bad["response_action"] == "errors" and "ends" in bad["errors"]
    submit(desk, LEAD, form, {"line": "first_line", "user": LEAD, "starts": starts, "ends": ends})
    assert desk.runtime.deps.rota.on_duty(FIRST, at(25, 11)) == LEAD
    assert audit_actions(desk) == ["rota_override_added"]


def test_who_takes_a_line_and_a_day(desk: Desk) -> None:
    text = who(desk, "who 2nd tomorrow")
    assert text.startswith("*On duty Wed 25 Nov 12:00*") and "2nd line: <@U5ERIN>" in text and "1st line" not in text
    assert "1st line: <@U2BOB>" in who(desk, "who first 2026-12-01")
    assert "1st line: <@U2BOB>" in who(desk, "who monday")  # Monday 30 Nov at midday, after the 09:00 handover
