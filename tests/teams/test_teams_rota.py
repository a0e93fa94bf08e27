"""The rota window in Teams over real HTTP: the `rota` card, its dialogs (task/fetch -> form, task/submit), and
the Accept / Decline / Approve / Reject buttons on request cards; the same services and refusals as Slack."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handlers.teams.rota_cards import TeamsPerson, approval_card, request_card
from handlers.teams.simulator import Reply, TeamsUser, find_execute
from rota.ports import RotaRequest
from rota.rotation import SupportLine
from storage.rota import SqlRotaRepository
from tests.teams import conftest
from tests.teams.conftest import ALICE, BOB, CAROL, DAN, ERIN, LEAD, RIYA, TeamsDesk, personal

LONDON = ZoneInfo("Europe/London")
FIRST = SupportLine.FIRST


def at(day: int, month: int = 12, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=LONDON)


def rota_card(desk: TeamsDesk, user: TeamsUser) -> dict[str, Any]:
    assert desk.sim.message(user, "rota").status == 200
    desk.settle()
    return dict(desk.posts_to(personal(user))[-1].body["attachments"][0]["content"])


def fetch(desk: TeamsDesk, user: TeamsUser, dialog: str) -> dict[str, Any]:
    reply = desk.sim.invoke(user, "task/fetch", {"data": {"msteams": {"type": "task/fetch"}, "dialog": dialog}})
    assert reply.status == 200, reply
    return dict(reply.body["task"])


def form_of(task: dict[str, Any]) -> dict[str, Any]:
    assert task["type"] == "continue", task
    return dict(task["value"]["card"]["content"])


def submit(desk: TeamsDesk, user: TeamsUser, dialog: str, values: dict[str, Any]) -> dict[str, Any]:
    reply = desk.sim.invoke(user, "task/submit", {"data": {"dialog": dialog, **values}})
    assert reply.status == 200, reply
    return dict(reply.body["task"])


def choices(form: dict[str, Any], input_id: str) -> dict[str, str]:
    (element,) = [e for e in form["body"] if e.get("id") == input_id]
    return {c["title"]: c["value"] for c in element["choices"]}


def errors(form: dict[str, Any]) -> dict[str, str]:
    return {e["id"]: e["errorMessage"] for e in form["body"] if e.get("errorMessage")}


def pending(desk: TeamsDesk, user: TeamsUser) -> list[RotaRequest]:
    with desk.runtime.sessions() as session:
        return SqlRotaRepository(session).pending_requests_for(user.aad)


def press(desk: TeamsDesk, user: TeamsUser, card: dict[str, Any], title: str) -> Reply:
    return desk.sim.press(user, card, title)


def introduce(desk: TeamsDesk, *users: TeamsUser) -> None:
    """Each says hello, so the bot knows their names (as it does anyone who has used it)."""
    for user in users:
        assert desk.sim.message(user, "help").status == 200
    desk.settle()


def request_alice_bob_swap(desk: TeamsDesk) -> dict[str, Any]:
    form = form_of(fetch(desk, ALICE, "rota_form_swap"))
    mine = next(v for t, v in choices(form, "shift").items() if "Mon 14 Dec 09:00" in t)
    theirs = next(v for t, v in choices(form, "their_shift").items() if "Bob" in t and "Mon 30 Nov 09:00" in t)
    return submit(desk, ALICE, "rota_form_swap", {"shift": mine, "their_shift": theirs})


def test_rota_answers_with_the_eight_week_card_and_the_viewers_buttons(teams_desk: TeamsDesk) -> None:
    card = rota_card(teams_desk, ALICE)
    words = str(card["body"])
    assert "1st line" in words and "2nd line" in words and "Mon 30 Nov 09:00" in words and "Mon 18 Jan 09:00" in words
    buttons = {a["title"]: a["data"] for a in card["actions"]}
    assert list(buttons) == ["Request a swap", "Ask for cover", "Add leave", "My requests and leave"]
    assert buttons["Request a swap"] == {"msteams": {"type": "task/fetch"}, "dialog": "rota_form_swap"}
    lead = [a["title"] for a in rota_card(teams_desk, LEAD)["actions"]]
    assert lead == ["Add leave", "Edit membership", "Add an override", "Cancel requests, leave..."]
    assert "actions" not in rota_card(teams_desk, RIYA)  # staff see the rota, and change nothing


def test_a_swap_requested_in_a_dialog_and_accepted_by_the_target_changes_the_rota(teams_desk: TeamsDesk) -> None:
    introduce(teams_desk, ALICE, BOB)
    rota = teams_desk.runtime.deps.rota
    assert rota.on_duty(FIRST, at(1)) == BOB.aad and rota.on_duty(FIRST, at(15)) == ALICE.aad
    sent = request_alice_bob_swap(teams_desk)
    assert sent["type"] == "message" and sent["value"].startswith("I have asked **Bob** to swap")
    (request,) = pending(teams_desk, BOB)
    assert teams_desk.runtime.deps.rota.on_duty(FIRST, at(1)) == BOB.aad  # nothing changes before Bob answers
    card = request_card(request, LONDON, people=lambda key: TeamsPerson(key, None)).card
    refused = press(teams_desk, CAROL, card, "Accept").body
    assert refused["type"] == "application/vnd.microsoft.activity.message"
    assert refused["value"] == "Only Bob can answer this request."  # to Carol only, Bob named by name
    accepted = press(teams_desk, BOB, card, "Accept").body
    assert accepted["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Done, the rota has changed" in str(accepted["value"])  # the card becomes the outcome, buttons gone
    assert "actions" not in accepted["value"]
    rota = teams_desk.runtime.deps.rota
    assert rota.on_duty(FIRST, at(1)) == ALICE.aad and rota.on_duty(FIRST, at(15)) == BOB.aad
    again = press(teams_desk, BOB, card, "Decline").body
    assert again["type"].endswith("message") and "already" in again["value"]


def test_a_swap_for_a_shift_on_the_other_line_is_refused_in_the_dialog(teams_desk: TeamsDesk) -> None:
    form = form_of(fetch(teams_desk, ALICE, "rota_form_swap"))
    mine = next(iter(choices(form, "shift").values()))
    theirs = f"second_line|{DAN.aad}|2026-12-07T09:00:00+00:00"
    answer = form_of(submit(teams_desk, ALICE, "rota_form_swap", {"shift": mine, "their_shift": theirs}))
    assert "Pick a 1st line shift" in errors(answer)["their_shift"]
    assert not pending(teams_desk, DAN)


def test_leave_with_conflicts_warns_the_leads_and_bad_dates_come_back_in_the_dialog(teams_desk: TeamsDesk) -> None:
    form = form_of(fetch(teams_desk, BOB, "rota_form_leave"))
    assert [e["label"] for e in form["body"] if "label" in e] == ["First day off", "Last day off"]
    backwards = form_of(
        submit(teams_desk, BOB, "rota_form_leave", {"first_day": "2026-12-03", "last_day": "2026-12-01"})
    )
    assert "before it starts" in errors(backwards)["last_day"]
    over = form_of(submit(teams_desk, BOB, "rota_form_leave", {"first_day": "2026-11-01", "last_day": "2026-11-02"}))
    assert "already over" in errors(over)["last_day"]
    lead_posts = len(teams_desk.posts_to(personal(LEAD)))
    told = submit(teams_desk, BOB, "rota_form_leave", {"first_day": "2026-12-01", "last_day": "2026-12-02"})
    assert told["type"] == "message" and "Your leave Tue 01 Dec to Wed 02 Dec is recorded" in told["value"]
    assert "the leads have been told" in told["value"]
    assert teams_desk.runtime.deps.rota.on_duty(FIRST, at(1)) == CAROL.aad
    teams_desk.settle()
    warnings = teams_desk.posts_to(personal(LEAD))[lead_posts:]
    assert len(warnings) == 1 and "leave" in str(warnings[0].body)  # at once, not on the day
    assert "is recorded" in str(teams_desk.posts_to(personal(BOB))[-1].body)  # and Bob's confirmation


def test_a_lead_records_leave_nobody_covers_and_staff_cannot_open_the_form(teams_desk: TeamsDesk) -> None:
    form = form_of(fetch(teams_desk, LEAD, "rota_form_leave"))
    assert set(choices(form, "who").values()) >= {DAN.aad, ERIN.aad}
    for user in (DAN, ERIN):
        told = submit(
            teams_desk, LEAD, "rota_form_leave", {"first_day": "2026-11-30", "last_day": "2026-12-01", "who": user.aad}
        )
        assert told["type"] == "message"
    assert "Nobody covers" in told["value"]
    assert teams_desk.runtime.deps.rota.on_duty(SupportLine.SECOND, at(30, 11)) is None
    refused = fetch(teams_desk, RIYA, "rota_form_leave")
    assert refused == {
        "type": "message",
        "value": "Only rota members record leave here; nobody else has shifts to cover.",
    }


def test_membership_is_for_leads_only_and_a_lead_reorders_it(teams_desk: TeamsDesk) -> None:
    introduce(teams_desk, ALICE, BOB, CAROL)
    refused = fetch(teams_desk, ALICE, "rota_form_members")
    assert refused == {"type": "message", "value": "Only the support leads can change who is on the rota."}
    forged = submit(teams_desk, ALICE, "rota_form_members", {"members_first_line": "Bob"})
    assert forged == {"type": "message", "value": "Only the support leads can change who is on the rota."}
    rota = teams_desk.runtime.deps.rota
    assert rota.rotations[FIRST].members == (ALICE.aad, BOB.aad, CAROL.aad)
    form = form_of(fetch(teams_desk, LEAD, "rota_form_members"))
    (first,) = [e for e in form["body"] if e.get("id") == "members_first_line"]
    assert first["value"] == "Alice, Bob, Carol" and first["label"] == "1st line, in rota order"
    unknown = form_of(submit(teams_desk, LEAD, "rota_form_members", {"members_first_line": ""}))
    assert "at least one member" in errors(unknown)["members_first_line"]
    done = submit(
        teams_desk,
        LEAD,
        "rota_form_members",
        {"members_first_line": "alice, Carol, bob", "members_second_line": f"{DAN.aad}, {ERIN.aad}"},
    )
    assert done["type"] == "message" and "The 1st line rota is now Carol, Bob, Alice in that order" in done["value"]
    assert "from Mon 30 Nov 09:00" in done["value"]
    rota = teams_desk.runtime.deps.rota
    assert rota.on_duty(FIRST, at(25, 11)) == ALICE.aad and rota.on_duty(FIRST, at(1)) == CAROL.aad


def test_a_lead_adds_an_override_and_a_member_cannot(teams_desk: TeamsDesk) -> None:
    assert (
        fetch(teams_desk, BOB, "rota_form_override")["value"]
        == "Only the support leads can put someone on duty directly."
    )
    form = form_of(fetch(teams_desk, LEAD, "rota_form_override"))
    assert {e["id"]: e.get("value") for e in form["body"] if "id" in e}["starts_time"] == "11:00"
    values = {
        "line": "first_line",
        "user": BOB.aad,
        "starts": "2026-11-25",
        "starts_time": "10:00",
        "ends": "2026-11-25",
        "ends_time": "12:00",
    }
    backwards = form_of(submit(teams_desk, LEAD, "rota_form_override", {**values, "ends_time": "09:00"}))
    assert "must end after it starts" in errors(backwards)["ends"]
    done = submit(teams_desk, LEAD, "rota_form_override", values)
    assert done["type"] == "message" and "1st line duty Wed 25 Nov 10:00 → Wed 25 Nov 12:00" in done["value"]
    assert teams_desk.runtime.deps.rota.on_duty(FIRST, at(25, 11, 11)) == BOB.aad


def test_my_requests_and_leave_cancels_a_request_and_leave(teams_desk: TeamsDesk) -> None:
    introduce(teams_desk, ALICE, BOB)
    request_alice_bob_swap(teams_desk)
    (request,) = pending(teams_desk, ALICE)
    listing = form_of(fetch(teams_desk, ALICE, "rota_form_manage"))
    words = str(listing["body"])
    assert "My pending requests" in words and "waiting for their answer" in words
    cancel = find_execute_submit(listing, "Cancel request")
    assert cancel == {"dialog": "rota_form_manage", "cancel": "request", "id": request.id}
    # only the one who asked may take it back
    bob = form_of(submit(teams_desk, BOB, "rota_form_manage", cancel))
    assert "Only Alice, who asked, can cancel this request." in str(bob["body"])
    assert pending(teams_desk, ALICE)
    bob_posts = len(teams_desk.posts_to(personal(BOB)))
    after = form_of(submit(teams_desk, ALICE, "rota_form_manage", cancel))
    assert "Request cancelled." in str(after["body"]) and "No requests waiting." in str(after["body"])
    assert not pending(teams_desk, ALICE)
    teams_desk.settle()
    assert len(teams_desk.posts_to(personal(BOB))) == bob_posts + 1  # Bob hears it was taken back
    # leave, taken back the same way: the shifts are Bob's again at once
    submit(teams_desk, BOB, "rota_form_leave", {"first_day": "2026-12-01", "last_day": "2026-12-02"})
    assert teams_desk.runtime.deps.rota.on_duty(FIRST, at(1)) == CAROL.aad
    take_back = find_execute_submit(form_of(fetch(teams_desk, BOB, "rota_form_manage")), "Cancel leave")
    assert "Leave cancelled." in str(form_of(submit(teams_desk, BOB, "rota_form_manage", take_back))["body"])
    assert teams_desk.runtime.deps.rota.on_duty(FIRST, at(1)) == BOB.aad


def find_execute_submit(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The data of the dialog's Action.Submit titled `title` (inside its ActionSet)."""
    for element in card["body"]:
        for action in element.get("actions", []):
            if action.get("title") == title:
                return dict(action["data"])
    raise LookupError(title)


