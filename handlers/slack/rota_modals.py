"""Rota form submissions: refusals are shown in the form (checked on the cached rota before the ack); the
change itself follows the ack, in one transaction, and the person gets a DM saying what happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from handlers.common.rota import (
    CoverShift,
    OverrideWanted,
    leave_recorded,
    member_changes,
    members_changed,
    parse_day,
    parse_epoch,
    parse_line,
    parse_my_shift,
    parse_swap,
)
from handlers.common.words import span
from handlers.slack import rota_views
from handlers.slack.blocks import mention
from handlers.slack.errors import modal_errors, reports_errors, slack_text
from handlers.slack.ids import RotaCallbackId, RotaField
from handlers.slack.payloads import user_id
from rota.ports import RotaRequest
from rota.services import (
    add_leave,
    add_override,
    check_cover,
    check_leave,
    check_override,
    check_swap,
    request_cover,
    request_swap,
    set_members,
)
from services.unit_of_work import Deps, UnitOfWork
from triage.errors import InvalidInput, TriageError

STALE = "That choice is out of date; close the form and open `/support rota` again."


def rota_form_values(view: dict[str, Any]) -> dict[str, Any]:
    """Each input's value by block id: a select's choice, the picked user(s), date or time, or the text."""
    values: dict[str, Any] = {}
    state = view.get("state") if isinstance(view, dict) else None
    blocks = state.get("values") if isinstance(state, dict) else None
    for block_id, elements in (blocks if isinstance(blocks, dict) else {}).items():
        element = next(iter(elements.values()), None) if isinstance(elements, dict) else None
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        if kind == "static_select":
            chosen = element.get("selected_option")
            values[block_id] = chosen.get("value") if isinstance(chosen, dict) else None
        elif kind == "users_select":
            values[block_id] = element.get("selected_user")
        elif kind == "multi_users_select":
            users = element.get("selected_users")
            values[block_id] = [u for u in users if isinstance(u, str)] if isinstance(users, list) else []
        elif kind == "datepicker":
            values[block_id] = element.get("selected_date")
        elif kind == "datetimepicker":
            values[block_id] = element.get("selected_date_time")
        else:
            values[block_id] = element.get("value")
    return values


def form_errors(error: TriageError, view: dict[str, Any], default: RotaField) -> dict[str, str]:
    """A refusal placed on the input it is about, or on `default` when the form has no such input."""
    present = {b.get("block_id") for b in view.get("blocks", []) if isinstance(b, dict) and b.get("type") == "input"}
    errors = modal_errors(error, default)
    placed: dict[str, str] = {}
    for field, message in errors.items():
        placed[field if field in present else default] = message
    return placed


def register(app: App, deps: Deps) -> None:
    zone = deps.config.timezone

    def form(
        callback: RotaCallbackId,
        default: RotaField,
        check: Callable[[str, dict[str, Any]], Callable[[UnitOfWork], str]],
    ) -> None:
        """`check` validates on the cached rota before the ack and returns the change to make after it.

        The change runs in one transaction, and its confirmation DM is queued in the outbox inside that same
        transaction: if Slack is down at that moment, the worker delivers it later instead of losing it.
        """

        def handle_rota_form_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            user = user_id(body)
            try:
                change = check(user, rota_form_values(view))
            except TriageError as refused:
                ack(response_action="errors", errors=form_errors(refused, view, default))
                return
            ack()
            with deps.unit_of_work() as uow:
                uow.rota_notifier.change_confirmed(user, change(uow))

        handle_rota_form_submission.__name__ = f"handle_{callback.value}_submission"
        app.view(callback.value)(reports_errors(handle_rota_form_submission))

    def ask(make: Callable[[UnitOfWork], RotaRequest], what: str) -> Callable[[UnitOfWork], str]:
        """Send a swap or cover request; the requester hears that it went and waits for the answer."""

        def send(uow: UnitOfWork) -> str:
            request = make(uow)
            return (
                f"I have asked {mention(request.target_id)} to {what}; you will hear here when they answer.\n"
                f"> {rota_views.describe_request(request, zone, to='')}"
            )

        return send

    def swap(user: str, values: dict[str, Any]) -> Callable[[UnitOfWork], str]:
        shifts = parse_swap(user, values, stale=STALE)
        check_swap(**shifts, rota=deps.rota, now=deps.clock.now())
        return ask(lambda uow: request_swap(**shifts, **uow.notifying_rota_ports()), "swap")

    def cover(user: str, values: dict[str, Any]) -> Callable[[UnitOfWork], str]:
        line, starts, ends = parse_my_shift(values.get(RotaField.SHIFT), stale=STALE)
        target = values.get(RotaField.TARGET)
        if not isinstance(target, str) or not target:
            raise InvalidInput(RotaField.TARGET, "Pick who you are asking.")
        shift = CoverShift(requester_id=user, target_id=target, line=line, starts_at=starts, ends_at=ends)
        check_cover(**shift, rota=deps.rota, now=deps.clock.now())
        return ask(lambda uow: request_cover(**shift, **uow.notifying_rota_ports()), "cover")

    def leave(user: str, values: dict[str, Any]) -> Callable[[UnitOfWork], str]:
        first = parse_day(values.get(RotaField.FIRST_DAY), RotaField.FIRST_DAY)
        last = parse_day(values.get(RotaField.LAST_DAY), RotaField.LAST_DAY)
        who = values.get(RotaField.WHO) or user
        check_leave(user_id=who, actor_id=user, first=first, last=last, rota=deps.rota, now=deps.clock.now())

        def send(uow: UnitOfWork) -> str:
            recorded = add_leave(user_id=who, actor_id=user, first=first, last=last, **uow.notifying_rota_ports())
            whose = "Your" if who == user else f"<@{who}>'s"
            return leave_recorded(whose, first, last, recorded, emoji=lambda name: f":{name}:")

        return send

    def members(user: str, values: dict[str, Any]) -> Callable[[UnitOfWork], str]:
        changes = member_changes(
            values,
            members_of=lambda chosen: chosen,
            render=slack_text,
            actor_id=user,
            rota=deps.rota,
            now=deps.clock.now(),
        )

        def send(uow: UnitOfWork) -> str:  # every line's edit in the one transaction, on the committed rota
            done = [
                set_members(line=line, members=chosen, actor_id=user, **uow.rota_ports())
                for line, chosen in changes.items()
            ]
            return "\n".join(members_changed(r, mention, zone) for r in done)

        return send

    def override(user: str, values: dict[str, Any]) -> Callable[[UnitOfWork], str]:
        line = parse_line(values)
        who = values.get(RotaField.USER)
        if not isinstance(who, str) or not who:
            raise InvalidInput(RotaField.USER, "Pick who is on duty.")
        wanted = OverrideWanted(
            line=line,
            user_id=who,
            starts_at=parse_epoch(values.get(RotaField.STARTS), RotaField.STARTS),
            ends_at=parse_epoch(values.get(RotaField.ENDS), RotaField.ENDS),
            actor_id=user,
        )
        check_override(**wanted, rota=deps.rota, now=deps.clock.now())

        def send(uow: UnitOfWork) -> str:
            pieces = add_override(**wanted, **uow.rota_ports())
            during = span(pieces[0].starts_at, pieces[-1].ends_at, zone)
            return f"{mention(who)} is on {line.label} duty {during}."

        return send

    form(RotaCallbackId.SWAP, RotaField.THEIR_SHIFT, swap)
    form(RotaCallbackId.COVER, RotaField.TARGET, cover)
    form(RotaCallbackId.LEAVE, RotaField.LAST_DAY, leave)
    form(RotaCallbackId.MEMBERS, RotaField.MEMBERS_FIRST, members)
    form(RotaCallbackId.OVERRIDE, RotaField.ENDS, override)
