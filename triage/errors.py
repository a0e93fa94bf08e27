"""Ticket domain errors: raised in the core, turned into a message for the person once, at the edge.

The base and the errors rota/ shares live in core.errors; they are exported here under their old names.
"""

from core.errors import DomainError, InvalidInput, NotAllowed

TriageError = DomainError  # the old name of the base: `except TriageError` catches rota's refusals too

__all__ = ["InvalidInput", "InvalidTransition", "NotAllowed", "TicketNotFound", "TriageError"]


class TicketNotFound(DomainError):
    pass


class InvalidTransition(DomainError):
    pass
