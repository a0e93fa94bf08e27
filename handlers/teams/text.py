"""Plain-text answers to the Teams commands: pure functions from domain values (markdown Teams renders)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.teams.cards import person
from rota.roster import Rota
from rota.rotation import SupportLine
from triage.model import Ticket, format_ref


def help_text(prefix: str) -> str:
    return "\n\n".join(
        [
            "**supportbot** runs the support desk here. Type:",
            "- `new` or `new <title>`: open a new ticket (the text pre-fills the title)",
            f"- `status {prefix}-42`: where a ticket stands",
            "- `mine`: your open tickets, as requester or assignee",
            "- `who [1st|2nd] [tomorrow|friday|2026-12-24]`: who is on duty now (or then), and who is next",
            "- `rota`: who is on duty on each line, now and next",
            "- `help`: this message",
        ]
    )


def _at(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%a %d %b %H:%M}"


def who_text(rota: Rota, at: datetime, zone: ZoneInfo, *, lines: Sequence[SupportLine] = (), now: bool = True) -> str:
    out = ["**On duty now**" if now else f"**On duty {_at(at, zone)}**"]
    for line in lines or tuple(SupportLine):
        if line not in rota.rotations:
            out.append(f"- {line.label}: no rota configured")
            continue
        current, upcoming = rota.current_duty(line, at), rota.next_duty(line, at)
        on = (
            "**nobody**"
            if current is None or current.user_id is None
            else (f"{person(current.user_id)} until {_at(current.ends_at, zone)}")
        )
        after = ""
        if upcoming is not None:
            after = f"; next {person(upcoming.user_id) if upcoming.user_id else 'nobody'} from {_at(upcoming.starts_at, zone)}"
        out.append(f"- {line.label}: {on}{after}")
    if rota.leads:
        out.append("Leads: " + ", ".join(sorted(rota.leads)))
    return "\n\n".join(out)


def rota_text(rota: Rota, now: datetime, zone: ZoneInfo) -> str:
    return (
        who_text(rota, now, zone)
        + "\n\nChanging the rota (swaps, cover, leave) is not in Teams yet: use Slack or the CLI."
    )


def status_text(ticket: Ticket, prefix: str) -> str:
    assert ticket.id is not None
    return (
        f"**{format_ref(prefix, ticket.id)}** {ticket.title}\n\n{ticket.type.label} · "
        f"{ticket.priority.label if ticket.priority else 'Priority not set'} · {ticket.status.label} · "
        f"with {person(ticket.assignee_id)} ({ticket.line.label})"
    )


def mine_text(tickets: Sequence[Ticket], prefix: str, user_id: str) -> str:
    if not tickets:
        return "You have no open tickets. `new` opens one."
    lines = [f"**Your open tickets** ({len(tickets)}):"]
    for ticket in tickets:
        assert ticket.id is not None
        role = "assigned to you" if ticket.assignee_id == user_id else f"with {person(ticket.assignee_id)}"
        lines.append(f"- **{format_ref(prefix, ticket.id)}** {ticket.title} · {ticket.status.label} · {role}")
    return "\n\n".join(lines)
