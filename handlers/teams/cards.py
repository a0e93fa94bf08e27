"""Adaptive Cards 1.5 for tickets and the new-ticket dialog: pure functions from domain values to plain data.

A card payload is {"text": summary, "card": AdaptiveCard, "entities"?}; buttons are Action.Execute with the
Slack buttons' titles, their data naming the ticket and which card it is ({"ticket": id, "card": audience}).
People are written with text.py's Mentions (`<at>Name</at>`, the entity in the card's `msteams.entities` and,
for the summary, in the activity's `entities`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.common.tickets import TYPE_HINTS
from handlers.teams.ids import Dialog, Input, Verb
from handlers.teams.text import Mentions, People, known_by_key, plain
from handlers.teams.text import headline as _headline
from rota.rotation import SupportLine
from triage.model import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX, Priority, Status, Ticket, TicketType, format_ref
from triage.workflow import allowed_next

Card = dict[str, Any]
Payload = dict[str, Any]
TRIAGE = "triage"
REQUESTER = "requester:"


def adaptive_card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def person(person_id: str | None) -> str:
    return person_id if person_id else "nobody yet"


def priority_label(ticket: Ticket) -> str:
    return ticket.priority.label if ticket.priority else "Priority not set"


def _facts(ticket: Ticket, at: Mentions, *, show_requester: bool = True) -> list[dict[str, Any]]:
    """Type, priority and status as facts; the people in a line of text, where Teams renders mentions."""
    facts = [
        {"title": "Type", "value": ticket.type.label},
        {"title": "Priority", "value": priority_label(ticket)},
        {"title": "Status", "value": ticket.status.label},
    ]
    people = f"Assignee: {at(ticket.assignee_id)} ({ticket.line.label})"
    if show_requester:
        people += f" · Requester: {at(ticket.requester_id)}"
    return [{"type": "FactSet", "facts": facts}, text_block(people)]


def _payload(
    text: str, body: list[dict[str, Any]], at: Mentions, actions: list[dict[str, Any]] | None = None
) -> Payload:
    """The card with its mentions declared, and the summary with the entities of those it names."""
    card = adaptive_card(body, actions)
    if at.entities:
        card["msteams"] = {"entities": list(at.entities)}
    payload: Payload = {"text": text, "card": card}
    if entities := at.used_in(text):
        payload["entities"] = entities
    return payload


def _execute(title: str, verb: Verb, ticket: Ticket, audience: str, **extra: Any) -> dict[str, Any]:
    assert ticket.id is not None
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": verb.value,
        "data": {"ticket": ticket.id, "card": audience, **extra},
    }


def _note_form(
    title: str, submit: str, verb: Verb, field: Input, label: str, ticket: Ticket, audience: str
) -> dict[str, Any]:
    """A button that unfolds a required note and its own submit button (Escalate, Resolve)."""
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": adaptive_card(
            [
                {
                    "type": "Input.Text",
                    "id": field.value,
                    "label": label,
                    "isMultiline": True,
                    "isRequired": True,
                    "maxLength": NOTE_MAX,
                }
            ],
            [_execute(submit, verb, ticket, audience)],
        ),
    }


def _choice_form(
    title: str, verb: Verb, field: Input, label: str, choices: Sequence[tuple[str, str]], ticket: Ticket, audience: str
) -> dict[str, Any]:
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": adaptive_card(
            [
                {
                    "type": "Input.ChoiceSet",
                    "id": field.value,
                    "label": label,
                    "isRequired": True,
                    "choices": [{"title": t, "value": v} for t, v in choices],
                }
            ],
            [_execute(title, verb, ticket, audience)],
        ),
    }


def ticket_actions(
    ticket: Ticket, audience: str, *, people: Sequence[str] = (), who: People = known_by_key
) -> list[dict[str, Any]]:
    """The buttons a support person can press now, titled as in Slack; reassign choices by name."""
    actions: list[dict[str, Any]] = []
    if ticket.status is Status.OPEN:
        actions.append({**_execute("Acknowledge", Verb.ACKNOWLEDGE, ticket, audience), "style": "positive"})
    if ticket.is_open and ticket.line is SupportLine.FIRST:
        actions.append(
            _note_form("Escalate to 2nd line", "Escalate", Verb.ESCALATE, Input.NOTE, "Handover note", ticket, audience)
        )
    if Status.AWAITING_SIGN_OFF in allowed_next(ticket.status):
        actions.append(
            _note_form("Resolve", "Resolve", Verb.RESOLVE, Input.RESOLUTION, "Fix or workaround", ticket, audience)
        )
    moves = [s for s in allowed_next(ticket.status) if s is not Status.AWAITING_SIGN_OFF]
    if moves:
        actions.append(
            _choice_form(
                "Update status",
                Verb.SET_STATUS,
                Input.STATUS,
                "Status",
                [(s.label, s.value) for s in moves],
                ticket,
                audience,
            )
        )
    if ticket.is_open:
        title = "Set priority" if ticket.priority is None else "Change priority"
        actions.append(
            _choice_form(
                title,
                Verb.SET_PRIORITY,
                Input.NEW_PRIORITY,
                "Priority",
                [(p.label, p.value) for p in Priority if p is not ticket.priority],
                ticket,
                audience,
            )
        )
        actions.append(
            {
                "type": "Action.ShowCard",
                "title": "Mark duplicate of...",
                "card": adaptive_card(
                    [
                        {
                            "type": "Input.Text",
                            "id": Input.ORIGINAL.value,
                            "label": "Duplicate of",
                            "isRequired": True,
                            "maxLength": 20,
                        }
                    ],
                    [_execute("Close as duplicate", Verb.MARK_DUPLICATE, ticket, audience)],
                ),
            }
        )
        others = [p for p in people if p != ticket.assignee_id]
        if others:
            actions.append(
                _choice_form(
                    "Reassign to...",
                    Verb.REASSIGN,
                    Input.ASSIGNEE,
                    "Reassign to",
                    [(who(p).name or p, p) for p in others],
                    ticket,
                    audience,
                )
            )
    return actions


def _ref_and_mentions(ticket: Ticket, prefix: str, who: People) -> tuple[str, Mentions]:
    """A card's ticket ref, and the Mentions its people are written with."""
    assert ticket.id is not None
    return format_ref(prefix, ticket.id), Mentions(who)


