"""Block Kit for taking rota changes back: my pending requests, leave, (leads) the overrides, and the DMs
telling people a lead took back their leave or an override. Pure."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from handlers.common import words
from handlers.common.rota import WAITING
from handlers.common.words import span
from handlers.slack.blocks import Blocks, Message, mention, mrkdwn, plain_text
from handlers.slack.ids import RotaActionId, RotaCallbackId
from handlers.slack.rota_views import button, describe_request, duty_text
from rota.ports import RotaRequest
from rota.roster import Duty, Leave, Override

MAX_ROWS = 30  # per list: a modal holds at most 100 blocks


def _row(text: str, action: RotaActionId, label: str, value: int | None) -> dict[str, Any]:
    """One item with its button beside it (a section accessory: its own block, so action ids may repeat)."""
    block = mrkdwn(text)
    if value is not None:
        block["accessory"] = {**button(action, label, str(value), "danger"), "confirm": _confirm(label)}
    return block


def _confirm(label: str) -> dict[str, Any]:
    return {
        "title": plain_text(f"{label}?"),
        "text": plain_text("This takes effect at once."),
        "confirm": plain_text(label),
        "deny": plain_text("Keep it"),
    }


def _section(title: str, rows: list[dict[str, Any]], empty: str) -> Blocks:
    shown = rows[:MAX_ROWS]
    more = [mrkdwn(f"...and {len(rows) - len(shown)} more")] if len(rows) > len(shown) else []
    return [mrkdwn(f"*{title}*"), *(shown or [mrkdwn(f"_{empty}_")]), *more]


def cancel_blocks(
    *,
    viewer: str,
    requests: Sequence[RotaRequest],
    leave: Sequence[Leave],
    overrides: Sequence[Override] | None,
    zone: ZoneInfo,
) -> Blocks:
    """My pending requests and my leave (a lead sees everyone's leave), and for leads the upcoming overrides."""
    request_rows = [
        _row(
            f"{describe_request(r, zone, to='')}\n_{WAITING.get(r.status, r.status.value)}_",
            RotaActionId.CANCEL_REQUEST,
            "Cancel request",
            r.id,
        )
        for r in requests
    ]
    leave_rows = [
        _row(
            f"{'' if v.user_id == viewer else mention(v.user_id) + ' '}:palm_tree: {span(v.starts_at, v.ends_at, zone)}",
            RotaActionId.CANCEL_LEAVE,
            "Cancel leave",
            v.id,
        )
        for v in leave
    ]
    blocks = _section("My pending requests", request_rows, "No requests waiting.")
    blocks.append({"type": "divider"})
    blocks += _section("My leave" if overrides is None else "Leave", leave_rows, "No leave to come.")
    if overrides is not None:
        override_rows = [
            _row(describe_override(o, zone), RotaActionId.REMOVE_OVERRIDE, "Remove", o.id) for o in overrides
        ]
        blocks.append({"type": "divider"})
        blocks += _section("Overrides", override_rows, "No overrides to come.")
    return blocks


def describe_override(override: Override, zone: ZoneInfo) -> str:
    return words.describe_override(override, zone, mention=mention)


def leave_cancelled_message(leave: Leave, *, by: str, back_on: Sequence[Duty], zone: ZoneInfo) -> Message:
    """The member whose leave a lead cancelled: which shifts are theirs again, so nobody misses one."""
    head = f":calendar: {mention(by)} cancelled your leave {span(leave.starts_at, leave.ends_at, zone)}."
    rows = [duty_text(d, zone) for d in back_on]
    tail = "These shifts are yours again:\n" + "\n".join(rows) if rows else "It gives you no shifts back."
    return {"text": f"{mention(by)} cancelled your leave", "blocks": [mrkdwn(f"{head}\n{tail}")]}


def override_removed_message(override: Override, *, by: str, instead: Sequence[Duty], zone: ZoneInfo) -> Message:
    """The person who was covering and those on duty instead: the override is gone, and who is on now."""
    head = f":calendar: {mention(by)} removed an override: {describe_override(override, zone)}."
    rows = [duty_text(d, zone) for d in instead]
    tail = "On duty instead:\n" + "\n".join(rows) if rows else ""
    return {"text": f"{mention(by)} removed a {override.line.label} override", "blocks": [mrkdwn(f"{head}\n{tail}")]}


def cancel_modal(blocks: Blocks) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": RotaCallbackId.MANAGE.value,
        "title": plain_text("Requests and leave"),
        "close": plain_text("Back"),
        "private_metadata": json.dumps({}),
        "blocks": blocks[:100],
    }
