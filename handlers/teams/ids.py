"""Every Action.Execute verb, dialog id and input id of the Teams cards, in one place.

Verbs are the Slack action ids and inputs the Slack modal's block ids: both come from handlers/common/ids.py, so a
Teams handler routes verbs as Slack routes action ids.
"""

import enum

from handlers.common.ids import RequestVerb as RotaVerb
from handlers.common.ids import RotaField as RotaInput
from handlers.common.ids import RotaForm
from handlers.common.ids import TicketField as Input
from handlers.common.ids import TicketVerb as Verb

__all__ = ["Command", "Dialog", "Input", "RotaInput", "RotaVerb", "TeamsVerb", "Verb"]


class TeamsVerb(enum.StrEnum):
    SHOW_TICKET = "ticket_show"  # "Cancel" under an unfolded note: the ticket's card again


class Dialog(enum.StrEnum):
    """What a task/fetch opens (the button's data names it) and which form a task/submit comes from."""

    NEW_TICKET = "new_ticket"
    ROTA_SWAP = RotaForm.SWAP.value
    ROTA_COVER = RotaForm.COVER.value
    ROTA_LEAVE = RotaForm.LEAVE.value
    ROTA_MEMBERS = RotaForm.MEMBERS.value
    ROTA_OVERRIDE = RotaForm.OVERRIDE.value
    ROTA_MANAGE = RotaForm.MANAGE.value


class Command(enum.StrEnum):
    """Message extension commands (the manifest's composeExtensions)."""

    NEW_TICKET = "newTicket"
