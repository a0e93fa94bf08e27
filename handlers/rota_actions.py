"""Rota buttons: Accept / Decline / Approve / Reject on request DMs, and the rota modal's form buttons."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers import rota_cancel_view, rota_views
from handlers.deps import Deps, UnitOfWork
from handlers.errors import reports_errors
from handlers.ids import RotaActionId
from handlers.payloads import StaleAction, action_value, ticket_number, user_id
from handlers.rota_notifier import SlackRotaNotifier
from rota.cancellations import (
    cancel_leave,
    cancel_override,
    cancel_request,
    cancellable_requests,
    upcoming_leave,
    upcoming_overrides,
)
from rota.ports import RotaRequest
from rota.services import check_lead, decide_approval, line_members, respond_to_request, upcoming_shifts
from storage.rota import SqlRotaRepository
from triage.errors import NotAllowed

T = TypeVar("T")


def rota_call(deps: Deps, uow: UnitOfWork, service: Callable[..., T], arguments: dict[str, Any]) -> T:
    """Call one rota service inside `uow`, giving it the stored rota, its repository, notifier and time.

    The rota comes from the database with its revision locked, not from the cache: two decisions taken at
    once (two processes, two threads) must not both pass a check made against the same stale copy.
    """
    wanted = inspect.signature(service).parameters
    rota = uow.rota_repo.load_for_change(leads=deps.config.rota.leads, now=uow.now)
    extra: dict[str, Any] = {"repo": uow.rota_repo, "rota": rota, "now": uow.now}
    if "notifier" in wanted:
        extra["notifier"] = SlackRotaNotifier(uow.notifier.outbox, zone=deps.config.timezone)
    if "needs_approval" in wanted:
        extra["needs_approval"] = deps.config.swaps_need_approval
    return service(**arguments, **extra)


def run_rota(deps: Deps, service: Callable[..., T], **arguments: Any) -> T:
    """Run one rota service in one transaction."""
    with deps.unit_of_work() as uow:
        return rota_call(deps, uow, service, arguments)


def request_id(body: dict[str, Any]) -> int:
    """The id a rota button carries (a request, leave or override)."""
    try:
        return ticket_number(action_value(body))
    except ValueError:
        raise StaleAction("That button is out of date; open `/support rota` to see the rota.") from None


def swap_form_for(deps: Deps, user: str, now: datetime) -> dict[str, Any]:
    rota = deps.rota
    lines = [line for line in rota.rotations if user in line_members(rota, line, now)]
    mine = [d for line in lines for d in upcoming_shifts(rota, user, line, now)]
    if not mine:
        raise NotAllowed(f"You have no shifts in the next {rota_views.WEEKS} weeks to swap.")
    theirs = sorted(
        (
            d
            for line in lines
            for member in line_members(rota, line, now)
            if member != user
            for d in upcoming_shifts(rota, member, line, now)
        ),
        key=lambda d: (d.starts_at, d.line),
    )
    if not theirs:
        raise NotAllowed("Nobody else on your line has a shift in the next few weeks to swap with.")
    return rota_views.swap_form(mine, theirs, deps.config.timezone)


def cover_form_for(deps: Deps, user: str, now: datetime) -> dict[str, Any]:
    rota = deps.rota
    mine = sorted(
        (d for d in rota.shifts_of(user, now, now + timedelta(weeks=rota_views.WEEKS)) if d.ends_at > now),
        key=lambda d: (d.starts_at, d.line),
    )
    if not mine:
        raise NotAllowed(f"You have no shifts in the next {rota_views.WEEKS} weeks to hand over.")
    return rota_views.cover_form(mine, deps.config.timezone)


def cancel_view_for(deps: Deps, user: str, now: datetime) -> dict[str, Any]:
    """What `user` may take back: a read of their requests (no writer waited for) and the cached rota."""
    rota = deps.rota
    with deps.lookup() as tickets:
        requests = cancellable_requests(SqlRotaRepository(tickets.session).pending_requests_for(user), user)
    is_lead = user in rota.leads
    blocks = rota_cancel_view.cancel_blocks(
        viewer=user,
        requests=requests,
        leave=upcoming_leave(rota, now, user_id=None if is_lead else user),
        overrides=upcoming_overrides(rota, now) if is_lead else None,
        zone=deps.config.timezone,
    )
    return rota_cancel_view.cancel_modal(blocks)


def register(app: App, deps: Deps) -> None:
    def answer(service: Callable[..., RotaRequest], flag: str, value: bool) -> Callable[..., None]:
        def handle_rota_request_action(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()
            decided = run_rota(deps, service, request_id=request_id(body), actor_id=user_id(body), **{flag: value})
            respond(**rota_views.outcome_message(decided, deps.config.timezone), replace_original=True)

        return handle_rota_request_action

    for action, service, flag, value in (
        (RotaActionId.ACCEPT, respond_to_request, "accept", True),
        (RotaActionId.DECLINE, respond_to_request, "accept", False),
        (RotaActionId.APPROVE, decide_approval, "approve", True),
        (RotaActionId.REJECT, decide_approval, "approve", False),
    ):
        app.action(action.value)(reports_errors(answer(service, flag, value)))

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

    def take_back(service: Callable[..., object], key: str) -> Callable[..., None]:
        def handle_rota_cancel_action(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            """Cancel in one transaction, then show the list again without what was taken back."""
            ack()
            user = user_id(body)
            run_rota(deps, service, **{key: request_id(body), "actor_id": user})
            view = body.get("view")
            if isinstance(view, dict) and isinstance(view.get("id"), str):
                client.views_update(view_id=view["id"], view=cancel_view_for(deps, user, deps.clock.now()))

        return handle_rota_cancel_action

    cancellations: list[tuple[RotaActionId, Callable[..., object], str]] = [
        (RotaActionId.CANCEL_REQUEST, cancel_request, "request_id"),
        (RotaActionId.CANCEL_LEAVE, cancel_leave, "leave_id"),
        (RotaActionId.REMOVE_OVERRIDE, cancel_override, "override_id"),
    ]
    for cancel_action, cancel, key in cancellations:
        app.action(cancel_action.value)(reports_errors(take_back(cancel, key)))
