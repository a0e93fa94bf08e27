"""Rota form submissions: refusals are shown in the form (checked on the cached rota before the ack); the
change itself follows the ack, in one transaction, and the person gets a DM saying what happened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypedDict

from slack_bolt import Ack, App

from handlers.slack import rota_views
from handlers.slack.blocks import mention
from handlers.slack.errors import modal_errors, reports_errors, slack_text
from handlers.slack.ids import RotaCallbackId, RotaField
from handlers.slack.payloads import user_id
from rota.ports import RotaRequest
from rota.rotation import RotaError, SupportLine, check_year
from rota.services import (
    add_leave,
    add_override,
    check_cover,
    check_leave,
    check_members,
    check_override,
    check_swap,
    request_cover,
    request_swap,
    set_members,
)
from services.unit_of_work import Deps, UnitOfWork
from triage.errors import InvalidInput, TriageError


class SwapShifts(TypedDict):
    """A swap as the form gives it: checked on the cached rota before the ack, then requested after it."""

    requester_id: str
    target_id: str
    line: SupportLine
    my_shift_start: datetime
    their_shift_start: datetime


class CoverShift(TypedDict):
    requester_id: str
    target_id: str
    line: SupportLine
    starts_at: datetime
    ends_at: datetime


class OverrideWanted(TypedDict):
    line: SupportLine
    user_id: str
    starts_at: datetime
    ends_at: datetime
    actor_id: str


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


def _instant(text: Any, field: RotaField) -> datetime:
    try:
        return datetime.fromisoformat(str(text)).astimezone(UTC)
    except ValueError:
        raise InvalidInput(
            field, "That choice is out of date; close the form and open `/support rota` again."
        ) from None


def parse_my_shift(value: Any) -> tuple[SupportLine, datetime, datetime]:
    """`line|start|end` from the "My shift" menu."""
    parts = str(value or "").split("|")
    if len(parts) != 3 or parts[0] not in set(SupportLine):
        raise InvalidInput(RotaField.SHIFT, "Pick one of your shifts.")
    return SupportLine(parts[0]), _instant(parts[1], RotaField.SHIFT), _instant(parts[2], RotaField.SHIFT)


def parse_their_shift(value: Any) -> tuple[SupportLine, str, datetime]:
    """`line|user|start` from the "Their shift" menu."""
    parts = str(value or "").split("|")
    if len(parts) != 3 or parts[0] not in set(SupportLine) or not parts[1]:
        raise InvalidInput(RotaField.THEIR_SHIFT, "Pick the shift you would take in exchange.")
    return SupportLine(parts[0]), parts[1], _instant(parts[2], RotaField.THEIR_SHIFT)


def parse_day(value: Any, field: RotaField) -> date:
    try:
        day = date.fromisoformat(str(value))
        check_year(day, day.isoformat())
        return day
    except RotaError as error:
        raise InvalidInput(field, str(error)) from None
    except ValueError:
        raise InvalidInput(field, "Pick a date.") from None


def parse_epoch(value: Any, field: RotaField) -> datetime:
    if type(value) is not int or not 0 < value < 2**33:
        raise InvalidInput(field, "Pick a date and time.")
    return datetime.fromtimestamp(value, UTC)


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
        line, mine, _ = parse_my_shift(values.get(RotaField.SHIFT))
        their_line, target, theirs = parse_their_shift(values.get(RotaField.THEIR_SHIFT))
        if their_line is not line:
            raise InvalidInput(RotaField.THEIR_SHIFT, f"Pick a {line.label} shift, the line of yours.")
        shifts = SwapShifts(
            requester_id=user, target_id=target, line=line, my_shift_start=mine, their_shift_start=theirs
        )
        check_swap(**shifts, rota=deps.rota, now=deps.clock.now())
        return ask(lambda uow: request_swap(**shifts, **uow.notifying_rota_ports()), "swap")

    def cover(user: str, values: dict[str, Any]) -> Callable[[UnitOfWork], str]:
        line, starts, ends = parse_my_shift(values.get(RotaField.SHIFT))
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
            text = f"{whose} leave {first:%a %d %b} to {last:%a %d %b} is recorded."
            if recorded.uncovered:
                return text + " :rotating_light: Nobody covers some of those shifts; the leads have been told."
            if recorded.conflicts:
                return text + " The shifts it touches go to the next member in order; the leads have been told."
            return text + " It touches no shifts."

        return send

    def members(user: str, values: dict[str, Any]) -> Callable[[UnitOfWork], str]:
        now = deps.clock.now()
        changes: dict[SupportLine, list[str]] = {}
        errors: dict[str, str] = {}
        for line, field in rota_views.MEMBER_FIELDS.items():
            if field not in values:
                continue
            try:
                check_members(line=line, members=values[field], actor_id=user, rota=deps.rota, now=now)
                changes[line] = values[field]
            except InvalidInput as invalid:
                if "nothing changed" not in str(invalid):
                    errors[field] = slack_text(invalid)
        if errors or not changes:
            first = next(iter(errors or {RotaField.MEMBERS_FIRST: ""}))
            raise InvalidInput(first, errors.get(first) or "Nothing changed.", more=errors)

        def send(uow: UnitOfWork) -> str:  # every line's edit in the one transaction, on the committed rota
            done = [
                set_members(line=line, members=chosen, actor_id=user, **uow.rota_ports())
                for line, chosen in changes.items()
            ]
            return "\n".join(
                f"The {r.line.label} rota is now {', '.join(mention(m) for m in r.members)} "
                f"in that order, from {rota_views.when(r.shift_start(0), zone)}."
                for r in done
            )

        return send

    def override(user: str, values: dict[str, Any]) -> Callable[[UnitOfWork], str]:
        line_value = values.get(RotaField.LINE)
        if line_value not in set(SupportLine):
            raise InvalidInput(RotaField.LINE, "Pick a line.")
        who = values.get(RotaField.USER)
        if not isinstance(who, str) or not who:
            raise InvalidInput(RotaField.USER, "Pick who is on duty.")
        wanted = OverrideWanted(
            line=SupportLine(line_value),
            user_id=who,
            starts_at=parse_epoch(values.get(RotaField.STARTS), RotaField.STARTS),
            ends_at=parse_epoch(values.get(RotaField.ENDS), RotaField.ENDS),
            actor_id=user,
        )
        check_override(**wanted, rota=deps.rota, now=deps.clock.now())

        def send(uow: UnitOfWork) -> str:
            pieces = add_override(**wanted, **uow.rota_ports())
            span = rota_views.span(pieces[0].starts_at, pieces[-1].ends_at, zone)
            return f"{mention(who)} is on {SupportLine(line_value).label} duty {span}."

        return send

    form(RotaCallbackId.SWAP, RotaField.THEIR_SHIFT, swap)
    form(RotaCallbackId.COVER, RotaField.TARGET, cover)
    form(RotaCallbackId.LEAVE, RotaField.LAST_DAY, leave)
    form(RotaCallbackId.MEMBERS, RotaField.MEMBERS_FIRST, members)
    form(RotaCallbackId.OVERRIDE, RotaField.ENDS, override)
