"""The real app over real HTTP: waitress on port 0, signed requests, a fake Slack Web API on loopback."""

from __future__ import annotations

import itertools
import json
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.app import Runtime, build_runtime
from bot.server import make_http_server, serve_in_background
from bot.settings import Settings
from handlers.slack.fake_api import TEAM, Call, FakeSlack
from handlers.slack.simulator import Reply, SlackSimulator, find_action
from services.clock import ManualClock

SECRET = "test-signing-secret"
_PRESSES = itertools.count(1)
TRIAGE = "C0TRIAGE"
RIYA, ALICE, BOB, DAN, ERIN, LEAD, ZOE = "U7RIYA", "U1ALICE", "U2BOB", "U4DAN", "U5ERIN", "U8LEAD", "U9ZOE"


def dm(user: str) -> str:
    """The DM channel id the fake Slack gives a user id."""
    return "D" + user[1:]


@dataclass
class Desk:
    """A running supportbot plus the people using it."""

    runtime: Runtime
    fake: FakeSlack
    sim: SlackSimulator
    clock: ManualClock
    base_url: str

    def get(self, path: str) -> Reply:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=5) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    def settle(self) -> None:
        """Wait until the outbox has delivered everything committed so far."""
        assert self.runtime.worker.wait_idle(10), "outbox worker did not go idle"

    def posts_to(self, channel: str) -> list[Call]:
        return [c for c in self.fake.calls_to("chat.postMessage") if c.channel == channel]

    def card(self, channel: str, ref: str) -> dict[str, Any]:
        """The latest message in `channel` about `ref`, as it looks now (after any updates).

        `ref` matches as a whole word, so SUP-1 is not found inside SUP-10.
        """
        about = re.compile(rf"(?<![\w-]){re.escape(ref)}(?![\w-])")
        for (chan, ts), message in sorted(self.fake.messages.items(), key=lambda kv: float(kv[0][1]), reverse=True):
            if chan == channel and about.search(str(message.get("text"))):
                return {**message, "ts": ts}
        raise LookupError(f"no message about {ref} in {channel}")

    def open_modal(self, user: str, text: str = "") -> dict[str, Any]:
        before = len(self.fake.calls_to("views.open"))
        reply = self.sim.command(user, text)
        assert reply.status == 200, reply
        view: dict[str, Any] = self.fake.wait_for_count("views.open", before + 1)[-1].args["view"]
        return view

    def open_ticket(
        self,
        user: str = RIYA,
        title: str = "VPN drops every few minutes",
        *,
        type: str = "technical_support",
        priority: str = "P2",
        description: str = "Disconnects every five minutes since this morning.",
    ) -> str:
        """Type /support, fill the modal, submit; returns the new ticket's reference."""
        view = self.open_modal(user, title)
        before = len(self.posts_to(TRIAGE))
        reply = self.sim.submit(
            user, view, {"title": title, "description": description, "type": type, "priority": priority}
        )
        assert reply.status == 200 and not reply.body, reply
        # Paced deliveries (1 a second per channel after a burst) may still be landing: wait for this
        # ticket's own announcement, the one post the triage channel did not have before.
        self.fake.wait_for(
            lambda calls: sum(c.method == "chat.postMessage" and c.channel == TRIAGE for c in calls) > before
        )
        self.settle()
        triage = self.posts_to(TRIAGE)[before]
        return str(triage.text.split(" ", 1)[0])

    def act(self, user: str, channel: str, ref: str, action_id: str, option: str | None = None) -> Reply:
        reply = self.sim.act(user, self.card(channel, ref), action_id, channel=channel, option=option)
        assert reply.status == 200, reply
        return reply

    def _block_action(self, user: str, action: dict[str, Any], where: dict[str, Any]) -> Reply:
        """Send a block_actions payload (`where`: the message or view it came from) as Slack would."""
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "support"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0SUPPORTBOT",
            "trigger_id": f"trigger-{action['action_id']}-{next(_PRESSES)}",
            **where,
            "actions": [{**action, "action_ts": "1.0"}],
        }
        reply = self.sim.send(urlencode({"payload": json.dumps(payload)}))
        assert reply.status == 200, reply
        return reply

    def pick_user(self, user: str, channel: str, ref: str, action_id: str, picked: str) -> Reply:
        """Pick `picked` in a users_select menu on a card that supportbot posted (e.g. "Reassign to...")."""
        message = self.card(channel, ref)
        block_id, element = find_action(message.get("blocks"), action_id)
        assert element["type"] == "users_select", element
        action = {"action_id": action_id, "block_id": block_id, "type": "users_select", "selected_user": picked}
        where = {
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
            "channel": {"id": channel},
            "message": message,
            "response_url": self.fake.response_url(f"pick-{next(_PRESSES)}"),
        }
        return self._block_action(user, action, where)

    def press_in_view(self, user: str, view: dict[str, Any], action_id: str, value: str) -> Reply:
        """Press the button with this action id and value in a modal (e.g. one row's "Cancel" among several)."""
        action = {"action_id": action_id, "block_id": "row", "type": "button", "value": value}
        view_id = view.get("id", "V0")
        where = {
            "container": {"type": "view", "view_id": view_id},
            "view": {**view, "id": view_id, "team_id": TEAM, "state": {"values": {}}},
        }
        return self._block_action(user, action, where)

    def ephemeral(self, count: int = 1) -> Call:
        """The latest reply sent to a response_url (what only the person who acted sees)."""
        return self.fake.wait_for_count("response_url", count)[-1]


@pytest.fixture
def desk(database_url: str, config_path: Path, clock: ManualClock) -> Iterator[Desk]:
    with FakeSlack() as fake:
        settings = Settings(
            bot_token="xoxb-test-token",
            signing_secret=SECRET,
            app_token=None,
            api_url=fake.api_url,
            database_url=database_url,
            config_path=config_path,
        )
        runtime = build_runtime(settings, clock=clock)
        runtime.worker.start()
        server = make_http_server(runtime, host="127.0.0.1", port=0, threads=8)
        serve_in_background(server)
        base = f"http://127.0.0.1:{server.effective_port}"
        try:
            yield Desk(runtime, fake, SlackSimulator(base + "/slack/events", SECRET, fake), clock, base)
        finally:
            server.close()
            runtime.close()
