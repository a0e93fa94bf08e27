"""Block Kit for handovers and shift reminders: pure functions of domain values, like blocks.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.common.handover import HandoverView, ticket_line
from handlers.slack.blocks import Blocks, Message, _context, escape, mention, mrkdwn
from handlers.slack.sla_view import slack_date
from rota.handover import HandoverDue, ShiftReminder
from rota.rotation import SupportLine
from triage.model import Ticket, format_ref

LISTED = 20  # tickets listed in a handover DM; the rest are counted (Slack caps a section at 3,000 characters)


def _ticket_line(ticket: Ticket, view: HandoverView, reader: str) -> str:
    assert ticket.id is not None
    ref, title = f"*{format_ref(view.prefix, ticket.id)}*", escape(ticket.title[:80])
    return ticket_line(ticket, view, reader, ref=ref, title=title, mention=mention)


def _listing(view: HandoverView, reader: str) -> Blocks:
    label = view.handover.line.label
    if not view.tickets:
        return [mrkdwn(f"No open {label} tickets.")]
    lines = [_ticket_line(t, view, reader) for t in view.tickets[:LISTED]]
    more = len(view.tickets) - LISTED
    if more > 0:
        lines.append(f"…and {more} more (`/support mine` lists yours).")
    return [mrkdwn(f"*Open {label} tickets* ({len(view.tickets)})\n" + "\n".join(lines))]


def _until(view: HandoverView) -> str:
    until = view.handover.until
    return f" until {slack_date(until, view.zone)}" if until else ""


def outgoing_dm(view: HandoverView) -> Message:
    """To whoever was on duty: who takes over, and what happened to the tickets they held."""
    handover, label = view.handover, view.handover.line.label
    reader = handover.outgoing or ""
    if handover.incoming is None:
        head = (
            f":arrows_counterclockwise: *{label} handover*: your shift has ended, but nobody is on duty after you. "
            "The leads have been told; your tickets stay with you until someone takes over."
        )
        text = f"{label} handover: your shift has ended; nobody is on duty after you"
    else:
        head = (
            f":arrows_counterclockwise: *{label} handover*: your shift has ended. "
            f"{mention(handover.incoming)} is on duty now{_until(view)}."
        )
        text = f"{label} handover: your shift has ended; {mention(handover.incoming)} is on duty now"
    blocks = [mrkdwn(head), *_listing(view, reader)]
    blocks.append(_context("Tickets nobody had acknowledged moved on; acknowledged ones stay with their assignee."))
    return {"text": text, "blocks": blocks}


def incoming_dm(view: HandoverView) -> Message:
    """To whoever comes on duty: their shift, who handed over, and the line's open tickets."""
    handover, label = view.handover, view.handover.line.label
    reader = handover.incoming or ""
    if handover.outgoing == handover.incoming:
        head = f":wave: *{label}*: a new shift starts and you stay on duty{_until(view)}."
    else:
        after = f", taking over from {mention(handover.outgoing)}" if handover.outgoing else ""
        head = f":wave: *Your {label} shift starts now*{_until(view)}{after}."
    blocks = [mrkdwn(head), *_listing(view, reader)]
    if any(t.id in view.moved for t in view.tickets):
        blocks.append(_context("Each ticket moved to you also comes as its own card, with its buttons."))
    return {"text": f"Your {label} shift starts now", "blocks": blocks}


def triage_post(word: str, on_duty: Mapping[SupportLine, str | None], at: datetime, zone: ZoneInfo) -> Message:
    """The triage channel's "This week: 1st line <@...>, 2nd line <@...>"."""
    names = ", ".join(f"{line.label} {mention(user) if user else 'nobody'}" for line, user in on_duty.items())
    text = f"{word}: {names}"
    return {
        "text": text,
        "blocks": [mrkdwn(f":busts_in_silhouette: {text}"), _context(f"Handover {slack_date(at, zone)}")],
    }


def nobody_on_duty_alert(handover: HandoverDue, zone: ZoneInfo) -> Message:
    """To the leads: a handover left a line with nobody, so new tickets would go unassigned."""
    label = handover.line.label
    text = f":rotating_light: Nobody is on duty for {label} since the handover {slack_date(handover.at, zone)}"
    detail = (
        "New tickets for this line will have no assignee and unacknowledged ones stay where they are. "
        "Add a cover in `/support rota` (or `supportbot rota override`)."
    )
    return {"text": f"Nobody is on duty for {label}", "blocks": [mrkdwn(text), _context(detail)]}


def shift_reminder_dm(reminder: ShiftReminder, zone: ZoneInfo) -> Message:
    """The working day before: your shift starts then, until then."""
    label = reminder.line.label
    until = f" until {slack_date(reminder.ends_at, zone)}" if reminder.ends_at else ""
    local = reminder.starts_at.astimezone(zone)
    text = f"Reminder: your {label} shift starts {local:%a %d %b %H:%M} {local.tzname()}"
    head = f":calendar: Reminder: your *{label}* shift starts {slack_date(reminder.starts_at, zone)}{until}."
    hint = "Can't make it? Ask for a swap or cover in `/support rota`; `/support who` shows the rota."
    return {"text": text, "blocks": [mrkdwn(head), _context(hint)]}
