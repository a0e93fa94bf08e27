"""The fake Bot Connector with a team roster: members answered by AAD object id or email (UPN), as Teams does.

handlers/teams/fake_connector.py answers any member lookup with the id it was asked; a desk on both platforms
links people by email, so the demo and the mixed-desk tests need a roster that knows who has which email.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from handlers.teams.fake_connector import FakeConnector


@dataclass(frozen=True)
class RosterEntry:
    aad: str
    name: str
    email: str


class RosterConnector(FakeConnector):
    def __init__(self, roster: list[RosterEntry] | None = None) -> None:
        super().__init__()
        self.roster = list(roster or [])

    def _route(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        parts = path.split("?")[0].strip("/").split("/")
        if method == "GET" and parts[:3] == ["teams", "v3", "conversations"] and parts[4:5] == ["members"]:
            who = unquote(parts[5]).lower() if len(parts) == 6 else ""
            for entry in self.roster:
                if who in (entry.aad, entry.email):
                    member = {"id": f"29:{entry.aad}", "aadObjectId": entry.aad, "name": entry.name}
                    return 200, {**member, "email": entry.email, "userPrincipalName": entry.email}
            return 404, {"error": {"code": "MemberNotFoundInConversation"}}
        return super()._route(method, path, body)
