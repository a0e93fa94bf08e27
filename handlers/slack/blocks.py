"""Block Kit, built by pure functions from domain values: no client, no session, easy to compare."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.common import tickets as ticket_words
from handlers.slack.ids import ActionId
from rota.roster import Duty, DutySource, Rota
from rota.rotation import SupportLine
from triage.model import (
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    format_ref,
)
from triage.workflow import allowed_next

Blocks = list[dict[str, Any]]
Message = dict[str, Any]  # {"text": fallback, "blocks": [...]}


def plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def option(label: str, value: str, description: str | None = None) -> dict[str, Any]:
    option: dict[str, Any] = {"text": plain_text(label), "value": value}
    if description:
        option["description"] = plain_text(description[:75])
    return option


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, hint: str | None = None, optional: bool = False
) -> dict[str, Any]:
    """A form input holding one element whose action_id is "value" (payload readers rely on it)."""
    block: dict[str, Any] = {
        "type": "input",
        "block_id": str(block_id),  # a StrEnum member becomes its plain value
        "label": plain_text(label),
        "element": {**element, "action_id": "value"},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain_text(hint)
    return block


def escape(text: str) -> str:
    """Slack mrkdwn control characters, so a title cannot ping @channel or fake a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "_nobody yet_"


def priority_label(ticket: Ticket) -> str:
    return ticket.priority.label if ticket.priority else "Priority not set"


# -- ticket cards ---------------------------------------------------------------------


def _summary_fields(ticket: Ticket, *, show_requester: bool = True) -> dict[str, Any]:
    fields = [
        f"*Type*\n{ticket.type.label}",
        f"*Priority*\n{priority_label(ticket)}",
        f"*Status*\n{ticket.status.label}",
        f"*Assignee*\n{mention(ticket.assignee_id)} ({ticket.line.label})",
    ]
    if show_requester:
        fields.append(f"*Requester*\n{mention(ticket.requester_id)}")
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]}


def ticket_actions(ticket: Ticket) -> dict[str, Any] | None:
    """The buttons a support person can press now, given where the ticket stands."""
    assert ticket.id is not None
    value = str(ticket.id)
    elements: list[dict[str, Any]] = []
    if ticket.status is Status.OPEN:
        elements.append(
            {
                "type": "button",
                "action_id": ActionId.ACKNOWLEDGE.value,
                "text": plain_text("Acknowledge"),
                "style": "primary",
                "value": value,
            }
        )
    if ticket.is_open and ticket.line is SupportLine.FIRST:
        elements.append(
            {
                "type": "button",
                "action_id": ActionId.ESCALATE.value,
                "text": plain_text("Escalate to 2nd line"),
                "value": value,
            }
        )
    moves = [s for s in allowed_next(ticket.status) if s is not Status.AWAITING_SIGN_OFF]
    if moves:
        elements.append(
            {
                "type": "static_select",
                "action_id": ActionId.SET_STATUS.value,
                "placeholder": plain_text("Update status"),
                "options": [option(s.label, f"{ticket.id}:{s.value}") for s in moves],
            }
        )
    if ticket.is_open:
        elements.append(
            {
                "type": "static_select",
                "action_id": ActionId.SET_PRIORITY.value,
                "placeholder": plain_text("Set priority" if ticket.priority is None else "Change priority"),
                "options": [
                    option(p.label, f"{ticket.id}:{p.value}", p.meaning) for p in Priority if p is not ticket.priority
                ],
            }
        )
    if Status.AWAITING_SIGN_OFF in allowed_next(ticket.status):
        elements.append(
            {"type": "button", "action_id": ActionId.RESOLVE.value, "text": plain_text("Resolve"), "value": value}
        )
    if ticket.is_open:
        elements.append(
            {
                "type": "button",
                "action_id": ActionId.MARK_DUPLICATE.value,
                "text": plain_text("Mark duplicate of..."),
                "value": value,
            }
        )
        # The block id carries the ticket: a users_select reports only the person picked.
        elements.append(
            {"type": "users_select", "action_id": ActionId.REASSIGN.value, "placeholder": plain_text("Reassign to...")}
        )
    return {"type": "actions", "block_id": f"ticket:{ticket.id}", "elements": elements} if elements else None


def _bold(text: str) -> str:
    return f"*{text}*"


def _headline(ticket: Ticket, prefix: str, *, public: bool = False) -> str:
    """Ref and title; in public places a GDPR request shows neither its title nor its requester."""
    return ticket_words.headline(ticket, prefix, public=public, bold=_bold, title=escape)


