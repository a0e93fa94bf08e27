"""Block Kit for the forms (modals): pure functions from domain values, like blocks.py."""

from __future__ import annotations

import json
from typing import Any

from handlers.common.tickets import TYPE_HINTS
from handlers.slack.blocks import Blocks, escape, input_block, mrkdwn, option, plain_text
from handlers.slack.ids import CallbackId, Field
from triage.model import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX, Priority, Ticket, TicketType, format_ref


def new_ticket_modal(*, title: str, origin_channel_id: str | None) -> dict[str, Any]:
    title_element: dict[str, Any] = {"type": "plain_text_input", "max_length": TITLE_MAX}
    if title:
        title_element["initial_value"] = title[:TITLE_MAX]
    return {
        "type": "modal",
        "callback_id": CallbackId.NEW_TICKET.value,
        "title": plain_text("New support ticket"),
        "submit": plain_text("Submit"),
        "close": plain_text("Cancel"),
        "private_metadata": json.dumps({"channel_id": origin_channel_id}),
        "blocks": [
            input_block(Field.TITLE, "Title", title_element, hint="One line: what is wrong or what you need."),
            input_block(
                Field.DESCRIPTION,
                "Description",
                {"type": "plain_text_input", "multiline": True, "max_length": DESCRIPTION_MAX},
                hint="What happened, what you expected, who is affected, and any error messages.",
            ),
            input_block(
                Field.TYPE,
                "Type",
                {
                    "type": "static_select",
                    "placeholder": plain_text("What kind of request is this?"),
                    "options": [option(t.label, t.value, TYPE_HINTS[t]) for t in TicketType],
                },
            ),
            input_block(
                Field.PRIORITY,
                "Impact",
                {
                    "type": "static_select",
                    "placeholder": plain_text("How bad is it?"),
                    "options": [option(p.label, p.value, p.meaning) for p in Priority]
                    + [option("Not sure", "unsure", "Support will set the priority")],
                },
            ),
        ],
    }


def _ticket_modal(callback: CallbackId, title: str, submit: str, ticket_id: int, blocks: Blocks) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback.value,
        "title": plain_text(title),
        "submit": plain_text(submit),
        "close": plain_text("Cancel"),
        "private_metadata": json.dumps({"ticket_id": ticket_id}),
        "blocks": blocks,
    }


def _note_modal(
    ticket: Ticket, prefix: str, callback: CallbackId, title: str, submit: str, field: Field, label: str, hint: str
) -> dict[str, Any]:
    """A modal asking for one required note about a ticket."""
    assert ticket.id is not None
    return _ticket_modal(
        callback,
        title,
        submit,
        ticket.id,
        [
            mrkdwn(f"*{format_ref(prefix, ticket.id)}* {escape(ticket.title)}"),
            input_block(
                field, label, {"type": "plain_text_input", "multiline": True, "max_length": NOTE_MAX}, hint=hint
            ),
        ],
    )


def escalate_modal(ticket: Ticket, prefix: str) -> dict[str, Any]:
    return _note_modal(
        ticket,
        prefix,
        CallbackId.ESCALATE,
        "Escalate to 2nd line",
        "Escalate",
        Field.NOTE,
        "Handover note",
        "What you found, what you tried, what 2nd line should look at first.",
    )


def resolve_modal(ticket: Ticket, prefix: str) -> dict[str, Any]:
    return _note_modal(
        ticket,
        prefix,
        CallbackId.RESOLVE,
        "Resolve ticket",
        "Resolve",
        Field.RESOLUTION,
        "Fix or workaround",
        "The requester reads this and is asked to confirm it works.",
    )


def duplicate_modal(ticket: Ticket, prefix: str) -> dict[str, Any]:
    assert ticket.id is not None
    return _ticket_modal(
        CallbackId.MARK_DUPLICATE,
        "Mark as duplicate",
        "Close as duplicate",
        ticket.id,
        [
            mrkdwn(f"*{format_ref(prefix, ticket.id)}* {escape(ticket.title)}"),
            input_block(
                Field.ORIGINAL,
                "Duplicate of",
                {"type": "plain_text_input", "placeholder": plain_text(f"{prefix}-123"), "max_length": 20},
                hint="The requester will follow the original ticket's updates from now on.",
            ),
        ],
    )


def update_modal(ticket: Ticket, prefix: str) -> dict[str, Any]:
    return _note_modal(
        ticket,
        prefix,
        CallbackId.POST_UPDATE,
        "Update the requester",
        "Send update",
        Field.UPDATE,
        "Message to the requester",
        "Where things stand and what happens next; an update without progress still helps.",
    )
