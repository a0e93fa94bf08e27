"""One desk on Slack and Teams at once: people linked by email, each told on one platform (where known; where
both, where they last acted). Teams requester, Slack engineer: a ticket raised in Teams, acknowledged in Slack."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Runtime, build_runtime
from bot.demo.roster import RosterConnector, RosterEntry
from bot.server import make_http_server, serve_in_background
from bot.settings import Settings
from handlers.slack.fake_api import FakeSlack
from handlers.slack.ids import ActionId
from handlers.slack.simulator import SlackSimulator
from handlers.teams.simulator import TENANT, TeamsSimulator, TeamsUser
from services.clock import ManualClock
from storage.models import OutboxRow, PersonRow, RotationRow
from storage.people import SqlPeopleRepository
from tests.e2e.conftest import SECRET, dm
from tests.teams.conftest import APP_ID, RIYA, TEAM, personal

SLACK_TRIAGE = "C0TRIAGE"
TEAMS_TRIAGE = "19:triage@thread.tacv2"
DAN_SLACK = "U4DAN"
DAN = TeamsUser("aaaaaaaa-0000-4000-8000-0000000000d4", "Dan")  # the same human in Teams
DAN_EMAIL = "dan@example.gov"


def mixed_config(service_url: str) -> str:
    # Dan is named by email: Slack (users.lookupByEmail) and the Teams roster both know him by it.
    return f"""
ticket_prefix: SUP
timezone: Europe/London
working_hours: {{days: [mon, tue, wed, thu, fri], start: "08:00", end: "16:00"}}
channels: {{triage: {SLACK_TRIAGE}, digest: C0LEADS}}
leads: [U8LEAD]
teams:
  service_url: {service_url}
  team: "{TEAM}"
  channels: {{triage: "{TEAMS_TRIAGE}"}}
rotas:
  first_line:
    members: [{DAN_EMAIL.upper()}]
    rotation: weekly
    handover: "mon 09:00"
    start: 2026-11-02
  second_line:
    members: [U5ERIN]
    rotation: weekly
    handover: "mon 09:00"
    start: 2026-11-02