def triage_card(ticket: Ticket, prefix: str, sla: str | None = None) -> Message:
    """The ticket as the triage channel sees it: GDPR contents never appear here."""
    assert ticket.id is not None
    ref = format_ref(prefix, ticket.id)
    blocks: Blocks = [
        mrkdwn(f":ticket: {_headline(ticket, prefix, public=True)}"),
        _summary_fields(ticket, show_requester=not ticket.is_private),
    ]
    if sla:
        blocks.append(_context(sla))
    if ticket.duplicate_of_id:
        blocks.append(_context(f"Closed as a duplicate of *{format_ref(prefix, ticket.duplicate_of_id)}*"))
    actions = None if ticket.is_private else ticket_actions(ticket)
    if actions:
        blocks.append(actions)
    text = f"{ref} ({ticket.type.label}, {priority_label(ticket)}): assigned to {mention(ticket.assignee_id)}, {ticket.status.label}"
    return {"text": text, "blocks": blocks}


def assignee_card(ticket: Ticket, prefix: str, *, for_user: str, sla: str | None = None) -> Message:
    """The ticket in a support person's DM: actionable for the assignee, read-only once it moved on.

    A GDPR request's contents stay on the current assignee's card only; once it has moved on, the
    previous assignee's card keeps just the reference, like the triage channel.
    """
    assert ticket.id is not None
    ref = format_ref(prefix, ticket.id)
    current = for_user == ticket.assignee_id
    shows_contents = current or not ticket.is_private
    blocks: Blocks = [mrkdwn(f":ticket: {_headline(ticket, prefix, public=not shows_contents)}")]
    if shows_contents:
        blocks.append(mrkdwn(f">{escape(ticket.description[:600])}".replace("\n", "\n>")))
    blocks.append(_summary_fields(ticket, show_requester=shows_contents))
    if current and ticket.handover_note:
        blocks.append(mrkdwn(f"*Handover note*\n{escape(ticket.handover_note)}"))
    if current and sla:
        blocks.append(_context(sla))
    if current:
        actions = ticket_actions(ticket)
        if actions:
            blocks.append(actions)
        text = f"{ref} is assigned to you: {escape(ticket.title)}"
    else:
        blocks.append(
            _context(f"Now with {mention(ticket.assignee_id)} ({ticket.line.label}); no action needed from you.")
        )
        text = f"{ref} is now with {mention(ticket.assignee_id)}"
    return {"text": text, "blocks": blocks}


def requester_card(ticket: Ticket, prefix: str) -> Message:
    assert ticket.id is not None
    ref = format_ref(prefix, ticket.id)
    lines = [f"Thanks, your ticket *{ref}* is logged: {escape(ticket.title)}"]
    if ticket.status is Status.OPEN:
        who = f"{mention(ticket.assignee_id)} ({ticket.line.label})" if ticket.assignee_id else "the support team"
        lines.append(
            f"{who} will pick it up. I will tell you here as it moves; `/support status {ref}` shows where it is."
        )
    blocks: Blocks = [
        mrkdwn("\n".join(lines)),
        _context(f"Status: *{ticket.status.label}* · Assignee: {mention(ticket.assignee_id)}"),
    ]
    return {"text": f"Your ticket {ref} is logged ({ticket.status.label})", "blocks": blocks}


def participant_update(ticket: Ticket, prefix: str, event: TicketEvent) -> Message:
    """What changed, in the requester's words (seed 003: keep people informed)."""
    assert ticket.id is not None
    ref = format_ref(prefix, ticket.id)
    actor = mention(event.actor_id)
    if event.kind is EventKind.ACKNOWLEDGED:
        text = f"{actor} has picked up *{ref}* and is looking into it."
    elif event.kind is EventKind.ESCALATED:
        text = f"*{ref}* has gone to our 2nd-line specialists: {mention(event.data.get('to'))} is now handling it."
    elif event.kind is EventKind.RESOLVED:
        text = (
            f"{actor} has resolved *{ref}*:\n>{escape(str(event.data.get('resolution', ''))).replace(chr(10), chr(10) + '>')}\n"
            f"Please check it works for you. If it does not, open a new `/support` request mentioning {ref}."
        )
    elif event.kind is EventKind.MARKED_DUPLICATE:
        original = format_ref(prefix, int(event.data["original"]))
        text = f"*{ref}* is the same issue as *{original}*, so it was closed and you will hear every update on *{original}*."
    elif event.kind is EventKind.UPDATE_POSTED:
        message = escape(str(event.data.get("message", ""))).replace(chr(10), chr(10) + ">")
        text = f"Update on *{ref}* from {actor}:\n>{message}"
    elif event.kind is EventKind.PRIORITY_CHANGED:
        text = f"*{ref}* is now priority *{Priority(event.data['to']).label}* (set by {actor})."
    elif event.kind is EventKind.STATUS_CHANGED:
        text = f"*{ref}* is now *{Status(event.data['to']).label}* (updated by {actor})."
    elif event.kind is EventKind.REASSIGNED:
        text = (
            f"*{ref}* is now with {mention(event.data.get('to'))}, who will keep you informed (handed on by {actor})."
        )
    else:
        text = f"*{ref}* was updated by {actor}."
    return {
        "text": text.replace("*", ""),
        "blocks": [mrkdwn(text), _context(f"{escape(ticket.title)} · {ticket.status.label}")],
    }


