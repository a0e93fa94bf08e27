"""Reading Slack payloads into plain values; a malformed payload becomes a TriageError, not a crash."""

from __future__ import annotations

import json
from typing import Any

from triage.errors import TriageError


class StaleAction(TriageError):
    pass


def user_id(body: dict[str, Any]) -> str:
    return str(body.get("user", {}).get("id") or body.get("user_id") or "")


def action_value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    action = actions[0]
    value = action.get("value") or (action.get("selected_option") or {}).get("value")
    if not value:
        raise StaleAction("That button is out of date; use `/support status` to see the ticket.")
    return str(value)


def action_ticket_id(body: dict[str, Any]) -> int:
    value = action_value(body).split(":", 1)[0]
    if not value.isdigit():
        raise StaleAction("That button is out of date; use `/support status` to see the ticket.")
    return int(value)


def form_values(view: dict[str, Any]) -> dict[str, str | None]:
    """Each input block's value by block id: text inputs' text, selects' chosen value."""
    values: dict[str, str | None] = {}
    for block_id, elements in (view.get("state", {}).get("values") or {}).items():
        element: dict[str, Any] = elements.get("value") or next(iter(elements.values()), {})
        if element.get("type") == "static_select":
            values[block_id] = (element.get("selected_option") or {}).get("value")
        else:
            values[block_id] = element.get("value")
    return values


def private_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def metadata_ticket_id(view: dict[str, Any]) -> int:
    ticket_id = private_metadata(view).get("ticket_id")
    if not isinstance(ticket_id, int):
        raise StaleAction("That form is out of date; please start again from the ticket.")
    return ticket_id
