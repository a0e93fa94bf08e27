"""Ticket card buttons (Action.Execute): the Slack buttons' permissions, refusals and services.

A button that needs words (Escalate, Resolve, Mark duplicate, Update the requester) and was pressed without
them (the SLA alert's plain buttons) answers with its form in place of the card, after the same permission
check Slack makes before opening its modal; the form's own button carries the words. Validation errors come
back in the form; refusals go only to the person who pressed, in the invoke response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.errors import DomainError, InvalidInput
from handlers.common.tickets import snooze
from handlers.teams.cards import REQUESTER, TRIAGE, adaptive_card, text_block
from handlers.teams.connector import ADAPTIVE_CARD
from handlers.teams.directory import Directory, Who
from handlers.teams.ids import Input, TeamsVerb, Verb
from handlers.teams.notifier import render_card
from handlers.teams.rota_cards import desk_date, plain
from services.unit_of_work import Deps
from triage.errors import TicketNotFound
from triage.model import NOTE_MAX, Priority, Status, Ticket, format_ref, parse_ref
from triage.reminders import SnoozeFor
from triage.services import (
    HANDOVER_NOTE,
    RESOLUTION_NOTE,
    UPDATE_NOTE,
    acknowledge_ticket,
    change_status,
    check_can_escalate,
    check_duplicate,
    check_may_act,
    check_may_view,
    clean_note,
    escalate_ticket,
    mark_duplicate,
    post_update,
    reassign_ticket,
    resolve_ticket,
    set_priority,
)

InvokeResponse = dict[str, Any]
MESSAGE = "application/vnd.microsoft.activity.message"
STALE = "That card is out of date; use `status` to see the ticket."


@dataclass(frozen=True)
class NoteForm:
    """A form asking for one required note, worded as Slack's modal for the same button."""

    title: str
    submit: str
    field: Input
    label: str
    hint: str
    what: str  # for clean_note's "Please write ..."


NOTE_FORMS = {
    Verb.ESCALATE: NoteForm(
        "Escalate to 2nd line",
        "Escalate",
        Input.NOTE,
        "Handover note",
        "What you found, what you tried, what 2nd line should look at first.",
        HANDOVER_NOTE,
    ),
    Verb.RESOLVE: NoteForm(
        "Resolve ticket",
        "Resolve",
        Input.RESOLUTION,
        "Fix or workaround",
        "The requester reads this and is asked to confirm it works.",
        RESOLUTION_NOTE,
    ),
    Verb.MARK_DUPLICATE: NoteForm(
        "Mark as duplicate",
        "Close as duplicate",
        Input.ORIGINAL,
        "Duplicate of",
        "The requester will follow the original ticket's updates from now on.",
        "",
    ),
    Verb.POST_UPDATE: NoteForm(
        "Update the requester",
        "Send update",
        Input.UPDATE,
        "Message to the requester",
        "Where things stand and what happens next; an update without progress still helps.",
        UPDATE_NOTE,
    ),
}


def note_form_card(
    ticket: Ticket, prefix: str, verb: Verb, data: dict[str, Any], *, value: str = "", error: str | None = None
) -> dict[str, Any]:
    """The note's form in place of the card: the input, its submit button (the same verb), and Cancel."""
    assert ticket.id is not None
    form = NOTE_FORMS[verb]
    multiline = verb is not Verb.MARK_DUPLICATE
    field: dict[str, Any] = {
        "type": "Input.Text",
        "id": form.field.value,
        "label": form.label,
        "isRequired": True,
        "isMultiline": multiline,
        "maxLength": NOTE_MAX if multiline else 20,
    }
    if not multiline:
        field["placeholder"] = f"{prefix}-123"
    if value:
        field["value"] = value
    body = [
        text_block(f"**{form.title}**", size="Medium"),
        text_block(f"**{format_ref(prefix, ticket.id)}** {plain(ticket.title)}"),
        field if error is None else {**field, "errorMessage": error},
    ]
    if error is not None:
        body.append(text_block(error, color="Attention", size="Small"))
    body.append(text_block(form.hint, isSubtle=True, size="Small"))
    keep = {k: v for k, v in data.items() if k in ("ticket", "ticket_id", "card")}
    actions: list[dict[str, Any]] = [
        {"type": "Action.Execute", "title": form.submit, "verb": verb.value, "data": keep, "style": "positive"},
        {"type": "Action.Execute", "title": "Cancel", "verb": TeamsVerb.SHOW_TICKET.value, "data": keep},
    ]
    return adaptive_card(body, actions)


