"""Adaptive Cards for what the scheduled jobs send: SLA reminders, breaches and stale nudges, handovers,
shift reminders and the leads' digest. Pure functions of domain values, like rota_cards.py.

They mirror handlers/slack/sla_view.py, handover_view.py and digest_view.py word for word; Slack's date
tokens become the desk's time ("Mon 30 Nov 09:00 GMT") and `/support <word>` becomes the Teams command.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.common.handover import HandoverView, ticket_line
from handlers.common.ids import TicketVerb as TicketVerb
from handlers.common.tickets import load_line
from handlers.teams.rota_cards import (
    EMOJI,
    Element,
    Mentions,
    People,
    TeamsMessage,
    desk_date,
    execute,
    message,
    plain,
    rows,
    text_block,
    when,
)
from handlers.teams.text import headline as _headline
from rota.handover import HandoverDue, ShiftReminder
from rota.rotation import SupportLine
from triage.digest import AssigneeLoad, Capped, ClockAchievement, Digest, TicketLine
from triage.model import Priority, Status, Ticket, format_ref
from triage.reminders import AlertKind, SlaNotice, SnoozeFor
from triage.workflow import allowed_next

LISTED = 20  # tickets listed in a handover card; the rest are counted
DIGEST_LISTED = 10  # lines per digest list (the digest caps them at 10 upstream): a card stays far below 28 KB
TITLE_SHOWN = 60  # characters of a title in a digest line; the ref finds the rest

_OPEN_STATUSES = tuple(s for s in Status if s is not Status.CLOSED)


# -- SLA alerts ------------------------------------------------------------------------------

ALERT = "alert"  # the `card` an alert's buttons name: the listeners answer with the card the assignee holds


def alert_data(ticket: Ticket) -> dict[str, Any]:
    """What an alert's button carries: the ticket as Slack's value names it (`ticket_id`) and as the ticket
    cards' buttons do (`ticket`, `card`), so one handler serves both."""
    assert ticket.id is not None
    return {"ticket_id": ticket.id, "ticket": ticket.id, "card": ALERT}


def ticket_actions(ticket: Ticket) -> list[Element]:
    """The ticket's controls as on Slack's cards: buttons, and a menu with its button per choice to make."""
    assert ticket.id is not None
    data = alert_data(ticket)
    buttons: list[Element] = []
    if ticket.status is Status.OPEN:
        buttons.append(execute(TicketVerb.ACKNOWLEDGE, "Acknowledge", data, "positive"))
    if ticket.is_open and ticket.line is SupportLine.FIRST:
        buttons.append(execute(TicketVerb.ESCALATE, "Escalate to 2nd line", data))
    if Status.AWAITING_SIGN_OFF in allowed_next(ticket.status):
        buttons.append(execute(TicketVerb.RESOLVE, "Resolve", data))
    if ticket.is_open:
        buttons.append(execute(TicketVerb.MARK_DUPLICATE, "Mark duplicate of...", data))
    elements: list[Element] = [{"type": "ActionSet", "actions": buttons}] if buttons else []
    moves = [s for s in allowed_next(ticket.status) if s is not Status.AWAITING_SIGN_OFF]
    if moves:
        choices = [{"title": s.label, "value": s.value} for s in moves]
        elements += _menu("status", "Update status", choices, execute(TicketVerb.SET_STATUS, "Update status", data))
    if ticket.is_open:
        label = "Set priority" if ticket.priority is None else "Change priority"
        choices = [{"title": f"{p.label}: {p.meaning}", "value": p.value} for p in Priority if p is not ticket.priority]
        elements += _menu("priority", label, choices, execute(TicketVerb.SET_PRIORITY, label, data))
        # Teams' people picker: the choice is the person's AAD object id, which the handler resolves.
        picker: Element = {
            "type": "Input.ChoiceSet",
            "id": "assignee",
            "placeholder": "Reassign to...",
            "choices": [],
            "choices.data": {"type": "Data.Query", "dataset": "graph.microsoft.com/users"},
        }
        elements += [picker, {"type": "ActionSet", "actions": [execute(TicketVerb.REASSIGN, "Reassign to...", data)]}]
    return elements


def _menu(input_id: str, placeholder: str, choices: list[dict[str, str]], button: Element) -> list[Element]:
    choice_set = {"type": "Input.ChoiceSet", "id": input_id, "placeholder": placeholder, "choices": choices}
    return [choice_set, {"type": "ActionSet", "actions": [button]}]


