"""Audit gaps closed over signed HTTP: "nobody on duty" alerts the leads when a ticket arrives, and the
Slack *Ask for cover* form runs end to end (request -> DM -> accept -> `who` changes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from handlers.slack.simulator import find_action
from rota.roster import Leave
from rota.rotation import SupportLine
from storage.models import TicketRow
from tests.conftest import LONDON
from tests.e2e.conftest import ALICE, BOB, LEAD, Desk, dm
from tests.e2e.test_rota_slack import CAROL, audit_actions, open_form, options, press, submit, who


def test_a_ticket_arriving_when_nobody_is_on_first_line_alerts_the_leads_with_its_buttons(desk: Desk) -> None:
    now = desk.clock.now()
    with desk.runtime.deps.unit_of_work() as uow:  # all of 1st line away this week
        for user in (ALICE, BOB, CAROL):
            uow.rota_repo.add_leave(
                Leave(user, now - timedelta(hours=1), now + timedelta(days=7)), actor_id=LEAD, now=now
            )
    assert desk.runtime.deps.rota.on_duty(SupportLine.FIRST, now) is None

    ref = desk.open_ticket()
    (alert,) = [c for c in desk.posts_to(LEAD) if ref in c.text]
    assert "Nobody is on duty for 1st line" in alert.text
    find_action(alert.args["blocks"], "ticket_acknowledge")  # a lead can take it from the alert
    with desk.runtime.sessions() as session:
        assert session.scalars(select(TicketRow.assignee_id)).one() is None


def test_a_member_asks_for_cover_in_slack_and_the_rota_changes_when_it_is_accepted(desk: Desk) -> None:
    monday = datetime(2026, 12, 1, 12, tzinfo=LONDON)  # inside Bob's shift from Mon 30 Nov
    assert desk.runtime.deps.rota.on_duty(SupportLine.FIRST, monday) == BOB

    form = open_form(desk, BOB, "rota_form_cover")
    shift = next(v for v in options(form, "shift") if "2026-11-30T09:00" in v)
    told = submit(desk, BOB, form, {"shift": shift, "target": CAROL})
    assert "I have asked <@U3CAROL> to cover" in told
    assert desk.runtime.deps.rota.on_duty(SupportLine.FIRST, monday) == BOB  # nothing until Carol answers

    ask = desk.card(dm(CAROL), "asks you to cover")
    assert "<@U2BOB>" in ask["text"]
    assert "Done" in press(desk, CAROL, dm(CAROL), "asks you to cover", "rota_request_accept")
    assert desk.runtime.deps.rota.on_duty(SupportLine.FIRST, monday) == CAROL
    assert "rota has changed" in desk.posts_to(BOB)[-1].text
    assert "<@U3CAROL> (covering for <@U2BOB>)" in who(desk, "who 1st 2026-12-01")
    assert audit_actions(desk) == ["rota_cover_requested", "rota_request_accepted"]


# -- dates beyond what datetime arithmetic reaches are refused politely, not crashed on ----------------------

FAR = "9999-12-31"


def test_who_on_a_far_future_day_is_refused_politely(desk: Desk) -> None:
    answer = who(desk, f"who {FAR}")
    assert "went wrong" not in answer and "1900" in answer


def test_leave_in_a_far_future_year_comes_back_in_the_form(desk: Desk) -> None:
    form = open_form(desk, BOB, "rota_form_leave")
    answer = desk.sim.submit(BOB, form, {"first_day": "9999-12-30", "last_day": FAR}).json()
    assert answer["response_action"] == "errors" and "1900" in str(answer["errors"])
    desk.settle()
    assert desk.runtime.deps.rota.leave == ()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, config_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SUPPORTBOT_CONFIG", str(config_path))


@pytest.mark.parametrize(
    "args",
    [
        ["who", "--at", f"{FAR}T12:00Z"],
        ["leave", "--user", BOB, "--from", "9999-12-30", "--to", FAR],
        ["override", "--line", "first_line", "--user", BOB, "--from", "9999-12-30T00:00Z", "--to", f"{FAR}T00:00Z"],
    ],
)
def test_the_cli_refuses_far_dates_with_status_2(
    cli_env: None, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    status = main(["rota", *args])
    _out, err = capsys.readouterr()
    assert status == 2 and "1900" in err


def test_an_import_with_far_dates_names_the_line(
    cli_env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    far = tmp_path / "far.yml"
    far.write_text(f"leave:\n- {{user: {BOB}, from: '9999-12-30', to: '{FAR}'}}\n")
    status = main(["rota", "import", str(far)])
    _out, err = capsys.readouterr()
    assert status == 2 and "far.yml:2" in err and "1900" in err
