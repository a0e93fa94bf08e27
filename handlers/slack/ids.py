"""Every action_id, callback_id and input block_id, in one place: those Teams shares (ticket verbs, request
answers, the rota forms, input ids) come from handlers/common/ids.py."""

import enum

from handlers.common.ids import RequestVerb, RotaForm
from handlers.common.ids import RotaField as RotaField
from handlers.common.ids import TicketField as Field
from handlers.common.ids import TicketVerb as ActionId

__all__ = ["ActionId", "CallbackId", "Field", "RotaActionId", "RotaCallbackId", "RotaField"]


class CallbackId(enum.StrEnum):
    NEW_TICKET = "new_ticket"
    ESCALATE = "escalate_ticket"
    RESOLVE = "resolve_ticket"
    MARK_DUPLICATE = "mark_duplicate"
    POST_UPDATE = "post_update"


class RotaActionId(enum.StrEnum):
    """Buttons of the rota: answers to requests (value = request id) and the rota modal's forms."""

    ACCEPT = RequestVerb.ACCEPT.value
    DECLINE = RequestVerb.DECLINE.value
    APPROVE = RequestVerb.APPROVE.value
    REJECT = RequestVerb.REJECT.value
    OPEN_ROTA = "rota_open"  # the App Home's "Open the rota" button
    SWAP = RotaForm.SWAP.value
    COVER = RotaForm.COVER.value
    LEAVE = RotaForm.LEAVE.value
    MEMBERS = RotaForm.MEMBERS.value
    OVERRIDE = RotaForm.OVERRIDE.value
    MANAGE = RotaForm.MANAGE.value
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