def _snooze_and_update_buttons(ticket: Ticket, notice: SlaNotice) -> list[Element]:
    assert ticket.id is not None
    buttons = [execute(TicketVerb.POST_UPDATE, "Update the requester", alert_data(ticket))]
    if notice.kind in (AlertKind.NEAR_BREACH, AlertKind.SNOOZED) and notice.clock is not None:
        for choice, label in ((SnoozeFor.ONE_HOUR, "Snooze 1h"), (SnoozeFor.TOMORROW, "Snooze until tomorrow")):
            data = {**alert_data(ticket), "clock": notice.clock.value, "cycle": notice.cycle, "snooze": choice.value}
            buttons.append(execute(f"{TicketVerb.SNOOZE}:{choice.value}", label, data))
    return buttons


def sla_alert_card(
    ticket: Ticket, prefix: str, notice: SlaNotice, *, zone: ZoneInfo, people: People, public: bool = False
) -> TeamsMessage:
    """A reminder to the assignee, a breach alert (also in the triage channel: `public`), or a stale nudge.

    Unlike Slack's, `public` hides a GDPR request's title and requester whatever the alert's kind.
    """
    assert ticket.id is not None
    at = Mentions(people)
    ref = format_ref(prefix, ticket.id)
    headline = _headline(ticket, prefix, public=public)
    clock = notice.clock.label.lower() if notice.clock else ""
    due = desk_date(notice.due_at, zone) if notice.due_at else "soon"
    if notice.kind is AlertKind.BREACH:
        head = [f"{EMOJI['red_circle']} {headline}", f"The **{clock}** target was breached (due {due})."]
        text = f"{ref}: {clock} SLA breached"
    elif notice.kind is AlertKind.STALE:
        since = desk_date(notice.since, zone) if notice.since else "a while"
        requester = "The requester" if public and ticket.is_private else at(ticket.requester_id)
        head = [
            f"{EMOJI['speech_balloon']} {headline}",
            f"{requester} has had no update since {since}. Keep them informed, even if there is no progress yet.",
        ]
        text = f"{ref}: no update to the requester for a working day"
    else:
        again = " (snoozed reminder)" if notice.kind is AlertKind.SNOOZED else ""
        head = [f"{EMOJI['hourglass_flowing_sand']} {headline}", f"The **{clock}** deadline is {due}{again}."]
        text = f"{ref}: {clock} due soon"
    body = [text_block(head[0]), text_block(head[1])]
    assigned = f"Assigned to {at(ticket.assignee_id)} ({ticket.line.label}) · {ticket.status.label}"
    body.append(text_block(assigned, subtle=True))
    actions: list[Element] = []
    if not public:
        body += ticket_actions(ticket)
        actions = _snooze_and_update_buttons(ticket, notice)
    return message(text, body, at, actions)


# -- handovers and shift reminders -----------------------------------------------------------


def _ticket_line(ticket: Ticket, view: HandoverView, reader: str, at: Mentions) -> str:
    assert ticket.id is not None
    ref, title = f"**{format_ref(view.prefix, ticket.id)}**", plain(ticket.title[:80])
    return ticket_line(ticket, view, reader, ref=ref, title=title, mention=at)


def _listing(view: HandoverView, reader: str, at: Mentions) -> list[Element]:
    label = view.handover.line.label
    if not view.tickets:
        return [text_block(f"No open {label} tickets.")]
    lines = [_ticket_line(t, view, reader, at) for t in view.tickets[:LISTED]]
    more = len(view.tickets) - LISTED
    if more > 0:
        lines.append(f"…and {more} more (**mine** lists yours).")
    return [text_block(f"Open {label} tickets ({len(view.tickets)})", bold=True), *rows(lines)]


def _until(view: HandoverView) -> str:
    until = view.handover.until
    return f" until {desk_date(until, view.zone)}" if until else ""


def outgoing_card(view: HandoverView, *, people: People) -> TeamsMessage:
    """To whoever was on duty: who takes over, and what happened to the tickets they held."""
    at = Mentions(people)
    handover, label = view.handover, view.handover.line.label
    mark = EMOJI["arrows_counterclockwise"]
    if handover.incoming is None:
        head = (
            f"{mark} **{label} handover**: your shift has ended, but nobody is on duty after you. "
            "The leads have been told; your tickets stay with you until someone takes over."
        )
        text = f"{label} handover: your shift has ended; nobody is on duty after you"
    else:
        incoming = at(handover.incoming)
        head = f"{mark} **{label} handover**: your shift has ended. {incoming} is on duty now{_until(view)}."
        text = f"{label} handover: your shift has ended; {incoming} is on duty now"
    body = [text_block(head), *_listing(view, handover.outgoing or "", at)]
    body.append(
        text_block("Tickets nobody had acknowledged moved on; acknowledged ones stay with their assignee.", subtle=True)
    )
    return message(text, body, at)


