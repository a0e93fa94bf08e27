"""Every Action.Execute verb, dialog id and input id of the Teams cards, in one place.

Verbs are the Slack action ids (handlers/slack/ids.py), so a Teams handler routes verbs as Slack routes
action ids; the Teams adapter may not import the Slack one, hence the copy.
"""

import enum


class Verb(enum.StrEnum):
    ACKNOWLEDGE = "ticket_acknowledge"
    ESCALATE = "ticket_escalate"
    SET_STATUS = "ticket_set_status"
    SET_PRIORITY = "ticket_set_priority"
    RESOLVE = "ticket_resolve"
    MARK_DUPLICATE = "ticket_mark_duplicate"
    POST_UPDATE = "ticket_post_update"
    REASSIGN = "ticket_reassign"
    SNOOZE = "reminder_snooze"  # suffixed ":1h" / ":tomorrow", as in Slack
    SHOW_TICKET = "ticket_show"  # "Cancel" under an unfolded note: the ticket's card again


class RotaVerb(enum.StrEnum):
    """The rota's buttons: Slack's RotaActionId values (request cards carry {"request_id": n})."""

    ACCEPT = "rota_request_accept"
    DECLINE = "rota_request_decline"
    APPROVE = "rota_request_approve"
    REJECT = "rota_request_reject"


class Dialog(enum.StrEnum):
    """What a task/fetch opens (the button's data names it) and which form a task/submit comes from."""

    NEW_TICKET = "new_ticket"
    ROTA_SWAP = "rota_form_swap"
    ROTA_COVER = "rota_form_cover"
    ROTA_LEAVE = "rota_form_leave"
    ROTA_MEMBERS = "rota_form_members"
    ROTA_OVERRIDE = "rota_form_override"
    ROTA_MANAGE = "rota_form_manage"


class Command(enum.StrEnum):
    """Message extension commands (the manifest's composeExtensions)."""

    NEW_TICKET = "newTicket"


class Input(enum.StrEnum):
    """Adaptive Card input ids; the same names as the Slack modal's blocks and the services' InvalidInput fields."""

    TITLE = "title"
    DESCRIPTION = "description"
    TYPE = "type"
    PRIORITY = "priority"
    NOTE = "note"
    RESOLUTION = "resolution"
    ORIGINAL = "original"
    UPDATE = "update"
    STATUS = "status"
    NEW_PRIORITY = "new_priority"
    ASSIGNEE = "assignee"


class RotaInput(enum.StrEnum):
    """The rota forms' input ids (Slack's RotaField; the services' InvalidInput fields use the same names)."""

    SHIFT = "shift"
    THEIR_SHIFT = "their_shift"
    TARGET = "target"
    FIRST_DAY = "first_day"
    LAST_DAY = "last_day"
    WHO = "who"
    MEMBERS_FIRST = "members_first_line"
    MEMBERS_SECOND = "members_second_line"
    LINE = "line"
    USER = "user"
    STARTS = "starts"
    STARTS_TIME = "starts_time"
    ENDS = "ends"
    ENDS_TIME = "ends_time"
