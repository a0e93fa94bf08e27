"""What the bot does with a verified activity: commands in messages, the new-ticket dialog, card actions.

Each parses the activity, calls one service through `deps.run`, and renders; replies to messages go through the
outbox (platform "teams"), answers to invokes in the HTTP response (a dialog or a card cannot wait for it).
"""

from __future__ import annotations

from typing import Any

from core.errors import DomainError, InvalidInput
from handlers.grammar import parse_support_command, parse_who_args, resolve_day
from handlers.teams import cards
from handlers.teams.activity import Inbound, as_dict, sender_key
from handlers.teams.cards import TRIAGE, Payload
from handlers.teams.chat import TeamsChat
from handlers.teams.connector import ADAPTIVE_CARD
from handlers.teams.ids import Input, Verb
from handlers.teams.notifier import PLATFORM, TO_CONVERSATION, render_card
from handlers.teams.text import help_text, mine_text, rota_text, status_text, who_text
from rota.rotation import SupportLine
from services.unit_of_work import Deps
from storage.outbox import Outbox
from triage.model import Priority, Status, Ticket, format_ref, parse_ref
from triage.services import (
    TicketDraft,
    acknowledge_ticket,
    change_status,
    escalate_ticket,
    mark_duplicate,
    my_open_tickets,
    open_ticket,
    reassign_ticket,
    resolve_ticket,
    set_priority,
    view_ticket,
)

InvokeResponse = dict[str, Any]


