"""Teams' Home: the welcome card, with the Slack Home tab's content (my open tickets, my next shifts, who is on
duty, open the rota, calendar links). Sent to a person's 1:1 chat when the bot joins it (conversationUpdate,
once per activity: a retried delivery sends nothing twice), and as the answer to `home`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.common.home import next_shifts, read_home
from handlers.common.rota import WEEKS
from handlers.common.tickets import my_ticket_line
from handlers.teams.directory import Directory, Who
from handlers.teams.ids import Dialog
from handlers.teams.rota_cards import Element, Mentions, People, TeamsMessage, message, plain, rows, span, text_block
from handlers.teams.text import bold, duty_rows
from rota.roster import Rota
from rota.rotation import SupportLine
from services.unit_of_work import Deps
from storage.inbound import claim_event, finish_event
from storage.models import ID
from triage.model import Ticket


def who_rows(rota: Rota, now: datetime, zone: ZoneInfo, at: Mentions) -> list[str]:
    rows, leads = duty_rows(rota, now, zone, at)
    return [*rows, leads] if leads else rows


def welcome_card(
    *,
    user: str,
    tickets: Sequence[Ticket],
    prefix: str,
    rota: Rota,
    now: datetime,
    zone: ZoneInfo,
    people: People,
    calendars: Mapping[SupportLine, str],
) -> TeamsMessage:
    """The Home tab as a card: pure."""
    at = Mentions(people)
    shifts = next_shifts(rota, user, now)
    body: list[Element] = [
        text_block("Support desk", bold=True, size="Large"),
        text_block("I run the support desk here: type `help` to see what I can do."),
    ]
    if tickets:
        body.append({**text_block(f"Your open tickets ({len(tickets)})", bold=True), "separator": True})
        lines = []
        for ticket in tickets:
            line = my_ticket_line(ticket, prefix, user, mention=at, bold=bold, title=plain(ticket.title))
            lines.append(f"• {line}")
        body += rows(lines)
    else:
        body.append({**text_block("You have no open tickets. `new` opens one."), "separator": True})
    body.append({**text_block("Your next shifts", bold=True), "separator": True})
    if shifts:
        body += rows(f"• {d.line.label}: {span(max(d.starts_at, now), d.ends_at, zone)}" for d in shifts)
    else:
        body.append(text_block(f"No shifts in the next {WEEKS} weeks."))
    body.append({**text_block("On duty now", bold=True), "separator": True})
    body += rows(who_rows(rota, now, zone, at))
    if calendars:
        links = " · ".join(f"[{line.label}]({url})" for line, url in calendars.items())
        body.append(text_block(f"Subscribe to the rota in your calendar app: {links}", subtle=True))
    actions = [
        {"type": "Action.Submit", "title": "Open the rota", "data": {"msteams": {"type": "imBack", "value": "rota"}}},
        {
            "type": "Action.Submit",
            "title": "New ticket",
            "data": {"msteams": {"type": "task/fetch"}, "dialog": Dialog.NEW_TICKET.value, "title": ""},
        },
    ]
    return message("Support desk: your tickets, your shifts and who is on duty", body, at, actions)


def home_payload(deps: Deps, user: str, *, who: Who | None = None) -> dict[str, Any]:
    """Reads only (tickets, the cached rota, calendar links), then the card as an outbox payload."""
    now, rota = deps.clock.now(), deps.rota
    with deps.lookup() as repository:
        content = read_home(deps, repository, user)
        mine, calendars = content.tickets, content.calendars
        keys = [*rota.members, *sorted(rota.leads), *(t.assignee_id for t in mine if t.assignee_id)]
        people = Directory(repository.session, who=who).snapshot(keys)
    card = welcome_card(
        user=user,
        tickets=mine,
        prefix=deps.prefix,
        rota=rota,
        now=now,
        zone=deps.config.timezone,
        people=people,
        calendars=calendars,
    )
    return {"text": card.text, "card": card.card}


def welcomes_once(deps: Deps, activity_id: str) -> bool:
    """Claim this conversationUpdate (Teams retries a delivery it saw no answer to): True the first time."""
    if not activity_id:
        return True
    key = f"teams:{activity_id}"[:ID]
    with deps.sessions.begin() as session:
        fresh = claim_event(session, key, kind="teams_welcome", now=deps.clock.now())
        if fresh:
            finish_event(session, key)
    return fresh
