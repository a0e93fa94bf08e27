"""Sends what Slack sends: signed slash commands, button clicks and modal submissions, over real HTTP.

Used by `supportbot demo`, the end-to-end tests and the benchmark, so all three exercise the same
path as production traffic: signature check, Bolt routing, ack, then the work.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from handlers.slack.fake_api import TEAM, FakeSlack

# How Slack reports a picker's choice in view_submission state, by element type.
PICKED = {
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "datepicker": "selected_date",
    "datetimepicker": "selected_date_time",
}


@dataclass
class Reply:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        """The message in an ack: Bolt answers `ack(text=...)` with plain text, richer acks with JSON."""
        if self.body.startswith("{"):
            return str(self.json().get("text", ""))
        return self.body


def _interaction(kind: str, user: str) -> dict[str, Any]:
    """The part every interactive payload shares: its type, the workspace, the person and the app."""
    return {
        "type": kind,
        "team": {"id": TEAM, "domain": "support"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0SUPPORTBOT",
    }


def find_action(blocks: list[dict[str, Any]] | None, action_id: str) -> tuple[str, dict[str, Any]]:
    """The (block_id, element) of the action with this id in a message's blocks."""
    for block in blocks or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return block.get("block_id", ""), element
    raise LookupError(f"no action {action_id!r} in these blocks")


class SlackSimulator:
    def __init__(self, events_url: str, signing_secret: str, fake: FakeSlack) -> None:
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.fake = fake
        self._ids = itertools.count(1)

    # -- transport ------------------------------------------------------------------------

    def send(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """POST a body signed as Slack signs it (or with the signature/timestamp given, to test refusals)."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signed = SignatureVerifier(self.signing_secret).generate_signature(timestamp=stamp, body=body)
        request = urllib.request.Request(
            self.events_url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": (signed or "") if signature is None else signature,
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    def _interactive(self, payload: dict[str, Any]) -> Reply:
        return self.send(urlencode({"payload": json.dumps(payload)}))

    # -- what people do -------------------------------------------------------------------

    def command(self, user: str, text: str = "", *, channel: str = "C0GENERAL", command: str = "/support") -> Reply:
        n = next(self._ids)
        return self.send(
            urlencode(
                {
                    "token": "legacy-unused",
                    "team_id": TEAM,
                    "team_domain": "support",
                    "channel_id": channel,
                    "channel_name": "general",
                    "user_id": user,
                    "user_name": user.lower(),
                    "command": command,
                    "text": text,
                    "api_app_id": "A0SUPPORTBOT",
                    "response_url": self.fake.response_url(f"command-{n}"),
                    "trigger_id": f"trigger-command-{n}",
                }
            )
        )

    def submit(self, user: str, view: dict[str, Any], values: Mapping[str, Any]) -> Reply:
        """Submit a modal as opened (view as passed to views.open), filling inputs by block id."""
        state: dict[str, dict[str, Any]] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            value = values.get(block["block_id"])
            if element["type"] == "static_select":
                chosen = next((o for o in element["options"] if o["value"] == value), None)
                entry: dict[str, Any] = {"type": "static_select", "selected_option": chosen}
            elif element["type"] in PICKED:  # users, dates, times: Slack's own key for each
                entry = {"type": element["type"], PICKED[element["type"]]: value}
            else:
                entry = {"type": element["type"], "value": value}
            state[block["block_id"]] = {element["action_id"]: entry}
        n = next(self._ids)
        return self._interactive(
            {
                **_interaction("view_submission", user),
                "trigger_id": f"trigger-view-{n}",
                "view": {**view, "id": f"V-submitted-{n}", "team_id": TEAM, "state": {"values": state}},
                "response_urls": [],
            }
        )

    def act(
        self, user: str, message: dict[str, Any], action_id: str, *, channel: str, option: str | None = None
    ) -> Reply:
        """Click a button (or pick `option` in a menu) on a message that supportbot posted."""
        block_id, element = find_action(message.get("blocks"), action_id)
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": element["type"],
            "action_ts": "1.0",
        }
        if element["type"] == "static_select":
            chosen = next((o for o in element["options"] if o["value"] == option or o["text"]["text"] == option), None)
            if chosen is None:
                raise LookupError(f"no option {option!r} in {action_id}")
            action["selected_option"] = chosen
        else:
            action["value"] = element.get("value")
            action["text"] = element.get("text")
        n = next(self._ids)
        return self._interactive(
            {
                **_interaction("block_actions", user),
                "container": {"type": "message", "message_ts": message.get("ts", "1.0"), "channel_id": channel},
                "channel": {"id": channel},
                "message": message,
                "trigger_id": f"trigger-action-{n}",
                "response_url": self.fake.response_url(f"action-{n}"),
                "actions": [action],
            }
        )

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None) -> Reply:
        """Deliver an Events API callback (e.g. app_home_opened); a retry repeats the event_id with the
        X-Slack-Retry-Num header, as Slack does when it did not get a 200 in time."""
        n = next(self._ids)
        body = {
            "token": "legacy-unused",
            "team_id": TEAM,
            "api_app_id": "A0SUPPORTBOT",
            "event": {"event_ts": f"{1_700_000_000 + n}.000100", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{n:08d}",
            "event_time": 1_700_000_000 + n,
            "authorizations": [{"team_id": TEAM, "user_id": "U0SUPPORTBOT", "is_bot": True}],
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.send(json.dumps(body), content_type="application/json", headers=headers)

    def act_in_view(self, user: str, view: dict[str, Any], action_id: str) -> Reply:
        """Press a button inside a modal or the Home tab (as shown by views.open/push/publish)."""
        block_id, element = find_action(view.get("blocks"), action_id)
        n = next(self._ids)
        return self._interactive(
            {
                **_interaction("block_actions", user),
                "container": {"type": "view", "view_id": view.get("id", "V0")},
                "view": {**view, "id": view.get("id", "V0"), "team_id": TEAM, "state": {"values": {}}},
                "trigger_id": f"trigger-action-{n}",
                "actions": [
                    {
                        "action_id": action_id,
                        "block_id": block_id,
                        "type": element["type"],
                        "value": element.get("value"),
                        "action_ts": "1.0",
                    }
                ],
            }
        )
