"""Socket Mode: with SLACK_APP_TOKEN the same app takes slash commands over a WebSocket instead of HTTP."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from websockets.sync.server import ServerConnection, serve

from bot.app import build_runtime
from bot.settings import Settings
from handlers.slack.fake_api import FakeSlack
from services.clock import ManualClock
from tests.e2e.conftest import RIYA


class FakeSocketModeServer:
    """Slack's side of a Socket Mode connection: says hello, sends envelopes, collects the acks."""

    def __init__(self) -> None:
        self.outgoing: queue.Queue[dict[str, object]] = queue.Queue()
        self.acks: queue.Queue[dict[str, object]] = queue.Queue()
        self.stopping = threading.Event()
        self.server = serve(self._session, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link/?ticket=test"

    def _session(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        while not self.stopping.is_set():
            try:
                envelope = self.outgoing.get(timeout=0.1)
            except queue.Empty:
                continue
            connection.send(json.dumps(envelope))
            self.acks.put(json.loads(connection.recv(timeout=10)))


@pytest.fixture
def socket_server() -> Iterator[FakeSocketModeServer]:
    server = FakeSocketModeServer()
    server.thread.start()
    yield server
    server.stopping.set()
    server.server.shutdown()


def test_a_slash_command_over_socket_mode_is_acked_and_opens_the_modal(
    database_url: str, config_path: Path, clock: ManualClock, socket_server: FakeSocketModeServer
) -> None:
    with FakeSlack() as fake:
        fake.socket_mode_url = socket_server.url
        settings = Settings("xoxb-test", None, "xapp-1-test", fake.api_url, database_url, config_path)
        runtime = build_runtime(settings, clock=clock)  # no signing secret needed in Socket Mode
        handler = SocketModeHandler(runtime.app, settings.app_token)
        try:
            handler.connect()
            socket_server.outgoing.put(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": {
                        "command": "/support",
                        "text": "Laptop fan is loud",
                        "user_id": RIYA,
                        "channel_id": "C0GENERAL",
                        "team_id": "T0SUPPORT",
                        "trigger_id": "trigger-socket-1",
                        "api_app_id": "A0SUPPORTBOT",
                        "response_url": fake.response_url("socket-1"),
                    },
                }
            )
            assert socket_server.acks.get(timeout=10)["envelope_id"] == "env-1"
            opened = fake.wait_for_count("views.open", 1)[0].args
            assert opened["trigger_id"] == "trigger-socket-1"
            title = next(b for b in opened["view"]["blocks"] if b.get("block_id") == "title")
            assert title["element"]["initial_value"] == "Laptop fan is loud"
            assert [c.args.get("token") or c.token for c in fake.calls_to("apps.connections.open")] == ["xapp-1-test"]
        finally:
            handler.close()
            runtime.close()
