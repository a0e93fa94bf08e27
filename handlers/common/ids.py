"""The ids both adapters use: Slack's action ids are Teams' Action.Execute verbs, and the input ids are the same
on a Slack modal's blocks, a Teams card's inputs and the services' InvalidInput fields."""

import enum


class TicketVerb(enum.StrEnum):
    """A ticket's buttons (Slack action ids, Teams verbs)."""

    ACKNOWLEDGE = "ticket_acknowledge"
    ESCALATE = "ticket_escalate"
    SET_STATUS = "ticket_set_status"
    SET_PRIORITY = "ticket_set_priority"
    RESOLVE = "ticket_resolve"
    MARK_DUPLICATE = "ticket_mark_duplicate"
    POST_UPDATE = "ticket_post_update"
    REASSIGN = "ticket_reassign"  # Slack: a users_select, the ticket id in its block id "ticket:<id>"
    SNOOZE = "reminder_snooze"  # suffixed ":1h" / ":tomorrow": action ids must differ within a block


class RequestVerb(enum.StrEnum):
    """The answers to a rota request (the button carries the request id)."""

    ACCEPT = "rota_request_accept"
    DECLINE = "rota_request_decline"
    APPROVE = "rota_request_approve"
    REJECT = "rota_request_reject"


class RotaForm(enum.StrEnum):
    """The rota's forms: the Slack button that opens one, the Teams dialog it is."""

    SWAP = "rota_form_swap"
    COVER = "rota_form_cover"
    LEAVE = "rota_form_leave"
    MEMBERS = "rota_form_members"
    OVERRIDE = "rota_form_override"
    MANAGE = "rota_form_manage"  # my pending requests and leave (leads: everyone's leave and the overrides)


class TicketField(enum.StrEnum):
    """The ticket forms' input ids (Slack: block ids, each block's element has action_id "value")."""

    TITLE = "title"
    DESCRIPTION = "description"
    TYPE = "type"
    PRIORITY = "priority"
    NOTE = "note"
    RESOLUTION = "resolution"
    ORIGINAL = "original"
    UPDATE = "update"
    STATUS = "status"  # Teams: the status a card's inline form picks
    NEW_PRIORITY = "new_priority"  # Teams: the priority a card's inline form picks
    ASSIGNEE = "assignee"  # Teams: who a card's inline form reassigns to


class RotaField(enum.StrEnum):
    """The rota forms' input ids (the services' InvalidInput fields use the same names)."""

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
    STARTS = "starts"  # Slack: a datetimepicker (epoch seconds); Teams: a date, with STARTS_TIME
    STARTS_TIME = "starts_time"
    ENDS = "ends"
    ENDS_TIME = "ends_time"
