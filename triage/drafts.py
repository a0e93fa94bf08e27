"""What people type into forms, checked before any use case runs: the new-ticket draft and free-text notes."""

from __future__ import annotations

from dataclasses import dataclass

from triage.errors import InvalidInput
from triage.model import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX, Priority, TicketType

HANDOVER_NOTE = "a handover note for 2nd line: what you found and tried"
RESOLUTION_NOTE = "the fix or workaround, as the requester will read it"
UPDATE_NOTE = "the update for the requester"


@dataclass(frozen=True)
class TicketDraft:
    """What a requester typed, validated."""

    title: str
    description: str
    type: TicketType
    priority: Priority | None

    @classmethod
    def parse(
        cls, *, title: str | None, description: str | None, type: str | None, priority: str | None
    ) -> TicketDraft:
        """Check every field at once, so the form can show all its problems together."""
        errors: dict[str, str] = {}
        title = (title or "").strip()
        description = (description or "").strip()
        if not title:
            errors["title"] = "Please give the ticket a short title."
        elif len(title) > TITLE_MAX:
            errors["title"] = f"Keep the title under {TITLE_MAX} characters (it has {len(title)})."
        if not description:
            errors["description"] = "Please describe what happened and what you expected."
        elif len(description) > DESCRIPTION_MAX:
            errors["description"] = (
                f"Keep the description under {DESCRIPTION_MAX} characters (it has {len(description)})."
            )
        ticket_type = next((t for t in TicketType if t.value == type), None)
        if ticket_type is None:
            errors["type"] = "Please choose what kind of request this is."
        ticket_priority = next((p for p in Priority if p.value == priority), None)
        if ticket_priority is None and priority not in (None, "", "unsure"):
            errors["priority"] = "Please choose the impact, or 'Not sure'."
        if errors:
            first, *rest = errors.items()
            raise InvalidInput(first[0], first[1], more=dict(rest))
        assert ticket_type is not None
        return cls(title=title, description=description, type=ticket_type, priority=ticket_priority)


def clean_note(field: str, text: str | None, what: str) -> str:
    """A required free-text note, trimmed and bounded."""
    note = (text or "").strip()
    if not note:
        raise InvalidInput(field, f"Please write {what}.")
    if len(note) > NOTE_MAX:
        raise InvalidInput(field, f"Keep it under {NOTE_MAX} characters (it has {len(note)}).")
    return note