def incoming_card(view: HandoverView, *, people: People) -> TeamsMessage:
    """To whoever comes on duty: their shift, who handed over, and the line's open tickets."""
    at = Mentions(people)
    handover, label = view.handover, view.handover.line.label
    if handover.outgoing == handover.incoming:
        head = f"{EMOJI['wave']} **{label}**: a new shift starts and you stay on duty{_until(view)}."
    else:
        after = f", taking over from {at(handover.outgoing)}" if handover.outgoing else ""
        head = f"{EMOJI['wave']} **Your {label} shift starts now**{_until(view)}{after}."
    body = [text_block(head), *_listing(view, handover.incoming or "", at)]
    if any(t.id in view.moved for t in view.tickets):
        body.append(text_block("Each ticket moved to you also comes as its own card, with its buttons.", subtle=True))
    return message(f"Your {label} shift starts now", body, at)


def triage_post_card(
    word: str, on_duty: Mapping[SupportLine, str | None], at_time: datetime, zone: ZoneInfo, *, people: People
) -> TeamsMessage:
    """The triage channel's "This week: 1st line <at>Alice</at>, 2nd line <at>Dan</at>"."""
    at = Mentions(people)
    names = ", ".join(f"{line.label} {at(user) if user else 'nobody'}" for line, user in on_duty.items())
    text = f"{word}: {names}"
    body = [
        text_block(f"{EMOJI['busts_in_silhouette']} {text}"),
        text_block(f"Handover {desk_date(at_time, zone)}", subtle=True),
    ]
    return message(text, body, at)


def nobody_on_duty_card(handover: HandoverDue, zone: ZoneInfo, *, people: People) -> TeamsMessage:
    """To the leads: a handover left a line with nobody, so new tickets would go unassigned."""
    at = Mentions(people)
    label = handover.line.label
    head = f"{EMOJI['rotating_light']} Nobody is on duty for {label} since the handover {desk_date(handover.at, zone)}"
    detail = (
        "New tickets for this line will have no assignee and unacknowledged ones stay where they are. "
        "Add a cover in **rota** (or **supportbot rota override**)."
    )
    return message(f"Nobody is on duty for {label}", [text_block(head), text_block(detail, subtle=True)], at)


def shift_reminder_card(reminder: ShiftReminder, zone: ZoneInfo, *, people: People) -> TeamsMessage:
    """The working day before: your shift starts then, until then."""
    at = Mentions(people)
    label = reminder.line.label
    until = f" until {desk_date(reminder.ends_at, zone)}" if reminder.ends_at else ""
    text = f"Reminder: your {label} shift starts {desk_date(reminder.starts_at, zone)}"
    head = f"{EMOJI['calendar']} Reminder: your **{label}** shift starts {desk_date(reminder.starts_at, zone)}{until}."
    hint = "Can't make it? Ask for a swap or cover in **rota**; **who** shows the rota."
    return message(text, [text_block(head), text_block(hint, subtle=True)], at)


# -- the leads' digest -----------------------------------------------------------------------


def _title(line: TicketLine) -> str:
    if line.is_private or line.title is None:
        return "_GDPR request (private)_"
    title = line.title if len(line.title) <= TITLE_SHOWN else line.title[: TITLE_SHOWN - 1].rstrip() + "…"
    return plain(title)


def _ticket(line: TicketLine, prefix: str, at: Mentions) -> str:
    priority = f"{line.priority.value} · " if line.priority else ""
    return f"• **{format_ref(prefix, line.ticket_id)}** {priority}{_title(line)} · {at(line.assignee_id)}"


def _clocks(line: TicketLine) -> str:
    return ", ".join(c.value for c in line.clocks) or "SLA"


def _list(heading: str, capped: Capped[Any], lines: Sequence[str], empty: str) -> list[Element]:
    """A heading, the lines (formatted from the first DIGEST_LISTED items only, so only the people shown are
    mentioned), and "...and N more" counting everything left out here or upstream."""
    if capped.total == 0:
        return [text_block(heading, bold=True), text_block(empty)]
    shown = list(lines[:DIGEST_LISTED])
    more = capped.total - len(shown)
    if more > 0:
        shown.append(f"_...and {more} more_")
    return [text_block(heading, bold=True), *rows(shown)]


def _sla_fact(achievement: ClockAchievement, goal: float) -> dict[str, str]:
    percent = achievement.percent
    if percent is None:
        return {"title": achievement.clock.label, "value": f"{EMOJI['heavy_minus_sign']} none stopped in this period"}
    icon = EMOJI["white_check_mark"] if percent >= goal else EMOJI["warning"]
    shown = math.floor(percent * 10) / 10  # rounded down, so 94.96% never reads as the 95% goal met
    value = f"{icon} {shown:g}% met ({achievement.met} of {achievement.stopped}, {achievement.missed} missed)"
    return {"title": achievement.clock.label, "value": value}


