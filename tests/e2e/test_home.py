"""The App Home tab over real HTTP: published on app_home_opened, once per event id, retried after a failure."""

from __future__ import annotations

import time

from sqlalchemy import select

from storage.models import InboundEventRow
from tests.e2e.conftest import ALICE, Desk

HOME_OPENED = {"type": "app_home_opened", "user": ALICE, "channel": "D1ALICE", "tab": "home"}


def statuses(desk: Desk) -> dict[str, str]:
    with desk.runtime.sessions() as session:
        return {row.event_id: row.status for row in session.scalars(select(InboundEventRow))}


def claims_become(desk: Desk, expected: dict[str, str]) -> None:
    """The claim is written just after the Slack call it guards: poll the table briefly until it settles."""
    deadline = time.monotonic() + 10
    while (seen := statuses(desk)) != expected:
        assert time.monotonic() < deadline, f"inbound_events is {seen}, expected {expected}"
        time.sleep(0.02)


def test_app_home_opened_publishes_my_tickets_shifts_and_the_rota(desk: Desk) -> None:
    ref = desk.open_ticket(ALICE, "Laptop fan is loud")  # Alice is on 1st line, so it is hers too
    reply = desk.sim.event(HOME_OPENED, event_id="Ev0HOME1")
    assert reply.status == 200
    (call,) = desk.fake.wait_for_count("views.publish", 1)
    assert call.args["user_id"] == ALICE
    view = call.args["view"]
    assert view["type"] == "home"
    text = str(view["blocks"])
    assert ref in text and "Laptop fan is loud" in text
    assert "Your next shifts" in text and "1st line: Tue 24 Nov 10:00 → Mon 30 Nov 09:00" in text
    assert "1st line: <@U1ALICE> until Mon 30 Nov 09:00; next <@U2BOB>" in text
    assert "rota_open" in text
    claims_become(desk, {"Ev0HOME1": "done"})


def test_a_retried_event_does_not_publish_twice(desk: Desk) -> None:
    desk.sim.event(HOME_OPENED, event_id="Ev0HOME2")
    desk.fake.wait_for_count("views.publish", 1)
    claims_become(desk, {"Ev0HOME2": "done"})
    assert desk.sim.event(HOME_OPENED, event_id="Ev0HOME2", retry_num=1).status == 200
    assert desk.sim.event(HOME_OPENED, event_id="Ev0HOME2", retry_num=2).status == 200
    desk.sim.event(HOME_OPENED, event_id="Ev0HOME3")  # a new opening of the tab is a new event: published
    desk.fake.wait_for_count("views.publish", 2)
    claims_become(desk, {"Ev0HOME2": "done", "Ev0HOME3": "done"})
    assert len(desk.fake.calls_to("views.publish")) == 2


def test_an_event_whose_first_attempt_failed_is_processed_on_retry(desk: Desk) -> None:
    desk.fake.fail_next("views.publish", status=200, error="internal_error")  # ok=false: the client does not retry
    desk.sim.event(HOME_OPENED, event_id="Ev0HOME4")
    desk.fake.wait_for_count("views.publish!failed", 1)
    claims_become(desk, {})  # the claim is released
    assert desk.fake.calls_to("views.publish") == []
    desk.sim.event(HOME_OPENED, event_id="Ev0HOME4", retry_num=1)
    desk.fake.wait_for_count("views.publish", 1)
    claims_become(desk, {"Ev0HOME4": "done"})