def test_ask_for_cover_in_a_dialog(teams_desk: TeamsDesk) -> None:
    form = form_of(fetch(teams_desk, ALICE, "rota_form_cover"))
    shift = next(v for t, v in choices(form, "shift").items() if "Mon 14 Dec 09:00" in t)
    assert set(choices(form, "target").values()) == {BOB.aad, CAROL.aad}
    sent = submit(teams_desk, ALICE, "rota_form_cover", {"shift": shift, "target": CAROL.aad})
    assert sent["type"] == "message" and "to cover" in sent["value"]
    (request,) = pending(teams_desk, CAROL)
    card = request_card(request, LONDON, people=lambda key: TeamsPerson(key, None)).card
    assert "Done" in str(press(teams_desk, CAROL, card, "Accept").body["value"])
    assert teams_desk.runtime.deps.rota.on_duty(FIRST, at(15)) == CAROL.aad
    assert find_execute(card, "Decline")["data"] == {"request_id": request.id}


def test_a_declined_swap_changes_nothing(teams_desk: TeamsDesk) -> None:
    introduce(teams_desk, ALICE, BOB)
    request_alice_bob_swap(teams_desk)
    (request,) = pending(teams_desk, BOB)
    card = request_card(request, LONDON, people=lambda key: TeamsPerson(key, None)).card
    declined = press(teams_desk, BOB, card, "Decline").body
    assert "declined; the rota is unchanged" in str(declined["value"])
    assert teams_desk.runtime.deps.rota.on_duty(FIRST, at(1)) == BOB.aad and not pending(teams_desk, BOB)