def _open_facts(digest: Digest) -> list[dict[str, str]]:
    """Open tickets per priority, each with its statuses."""
    counts = digest.open_by_priority_status
    facts = []
    for priority in (*Priority, None):
        row = [(s, counts.get((priority, s), 0)) for s in _OPEN_STATUSES]
        total = sum(n for _, n in row)
        detail = "".join(f" · {n} {s.label.lower()}" for s, n in row if n)
        facts.append({"title": priority.label if priority else "No priority", "value": f"{total}{detail}"})
    return facts


def _load_line(load: AssigneeLoad, at: Mentions) -> str:
    return load_line(load, mention=at, emoji=lambda name: EMOJI[name])


def digest_card(digest: Digest, *, prefix: str, zone: ZoneInfo, people: People, goal: float = 95.0) -> TeamsMessage:
    """The digest as a card: figures first, then what needs a lead's attention, then the load."""
    at = Mentions(people)
    title = f"{digest.kind.label} support digest"
    net = digest.created - digest.resolved
    trend = "backlog steady" if net == 0 else f"backlog {'up' if net > 0 else 'down'} {abs(net)}"
    by_status = {s: sum(n for (_, st), n in digest.open_by_priority_status.items() if st is s) for s in _OPEN_STATUSES}
    status_line = " · ".join(f"{n} {s.label.lower()}" for s, n in by_status.items() if n)
    body: list[Element] = [
        text_block(f"{EMOJI['bar_chart']} {title}", bold=True, size="Large"),
        text_block(
            f"From {when(digest.period_start, zone)} to {when(digest.period_end, zone)} ({zone.key}). "
            "Open tickets and the lists below are as of posting.",
            subtle=True,
        ),
        text_block(
            f"**{digest.open_total}** open now · **{digest.created}** created · **{digest.resolved}** resolved "
            f"in this period ({trend})"
        ),
    ]
    if digest.open_total:
        body.append({"type": "FactSet", "facts": _open_facts(digest)})
        body.append(text_block(f"By status: {status_line}", subtle=True))
    body.append(text_block(f"SLA achieved (clocks stopped in this period; goal {goal:.0f}%)", bold=True))
    body.append({"type": "FactSet", "facts": [_sla_fact(a, goal) for a in digest.sla]})
    soon = desk_date(digest.soon_until, zone)
    lists = [
        (
            f"{EMOJI['rotating_light']} Breached ({digest.breached.total})",
            digest.breached,
            [
                f"{_ticket(t, prefix, at)} · {_clocks(t)} overdue since {desk_date(t.at, zone)}"
                for t in digest.breached.items[:DIGEST_LISTED]
            ],
            f"No breaches {EMOJI['tada']}",
        ),
        (
            f"{EMOJI['hourglass_flowing_sand']} About to breach by {soon} ({digest.about_to_breach.total})",
            digest.about_to_breach,
            [
                f"{_ticket(t, prefix, at)} · {_clocks(t)} due {desk_date(t.at, zone)}"
                for t in digest.about_to_breach.items[:DIGEST_LISTED]
            ],
            "Nothing falls due before then.",
        ),
        (
            f"{EMOJI['zzz']} No update to the requester for a working day ({digest.stale.total})",
            digest.stale,
            [
                f"{_ticket(t, prefix, at)} · last update {desk_date(t.at, zone)}"
                for t in digest.stale.items[:DIGEST_LISTED]
            ],
            "Every requester has heard from us within a working day.",
        ),
        (
            f"{EMOJI['speech_balloon']} Waiting on the requester ({digest.awaiting_requester.total})",
            digest.awaiting_requester,
            [
                f"{_ticket(t, prefix, at)} · since {desk_date(t.at, zone)}"
                for t in digest.awaiting_requester.items[:DIGEST_LISTED]
            ],
            "Nobody is waiting on a requester.",
        ),
    ]
    for index, (heading, capped, lines, empty) in enumerate(lists):
        section = _list(heading, capped, lines, empty)
        if index == 0:
            section[0]["separator"] = True  # Slack's divider before the lists
        body += section
    load = _list(
        f"{EMOJI['busts_in_silhouette']} Open tickets per assignee",
        digest.load,
        [_load_line(x, at) for x in digest.load.items[:DIGEST_LISTED]],
        "No open tickets.",
    )
    load[0]["separator"] = True
    body += load
    body.append(text_block(f"Posted {when(digest.now, zone)} · **status {prefix}-n** shows a ticket", subtle=True))
    text = (
        f"{title}: {digest.open_total} open, {digest.created} created, {digest.resolved} resolved, "
        f"{digest.breached.total} breached, {digest.about_to_breach.total} about to breach"
    )
    return message(text, body, at)
