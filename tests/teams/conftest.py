"""A Teams desk over real HTTP: waitress on port 0, activities signed with a local key, a fake Bot Connector."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import Runtime, build_runtime
from bot.demo.teams_act import TEAM as DEMO_TEAM
from bot.demo.teams_act import teams_demo_config
from bot.server import make_http_server, serve_in_background
from bot.settings import Settings
from handlers.teams.fake_connector import Call, FakeConnector
from handlers.teams.simulator import TeamsSimulator, TeamsUser
from services.clock import ManualClock

APP_ID = "11111111-2222-4333-8444-555555555555"
TRIAGE = "19:triage@thread.tacv2"
DIGEST = "19:leads@thread.tacv2"
TEAM = DEMO_TEAM  # the team whose roster the bot reads
ALICE = TeamsUser("aaaaaaaa-0000-4000-8000-000000000001", "Alice")  # 1st line on duty (the rota's 4th week)
BOB = TeamsUser("aaaaaaaa-0000-4000-8000-000000000002", "Bob")
CAROL = TeamsUser("aaaaaaaa-0000-4000-8000-000000000003", "Carol")
DAN = TeamsUser("aaaaaaaa-0000-4000-8000-000000000004", "Dan")
ERIN = TeamsUser("aaaaaaaa-0000-4000-8000-000000000005", "Erin")
LEAD = TeamsUser("aaaaaaaa-0000-4000-8000-000000000008", "Lee")
RIYA = TeamsUser("bbbbbbbb-0000-4000-8000-000000000007", "Riya")  # staff: not on the rota
ZOE = TeamsUser("bbbbbbbb-0000-4000-8000-000000000009", "Zoe")  # staff: an outsider to Riya's tickets


def teams_config(service_url: str) -> str:
    """The demo's Teams desk (bot/demo/teams_act.py), as the Slack tests use bot/demo/demo.yml."""
    return teams_demo_config(service_url)


@dataclass
class TeamsDesk:
    runtime: Runtime
    fake: FakeConnector
    sim: TeamsSimulator
    clock: ManualClock

    def settle(self) -> None:
        assert self.runtime.worker.wait_idle(10), "outbox worker did not go idle"

    def posts_to(self, conversation: str) -> list[Call]:
        return [
            c for c in self.fake.calls_to("POST", f"/v3/conversations/{conversation}/activities") if c.status == 200
        ]

    def card_in(self, conversation: str, ref: str) -> dict[str, Any]:
        """The card about `ref` in a conversation, as it looks now (after any edits)."""
        for (where, _), activity in reversed(list(self.fake.activities.items())):
            about = str(activity.get("text", "")).startswith((ref + " ", f"Your ticket {ref} "))
            if where == conversation and about and activity.get("attachments"):
                return dict(activity["attachments"][0]["content"])
        raise LookupError(f"no card about {ref} in {conversation}")

    def open_ticket(
        self,
        user: TeamsUser = RIYA,
        title: str = "VPN drops every few minutes",
        *,
        type: str = "technical_support",
        priority: str = "P2",
        description: str = "Disconnects every five minutes since this morning.",
    ) -> str:
        reply = self.sim.invoke(
            user,
            "task/submit",
            {"data": {"title": title, "description": description, "type": type, "priority": priority}},
        )
        assert reply.status == 200, reply
        assert reply.body["task"]["type"] == "message", reply.body
        self.settle()
        return str(reply.body["task"]["value"].split()[1])


def personal(user: TeamsUser) -> str:
    """The 1:1 conversation id the fake connector gives a person."""
    return f"a:personal-{user.id}"


@pytest.fixture
def teams_desk(database_url: str, tmp_path: Path, clock: ManualClock) -> Iterator[TeamsDesk]:
    with FakeConnector() as fake:
        config = tmp_path / "supportbot.yml"
        config.write_text(teams_config(fake.service_url))
        settings = Settings(
            bot_token=None,
            signing_secret=None,
            app_token=None,
            api_url=None,
            database_url=database_url,
            config_path=config,
            teams_app_id=APP_ID,
            teams_app_password="test-client-secret",
            teams_tenant_id="00000000-0000-4000-8000-00000000a11c",
            teams_openid_metadata_url=fake.openid_metadata_url,
            teams_token_url=fake.token_url,
        )
        runtime = build_runtime(settings, clock=clock)
        runtime.worker.start()
        server = make_http_server(runtime, host="127.0.0.1", port=0, threads=8)
        serve_in_background(server)
        base = f"http://127.0.0.1:{server.effective_port}"
        try:
            yield TeamsDesk(runtime, fake, TeamsSimulator(base + "/api/messages", fake, app_id=APP_ID), clock)
        finally:
            server.close()
            runtime.close()
