"""Rota buttons: Accept / Decline / Approve / Reject on request DMs, and the rota modal's form buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers.common.rota import cancellable, cover_shifts, swap_shifts
from handlers.slack import rota_cancel_view, rota_views
from handlers.slack.errors import reports_errors
from handlers.slack.ids import RotaActionId
from handlers.slack.payloads import StaleAction, action_value, ticket_number, user_id
from rota.cancellations import cancel_leave, cancel_override, cancel_request
from rota.ports import RotaRequest
from rota.services import check_lead, decide_approval, respond_to_request
from services.unit_of_work import Deps, UnitOfWork
from storage.rota import SqlRotaRepository
from triage.errors import NotAllowed

T = TypeVar("T")


Decide = Callable[[UnitOfWork, int, str], RotaRequest]  # (uow, request id, who pressed) -> the request
Cancel = Callable[[UnitOfWork, int, str], object]  # (uow, id of what is taken back, who pressed)


def run_rota(deps: Deps, action: Callable[[UnitOfWork], T]) -> T:
    """Run one rota service in one transaction, on the stored rota with its revision locked."""
    with deps.unit_of_work() as uow:
        return action(uow)


def request_id(body: dict[str, Any]) -> int:
    """The id a rota button carries (a request, leave or override)."""
    try:
        return ticket_number(action_value(body))
    except ValueError:
        raise StaleAction("That button is out of date; open `/support rota` to see the rota.") from None


def swap_form_for(deps: Deps, user: str, now: datetime) -> dict[str, Any]:
    mine, theirs = swap_shifts(deps.rota, user, now)
    return rota_views.swap_form(mine, theirs, deps.config.timezone)


def cover_form_for(deps: Deps, user: str, now: datetime) -> dict[str, Any]:
    return rota_views.cover_form(cover_shifts(deps.rota, user, now), deps.config.timezone)


def cancel_view_for(deps: Deps, user: str, now: datetime) -> dict[str, Any]:
    """What `user` may take back: a read of their requests (no writer waited for) and the cached rota."""
    with deps.lookup() as tickets:
        mine = cancellable(SqlRotaRepository(tickets.session).pending_requests_for(user), deps.rota, user, now)
    blocks = rota_cancel_view.cancel_blocks(
        viewer=user, requests=mine.requests, leave=mine.leave, overrides=mine.overrides, zone=deps.config.timezone
    )
    return rota_cancel_view.cancel_modal(blocks)


def register(app: App, deps: Deps) -> None:
    def answer(decide: Decide) -> Callable[..., None]:
        def handle_rota_request_action(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()
            decided = run_rota(deps, lambda uow: decide(uow, request_id(body), user_id(body)))
            respond(**rota_views.outcome_message(decided, deps.config.timezone), replace_original=True)

        return handle_rota_request_action

    def reply(accept: bool) -> Decide:
        return lambda uow, request, actor: respond_to_request(
            request_id=request,
            actor_id=actor,
            accept=accept,
            needs_approval=deps.config.swaps_need_approval,
            **uow.notifying_rota_ports(),
        )

    def approval(approve: bool) -> Decide:
        return lambda uow, request, actor: decide_approval(
            request_id=request, actor_id=actor, approve=approve, **uow.notifying_rota_ports()
        )

    for action, decide in (
        (RotaActionId.ACCEPT, reply(True)),
        (RotaActionId.DECLINE, reply(False)),
        (RotaActionId.APPROVE, approval(True)),
        (RotaActionId.REJECT, approval(False)),
    ):
        app.action(action.value)(reports_errors(answer(decide)))

    @app.action(RotaActionId.OPEN_ROTA.value)
    @reports_errors
    def handle_open_rota_action(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = rota_views.rota_modal(deps.rota, viewer=user_id(body), now=deps.clock.now(), zone=deps.config.timezone)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def push(build: Callable[[str, datetime], dict[str, Any]]) -> Callable[..., None]:
        def handle_rota_form_action(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            """The form comes from the cached rota (no writer is waited for), so views.push follows the ack."""
            ack()
            view = build(user_id(body), deps.clock.now())
            client.views_push(trigger_id=body["trigger_id"], view=view)

        return handle_rota_form_action

    def leave_form(user: str, now: datetime) -> dict[str, Any]:
        rota = deps.rota
        if user not in rota.members and user not in rota.leads:
            raise NotAllowed("Only rota members record leave here; nobody else has shifts to cover.")
        today = now.astimezone(deps.config.timezone).date().isoformat()
        return rota_views.leave_form(is_lead=user in rota.leads, today=today)

    def members_form(user: str, now: datetime) -> dict[str, Any]:
        check_lead(deps.rota, user, "change who is on the rota")
        return rota_views.members_form(deps.rota)

    def override_form(user: str, now: datetime) -> dict[str, Any]:
        check_lead(deps.rota, user, "put someone on duty directly")
        return rota_views.override_form(deps.rota, start=int(now.timestamp()) // 3600 * 3600 + 3600)

    for action, build in (
        (RotaActionId.SWAP, lambda user, now: swap_form_for(deps, user, now)),
        (RotaActionId.COVER, lambda user, now: cover_form_for(deps, user, now)),
        (RotaActionId.LEAVE, leave_form),
        (RotaActionId.MEMBERS, members_form),
        (RotaActionId.OVERRIDE, override_form),
        (RotaActionId.MANAGE, lambda user, now: cancel_view_for(deps, user, now)),
    ):
        app.action(action.value)(reports_errors(push(build)))

    def take_back(cancel: Cancel) -> Callable[..., None]:
        def handle_rota_cancel_action(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            """Cancel in one transaction, then show the list again without what was taken back."""
            ack()
            user = user_id(body)
            run_rota(deps, lambda uow: cancel(uow, request_id(body), user))
            view = body.get("view")
            if isinstance(view, dict) and isinstance(view.get("id"), str):
                client.views_update(view_id=view["id"], view=cancel_view_for(deps, user, deps.clock.now()))

        return handle_rota_cancel_action

    cancellations: list[tuple[RotaActionId, Cancel]] = [
        (
            RotaActionId.CANCEL_REQUEST,
            lambda uow, id, actor: cancel_request(request_id=id, actor_id=actor, **uow.notifying_rota_ports()),
        ),
        (
            RotaActionId.CANCEL_LEAVE,
            lambda uow, id, actor: cancel_leave(leave_id=id, actor_id=actor, **uow.notifying_rota_ports()),
        ),
        (
            RotaActionId.REMOVE_OVERRIDE,
            lambda uow, id, actor: cancel_override(override_id=id, actor_id=actor, **uow.notifying_rota_ports()),
        ),
    ]
    for cancel_action, cancel in cancellations:
        app.action(cancel_action.value)(reports_errors(take_back(cancel)))
