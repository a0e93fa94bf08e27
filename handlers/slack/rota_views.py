"""Block Kit for the rota: the 8-week modal, its forms, and the request and conflict messages. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.slack.blocks import Blocks, Message, _context, input_block, mention, mrkdwn, option, plain_text
from handlers.slack.ids import RotaActionId, RotaCallbackId, RotaField
from rota.ports import RequestKind, RequestStatus, RotaRequest
from rota.roster import Duty, DutySource, Leave, Rota
from rota.rotation import SupportLine

WEEKS = 8
LINES_PER_SECTION = 20  # a section's text is capped at 3,000 characters
MAX_OPTIONS = 100  # Slack's limit for a static_select

MARKS = {
    DutySource.OVERRIDE: ":arrows_counterclockwise:",
    DutySource.LEAVE_COVER: ":palm_tree:",
    DutySource.NOBODY: ":warning:",
}


def when(at: datetime, zone: ZoneInfo) -> str:
    return f"{at.astimezone(zone):%a %d %b %H:%M}"


def span(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    return f"{when(starts_at, zone)} → {when(ends_at, zone)}"


def duty_text(duty: Duty, zone: ZoneInfo) -> str:
    """One stretch of duty, marked when it is not the rotation's own member."""
    who = mention(duty.user_id) if duty.user_id else "*nobody*"
    note = ""
    if duty.source is DutySource.OVERRIDE and duty.scheduled and duty.scheduled != duty.user_id:
        note = f" {MARKS[duty.source]} for {mention(duty.scheduled)}"
    elif duty.source is DutySource.OVERRIDE:
        note = f" {MARKS[duty.source]}"
    elif duty.source is DutySource.LEAVE_COVER:
        note = f" {MARKS[duty.source]} {mention(duty.scheduled)} on leave"
    elif duty.source is DutySource.NOBODY and duty.scheduled:
        note = f" {MARKS[duty.source]} {mention(duty.scheduled)} on leave, nobody covers"
    elif duty.source is DutySource.NOBODY:
        note = f" {MARKS[duty.source]}"
    return f"• {span(duty.starts_at, duty.ends_at, zone)}  {who}{note}"


def button(action: RotaActionId, label: str, value: str = "", style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": action.value, "text": plain_text(label)}
    if value:
        button["value"] = value
    if style:
        button["style"] = style
    return button


def rota_actions(*, is_member: bool, is_lead: bool) -> dict[str, Any] | None:
    """What the viewer can do from the rota modal: members swap, ask for cover, add leave; leads edit; both
    can take back what they asked for."""
    elements = []
    if is_member:
        elements += [
            button(RotaActionId.SWAP, "Request a swap"),
            button(RotaActionId.COVER, "Ask for cover"),
            button(RotaActionId.LEAVE, "Add leave"),
        ]
    elif is_lead:
        elements.append(button(RotaActionId.LEAVE, "Add leave"))
    if is_lead:
        elements += [
            button(RotaActionId.MEMBERS, "Edit membership"),
            button(RotaActionId.OVERRIDE, "Add an override"),
        ]
    if is_member or is_lead:
        elements.append(
            button(RotaActionId.MANAGE, "Cancel requests, leave..." if is_lead else "My requests and leave")
        )
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


MEMBER_FIELDS = {SupportLine.FIRST: RotaField.MEMBERS_FIRST, SupportLine.SECOND: RotaField.MEMBERS_SECOND}


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
    mine = span(request.given_from, request.given_to, zone)
    requester = mention(request.requester_id)
    if request.kind is RequestKind.SWAP and request.taken_from and request.taken_to:
        theirs = span(request.taken_from, request.taken_to, zone)
        if to == request.target_id:
            return f"{requester} asks to swap {request.line.label} shifts: you take theirs ({mine}) and they take yours ({theirs})."
        return f"{requester} and {mention(request.target_id)} swap {request.line.label} shifts: {mine} and {theirs}."
    if to == request.target_id:
        return f"{requester} asks you to cover their {request.line.label} duty {mine}."
    return f"{mention(request.target_id)} covers {requester}'s {request.line.label} duty {mine}."


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
    what = describe_request(request, zone, to="")
    by = mention(request.decided_by)
    status = request.status
    if status is RequestStatus.AWAITING_APPROVAL:
        return (
            f":hourglass: {mention(request.target_id)} accepted; a lead must approve it before the rota changes. {what}"
        )
    if status is RequestStatus.ACCEPTED:
        return f":white_check_mark: Done, the rota has changed ({by} agreed): {what}"
    if status is RequestStatus.DECLINED:
        return f":x: {mention(request.target_id)} declined; the rota is unchanged. {what}"
    if status is RequestStatus.REJECTED:
        return f":x: {by} (lead) rejected it; the rota is unchanged. {what}"
    if request.decided_by:
        return f":heavy_multiplication_x: {by} cancelled the request; the rota is unchanged. {what}"
    return f"The request was cancelled; the rota is unchanged. {what}"


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