def triage_card(
    ticket: Ticket,
    prefix: str,
    *,
    sla: str | None = None,
    people: Sequence[str] = (),
    who: People = known_by_key,
) -> Payload:
    """The ticket as the triage channel sees it: GDPR contents never appear here."""
    ref, at = _ref_and_mentions(ticket, prefix, who)
    body = [
        text_block(_headline(ticket, prefix, public=True), weight="Bolder"),
        *_facts(ticket, at, show_requester=not ticket.is_private),
    ]
    if sla:
        body.append(text_block(sla, isSubtle=True))
    if ticket.duplicate_of_id:
        body.append(text_block(f"Closed as a duplicate of **{format_ref(prefix, ticket.duplicate_of_id)}**"))
    actions = [] if ticket.is_private else ticket_actions(ticket, TRIAGE, people=people, who=who)
    text = f"{ref} ({ticket.type.label}, {priority_label(ticket)}): assigned to {at(ticket.assignee_id)}, {ticket.status.label}"
    return _payload(text, body, at, actions)


def assignee_card(
    ticket: Ticket,
    prefix: str,
    *,
    for_user: str,
    sla: str | None = None,
    people: Sequence[str] = (),
    who: People = known_by_key,
) -> Payload:
    """The ticket in a support person's 1:1 chat: actionable for the assignee, read-only once it moved on."""
    ref, at = _ref_and_mentions(ticket, prefix, who)
    current = for_user == ticket.assignee_id
    shows_contents = current or not ticket.is_private
    body = [text_block(_headline(ticket, prefix, public=not shows_contents), weight="Bolder")]
    if shows_contents:
        body.append(text_block(plain(ticket.description[:600])))
    body.extend(_facts(ticket, at, show_requester=shows_contents))
    if current and ticket.handover_note:
        body.append(text_block(f"**Handover note**\n\n{ticket.handover_note}"))
    if current and sla:
        body.append(text_block(sla, isSubtle=True))
    if current:
        return _payload(
            f"{ref} is assigned to you: {ticket.title}",
            body,
            at,
            ticket_actions(ticket, for_user, people=people, who=who),
        )
    body.append(
        text_block(
            f"Now with {at(ticket.assignee_id)} ({ticket.line.label}); no action needed from you.", isSubtle=True
        )
    )
    return _payload(f"{ref} is now with {at(ticket.assignee_id)}", body, at)


