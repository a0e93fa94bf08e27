"""Domain errors: raised in the core, turned into a message for the person once, at the edge."""


class TriageError(Exception):
    """Something a person asked for that cannot be done; the message is shown to them."""


class TicketNotFound(TriageError):
    pass


class NotAllowed(TriageError):
    pass


class InvalidTransition(TriageError):
    pass


class InvalidInput(TriageError):
    """Input that fails validation: messages by form field, so a form can show each where it belongs."""

    def __init__(self, field: str, message: str, *, more: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = {field: message, **(more or {})}
