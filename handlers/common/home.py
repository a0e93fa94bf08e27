"""The Home's content, the same in Slack's App Home tab and Teams' welcome card: my open tickets, my next shifts,
who is on duty, the rota's calendar links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.common.rota import WEEKS
from rota.roster import Duty, Rota
from rota.rotation import SupportLine
from services.unit_of_work import Deps
from storage.rota_meta import calendar_url
from storage.tickets import SqlTicketRepository
from triage.model import Ticket
from triage.services import my_open_tickets

SHIFTS_SHOWN = 5


@dataclass(frozen=True)
class HomeContent:
    tickets: list[Ticket]  # the person's open tickets
    calendars: dict[SupportLine, str]  # each line's calendar subscription URL (none without a public URL)


def read_home(deps: Deps, repository: SqlTicketRepository, user: str) -> HomeContent:
    """Reads only: the person's open tickets and the calendar links (in the caller's lookup)."""
    return HomeContent(
        tickets=list(my_open_tickets(user_id=user, tickets=repository)),
        calendars={
            line: url
            for line in deps.rota.rotations
            if (url := calendar_url(repository.session, deps.config.public_url, line))
        },
    )


def next_shifts(rota: Rota, user: str, now: datetime) -> list[Duty]:
    """The person's next few shifts in the rota's horizon."""
    return rota.shifts_of(user, now, now + timedelta(weeks=WEEKS))[:SHIFTS_SHOWN]