def requester_card(ticket: Ticket, prefix: str, *, who: People = known_by_key) -> Payload:
    ref, at = _ref_and_mentions(ticket, prefix, who)
    lines = [f"Thanks, your ticket **{ref}** is logged: {plain(ticket.title)}"]
    if ticket.status is Status.OPEN:
        by = f"{at(ticket.assignee_id)} ({ticket.line.label})" if ticket.assignee_id else "the support team"
        lines.append(f"{by} will pick it up. I will tell you here as it moves; `status {ref}` shows where it is.")
    body = [
        text_block("\n\n".join(lines)),
        text_block(f"Status: **{ticket.status.label}** · Assignee: {at(ticket.assignee_id)}", isSubtle=True),
    ]
    return _payload(f"Your ticket {ref} is logged ({ticket.status.label})", body, at)


def alert_message(
    ticket: Ticket, prefix: str, reason: str, *, people: Sequence[str] = (), who: People = known_by_key
) -> Payload:
    ref, at = _ref_and_mentions(ticket, prefix, who)
    body = [text_block(f"🚨 {plain(reason)}"), text_block(_headline(ticket, prefix)), *_facts(ticket, at)]
    return _payload(f"{ref}: {reason}", body, at, ticket_actions(ticket, "alert", people=people, who=who))


def participant_update(ticket: Ticket, prefix: str, kind: str, actor_id: str, *, who: People = known_by_key) -> Payload:
    """To a participant: the ticket moved (by whom), as a short text naming them with a mention."""
    assert ticket.id is not None
    at = Mentions(who)
    text = (
        f"{format_ref(prefix, ticket.id)} was updated ({kind.replace('_', ' ')}) by {at(actor_id)}: "
        f"{plain(ticket.title)} · {ticket.status.label}"
    )
    entities = at.used_in(text)
    return {"text": text, "entities": entities} if entities else {"text": text}


def text_message(text: str) -> Payload:
    return {"text": text}


# -- the new-ticket dialog ----------------------------------------------------------------------------------


def new_ticket_prompt(title: str) -> Payload:
    """The answer to `new [title]`: a button that opens the form as a dialog (task/fetch), title carried along."""
    button = {
        "type": "Action.Submit",
        "title": "New ticket",
        "data": {"msteams": {"type": "task/fetch"}, "dialog": Dialog.NEW_TICKET.value, "title": title},
    }
    body = [text_block("Open a support ticket: the form asks what is wrong and how bad it is.")]
    return {"text": "Open a new support ticket", "card": adaptive_card(body, [button])}


def new_ticket_form(
    *, title: str = "", values: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> Card:
    """The dialog's card: the Slack modal's inputs (Title, Description, Type, Impact); errors under their input."""
    values = dict(values or {})
    if title and not values.get(Input.TITLE.value):
        values[Input.TITLE.value] = title[:TITLE_MAX]
    errors = errors or {}

    def with_error(element: dict[str, Any]) -> list[dict[str, Any]]:
        message = errors.get(element["id"])
        if message is None:
            return [element]
        return [{**element, "errorMessage": message}, text_block(message, color="Attention", size="Small")]

    def value(name: Input) -> dict[str, Any]:
        given = values.get(name.value)
        return {"value": given} if given else {}

    body: list[dict[str, Any]] = [
        *with_error(
            {
                "type": "Input.Text",
                "id": Input.TITLE.value,
                "label": "Title",
                "isRequired": True,
                "maxLength": TITLE_MAX,
                "placeholder": "One line: what is wrong or what you need.",
                **value(Input.TITLE),
            }
        ),
        *with_error(
            {
                "type": "Input.Text",
                "id": Input.DESCRIPTION.value,
                "label": "Description",
                "isMultiline": True,
                "isRequired": True,
                "maxLength": DESCRIPTION_MAX,
                "placeholder": "What happened, what you expected, who is affected, and any error messages.",
                **value(Input.DESCRIPTION),
            }
        ),
        *with_error(
            {
                "type": "Input.ChoiceSet",
                "id": Input.TYPE.value,
                "label": "Type",
                "isRequired": True,
                "placeholder": "What kind of request is this?",
                "choices": [{"title": f"{t.label}: {TYPE_HINTS[t]}", "value": t.value} for t in TicketType],
                **value(Input.TYPE),
            }
        ),
        *with_error(
            {
                "type": "Input.ChoiceSet",
                "id": Input.PRIORITY.value,
                "label": "Impact",
                "isRequired": True,
                "placeholder": "How bad is it?",
                "choices": [{"title": f"{p.label}: {p.meaning}", "value": p.value} for p in Priority]
                + [{"title": "Not sure: Support will set the priority", "value": "unsure"}],
                **value(Input.PRIORITY),
            }
        ),
    ]
    submit = {"type": "Action.Submit", "title": "Submit", "data": {"dialog": Dialog.NEW_TICKET.value}}
    return adaptive_card(body, [submit])
