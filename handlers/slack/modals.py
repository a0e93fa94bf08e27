"""Modal submissions. Validation errors go back inside the modal (in the ack); the work follows it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from handlers.slack.errors import modal_errors, reports_errors
from handlers.slack.ids import CallbackId, Field
from handlers.slack.payloads import form_values, metadata_ticket_id, private_metadata, user_id
from services.unit_of_work import Deps
from triage.errors import InvalidInput, TriageError
from triage.model import parse_ref
from triage.services import (
    HANDOVER_NOTE,
    RESOLUTION_NOTE,
    UPDATE_NOTE,
    TicketDraft,
    check_can_escalate,
    check_duplicate,
    clean_note,
    escalate_ticket,
    mark_duplicate,
    open_ticket,
    post_update,
    resolve_ticket,
)


def register(app: App, deps: Deps) -> None:
    @app.view(CallbackId.NEW_TICKET.value)
    @reports_errors
    def handle_new_ticket_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = form_values(view)
        try:
            draft = TicketDraft.parse(
                title=values.get(Field.TITLE),
                description=values.get(Field.DESCRIPTION),
                type=values.get(Field.TYPE),
                priority=values.get(Field.PRIORITY),
            )
        except InvalidInput as invalid:
            ack(response_action="errors", errors=modal_errors(invalid, Field.TITLE))
            return
        ack()
        deps.run(
            lambda uow: open_ticket(
                draft=draft,
                requester_id=user_id(body),
                origin_channel_id=private_metadata(view).get("channel_id"),
                **uow.ticket_ports(),
            )
        )

    @app.view(CallbackId.ESCALATE.value)
    @reports_errors
    def handle_escalate_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            note = clean_note(Field.NOTE, form_values(view).get(Field.NOTE), HANDOVER_NOTE)
            check_can_escalate(rota=deps.rota, now=deps.clock.now())
        except InvalidInput as invalid:
            ack(response_action="errors", errors=modal_errors(invalid, Field.NOTE))
            return
        except TriageError as refused:  # nobody on 2nd line: say so while the note is still in the form
            ack(response_action="errors", errors=modal_errors(refused, Field.NOTE))
            return
        ack()
        deps.run(
            lambda uow: escalate_ticket(
                ticket_id=metadata_ticket_id(view),
                actor_id=user_id(body),
                note=note,
                **uow.ticket_ports(),
            )
        )

    @app.view(CallbackId.RESOLVE.value)
    @reports_errors
    def handle_resolve_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            resolution = clean_note(Field.RESOLUTION, form_values(view).get(Field.RESOLUTION), RESOLUTION_NOTE)
        except InvalidInput as invalid:
            ack(response_action="errors", errors=modal_errors(invalid, Field.RESOLUTION))
            return
        ack()
        deps.run(
            lambda uow: resolve_ticket(
                ticket_id=metadata_ticket_id(view),
                actor_id=user_id(body),
                resolution=resolution,
                **uow.ticket_ports(),
            )
        )

    @app.view(CallbackId.MARK_DUPLICATE.value)
    @reports_errors
    def handle_duplicate_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The one form whose errors depend on stored data: a read (that never waits for writers) checks it
        before the ack, so a wrong reference is shown in the form; the change itself follows the ack."""
        original = parse_ref(form_values(view).get(Field.ORIGINAL) or "", deps.prefix)
        if original is None:
            ack(response_action="errors", errors={Field.ORIGINAL: f"Give a ticket reference like {deps.prefix}-42."})
            return
        ticket_id, actor = metadata_ticket_id(view), user_id(body)
        try:
            with deps.lookup() as tickets:
                check_duplicate(
                    ticket_id=ticket_id, original_id=original, actor_id=actor, tickets=tickets, rota=deps.rota
                )
        except TriageError as refused:
            ack(response_action="errors", errors=modal_errors(refused, Field.ORIGINAL))
            return
        ack()
        deps.run(
            lambda uow: mark_duplicate(
                ticket_id=ticket_id,
                original_id=original,
                actor_id=actor,
                **uow.ticket_ports(),
            )
        )

    @app.view(CallbackId.POST_UPDATE.value)
    @reports_errors
    def handle_update_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            message = clean_note(Field.UPDATE, form_values(view).get(Field.UPDATE), UPDATE_NOTE)
        except InvalidInput as invalid:
            ack(response_action="errors", errors=modal_errors(invalid, Field.UPDATE))
            return
        ack()
        deps.run(
            lambda uow: post_update(
                ticket_id=metadata_ticket_id(view),
                actor_id=user_id(body),
                message=message,
                **uow.ticket_ports(),
            )
        )
