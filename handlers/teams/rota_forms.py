"""Adaptive Cards for the rota window in Teams: the 8-week overview (the answer to `rota`) and the dialogs its
buttons open (swap, cover, leave, membership, override; my requests and leave are in rota_manage.py). Pure functions of domain values;
the same content and wording as handlers/slack/rota_views.py and rota_cancel_view.py.

Buttons on the overview are Action.Submit with `msteams: task/fetch` (each opens its dialog); a dialog's
Submit sends task/submit with the form's inputs and `{"dialog": ...}` naming the form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.common.rota import MEMBER_FIELDS, WEEKS, form_choices
from handlers.teams.ids import Dialog, RotaInput
from handlers.teams.rota_cards import (
    EMOJI,
    Element,
    Mentions,
    People,
    TeamsMessage,
    duty_text,
    message,
    rows,
    span,
    text_block,
)
from rota.roster import Duty, Rota
from rota.rotation import SupportLine

Card = dict[str, Any]
Name = Callable[[str], str]  # a person key -> the name shown in a dialog (plain text: no mentions in inputs)

TITLES = {
    Dialog.ROTA_SWAP: "Request a swap",
    Dialog.ROTA_COVER: "Ask for cover",
    Dialog.ROTA_LEAVE: "Add leave",
    Dialog.ROTA_MEMBERS: "Edit membership",
    Dialog.ROTA_OVERRIDE: "Add an override",
    Dialog.ROTA_MANAGE: "Requests and leave",
}


def open_dialog(dialog: Dialog, title: str) -> Element:
    """A button that opens a dialog (task/fetch), its data naming which."""
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {"msteams": {"type": "task/fetch"}, "dialog": dialog.value},
    }


def rota_buttons(*, is_member: bool, is_lead: bool) -> list[Element]:
    """What the viewer can do (handlers/common/rota.py's form_choices), as buttons that open the dialogs."""
    return [
        open_dialog(Dialog(form.value), label) for form, label in form_choices(is_member=is_member, is_lead=is_lead)
    ]


def rota_overview(rota: Rota, *, viewer: str, now: datetime, zone: ZoneInfo, people: People) -> TeamsMessage:
    """The next 8 weeks per line, with who covers and why, and the viewer's buttons."""
    at = Mentions(people)
    body: list[Element] = [
        text_block("Support rota", bold=True, size="Medium"),
        text_block(
            f"The next {WEEKS} weeks, times in {zone.key}. {EMOJI['arrows_counterclockwise']} swap, cover or a lead's "
            f"change · {EMOJI['palm_tree']} covering someone's leave · {EMOJI['warning']} nobody on duty",
            subtle=True,
        ),
    ]
    for line in SupportLine:
        rotation = rota.rotations.get(line)
        if rotation is None:
            continue
        order = ", ".join(at(m) for m in rotation.members)
        body.append({**text_block(f"**{line.label}** · in order: {order}"), "separator": True})
        body += rows(duty_text(d, zone, at) for d in rota.duties(line, now, now + timedelta(weeks=WEEKS)))
    buttons = rota_buttons(is_member=viewer in rota.members, is_lead=viewer in rota.leads)
    return message("The support rota for the next 8 weeks", body, at, buttons)


# -- the dialogs -----------------------------------------------------------------------------------------------


def dialog(kind: Dialog, card: Card) -> dict[str, Any]:
    """A task module response showing `card`."""
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": TITLES.get(kind, "Support"),
                "width": "medium",
                "height": "large",
                "card": {"contentType": "application/vnd.microsoft.card.adaptive", "content": card},
            },
        }
    }


def form_card(body: Sequence[Element], actions: Sequence[Element] = ()) -> Card:
    card: Card = {"type": "AdaptiveCard", "version": "1.5", "body": list(body)}
    if actions:
        card["actions"] = list(actions)
    return card


def _submit(kind: Dialog, title: str) -> Element:
    return {"type": "Action.Submit", "title": title, "data": {"dialog": kind.value}, "style": "positive"}


def _with_errors(inputs: Sequence[Element], errors: Mapping[str, str], values: Mapping[str, Any]) -> list[Element]:
    """Each input with what was typed kept and its error under it (Slack's `response_action: errors`)."""
    out: list[Element] = []
    for element in inputs:
        given = values.get(element["id"])
        if given not in (None, ""):
            element = {**element, "value": given}
        message_ = errors.get(element["id"])
        if message_ is None:
            out.append(element)
        else:
            out += [
                {**element, "errorMessage": message_},
                text_block(message_) | {"color": "Attention", "size": "Small"},
            ]
    return out


def _choices(options: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "value": value} for title, value in options][:100]


def my_shift_value(duty: Duty) -> str:
    return f"{duty.line.value}|{duty.starts_at.isoformat()}|{duty.ends_at.isoformat()}"


def their_shift_value(duty: Duty) -> str:
    return f"{duty.line.value}|{duty.user_id}|{duty.starts_at.isoformat()}"


def _my_shift_input(mine: Sequence[Duty], zone: ZoneInfo, label: str) -> Element:
    return {
        "type": "Input.ChoiceSet",
        "id": RotaInput.SHIFT.value,
        "label": label,
        "isRequired": True,
        "placeholder": "Pick a shift",
        "choices": _choices(
            [(f"{d.line.label}: {span(d.starts_at, d.ends_at, zone)}", my_shift_value(d)) for d in mine]
        ),
    }


