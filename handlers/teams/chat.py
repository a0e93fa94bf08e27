"""Teams on the chat seam: the notifiers a unit of work queues Teams messages through (services.ChatAdapter)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from handlers.teams.notifier import TeamsNotifier, TeamsOutbox
from handlers.teams.rota_notifier import TeamsRotaNotifier
from handlers.teams.text import People, TeamsPerson, sla_line, teams_id_in_key
from services.config import AppConfig, TeamsConfig, is_slack_user_id
from services.unit_of_work import TicketClocks
from storage.models import PersonRow
from storage.outbox import Outbox
from storage.people import SqlPeopleRepository
from triage.model import Ticket

log = logging.getLogger(__name__)


def directory(session: Session) -> People:
    """People as this transaction knows them in Teams (read only, each looked up once): the display name learned
    from their activities (else their key) and the id a mention points at: their `29:` id, else the Teams id
    they were first seen with, else their key if it is an AAD object id; None when Teams cannot reach them."""
    known: dict[str, TeamsPerson] = {}
    people = SqlPeopleRepository(session)

    def who(person_id: str) -> TeamsPerson:
        if person_id not in known:
            row = session.get(PersonRow, person_id)
            name = (row.display_name if row is not None else None) or person_id
            contact = people.teams_contact(person_id)
            identity = people.identity(person_id, "teams")
            teams_id = (
                (contact.user_id if contact is not None else None)
                or (identity.external_id if identity is not None else None)
                or teams_id_in_key(person_id)
            )
            known[person_id] = TeamsPerson(name=name, teams_id=teams_id)
        return known[person_id]

    return who


class TeamsChat:
    """Adaptive Cards to the `teams:` channels and to people's 1:1 chats.

    `alongside_slack`: on a desk that serves both, Teams leaves people named by Slack id to Slack.
    """

    def __init__(self, config: AppConfig, *, alongside_slack: bool = False) -> None:
        self.config = config
        self.teams = config.teams or TeamsConfig()
        self.alongside_slack = alongside_slack
        rota = config.rota
        members = [m for rotation in rota.rotations.values() for m in rotation.members]
        self.people = tuple(dict.fromkeys([*members, *sorted(rota.leads)]))
        # Once, at start-up (the composition root builds one TeamsChat): duty groups need Microsoft Graph.
        log.warning(
            "Teams has no duty groups: a Teams tag of who is on duty needs Microsoft Graph, which supportbot "
            "does not use, so duty group changes are skipped on Teams (Slack user groups are kept as before)"
        )

    def reaches(self, person: str) -> bool:
        return not (self.alongside_slack and is_slack_user_id(person))

    def directory(self, session: Session) -> People:
        """Who is who in Teams, for mentions (refusals: `teams_text(error, chat.directory(session))`)."""
        lookup = directory(session)

        def who(person_id: str) -> TeamsPerson:
            person = lookup(person_id)
            return person if self.reaches(person_id) else TeamsPerson(person.name, None)

        return who

    def notifiers(
        self, outbox: Outbox, *, now: datetime, clocks: TicketClocks
    ) -> tuple[TeamsNotifier, TeamsRotaNotifier]:
        config = self.config
        out = TeamsOutbox(outbox, reaches=self.reaches)
        who = self.directory(outbox.session)
        day_seconds = config.sla.calendar.day_seconds

        def clocks_in_words(ticket: Ticket) -> str | None:
            return sla_line(clocks(ticket), now=now, zone=config.timezone, day_seconds=day_seconds)

        notifier = TeamsNotifier(
            out,
            prefix=config.ticket_prefix,
            triage_channel=self.teams.triage_channel,
            zone=config.timezone,
            digest_channel=self.teams.digest_channel,
            lead_ids=sorted(config.rota.leads),
            people=self.people,
            sla_line=clocks_in_words,
            who=who,
        )
        rota_notifier = TeamsRotaNotifier(out, zone=config.timezone, triage_channel=self.teams.triage_channel, who=who)
        return notifier, rota_notifier
