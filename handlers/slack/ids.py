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
    REASSIGN = "ticket_reassign"  # a users_select; the ticket id is in its block id "ticket:<id>"
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


class RotaActionId(enum.StrEnum):
    """Buttons of the rota: answers to requests (value = request id) and the rota modal's forms."""

    ACCEPT = "rota_request_accept"
    DECLINE = "rota_request_decline"
    APPROVE = "rota_request_approve"
    REJECT = "rota_request_reject"
    OPEN_ROTA = "rota_open"  # the App Home's "Open the rota" button
    SWAP = "rota_form_swap"
    COVER = "rota_form_cover"
    LEAVE = "rota_form_leave"
    MEMBERS = "rota_form_members"
    OVERRIDE = "rota_form_override"
    MANAGE = "rota_form_manage"  # my pending requests and leave (leads: everyone's leave and the overrides)
    CANCEL_REQUEST = "rota_cancel_request"  # value = request id
    CANCEL_LEAVE = "rota_cancel_leave"  # value = leave id
    REMOVE_OVERRIDE = "rota_remove_override"  # value = override id


class RotaCallbackId(enum.StrEnum):
    OVERVIEW = "rota_overview"
    SWAP = "rota_swap"
    COVER = "rota_cover"
    LEAVE = "rota_leave"
    MEMBERS = "rota_members"
    OVERRIDE = "rota_override"
    MANAGE = "rota_manage"


class RotaField(enum.StrEnum):
    """Input block ids of the rota forms (the services' InvalidInput fields use the same names)."""

    SHIFT = "shift"  # one of my upcoming shifts: "<line>|<ISO start>|<ISO end>"
    THEIR_SHIFT = "their_shift"  # another member's: "<line>|<user>|<ISO start>"
    TARGET = "target"
    FIRST_DAY = "first_day"
    LAST_DAY = "last_day"
    WHO = "who"  # leave for someone else (leads)
    MEMBERS_FIRST = "members_first_line"
    MEMBERS_SECOND = "members_second_line"
    LINE = "line"
    USER = "user"
    STARTS = "starts"
    ENDS = "ends"