def _form(
    kind: Dialog,
    submit: str,
    inputs: Sequence[Element],
    notes: Sequence[str],
    errors: Mapping[str, str] | None,
    values: Mapping[str, Any] | None,
) -> Card:
    body = [text_block(TITLES[kind], bold=True, size="Medium"), *_with_errors(inputs, errors or {}, values or {})]
    body += [text_block(note, subtle=True) for note in notes]
    return form_card(body, [_submit(kind, submit)])


def swap_form(
    mine: Sequence[Duty],
    theirs: Sequence[Duty],
    zone: ZoneInfo,
    name: Name,
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Card:
    """Pick one of my shifts and another member's shift on the same line; they get Accept / Decline."""
    their_choices = [
        (f"{name(d.user_id or '')} · {d.line.label}: {span(d.starts_at, d.ends_at, zone)}", their_shift_value(d))
        for d in theirs
    ]
    inputs = [
        _my_shift_input(mine, zone, "My shift"),
        {
            "type": "Input.ChoiceSet",
            "id": RotaInput.THEIR_SHIFT.value,
            "label": "Their shift",
            "isRequired": True,
            "placeholder": "Who and when",
            "choices": _choices(their_choices),
        },
    ]
    notes = ["They work your shift and you work theirs, once they accept."]
    return _form(Dialog.ROTA_SWAP, "Send request", inputs, notes, errors, values)


def cover_form(
    mine: Sequence[Duty],
    candidates: Sequence[str],
    zone: ZoneInfo,
    name: Name,
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Card:
    inputs = [
        _my_shift_input(mine, zone, "Shift to cover"),
        {
            "type": "Input.ChoiceSet",
            "id": RotaInput.TARGET.value,
            "label": "Who",
            "isRequired": True,
            "placeholder": "A member of the same line",
            "choices": _choices([(name(p), p) for p in candidates]),
        },
    ]
    notes = ["They get a message to accept or decline. A shift already running is covered from now."]
    return _form(Dialog.ROTA_COVER, "Send request", inputs, notes, errors, values)


def leave_form(
    *,
    is_lead: bool,
    today: str,
    members: Sequence[str],
    name: Name,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Card:
    inputs: list[Element] = [
        {
            "type": "Input.Date",
            "id": RotaInput.FIRST_DAY.value,
            "label": "First day off",
            "isRequired": True,
            "value": today,
        },
        {
            "type": "Input.Date",
            "id": RotaInput.LAST_DAY.value,
            "label": "Last day off",
            "isRequired": True,
            "value": today,
        },
    ]
    notes = []
    if is_lead:
        inputs.append(
            {
                "type": "Input.ChoiceSet",
                "id": RotaInput.WHO.value,
                "label": "For",
                "placeholder": "Leave empty for your own leave.",
                "choices": _choices([(name(m), m) for m in members]),
            }
        )
    notes.append("Your shifts in those days go to the next member in order; the leads are told now.")
    return _form(Dialog.ROTA_LEAVE, "Add leave", inputs, notes, errors, values)


def members_form(
    rota: Rota, name: Name, *, errors: Mapping[str, str] | None = None, values: Mapping[str, Any] | None = None
) -> Card:
    """One list per line, in rota order: names as shown, emails or AAD object ids."""
    inputs = []
    for line, field in MEMBER_FIELDS.items():
        rotation = rota.rotations.get(line)
        if rotation is None:
            continue
        inputs.append(
            {
                "type": "Input.Text",
                "id": field.value,
                "label": f"{line.label}, in rota order",
                "isRequired": True,
                "value": ", ".join(name(m) for m in rotation.members),
            }
        )
    notes = [
        "Shifts go in this order. Changes start at the next handover.",
        "Separate people by commas: a name as shown here, an email address or an AAD object id.",
    ]
    return _form(Dialog.ROTA_MEMBERS, "Save", inputs, notes, errors, values)


def override_form(
    rota: Rota,
    people: Sequence[str],
    name: Name,
    *,
    start: datetime,
    zone: ZoneInfo,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Card:
    local, until = start.astimezone(zone), (start + timedelta(hours=1)).astimezone(zone)
    inputs = [
        {
            "type": "Input.ChoiceSet",
            "id": RotaInput.LINE.value,
            "label": "Line",
            "isRequired": True,
            "choices": _choices([(line.label, line.value) for line in SupportLine if line in rota.rotations]),
        },
        {
            "type": "Input.ChoiceSet",
            "id": RotaInput.USER.value,
            "label": "Who is on duty",
            "isRequired": True,
            "choices": _choices([(name(p), p) for p in people]),
        },
        {
            "type": "Input.Date",
            "id": RotaInput.STARTS.value,
            "label": "From",
            "isRequired": True,
            "value": f"{local:%Y-%m-%d}",
        },
        {
            "type": "Input.Time",
            "id": RotaInput.STARTS_TIME.value,
            "label": "From (time)",
            "isRequired": True,
            "value": f"{local:%H:%M}",
        },
        {
            "type": "Input.Date",
            "id": RotaInput.ENDS.value,
            "label": "Until",
            "isRequired": True,
            "value": f"{until:%Y-%m-%d}",
        },
        {
            "type": "Input.Time",
            "id": RotaInput.ENDS_TIME.value,
            "label": "Until (time)",
            "isRequired": True,
            "value": f"{until:%H:%M}",
        },
    ]
    return _form(Dialog.ROTA_OVERRIDE, "Add", inputs, [f"Times in {zone.key}."], errors, values)