@pytest.fixture
def approval(monkeypatch: pytest.MonkeyPatch) -> None:
    """A desk whose swaps need a lead's approval (set before teams_desk builds its config)."""
    plain = conftest.teams_config
    monkeypatch.setattr(conftest, "teams_config", lambda url: plain(url) + "swaps_need_approval: true\n")


def test_with_approval_required_only_a_lead_approves_or_rejects(approval: None, teams_desk: TeamsDesk) -> None:
    assert teams_desk.runtime.config.swaps_need_approval
    introduce(teams_desk, ALICE, BOB)
    request_alice_bob_swap(teams_desk)
    (request,) = pending(teams_desk, BOB)
    card = request_card(request, LONDON, people=lambda key: TeamsPerson(key, None)).card
    assert "a lead must approve" in str(press(teams_desk, BOB, card, "Accept").body["value"])
    assert teams_desk.runtime.deps.rota.on_duty(FIRST, at(1)) == BOB.aad
    (waiting,) = pending(teams_desk, ALICE)
    lead_card = approval_card(waiting, LONDON, people=lambda key: TeamsPerson(key, None)).card
    refused = press(teams_desk, BOB, lead_card, "Approve").body
    assert refused["value"] == "Only the support leads can approve or reject rota changes."
    assert "Done, the rota has changed" in str(press(teams_desk, LEAD, lead_card, "Approve").body["value"])
    assert teams_desk.runtime.deps.rota.on_duty(FIRST, at(1)) == ALICE.aad
    # a second request, rejected: nothing changes
    form = form_of(fetch(teams_desk, ALICE, "rota_form_swap"))
    mine = next(v for t, v in choices(form, "shift").items() if "Mon 04 Jan 09:00" in t)
    theirs = next(v for t, v in choices(form, "their_shift").items() if "Mon 11 Jan 09:00" in t)
    submit(teams_desk, ALICE, "rota_form_swap", {"shift": mine, "their_shift": theirs})
    (second,) = pending(teams_desk, BOB)
    press(teams_desk, BOB, request_card(second, LONDON, people=lambda key: TeamsPerson(key, None)).card, "Accept")
    (second,) = pending(teams_desk, ALICE)
    rejected = press(
        teams_desk, LEAD, approval_card(second, LONDON, people=lambda k: TeamsPerson(k, None)).card, "Reject"
    )
    assert "(lead) rejected it; the rota is unchanged" in str(rejected.body["value"])
    assert teams_desk.runtime.deps.rota.on_duty(FIRST, datetime(2027, 1, 5, 12, tzinfo=LONDON)) == ALICE.aad