def alert_message(ticket: Ticket, prefix: str, reason: str) -> Message:
    """An alert to specific support people (leads, on-duty 2nd line), with the actions to take it on."""
    assert ticket.id is not None
    ref = format_ref(prefix, ticket.id)
    text = f":rotating_light: {reason}\n{_headline(ticket, prefix)}\nAssigned to {mention(ticket.assignee_id)} ({ticket.line.label})."
    blocks: Blocks = [mrkdwn(text), _summary_fields(ticket)]
    actions = ticket_actions(ticket)
    if actions:
        blocks.append(actions)
    return {"text": f"{ref}: {reason}", "blocks": blocks}


# -- ephemeral answers ----------------------------------------------------------------


def help_text(prefix: str) -> str:
    return "\n".join(
        [
            "*supportbot* runs the support desk here. Commands:",
            "• `/support` or `/support <title>`: open a new ticket (the text pre-fills the title)",
            f"• `/support status {prefix}-42`: where a ticket stands",
            "• `/support mine`: your open tickets, as requester or assignee",
            "• `/support who [1st|2nd] [tomorrow|friday|2026-12-24]`: who is on duty now (or then), and who is next",
            "• `/support rota`: the next 8 weeks; swap a shift, ask for cover, add leave (leads: edit the rota)",
            "• `/support help`: this message",
        ]
    )


def status_reply(
    ticket: Ticket, prefix: str, events: Sequence[TicketEvent], zone: ZoneInfo, sla: str | None = None
) -> Message:
    assert ticket.id is not None
    history = [
        f"{e.at.astimezone(zone):%a %d %b %H:%M} {mention(e.actor_id)} {e.kind.value.replace('_', ' ')}"
        for e in events[-5:]
    ]
    blocks: Blocks = [mrkdwn(_headline(ticket, prefix)), _summary_fields(ticket)]
    if ticket.duplicate_of_id:
        blocks.append(_context(f"Closed as a duplicate of *{format_ref(prefix, ticket.duplicate_of_id)}*"))
    if sla:
        blocks.append(mrkdwn(sla))
    if history:
        blocks.append(_context("Latest: " + " · ".join(history)))
    return {"text": f"{format_ref(prefix, ticket.id)}: {ticket.status.label}", "blocks": blocks}


def mine_reply(tickets: Sequence[Ticket], prefix: str, user_id: str) -> str:
    if not tickets:
        return "You have no open tickets. `/support` opens one."
    lines = [f"*Your open tickets* ({len(tickets)}):"]
    for ticket in tickets:
        line = ticket_words.my_ticket_line(
            ticket, prefix, user_id, mention=mention, bold=_bold, title=escape(ticket.title)
        )
        lines.append(f"• {line}")
    return "\n".join(lines)


def _duty_note(duty: Duty) -> str:
    if duty.source is DutySource.OVERRIDE and duty.scheduled and duty.scheduled != duty.user_id:
        return f" (covering for {mention(duty.scheduled)})"
    if duty.source is DutySource.LEAVE_COVER:
        return f" (covering {mention(duty.scheduled)}'s leave)"
    return ""


def who_reply(rota: Rota, at: datetime, zone: ZoneInfo, *, lines: Sequence[SupportLine] = (), now: bool = True) -> str:
    """Who is on duty at `at` per line, until when, and who is next: overrides and leave included."""
    lines_wanted = lines or tuple(SupportLine)
    out = ["*On duty now*" if now else f"*On duty {at.astimezone(zone):%a %d %b %H:%M}*"]
    for line in lines_wanted:
        if line not in rota.rotations:
            out.append(f"• {line.label}: no rota configured")
            continue
        current, upcoming = rota.current_duty(line, at), rota.next_duty(line, at)
        if current is None or current.user_id is None:
            until = f" until {current.ends_at.astimezone(zone):%a %d %b %H:%M}" if current and upcoming else ""
            on = f":warning: *nobody*{until} (the leads are alerted about new tickets)"
        else:
            on = f"{mention(current.user_id)}{_duty_note(current)} until {current.ends_at.astimezone(zone):%a %d %b %H:%M}"
        after = ""
        if upcoming is not None:
            who = mention(upcoming.user_id) if upcoming.user_id else "*nobody*"
            after = f"; next {who}{_duty_note(upcoming)} from {upcoming.starts_at.astimezone(zone):%a %d %b %H:%M}"
        out.append(f"• {line.label}: {on}{after}")
    if rota.leads:
        out.append("Leads: " + ", ".join(mention(u) for u in sorted(rota.leads)))
    return "\n".join(out)


def unknown_command_text(word: str, suggestion: str | None) -> str:
    hint = f"Did you mean `/support {suggestion}`? " if suggestion else ""
    return f"I don't know `/support {escape(word)}`. {hint}Try `/support help`."