class TeamsListeners:
    def __init__(self, deps: Deps, chat: TeamsChat) -> None:
        self.deps = deps
        self.chat = chat

    # -- messages --------------------------------------------------------------------------------------------

    def handle_message(self, inbound: Inbound) -> None:
        user = sender_key(self.deps, inbound)
        try:
            reply = self._command(inbound.text, user)
        except DomainError as refused:
            reply = cards.text_message(str(refused))
        self._reply(inbound, reply)

    def _command(self, text: str, user: str) -> Payload:
        deps = self.deps
        word, _, rest = text.partition(" ")
        if word.lower() == "new":  # Teams says `new [title]` where Slack's `/support [title]` needs no word
            return cards.new_ticket_prompt(rest.strip())
        parsed = parse_support_command(text)
        now, zone = deps.clock.now(), deps.config.timezone
        if parsed.kind == "new":
            return cards.new_ticket_prompt(parsed.argument)
        if parsed.kind == "help":
            return cards.text_message(help_text(deps.prefix))
        if parsed.kind == "who":
            query = parse_who_args(parsed.argument)
            assert query is not None  # the grammar only says "who" when the words parse
            at = resolve_day(query.day, now, zone)
            return cards.text_message(who_text(deps.rota, at or now, zone, lines=query.lines, now=at is None))
        if parsed.kind == "rota":
            return cards.text_message(rota_text(deps.rota, now, zone))
        if parsed.kind == "status":
            ticket_id = parse_ref(parsed.argument, deps.prefix)
            if ticket_id is None:
                return cards.text_message(f"Which ticket? Use `status {deps.prefix}-42`.")
            with deps.lookup() as tickets:
                ticket = view_ticket(ticket_id=ticket_id, viewer_id=user, tickets=tickets, rota=deps.rota)
            return cards.text_message(status_text(ticket, deps.prefix))
        if parsed.kind == "mine":
            with deps.lookup() as repository:
                mine = my_open_tickets(user_id=user, tickets=repository)
            return cards.text_message(mine_text(mine, deps.prefix, user))
        hint = f"Did you mean `{parsed.suggestion}`? " if parsed.suggestion else ""
        return cards.text_message(f"I don't know `{parsed.argument}`. {hint}Try `help`.")

    def _reply(self, inbound: Inbound, payload: Payload) -> None:
        with self.deps.sessions.begin() as session:
            Outbox(session, self.deps.clock.now()).post(
                inbound.conversation_id,
                {**payload, "to": TO_CONVERSATION, "service_url": inbound.service_url},
                platform=PLATFORM,
            )
        self.deps.outbox_ready()

    # -- invokes ---------------------------------------------------------------------------------------------

    def handle_invoke(self, inbound: Inbound) -> InvokeResponse:
        if inbound.name == "task/fetch":
            return self._task_fetch(inbound)
        if inbound.name == "task/submit":
            return self._task_submit(inbound)
        if inbound.name == "adaptiveCard/action":
            return self._card_action(inbound)
        return {}

    def _task_fetch(self, inbound: Inbound) -> InvokeResponse:
        data = as_dict(inbound.value.get("data"))
        return _dialog(cards.new_ticket_form(title=str(data.get("title") or "")))

    def _task_submit(self, inbound: Inbound) -> InvokeResponse:
        data = as_dict(inbound.value.get("data"))
        values = {
            f.value: str(data.get(f.value) or "") for f in (Input.TITLE, Input.DESCRIPTION, Input.TYPE, Input.PRIORITY)
        }
        try:
            draft = TicketDraft.parse(
                title=values["title"],
                description=values["description"],
                type=values["type"],
                priority=values["priority"],
            )
        except InvalidInput as invalid:
            return _dialog(cards.new_ticket_form(values=values, errors=invalid.errors))
        user = sender_key(self.deps, inbound)
        ticket = self.deps.run(
            lambda uow: open_ticket(draft=draft, requester_id=user, origin_channel_id=None, **uow.ticket_ports())
        )
        assert ticket.id is not None
        return {"task": {"type": "message", "value": f"Thanks, {format_ref(self.deps.prefix, ticket.id)} is logged."}}

    def _card_action(self, inbound: Inbound) -> InvokeResponse:
        action = as_dict(inbound.value.get("action"))
        data = as_dict(action.get("data"))
        user = sender_key(self.deps, inbound)
        try:
            ticket = self._act(str(action.get("verb") or ""), data, user)
        except DomainError as refused:  # only the person who pressed sees it
            return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": str(refused)}
        audience = str(data.get("card") or user)
        return {"statusCode": 200, "type": ADAPTIVE_CARD, "value": self._render(ticket, audience)["card"]}

    def _act(self, verb: str, data: dict[str, Any], user: str) -> Ticket:
        deps = self.deps
        try:
            ticket_id = int(data.get("ticket"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise DomainError("That card is out of date; use `status` to see the ticket.") from None
        if verb == Verb.ACKNOWLEDGE:
            return deps.run(lambda uow: acknowledge_ticket(ticket_id=ticket_id, actor_id=user, **uow.ticket_ports()))
        if verb == Verb.RESOLVE:
            note = str(data.get(Input.RESOLUTION.value) or "")
            return deps.run(
                lambda uow: resolve_ticket(ticket_id=ticket_id, actor_id=user, resolution=note, **uow.ticket_ports())
            )
        if verb == Verb.ESCALATE:
            handover = str(data.get(Input.NOTE.value) or "")
            return deps.run(
                lambda uow: escalate_ticket(ticket_id=ticket_id, actor_id=user, note=handover, **uow.ticket_ports())
            )
        if verb == Verb.SET_PRIORITY:
            priority = _choice(Priority, data.get(Input.NEW_PRIORITY.value))
            return deps.run(
                lambda uow: set_priority(ticket_id=ticket_id, actor_id=user, priority=priority, **uow.ticket_ports())
            )
        if verb == Verb.SET_STATUS:
            status = _choice(Status, data.get(Input.STATUS.value))
            return deps.run(
                lambda uow: change_status(ticket_id=ticket_id, actor_id=user, status=status, **uow.ticket_ports())
            )
        if verb == Verb.REASSIGN:
            to_id = str(data.get(Input.ASSIGNEE.value) or "")
            return deps.run(
                lambda uow: reassign_ticket(ticket_id=ticket_id, actor_id=user, to_id=to_id, **uow.ticket_ports())
            )
        if verb == Verb.MARK_DUPLICATE:
            original = parse_ref(str(data.get(Input.ORIGINAL.value) or ""), deps.prefix)
            if original is None:
                raise InvalidInput(Input.ORIGINAL.value, f"Give the original as {deps.prefix}-123.")
            return deps.run(
                lambda uow: mark_duplicate(
                    ticket_id=ticket_id, original_id=original, actor_id=user, **uow.ticket_ports()
                )
            )
        raise DomainError("That button is out of date; use `status` to see the ticket.")

    def _render(self, ticket: Ticket, audience: str) -> Payload:
        """The pressed card as it is now (the same view as the outbox's update of it)."""
        if audience == "alert":  # an alert's buttons: answer with the card the assignee holds
            audience = ticket.assignee_id or TRIAGE
        return render_card(ticket, audience, prefix=self.deps.prefix, people=self.chat.people)


def _choice(kind: Any, value: Any) -> Any:
    try:
        return kind(str(value))
    except ValueError:
        raise DomainError("Pick one of the choices offered.") from None


def _dialog(card: dict[str, Any]) -> InvokeResponse:
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": "New support ticket",
                "width": "medium",
                "height": "large",
                "card": {"contentType": ADAPTIVE_CARD, "content": card},
            },
        }
    }


__all__ = ["SupportLine", "TeamsListeners"]
