"""Domain errors: raised in the core, turned into words for the person once, at the edge.

Each carries a `Said` message naming people by id; the chat adapter renders it in its own markup, and
`str(error)` renders it neutrally (`@U1`) for logs and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from core.people import Said, plain_mention


def _said(message: str | Said) -> Said:
    return message if isinstance(message, Said) else Said.text(message)


class DomainError(Exception):
    """Something a person asked for that cannot be done; the message is shown to them."""

    def __init__(self, message: str | Said = "") -> None:
        self.message = _said(message)
        super().__init__(self.message)

    def render(self, mention: Callable[[str], str]) -> str:
        """The message as the person reads it, people written by the platform's `mention`."""
        return self.message.render(mention)

    def __str__(self) -> str:
        return self.render(plain_mention)


class NotAllowed(DomainError):
    """The person may not do this (not theirs, not a member, not a lead)."""


class InvalidInput(DomainError):
    """Input that fails validation: messages by form field, so a form can show each where it belongs."""

    def __init__(self, field: str, message: str | Said, *, more: Mapping[str, str | Said] | None = None) -> None:
        super().__init__(message)
        self.messages: dict[str, Said] = {field: self.message, **{k: _said(v) for k, v in (more or {}).items()}}

    def render_errors(self, mention: Callable[[str], str]) -> dict[str, str]:
        """Each field's message as the person reads it."""
        return {field: message.render(mention) for field, message in self.messages.items()}

    @property
    def errors(self) -> dict[str, str]:
        """Each field's message rendered neutrally (`@U1`); a chat adapter uses render_errors instead."""
        return self.render_errors(plain_mention)
