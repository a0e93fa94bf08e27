"""Every Action.Execute verb, dialog id and input id of the Teams cards, in one place."""

import enum


class Verb(enum.StrEnum):
    ACKNOWLEDGE = "ticket_acknowledge"
    ESCALATE = "ticket_escalate"
    SET_STATUS = "ticket_set_status"
    SET_PRIORITY = "ticket_set_priority"
    RESOLVE = "ticket_resolve"
    MARK_DUPLICATE = "ticket_mark_duplicate"
    REASSIGN = "ticket_reassign"


class Dialog(enum.StrEnum):
    NEW_TICKET = "new_ticket"


class Input(enum.StrEnum):
    """Adaptive Card input ids; the same names as the Slack modal's blocks and the services' InvalidInput fields."""

    TITLE = "title"
    DESCRIPTION = "description"
    TYPE = "type"
    PRIORITY = "priority"
    NOTE = "note"
    RESOLUTION = "resolution"
    ORIGINAL = "original"
    STATUS = "status"
    NEW_PRIORITY = "new_priority"
    ASSIGNEE = "assignee"
