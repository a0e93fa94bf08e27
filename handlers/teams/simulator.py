"""Sends activities to `POST /api/messages` as Teams does: signed RS256 by the fake's key, claims as the Bot
Framework sets them (iss, aud = the app id, serviceurl), shaped like real message and invoke activities."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt

from handlers.teams.fake_connector import FakeConnector

TENANT = "00000000-0000-4000-8000-00000000a11c"
_IDS = itertools.count(1)


@dataclass
class Reply:
    status: int
    body: Any


@dataclass(frozen=True)
class TeamsUser:
    aad: str
    name: str

    @property
    def id(self) -> str:
        return f"29:{self.aad}"


class TeamsSimulator:
    def __init__(self, endpoint: str, fake: FakeConnector, *, app_id: str) -> None:
        self.endpoint = endpoint
        self.fake = fake
        self.app_id = app_id

    def token(
        self,
        *,
        service_url: str | None = None,
        audience: str | None = None,
        issuer: str | None = None,
        expires_in: int = 3600,
        key: Any = None,
        kid: str | None = None,
    ) -> str:
        now = int(time.time())  # tokens are checked against the real clock by the SDK's validator
        claims = {
            "iss": issuer or "https://api.botframework.com",
            "aud": audience or self.app_id,
            "serviceurl": service_url or self.fake.service_url,
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + expires_in,
        }
        return jwt.encode(
            claims, key or self.fake.key.pem, algorithm="RS256", headers={"kid": kid or self.fake.key.kid}
        )

    def activity(
        self, user: TeamsUser, kind: str, *, conversation: str | None = None, channel: bool = False, **fields: Any
    ) -> dict[str, Any]:
        conversation_id = conversation or f"a:personal-{user.id}"
        return {
            "type": kind,
            "id": f"in-{next(_IDS)}",
            "channelId": "msteams",
            "serviceUrl": self.fake.service_url,
            "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
            "recipient": {"id": f"28:{self.app_id}", "name": "supportbot"},
            "conversation": {
                "id": conversation_id,
                "conversationType": "channel" if channel else "personal",
                "tenantId": TENANT,
            },
            "channelData": {"tenant": {"id": TENANT}},
            **fields,
        }

    def send(self, activity: dict[str, Any], *, token: str | None = None, authorization: str | None = None) -> Reply:
        data = json.dumps(activity).encode()
        request = urllib.request.Request(self.endpoint, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        auth = authorization if authorization is not None else f"Bearer {token or self.token()}"
        if auth:
            request.add_header("Authorization", auth)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return Reply(response.status, json.loads(raw) if raw else None)
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    def message(self, user: TeamsUser, text: str, **kw: Any) -> Reply:
        return self.send(self.activity(user, "message", text=text), **kw)

    def invoke(self, user: TeamsUser, name: str, value: dict[str, Any], **kw: Any) -> Reply:
        return self.send(self.activity(user, "invoke", name=name, value=value), **kw)

    def press(self, user: TeamsUser, card: dict[str, Any], title: str, inputs: dict[str, str] | None = None) -> Reply:
        """Press the Action.Execute titled `title` (looking inside ShowCards), with inputs typed, as Teams would."""
        action = find_execute(card, title)
        data = {**action.get("data", {}), **(inputs or {})}
        value = {"action": {"type": "Action.Execute", "verb": action["verb"], "data": data}, "trigger": "manual"}
        return self.invoke(user, "adaptiveCard/action", value)


def find_execute(card: dict[str, Any], title: str) -> dict[str, Any]:
    for action in card.get("actions", []):
        if action.get("type") == "Action.Execute" and action.get("title") == title:
            return dict(action)
        if action.get("type") == "Action.ShowCard":
            try:
                return find_execute(action["card"], title)
            except LookupError:
                pass
    raise LookupError(f"no Action.Execute titled {title!r}")
