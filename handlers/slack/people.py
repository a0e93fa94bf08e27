"""Slack's side of one desk across platforms: who an email is in Slack (users.lookupByEmail), and who acted in a
request to /slack/events (for the last-used platform)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

PLATFORM = "slack"


class SlackDirectory:
    """Slack users by email, through the Web API (scope users:read.email)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def user_by_email(self, email: str) -> str | None:
        """The Slack user id with this email, or None when the workspace has nobody by it."""
        try:
            answer = self.client.users_lookupByEmail(email=email)
        except SlackApiError as error:
            if error.response.get("error") == "users_not_found":
                return None
            raise LookupError(f"users.lookupByEmail failed: {error.response.get('error')}") from None
        user: Any = answer.get("user") or {}
        return str(user["id"]) if user.get("id") else None


def slack_actor(body: bytes, content_type: str) -> str | None:
    """The user id of whoever acted in a Slack request (a command, an interaction or an event), if it names one."""
    try:
        if "json" in content_type:
            data: Any = json.loads(body or b"{}")
            event = data.get("event") if isinstance(data, dict) else None
            user = event.get("user") if isinstance(event, dict) else None
            return user if isinstance(user, str) and user else None
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
    except (ValueError, UnicodeDecodeError):
        return None
    if "payload" in form:  # interactivity: block actions, view submissions, shortcuts
        try:
            payload = json.loads(form["payload"])
        except ValueError:
            return None
        user = payload.get("user") if isinstance(payload, dict) else None
        found = user.get("id") if isinstance(user, dict) else None
        return found if isinstance(found, str) and found else None
    return form.get("user_id") or None  # a slash command
