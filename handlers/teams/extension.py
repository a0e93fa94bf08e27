"""The message extension's "New ticket" action: composeExtension/fetchTask opens the new-ticket dialog (on a
message: title = its first line, description = its text), composeExtension/submitAction opens the ticket with the
message's author as its requester, as Slack's message shortcut does (errors come back in the dialog)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from handlers.teams.activity import as_dict
from handlers.teams.cards import new_ticket_form
from handlers.teams.ids import Command, Dialog
from triage.model import DESCRIPTION_MAX, TITLE_MAX

InvokeResponse = dict[str, Any]

_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?\s*>", re.I)
_TAG = re.compile(r"<[^>]+>")


def message_text(payload: dict[str, Any]) -> str:
    """A message's words: Teams sends its body as HTML (mentions, paragraphs) or as text."""
    body = as_dict(payload.get("body"))
    content = str(body.get("content") or "")
    if str(body.get("contentType") or "html").lower() == "html":
        content = html.unescape(_TAG.sub("", _BREAK.sub("\n", content)))
    lines = [" ".join(line.split()) for line in content.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line).strip()


def prefilled(value: dict[str, Any]) -> tuple[str, str, str | None, str | None]:
    """(title, description, author id, author name) from the message the action was used on, if any."""
    payload = as_dict(value.get("messagePayload"))
    text = message_text(payload)
    title = text.split("\n", 1)[0][:TITLE_MAX] if text else ""
    user = as_dict(as_dict(payload.get("from")).get("user"))
    author = str(user["id"]).lower() if isinstance(user.get("id"), str) and user.get("id") else None
    name = user.get("displayName") if isinstance(user.get("displayName"), str) else None
    return title, text[:DESCRIPTION_MAX], author, name


def dialog(card: dict[str, Any]) -> InvokeResponse:
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": "New support ticket",
                "width": "medium",
                "height": "large",
                "card": {"contentType": "application/vnd.microsoft.card.adaptive", "content": card},
            },
        }
    }


def fetch_task(value: dict[str, Any]) -> InvokeResponse:
    if value.get("commandId") != Command.NEW_TICKET:
        return {"task": {"type": "message", "value": "I don't know that action; try `help` in a chat with me."}}
    title, description, _, _ = prefilled(value)
    values = {"description": description} if description else {}
    return dialog(new_ticket_form(title=title, values=values))


Author = tuple[str, str | None] | None  # the message's author (AAD object id, name), None when not on a message
Submit = Callable[[dict[str, Any], Author], InvokeResponse]


def submit_action(value: dict[str, Any], submit: Submit) -> InvokeResponse:
    """The dialog's inputs go through the `new` dialog's submission (`submit`), with the message's author.

    The author comes from the activity's messagePayload, which Teams fills in and signs with the activity, never
    from the form's data, which the client could make up.
    """
    if value.get("commandId") != Command.NEW_TICKET:
        return {"task": {"type": "message", "value": "I don't know that action; try `help` in a chat with me."}}
    _, _, author, name = prefilled(value)
    return submit({**as_dict(value.get("data")), "dialog": Dialog.NEW_TICKET.value}, (author, name) if author else None)
