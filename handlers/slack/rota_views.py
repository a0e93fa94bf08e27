"""Block Kit for the rota: the 8-week modal, its forms, and the request and conflict messages. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.common import words
from handlers.common.rota import MEMBER_FIELDS, WEEKS, form_choices
from handlers.common.words import Markup, span
from handlers.slack.blocks import Blocks, Message, _context, input_block, mention, mrkdwn, option, plain_text
from handlers.slack.ids import RotaActionId, RotaCallbackId, RotaField
from rota.ports import RotaRequest
from rota.roster import Duty, Leave, Rota
from rota.rotation import SupportLine

LINES_PER_SECTION = 20  # a section's text is capped at 3,000 characters
MAX_OPTIONS = 100  # Slack's limit for a static_select

SLACK_MARKUP = Markup(bold=lambda text: f"*{text}*", emoji=lambda name: f":{name}:")


def duty_text(duty: Duty, zone: ZoneInfo) -> str:
    """One stretch of duty, marked when it is not the rotation's own member."""
    return words.duty_text(duty, zone, mention=mention, markup=SLACK_MARKUP)


def button(action: RotaActionId, label: str, value: str = "", style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": action.value, "text": plain_text(label)}
    if value:
        button["value"] = value
    if style:
        button["style"] = style
    return button


def rota_actions(*, is_member: bool, is_lead: bool) -> dict[str, Any] | None:
    """What the viewer can do from the rota modal (handlers/common/rota.py's form_choices), as buttons."""
    elements = [
        button(RotaActionId(form.value), label) for form, label in form_choices(is_member=is_member, is_lead=is_lead)
    ]
    return {"type": "actions", "block_id": "rota_actions", "elements": elements} if elements else None


def line_blocks(rota: Rota, line: SupportLine, duties: Sequence[Duty], zone: ZoneInfo) -> Blocks:
    rotation = rota.rotations.get(line)
    if rotation is None:
        return [mrkdwn(f"*{line.label}*: no rota configured")]
    order = ", ".join(mention(m) for m in rotation.members)
    blocks: Blocks = [mrkdwn(f"*{line.label}* · in order: {order}")]
    texts = [duty_text(d, zone) for d in duties]
    for start in range(0, len(texts), LINES_PER_SECTION):
        blocks.append(mrkdwn("\n".join(texts[start : start + LINES_PER_SECTION])))
    return blocks


def rota_modal(rota: Rota, *, viewer: str, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """The next 8 weeks per line, with who covers and why, and the viewer's actions."""
    blocks: Blocks = [
        _context(
            f"The next {WEEKS} weeks, times in {zone.key}. :arrows_counterclockwise: swap, cover or a lead's change · "
            ":palm_tree: covering someone's leave · :warning: nobody on duty"
        )
    ]
    actions = rota_actions(is_member=viewer in rota.members, is_lead=viewer in rota.leads)
    if actions:
        blocks.append(actions)
    for line in SupportLine:
        if line not in rota.rotations:
            continue
        duties = rota.duties(line, now, now + timedelta(weeks=WEEKS))
        blocks.append({"type": "divider"})
        blocks += line_blocks(rota, line, duties, zone)
    return {
        "type": "modal",
        "callback_id": RotaCallbackId.OVERVIEW.value,
        "title": plain_text("Support rota"),
        "close": plain_text("Close"),
        "blocks": blocks[:100],
    }


# -- forms pushed from the rota modal ----------------------------------------------------


def _form(
    callback: RotaCallbackId, title: str, submit: str, blocks: Blocks, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback.value,
        "title": plain_text(title),
        "submit": plain_text(submit),
        "close": plain_text("Back"),
        "private_metadata": json.dumps(metadata or {}),
        "blocks": blocks,
    }


def my_shift_value(duty: Duty) -> str:
    return f"{duty.line.value}|{duty.starts_at.isoformat()}|{duty.ends_at.isoformat()}"


def their_shift_value(duty: Duty) -> str:
    return f"{duty.line.value}|{duty.user_id}|{duty.starts_at.isoformat()}"


def _my_shift_select(mine: Sequence[Duty], zone: ZoneInfo, label: str) -> dict[str, Any]:
    return input_block(
        RotaField.SHIFT,
        label,
        {
            "type": "static_select",
            "placeholder": plain_text("Pick a shift"),
            "options": [
                option(f"{d.line.label}: {span(d.starts_at, d.ends_at, zone)}", my_shift_value(d)) for d in mine
            ][:MAX_OPTIONS],
        },
    )


def swap_form(mine: Sequence[Duty], theirs: Sequence[Duty], zone: ZoneInfo) -> dict[str, Any]:
    """Pick one of my shifts and another member's shift on the same line; they get Accept / Decline."""
    # Option labels are plain text, where mentions do not render: the user id stands in for the name.
    their_options = [
        option(
            f"{d.user_id} · {d.line.label}: {span(d.starts_at, d.ends_at, zone)}",
            their_shift_value(d),
        )
        for d in theirs
    ][:MAX_OPTIONS]
    return _form(
        RotaCallbackId.SWAP,
        "Request a swap",
        "Send request",
        [
            _my_shift_select(mine, zone, "My shift"),
            input_block(
                RotaField.THEIR_SHIFT,
                "Their shift",
                {"type": "static_select", "placeholder": plain_text("Who and when"), "options": their_options},
                hint="They work your shift and you work theirs, once they accept.",
            ),
        ],
    )


def cover_form(mine: Sequence[Duty], zone: ZoneInfo) -> dict[str, Any]:
    return _form(
        RotaCallbackId.COVER,
        "Ask for cover",
        "Send request",
        [
            _my_shift_select(mine, zone, "Shift to cover"),
            input_block(
                RotaField.TARGET,
                "Who",
                {"type": "users_select", "placeholder": plain_text("A member of the same line")},
                hint="They get a message to accept or decline. A shift already running is covered from now.",
            ),
        ],
    )


def leave_form(*, is_lead: bool, today: str) -> dict[str, Any]:
    blocks: Blocks = [
        input_block(RotaField.FIRST_DAY, "First day off", {"type": "datepicker", "initial_date": today}),
        input_block(RotaField.LAST_DAY, "Last day off", {"type": "datepicker", "initial_date": today}),
    ]
    if is_lead:
        blocks.append(
            input_block(
                RotaField.WHO, "For", {"type": "users_select"}, hint="Leave empty for your own leave.", optional=True
            )
        )
    blocks.append(_context("Your shifts in those days go to the next member in order; the leads are told now."))
    return _form(RotaCallbackId.LEAVE, "Add leave", "Add leave", blocks)


def members_form(rota: Rota) -> dict[str, Any]:
    """One people picker per line; the order they appear in is the rota order."""
    blocks: Blocks = []
    for line, field in MEMBER_FIELDS.items():
        rotation = rota.rotations.get(line)
        if rotation is None:
            continue
        element = {"type": "multi_users_select", "initial_users": list(rotation.members)}
        blocks.append(
            input_block(
                field,
                f"{line.label}, in rota order",
                element,
                hint="Shifts go in this order. Changes start at the next handover.",
            )
        )
    return _form(RotaCallbackId.MEMBERS, "Edit membership", "Save", blocks)


def override_form(rota: Rota, *, start: int) -> dict[str, Any]:
    lines = [option(line.label, line.value) for line in SupportLine if line in rota.rotations]
    return _form(
        RotaCallbackId.OVERRIDE,
        "Add an override",
        "Add",
        [
            input_block(RotaField.LINE, "Line", {"type": "static_select", "options": lines}),
            input_block(RotaField.USER, "Who is on duty", {"type": "users_select"}),
            input_block(RotaField.STARTS, "From", {"type": "datetimepicker", "initial_date_time": start}),
            input_block(RotaField.ENDS, "Until", {"type": "datetimepicker", "initial_date_time": start + 3600}),
        ],
    )


# -- messages about requests and leave ---------------------------------------------------


def describe_request(request: RotaRequest, zone: ZoneInfo, *, to: str) -> str:
    """The request in words, from the point of view of `to` (the target, or a lead)."""
    return words.describe_request(request, zone, to=to, mention=mention)


def _answer_message(text: str, block_id: str, buttons: list[dict[str, Any]]) -> Message:
    """A request in words with the buttons that answer it (the block id names the request)."""
    return {
        "text": text,
        "blocks": [mrkdwn(f":calendar: {text}"), {"type": "actions", "block_id": block_id, "elements": buttons}],
    }


def request_message(request: RotaRequest, zone: ZoneInfo) -> Message:
    value = str(request.id)
    return _answer_message(
        describe_request(request, zone, to=request.target_id),
        f"rota_request:{request.id}",
        [button(RotaActionId.ACCEPT, "Accept", value, "primary"), button(RotaActionId.DECLINE, "Decline", value)],
    )


def approval_message(request: RotaRequest, zone: ZoneInfo) -> Message:
    value = str(request.id)
    return _answer_message(
        f"Approval needed: {describe_request(request, zone, to='')} Both have agreed.",
        f"rota_approval:{request.id}",
        [
            button(RotaActionId.APPROVE, "Approve", value, "primary"),
            button(RotaActionId.REJECT, "Reject", value, "danger"),
        ],
    )


def outcome_text(request: RotaRequest, zone: ZoneInfo) -> str:
    """How a request stands, in words everyone involved can read."""
    return words.outcome_text(request, zone, mention=mention, markup=SLACK_MARKUP)


def outcome_message(request: RotaRequest, zone: ZoneInfo) -> Message:
    text = outcome_text(request, zone)
    return {"text": text, "blocks": [mrkdwn(text)]}


def leave_conflict_message(leave: Leave, conflicts: Sequence[Duty], zone: ZoneInfo) -> Message:
    """Leads hear of leave that takes someone off duty when it is recorded; a gap nobody covers is loud."""
    uncovered = [d for d in conflicts if d.user_id is None]
    who = mention(leave.user_id)
    head = (
        f":rotating_light: *NOBODY is on duty* for part of {who}'s leave: set an override or find cover."
        if uncovered
        else f":palm_tree: {who} will be on leave during their shifts; the next member in order covers."
    )
    rows = []
    for duty in conflicts:
        cover = mention(duty.user_id) + " covers" if duty.user_id else ":warning: *nobody covers*"
        rows.append(f"• {duty.line.label} {span(duty.starts_at, duty.ends_at, zone)}: {cover}")
    text = f"{head}\nLeave {span(leave.starts_at, leave.ends_at, zone)}\n" + "\n".join(rows)
    summary = f"NOBODY on duty during {who}'s leave" if uncovered else f"{who}'s leave touches their shifts"
    return {"text": summary, "blocks": [mrkdwn(text)]}
