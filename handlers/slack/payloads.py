"""Reading Slack payloads into plain values; a malformed payload becomes a TriageError, not a crash.

Every reader takes whatever arrived (a signed request can still carry any JSON), so a missing key, a
list where a dict belongs, or a number no table can hold ends as "that button is out of date".
"""

from __future__ import annotations

import json
import re
from typing import Any

from triage.errors import TriageError

LARGEST_TICKET_ID = 2**31 - 1  # ids are `integer` columns: anything bigger would fail in the query
# C0 and C1 controls other than tab and newline: PostgreSQL refuses NUL in text, the rest only garble cards.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class StaleAction(TriageError):
    pass


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def ticket_number(text: str) -> int:
    """A ticket id as written in a button value; ValueError (like int()) unless it could be a stored id."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10) or not 0 < int(text) <= LARGEST_TICKET_ID:
        raise ValueError(f"not a ticket number: {text[:20]!r}")
    return int(text)


def user_id(body: dict[str, Any]) -> str:
    return _text(_dict(body.get("user")).get("id")) or _text(body.get("user_id")) or ""


def action_value(body: dict[str, Any]) -> str:
    actions = body.get("actions")
    action = _dict(actions[0] if isinstance(actions, list) and actions else None)
    value = _text(action.get("value")) or _text(_dict(action.get("selected_option")).get("value"))
    if not value:
        raise StaleAction("That button is out of date; use `/support status` to see the ticket.")
    return value


def action_ticket_id(body: dict[str, Any]) -> int:
    try:
        return ticket_number(action_value(body).split(":", 1)[0])
    except ValueError:
        raise StaleAction("That button is out of date; use `/support status` to see the ticket.") from None


def form_values(view: dict[str, Any]) -> dict[str, str | None]:
    """Each input block's value by block id: text inputs' text (control characters dropped), selects' choice."""
    values: dict[str, str | None] = {}
    for block_id, elements in _dict(_dict(_dict(view).get("state")).get("values")).items():
        elements = _dict(elements)
        element = _dict(elements.get("value") or next(iter(elements.values()), None))
        if element.get("type") == "static_select":
            values[block_id] = _text(_dict(element.get("selected_option")).get("value"))
        else:
            text = _text(element.get("value"))
            values[block_id] = _CONTROL.sub("", text) if text is not None else None
    return values


def private_metadata(view: dict[str, Any]) -> dict[str, Any]:
    raw = _dict(view).get("private_metadata")
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, a number too long to read, or nested too deep
        return {}
    return _dict(data)


def metadata_ticket_id(view: dict[str, Any]) -> int:
    ticket_id = private_metadata(view).get("ticket_id")
    if type(ticket_id) is not int or not 0 < ticket_id <= LARGEST_TICKET_ID:  # bool is an int, but no ticket
        raise StaleAction("That form is out of date; please start again from the ticket.")
    return ticket_id
