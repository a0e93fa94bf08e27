"""Every action_id, callback_id and input block_id, in one place."""

import enum


class ActionId(enum.StrEnum):
    ACKNOWLEDGE = "ticket_acknowledge"
    ESCALATE = "ticket_escalate"
    SET_STATUS = "ticket_set_status"
    SET_PRIORITY = "ticket_set_priority"
    RESOLVE = "ticket_resolve"
    MARK_DUPLICATE = "ticket_mark_duplicate"
    POST_UPDATE = "ticket_post_update"
    SNOOZE = "reminder_snooze"  # suffixed ":1h" / ":tomorrow": action ids must differ within a block


class CallbackId(enum.StrEnum):
    NEW_TICKET = "new_ticket"
    ESCALATE = "escalate_ticket"
    RESOLVE = "resolve_ticket"
    MARK_DUPLICATE = "mark_duplicate"
    POST_UPDATE = "post_update"


class Field(enum.StrEnum):
    """Input block ids; each block holds one element whose action_id is "value"."""

    TITLE = "title"
    DESCRIPTION = "description"
    TYPE = "type"
    PRIORITY = "priority"
    NOTE = "note"
    RESOLUTION = "resolution"
    ORIGINAL = "original"
    UPDATE = "update"