def card_answer(card: dict[str, Any]) -> InvokeResponse:
    return {"statusCode": 200, "type": ADAPTIVE_CARD, "value": card}


def message_answer(text: str) -> InvokeResponse:
    """Words for the person who pressed, and only them: the invoke's answer, never a post."""
    return {"statusCode": 200, "type": MESSAGE, "value": text}


def ticket_of(data: dict[str, Any]) -> int:
    """The ticket a button names: {"ticket": n} on ticket cards, {"ticket_id": n} on alert cards."""
    raw = data.get("ticket", data.get("ticket_id"))
    if isinstance(raw, bool):
        raise DomainError(STALE)
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError(STALE) from None


def _choice(kind: Any, value: Any) -> Any:
    try:
        return kind(str(value))
    except ValueError:
        raise DomainError("Pick one of the choices offered.") from None


class TicketActions:
    """adaptiveCard/action on a ticket's card or alert; `people` are whom a ticket may be reassigned to."""

    def __init__(self, deps: Deps, *, people: tuple[str, ...], who: Who | None = None) -> None:
        self.deps = deps
        self.people = people
        self.who = who

    def directory(self, session: Session) -> Directory:
        return Directory(session, who=self.who)

    def handles(self, verb: str) -> bool:
        return verb in set(Verb) or verb.startswith(Verb.SNOOZE.value + ":")

    def act(self, verb: str, data: dict[str, Any], user: str) -> InvokeResponse:
        try:
            return self._act(verb, data, user)
        except DomainError as refused:  # only the person who pressed sees it
            return message_answer(self.words(refused))

    def words(self, error: DomainError) -> str:
        """A refusal as the person reads it, people by their names."""
        with self.deps.lookup() as tickets:
            return error.render(self.directory(tickets.session).name)

    def _act(self, verb: str, data: dict[str, Any], user: str) -> InvokeResponse:
        deps = self.deps
        ticket_id = ticket_of(data)
        if verb.startswith(Verb.SNOOZE.value + ":"):
            return self._snooze(verb.removeprefix(Verb.SNOOZE.value + ":"), ticket_id, data, user)
        if verb == TeamsVerb.SHOW_TICKET:
            with deps.lookup() as tickets:
                ticket = tickets.get(ticket_id)
            if ticket is None:
                raise TicketNotFound("I can't find that ticket any more.")
            check_may_view(ticket, user, deps.rota)
            return self._card(ticket, data, user)
        if verb in NOTE_FORMS:
            return self._with_note(Verb(verb), ticket_id, data, user)
        change: Callable[[Any], Ticket]
        if verb == Verb.ACKNOWLEDGE:
            change = lambda uow: acknowledge_ticket(ticket_id=ticket_id, actor_id=user, **uow.ticket_ports())  # noqa: E731
        elif verb == Verb.SET_STATUS:
            status = _choice(Status, data.get(Input.STATUS.value))
            change = lambda uow: change_status(  # noqa: E731
                ticket_id=ticket_id, actor_id=user, status=status, **uow.ticket_ports()
            )
        elif verb == Verb.SET_PRIORITY:
            picked = data.get(Input.NEW_PRIORITY.value) or data.get(Input.PRIORITY.value)
            priority = _choice(Priority, picked)
            change = lambda uow: set_priority(  # noqa: E731
                ticket_id=ticket_id, actor_id=user, priority=priority, **uow.ticket_ports()
            )
        elif verb == Verb.REASSIGN:
            to_id = self._assignee(data)
            change = lambda uow: reassign_ticket(  # noqa: E731
                ticket_id=ticket_id, actor_id=user, to_id=to_id, **uow.ticket_ports()
            )
        else:
            raise DomainError("That button is out of date; use `status` to see the ticket.")
        return self._card(deps.run(change), data, user)

    def _assignee(self, data: dict[str, Any]) -> str:
        """The person picked: a rota member's key from the card's menu, or an AAD object id from the people picker."""
        picked = str(data.get(Input.ASSIGNEE.value) or "").strip()
        if not picked:
            raise InvalidInput(Input.ASSIGNEE.value, "Pick who should take it.")
        with self.deps.lookup() as tickets:
            return self.directory(tickets.session).key_for(picked)

    def _with_note(self, verb: Verb, ticket_id: int, data: dict[str, Any], user: str) -> InvokeResponse:
        deps, form = self.deps, NOTE_FORMS[verb]
        with deps.lookup() as tickets:
            ticket = tickets.get(ticket_id)
        if ticket is None:
            raise TicketNotFound("I can't find that ticket any more.")
        if form.field.value not in data:  # the button itself: refuse before showing a form they could not submit
            check_may_act(ticket, user, deps.rota)
            if verb is Verb.ESCALATE:
                check_can_escalate(rota=deps.rota, now=deps.clock.now())
            return card_answer(note_form_card(ticket, deps.prefix, verb, data))
        typed = str(data.get(form.field.value) or "")
        try:
            change = self._note_change(verb, ticket_id, typed, user)
        except InvalidInput as invalid:
            error = self.words(invalid)
            return card_answer(note_form_card(ticket, deps.prefix, verb, data, value=typed, error=error))
        return self._card(deps.run(change), data, user)

    def _note_change(self, verb: Verb, ticket_id: int, typed: str, user: str) -> Callable[[Any], Ticket]:
        """Check the words (and, for a duplicate, the reference) and return the change to make."""
        deps, form = self.deps, NOTE_FORMS[verb]
        if verb is Verb.MARK_DUPLICATE:
            original = parse_ref(typed, deps.prefix)
            if original is None:
                raise InvalidInput(form.field.value, f"Give a ticket reference like {deps.prefix}-42.")
            with deps.lookup() as tickets:
                check_duplicate(
                    ticket_id=ticket_id, original_id=original, actor_id=user, tickets=tickets, rota=deps.rota
                )
            return lambda uow: mark_duplicate(
                ticket_id=ticket_id, original_id=original, actor_id=user, **uow.ticket_ports()
            )
        note = clean_note(form.field.value, typed, form.what)
        if verb is Verb.ESCALATE:
            try:
                check_can_escalate(rota=deps.rota, now=deps.clock.now())
            except DomainError as refused:  # nobody on 2nd line: say so while the note is still in the form
                raise InvalidInput(form.field.value, refused.message) from None
            return lambda uow: escalate_ticket(ticket_id=ticket_id, actor_id=user, note=note, **uow.ticket_ports())
        if verb is Verb.RESOLVE:
            return lambda uow: resolve_ticket(ticket_id=ticket_id, actor_id=user, resolution=note, **uow.ticket_ports())
        return lambda uow: post_update(ticket_id=ticket_id, actor_id=user, message=note, **uow.ticket_ports())

    def _snooze(self, choice: str, ticket_id: int, data: dict[str, Any], user: str) -> InvokeResponse:
        deps = self.deps
        try:
            snooze_for = SnoozeFor(choice)
            clock, cycle = str(data.get("clock") or ""), int(data.get("cycle"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise DomainError("That reminder is out of date; use `status` to see the ticket.") from None
        until = snooze(deps, ticket_id=ticket_id, actor_id=user, clock=clock, cycle=cycle, snooze_for=snooze_for)
        return message_answer(f"OK, I will remind you again {desk_date(until, deps.config.timezone)}.")

    def _card(self, ticket: Ticket, data: dict[str, Any], user: str) -> InvokeResponse:
        """The pressed card as it is now (the same view as the outbox's update of it)."""
        audience = str(data.get("card") or user)
        if audience == "alert":  # an alert's buttons: answer with the card the assignee holds
            audience = ticket.assignee_id or TRIAGE
        if audience != TRIAGE and not audience.startswith(REQUESTER) and audience != user:
            audience = user  # a card is rendered for whoever holds it
        with self.deps.lookup() as tickets:
            who = self.directory(tickets.session).person
            payload = render_card(ticket, audience, prefix=self.deps.prefix, people=self.people, who=who)
        return card_answer(payload["card"])
