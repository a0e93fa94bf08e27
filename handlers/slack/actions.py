"""Buttons and menus on ticket cards. Each acks first, then runs one service call in one transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from handlers.common.tickets import snooze
from handlers.slack import forms
from handlers.slack.errors import reports_errors
from handlers.slack.ids import ActionId
from handlers.slack.payloads import StaleAction, action_ticket_id, action_value, ticket_number, user_id
from handlers.slack.sla_view import slack_date
from services.unit_of_work import Deps
from triage.errors import TicketNotFound
from triage.model import Priority, Status, Ticket, format_ref
from triage.reminders import SnoozeFor
from triage.services import (
    acknowledge_ticket,
    change_status,
    check_can_escalate,
    check_may_act,
    reassign_ticket,
    set_priority,
)

ModalBuilder = Callable[[Ticket, str], dict[str, Any]]

MODALS: dict[ActionId, ModalBuilder] = {
    ActionId.ESCALATE: forms.escalate_modal,
    ActionId.RESOLVE: forms.resolve_modal,
    ActionId.MARK_DUPLICATE: forms.duplicate_modal,
    ActionId.POST_UPDATE: forms.update_modal,
}


def parse_priority_choice(value: str) -> tuple[int, Priority]:
    ticket_id, _, priority = value.partition(":")
    try:
        return ticket_number(ticket_id), Priority(priority)
    except ValueError:
        raise StaleAction("That menu is out of date; use `/support status` to see the ticket.") from None


def parse_status_choice(value: str) -> tuple[int, Status]:
    ticket_id, _, status = value.partition(":")
    try:
        return ticket_number(ticket_id), Status(status)
    except ValueError:
        raise StaleAction("That menu is out of date; use `/support status` to see the ticket.") from None


def parse_snooze_choice(value: str) -> tuple[int, str, int, SnoozeFor]:
    ticket_id, clock, cycle, until = [*value.split(":"), "", "", ""][:4]
    try:
        return ticket_number(ticket_id), clock, int(cycle), SnoozeFor(until)
    except ValueError:
        raise StaleAction("That reminder is out of date; use `/support status` to see the ticket.") from None


def parse_reassign_choice(body: dict[str, Any]) -> tuple[int, str]:
    """The ticket (from the block id "ticket:<id>") and the person picked in the "Reassign to..." menu."""
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    block_id, picked = action.get("block_id"), action.get("selected_user")
    kind, _, number = block_id.partition(":") if isinstance(block_id, str) else ("", "", "")
    try:
        if kind != "ticket" or not isinstance(picked, str) or not picked:
            raise ValueError("not a reassignment")
        return ticket_number(number), picked
    except ValueError:
        raise StaleAction("That menu is out of date; use `/support status` to see the ticket.") from None


def register(app: App, deps: Deps) -> None:
    @app.action(ActionId.ACKNOWLEDGE.value)
    @reports_errors
    def handle_acknowledge_action(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        deps.run(
            lambda uow: acknowledge_ticket(
                ticket_id=action_ticket_id(body),
                actor_id=user_id(body),
                **uow.ticket_ports(),
            )
        )

    @app.action(ActionId.SET_STATUS.value)
    @reports_errors
    def handle_set_status_action(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        ticket_id, status = parse_status_choice(action_value(body))
        deps.run(
            lambda uow: change_status(
                ticket_id=ticket_id,
                actor_id=user_id(body),
                status=status,
                **uow.ticket_ports(),
            )
        )

    @app.action(ActionId.SET_PRIORITY.value)
    @reports_errors
    def handle_set_priority_action(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        ticket_id, priority = parse_priority_choice(action_value(body))
        deps.run(
            lambda uow: set_priority(
                ticket_id=ticket_id,
                actor_id=user_id(body),
                priority=priority,
                **uow.ticket_ports(),
            )
        )

    @app.action(ActionId.REASSIGN.value)
    @reports_errors
    def handle_reassign_action(ack: Ack, body: dict[str, Any], respond: Any) -> None:
        ack()
        ticket_id, to_id = parse_reassign_choice(body)
        ticket = deps.run(
            lambda uow: reassign_ticket(
                ticket_id=ticket_id,
                actor_id=user_id(body),
                to_id=to_id,
                **uow.ticket_ports(),
            )
        )
        assert ticket.id is not None
        respond(
            text=f"{format_ref(deps.prefix, ticket.id)} is now with <@{to_id}>; they have its card.",
            response_type="ephemeral",
            replace_original=False,
        )

    @app.action(re.compile(f"^{re.escape(ActionId.SNOOZE.value)}(:|$)"))
    @reports_errors
    def handle_snooze_action(ack: Ack, body: dict[str, Any], respond: Any) -> None:
        ack()
        ticket_id, clock, cycle, snooze_for = parse_snooze_choice(action_value(body))
        until = snooze(
            deps, ticket_id=ticket_id, actor_id=user_id(body), clock=clock, cycle=cycle, snooze_for=snooze_for
        )
        respond(
            text=f"OK, I will remind you again {slack_date(until, deps.config.timezone)}.",
            response_type="ephemeral",
            replace_original=False,
        )

    def open_ticket_modal(action: ActionId) -> Callable[..., None]:
        def handle_ticket_modal_action(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            """Refuse people who may not act before showing them a form they could not submit.

            The look-up is a read that never waits for a writer, so views.open still follows the ack in
            milliseconds, well inside the trigger id's life.
            """
            ack()
            with deps.lookup() as tickets:
                ticket = tickets.get(action_ticket_id(body))
            if ticket is None:
                raise TicketNotFound("I can't find that ticket any more.")
            check_may_act(ticket, user_id(body), deps.rota)
            if action is ActionId.ESCALATE:
                check_can_escalate(rota=deps.rota, now=deps.clock.now())
            client.views_open(trigger_id=body["trigger_id"], view=MODALS[action](ticket, deps.prefix))

        return handle_ticket_modal_action

    for action in MODALS:
        app.action(action.value)(reports_errors(open_ticket_modal(action)))
