"""Adaptive Cards for the rota's messages (requests, approvals, outcomes, leave and overrides). Pure.

They say what handlers/slack/rota_views.py and rota_cancel_view.py say, word for word; only the platform
differs: Teams mentions (`<at>Name</at>` plus an entity), Unicode emoji instead of Slack's `:codes:`,
Adaptive Card markdown (`**bold**`) and `Action.Execute` buttons whose verbs are the Slack action ids.
The mention and message building blocks (TeamsMessage, Mentions...) are text.py's, shared with every card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from handlers.common import words
from handlers.common.ids import RequestVerb as RotaVerb
from handlers.common.words import Markup, span
from handlers.teams.text import (
    EMOJI,
    VERSION,
    Card,
    Element,
    Mentions,
    People,
    TeamsMessage,
    TeamsPerson,
    desk_date,
    mention,
    message,
    plain,
    when,
)
from rota.ports import RotaRequest
from rota.roster import Duty, Leave, Override

TEAMS_MARKUP = Markup(bold=lambda text: f"**{text}**", emoji=lambda name: EMOJI[name])

__all__ = [  # the shared building blocks live in text.py; these names stay importable from here
    "EMOJI",
    "VERSION",
    "Card",
    "Element",
    "Mentions",
    "People",
    "TeamsMessage",
    "TeamsPerson",
    "desk_date",
    "mention",
    "message",
    "plain",
    "span",
    "when",
]


# -- text ------------------------------------------------------------------------------------


def text_block(text: str, *, bold: bool = False, subtle: bool = False, size: str | None = None) -> Element:
    """One wrapped TextBlock: Slack's section (bold: a heading; subtle: Slack's context line)."""
    block: Element = {"type": "TextBlock", "text": text, "wrap": True}
    if bold:
        block["weight"] = "Bolder"
    if subtle:
        block.update(isSubtle=True, size="Small")
    if size:
        block["size"] = size
    return block


def rows(lines: Iterable[str]) -> list[Element]:
    """A list, one TextBlock per line: Teams renders each on its own line whatever its markdown flavour."""
    return [{**text_block(line), "spacing": "Small"} for line in lines]


def execute(verb: StrEnum | str, title: str, data: dict[str, Any], style: str | None = None) -> Element:
    """A button: the verb is the Slack action id, the data carries the ids the handler needs."""
    action: Element = {"type": "Action.Execute", "title": title, "verb": str(verb), "data": data}
    if style:
        action["style"] = style  # Slack's primary -> positive, danger -> destructive
    return action


def duty_text(duty: Duty, zone: ZoneInfo, at: Mentions) -> str:
    """One stretch of duty, marked when it is not the rotation's own member."""
    return words.duty_text(duty, zone, mention=at, markup=TEAMS_MARKUP)


# -- requests ----------------------------------------------------------------------------------


def describe_request(request: RotaRequest, zone: ZoneInfo, *, to: str, at: Mentions) -> str:
    """The request in words, from the point of view of `to` (the target, or a lead)."""
    return words.describe_request(request, zone, to=to, mention=at)


def _answer_card(text: str, at: Mentions, buttons: Sequence[Element]) -> TeamsMessage:
    return message(text, [text_block(f"{EMOJI['calendar']} {text}")], at, buttons)


def request_card(request: RotaRequest, zone: ZoneInfo, *, people: People) -> TeamsMessage:
    """To the member asked to swap or cover: the request, Accept / Decline."""
    at = Mentions(people)
    data = {"request_id": request.id}
    return _answer_card(
        describe_request(request, zone, to=request.target_id, at=at),
        at,
        [execute(RotaVerb.ACCEPT, "Accept", data, "positive"), execute(RotaVerb.DECLINE, "Decline", data)],
    )


def approval_card(request: RotaRequest, zone: ZoneInfo, *, people: People) -> TeamsMessage:
    """To the leads, once both members agreed: Approve / Reject."""
    at = Mentions(people)
    data = {"request_id": request.id}
    return _answer_card(
        f"Approval needed: {describe_request(request, zone, to='', at=at)} Both have agreed.",
        at,
        [
            execute(RotaVerb.APPROVE, "Approve", data, "positive"),
            execute(RotaVerb.REJECT, "Reject", data, "destructive"),
        ],
    )


def outcome_text(request: RotaRequest, zone: ZoneInfo, at: Mentions) -> str:
    """How a request stands, in words everyone involved can read."""
    return words.outcome_text(request, zone, mention=at, markup=TEAMS_MARKUP)


def outcome_card(request: RotaRequest, zone: ZoneInfo, *, people: People) -> TeamsMessage:
    """How the request ended (or waits for a lead): it replaces the request and approval cards, buttons gone."""
    at = Mentions(people)
    text = outcome_text(request, zone, at)
    return message(text, [text_block(text)], at)


def leave_conflict_card(leave: Leave, conflicts: Sequence[Duty], zone: ZoneInfo, *, people: People) -> TeamsMessage:
    """Leads hear of leave that takes someone off duty when it is recorded; a gap nobody covers is loud."""
    at = Mentions(people)
    uncovered = [d for d in conflicts if d.user_id is None]
    who = at(leave.user_id)
    if uncovered:
        head = text_block(
            f"{EMOJI['rotating_light']} **NOBODY is on duty** for part of {who}'s leave: set an override or find cover."
        )
        head["color"] = "Attention"
    else:
        head = text_block(
            f"{EMOJI['palm_tree']} {who} will be on leave during their shifts; the next member in order covers."
        )
    lines = []
    for duty in conflicts:
        cover = at(duty.user_id) + " covers" if duty.user_id else f"{EMOJI['warning']} **nobody covers**"
        lines.append(f"• {duty.line.label} {span(duty.starts_at, duty.ends_at, zone)}: {cover}")
    body = [head, text_block(f"Leave {span(leave.starts_at, leave.ends_at, zone)}"), *rows(lines)]
    summary = f"NOBODY on duty during {who}'s leave" if uncovered else f"{who}'s leave touches their shifts"
    return message(summary, body, at)


# -- taken back: leave and overrides -----------------------------------------------------------


def describe_override(override: Override, zone: ZoneInfo, at: Mentions) -> str:
    return words.describe_override(override, zone, mention=at)


def leave_cancelled_card(
    leave: Leave, *, by: str, back_on: Sequence[Duty], zone: ZoneInfo, people: People
) -> TeamsMessage:
    """The member whose leave a lead cancelled: which shifts are theirs again, so nobody misses one."""
    at = Mentions(people)
    head = f"{EMOJI['calendar']} {at(by)} cancelled your leave {span(leave.starts_at, leave.ends_at, zone)}."
    lines = [duty_text(d, zone, at) for d in back_on]
    tail = (
        [text_block("These shifts are yours again:"), *rows(lines)]
        if lines
        else [text_block("It gives you no shifts back.")]
    )
    return message(f"{at(by)} cancelled your leave", [text_block(head), *tail], at)


def override_removed_card(
    override: Override, *, by: str, instead: Sequence[Duty], zone: ZoneInfo, people: People
) -> TeamsMessage:
    """The person who was covering and those on duty instead: the override is gone, and who is on now."""
    at = Mentions(people)
    head = f"{EMOJI['calendar']} {at(by)} removed an override: {describe_override(override, zone, at)}."
    lines = [duty_text(d, zone, at) for d in instead]
    tail = [text_block("On duty instead:"), *rows(lines)] if lines else []
    return message(f"{at(by)} removed a {override.line.label} override", [text_block(head), *tail], at)
