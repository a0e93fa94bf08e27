"""Block Kit for SLA clocks and reminders: pure functions of clock states, like blocks.py.

Due times are written as Slack date tokens, so every reader sees them in their own time zone and in
their own words ("today 14:30", "tomorrow 08:15"), and a card posted yesterday still reads true.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.common import sla
from handlers.common.sla import ClockMarkup, clock_phrases, desk_date
from handlers.slack.blocks import Blocks, Message, _context, _headline, mention, mrkdwn, plain_text, ticket_actions
from handlers.slack.ids import ActionId
from triage.model import Ticket, format_ref
from triage.reminders import AlertKind, SlaNotice, SnoozeFor
from triage.sla import ClockState


def slack_date(at: datetime, zone: ZoneInfo) -> str:
    """`today 14:30` in the reader's own zone; the fallback (old clients, notifications) in the desk's zone."""
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{desk_date(at, zone)}>"


SLACK_CLOCKS = ClockMarkup(bold=lambda text: f"*{text}*", emoji=lambda name: f":{name}:", date=slack_date)


def sla_line(
    clocks: Sequence[ClockState], *, now: datetime, zone: ZoneInfo, day_seconds: float, live: bool = False
) -> str | None:
    """All clocks of a ticket: one line on a card; a list in a live answer such as `/support status`."""
    shown = clock_phrases(clocks, now=now, zone=zone, day_seconds=day_seconds, live=live, markup=SLACK_CLOCKS)
    if not live:
        return sla.sla_line(shown)
    return "*SLA*\n" + "\n".join(f"• {p}" for p in shown) if shown else None


def _snooze_and_update_buttons(ticket: Ticket, notice: SlaNotice) -> list[dict[str, object]]:
    assert ticket.id is not None
    buttons: list[dict[str, object]] = [
        {
            "type": "button",
            "action_id": ActionId.POST_UPDATE.value,
            "text": plain_text("Update the requester"),
            "value": str(ticket.id),
        }
    ]
    if notice.kind in (AlertKind.NEAR_BREACH, AlertKind.SNOOZED) and notice.clock is not None:
        for choice, label in ((SnoozeFor.ONE_HOUR, "Snooze 1h"), (SnoozeFor.TOMORROW, "Snooze until tomorrow")):
            buttons.append(
                {
                    "type": "button",
                    "action_id": f"{ActionId.SNOOZE.value}:{choice.value}",
                    "text": plain_text(label),
                    "value": f"{ticket.id}:{notice.clock.value}:{notice.cycle}:{choice.value}",
                }
            )
    return buttons


def sla_alert_message(
    ticket: Ticket,
    prefix: str,
    notice: SlaNotice,
    *,
    zone: ZoneInfo,
    public: bool = False,
) -> Message:
    """A reminder to the assignee, a breach alert (also in the triage channel), or a stale-ticket nudge."""
    assert ticket.id is not None
    ref = format_ref(prefix, ticket.id)
    clock = notice.clock.label.lower() if notice.clock else ""
    due = slack_date(notice.due_at, zone) if notice.due_at else "soon"
    if notice.kind is AlertKind.BREACH:
        head = (
            f":red_circle: {_headline(ticket, prefix, public=public)}\nThe *{clock}* target was breached (due {due})."
        )
        text = f"{ref}: {clock} SLA breached"
    elif notice.kind is AlertKind.STALE:
        since = slack_date(notice.since, zone) if notice.since else "a while"
        head = (
            f":speech_balloon: {_headline(ticket, prefix)}\n{mention(ticket.requester_id)} has had no update since "
            f"{since}. Keep them informed, even if there is no progress yet."
        )
        text = f"{ref}: no update to the requester for a working day"
    else:
        again = " (snoozed reminder)" if notice.kind is AlertKind.SNOOZED else ""
        head = f":hourglass_flowing_sand: {_headline(ticket, prefix)}\nThe *{clock}* deadline is {due}{again}."
        text = f"{ref}: {clock} due soon"
    blocks: Blocks = [mrkdwn(head)]
    blocks.append(_context(f"Assigned to {mention(ticket.assignee_id)} ({ticket.line.label}) · {ticket.status.label}"))
    if not public:
        actions = ticket_actions(ticket)
        if actions:
            blocks.append(actions)
        blocks.append({"type": "actions", "elements": _snooze_and_update_buttons(ticket, notice)})
    return {"text": text, "blocks": blocks}
