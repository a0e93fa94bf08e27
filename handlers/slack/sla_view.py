"""Block Kit for SLA clocks and reminders: pure functions of clock states, like blocks.py.

Due times are written as Slack date tokens, so every reader sees them in their own time zone and in
their own words ("today 14:30", "tomorrow 08:15"), and a card posted yesterday still reads true.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.slack.blocks import Blocks, Message, _context, _headline, mention, mrkdwn, plain_text, ticket_actions
from handlers.slack.ids import ActionId
from triage.model import Ticket, format_ref
from triage.reminders import AlertKind, SlaNotice, SnoozeFor
from triage.sla import ClockState


def slack_date(at: datetime, zone: ZoneInfo) -> str:
    """`today 14:30` in the reader's own zone; the fallback (old clients, notifications) in the desk's zone."""
    local = at.astimezone(zone)
    fallback = f"{local:%a %d %b %H:%M} {local.tzname()}"
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def working_duration(seconds: float, day_seconds: float) -> str:
    """2 working hours, 45 working minutes, 3 working days 2h: the way a support lead would say it."""
    minutes = max(0, round(seconds / 60))
    day_minutes = max(1, round(day_seconds / 60))
    if minutes < 60:
        return f"{minutes} working minute{'s' if minutes != 1 else ''}"
    if minutes < day_minutes:
        hours, rest = divmod(minutes, 60)
        return f"{hours} working hour{'s' if hours != 1 else ''}" + (f" {rest}m" if rest else "")
    days, rest = divmod(minutes, day_minutes)
    hours = rest // 60
    return f"{days} working day{'s' if days != 1 else ''}" + (f" {hours}h" if hours else "")


def clock_phrase(state: ClockState, *, now: datetime, zone: ZoneInfo, day_seconds: float, live: bool) -> str | None:
    """One clock in words. `live` answers (status) may say "ago"; cards must stay true as time passes."""
    if state.target is None:
        return None
    name = f"*{state.clock.label}*"
    if state.stopped_at is not None:
        if state.breached:
            return f"{name} missed by {working_duration(state.elapsed - state.target, day_seconds)}"
        return f"{name} met :white_check_mark:"
    if state.paused:
        left = working_duration(max(state.target - state.elapsed, 0), day_seconds)
        return f"{name} paused while we wait for the requester ({left} left)"
    assert state.due_at is not None
    if state.due_at < now:  # reaching the target exactly is still met
        if live:
            late = working_duration(state.elapsed - state.target, day_seconds)
            return (
                f"{name} :red_circle: breached {late} ago"
                if late != "0 working minutes"
                else f"{name} :red_circle: breached just now"
            )
        return f"{name} :red_circle: breached (was due {slack_date(state.due_at, zone)})"
    return f"{name} due {slack_date(state.due_at, zone)}"


def sla_line(
    clocks: Sequence[ClockState], *, now: datetime, zone: ZoneInfo, day_seconds: float, live: bool = False
) -> str | None:
    """All clocks of a ticket: one line on a card; a list in a live answer such as `/support status`."""
    phrases = [clock_phrase(c, now=now, zone=zone, day_seconds=day_seconds, live=live) for c in clocks]
    shown = [p for p in phrases if p]
    if not shown:
        return None
    return "*SLA*\n" + "\n".join(f"• {p}" for p in shown) if live else "SLA: " + " · ".join(shown)


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