"""


@dataclass
class MixedDesk:
    runtime: Runtime
    slack: FakeSlack
    teams: RosterConnector
    slack_sim: SlackSimulator
    teams_sim: TeamsSimulator

    def settle(self) -> None:
        assert self.runtime.worker.wait_idle(10), "outbox worker did not go idle"

    def open_in_teams(self, title: str) -> str:
        data = {"title": title, "description": "Since this morning.", "type": "technical_support", "priority": "P2"}
        reply = self.teams_sim.invoke(RIYA, "task/submit", {"data": data})
        assert reply.status == 200 and reply.body["task"]["type"] == "message", reply
        self.settle()
        return str(reply.body["task"]["value"].split()[1])

    def teams_texts(self, conversation: str) -> list[str]:
        return [str(a.get("text", "")) for (where, _), a in self.teams.activities.items() if where == conversation]

    def slack_texts(self, channel: str) -> list[str]:
        return [m.get("text") or "" for (where, _), m in self.slack.messages.items() if where == channel]

    def slack_card(self, channel: str, ref: str) -> dict[str, object]:
        for (where, ts), message in sorted(self.slack.messages.items(), key=lambda kv: float(kv[0][1]), reverse=True):
            if where == channel and ref in str(message.get("text")):
                return {**message, "ts": ts}
        raise LookupError(f"no Slack message about {ref} in {channel}")


@pytest.fixture
def mixed(database_url: str, tmp_path: Path, clock: ManualClock) -> Iterator[MixedDesk]:
    roster = [RosterEntry(DAN.aad, "Dan", DAN_EMAIL), RosterEntry(RIYA.aad, "Riya", "riya@example.gov")]
    with FakeSlack() as slack, RosterConnector(roster) as teams:
        slack.directory = {DAN_EMAIL: DAN_SLACK}  # Riya is not in the Slack workspace
        config = tmp_path / "supportbot.yml"
        config.write_text(mixed_config(teams.service_url))
        settings = Settings(
            bot_token="xoxb-test-token",
            signing_secret=SECRET,
            app_token=None,
            api_url=slack.api_url,
            database_url=database_url,
            config_path=config,
            teams_app_id=APP_ID,
            teams_app_password="test-client-secret",
            teams_tenant_id=TENANT,
            teams_openid_metadata_url=teams.openid_metadata_url,
            teams_token_url=teams.token_url,
        )
        runtime = build_runtime(settings, clock=clock)
        runtime.worker.start()
        server = make_http_server(runtime, host="127.0.0.1", port=0, threads=8)
        serve_in_background(server)
        base = f"http://127.0.0.1:{server.effective_port}"
        try:
            yield MixedDesk(
                runtime,
                slack,
                teams,
                SlackSimulator(base + "/slack/events", SECRET, slack),
                TeamsSimulator(base + "/api/messages", teams, app_id=APP_ID),
            )
        finally:
            server.close()
            runtime.close()


def test_people_named_by_email_are_linked_to_slack_and_teams_at_start_up(mixed: MixedDesk) -> None:
    assert [c.args["email"] for c in mixed.slack.calls_to("users.lookupByEmail")] == [DAN_EMAIL]
    with mixed.runtime.sessions() as session:
        people = SqlPeopleRepository(session)
        assert people.find("slack", DAN_SLACK) == DAN_SLACK  # his key is his Slack id: Slack handlers need nothing new
        assert people.find("teams", DAN.aad, TENANT) == DAN_SLACK
        assert people.platforms(DAN_SLACK) == {"slack", "teams"}
        assert session.scalars(select(RotationRow.members)).all()[0][0] == DAN_SLACK


def test_a_ticket_raised_in_teams_is_acknowledged_in_slack_and_the_requester_hears_back_in_teams(
    mixed: MixedDesk,
) -> None:
    ref = mixed.open_in_teams("VPN drops every few minutes")
    # announced in both triage channels; Dan (never acted yet: his Slack id's Slack) gets the Slack card only
    assert any(ref in t for t in mixed.slack_texts(SLACK_TRIAGE))
    assert any(ref in t for t in mixed.teams_texts(TEAMS_TRIAGE))
    assert any(ref in t for t in mixed.slack_texts(dm(DAN_SLACK)))
    assert not mixed.teams_texts(personal(DAN))
    # Riya, known only in Teams, is confirmed there and never addressed in Slack
    assert any(ref in t for t in mixed.teams_texts(personal(RIYA)))
    with mixed.runtime.sessions() as session:
        slack_rows = session.scalars(select(OutboxRow.channel).where(OutboxRow.platform == "slack")).all()
    assert RIYA.aad not in slack_rows and set(slack_rows) <= {SLACK_TRIAGE, DAN_SLACK}

    puts_before = len(mixed.teams.calls_to("PUT", f"/v3/conversations/{personal(RIYA)}/activities/"))
    reply = mixed.slack_sim.act(
        DAN_SLACK, mixed.slack_card(dm(DAN_SLACK), ref), ActionId.ACKNOWLEDGE, channel=dm(DAN_SLACK)
    )
    assert reply.status == 200, reply
    # Slack's action is worked after the ack: wait for its edit of the requester's card to reach Teams
    edited = f"/v3/conversations/{personal(RIYA)}/activities/"
    mixed.teams.wait_for(lambda calls: sum(c.method == "PUT" and edited in c.path for c in calls) > puts_before)
    mixed.settle()
    # the requester's Teams card was edited in place (no second card) and says what happened
    riya_cards = [
        a for (where, _), a in mixed.teams.activities.items() if where == personal(RIYA) and a.get("attachments")
    ]
    assert len(riya_cards) == 1 and "Under investigation" in str(riya_cards[0])
    assert "Under investigation" in str(
        [a for (where, _), a in mixed.teams.activities.items() if where == TEAMS_TRIAGE]
    )


def test_someone_on_both_platforms_is_told_where_they_last_acted(mixed: MixedDesk, clock: ManualClock) -> None:
    assert mixed.teams_sim.message(DAN, "mine").status == 200  # Dan acts in Teams
    mixed.settle()
    with mixed.runtime.sessions() as session:
        assert session.get_one(PersonRow, DAN_SLACK).last_platform == "teams"
    first = mixed.open_in_teams("Printer on fire")
    assert any(first in t for t in mixed.teams_texts(personal(DAN)))  # his card comes to Teams...
    assert not any(first in t for t in mixed.slack_texts(dm(DAN_SLACK)))  # ...and not to Slack

    assert mixed.slack_sim.command(DAN_SLACK, "help").status == 200  # now he acts in Slack
    mixed.settle()
    second = mixed.open_in_teams("Projector smoking")
    assert any(second in t for t in mixed.slack_texts(dm(DAN_SLACK)))
    assert not any(second in t for t in mixed.teams_texts(personal(DAN)))
    with mixed.runtime.sessions() as session:
        assert session.get_one(PersonRow, DAN_SLACK).last_platform == "slack"


def test_a_refused_request_changes_nobodys_last_used_platform(mixed: MixedDesk) -> None:
    forged = mixed.teams_sim.send(mixed.teams_sim.activity(DAN, "message", text="mine"), token="not-a-token")
    assert forged.status == 401
    with mixed.runtime.sessions() as session:
        assert session.get_one(PersonRow, DAN_SLACK).last_platform is None
