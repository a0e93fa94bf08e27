"""Teams on the chat seam: the notifiers a unit of work queues Teams messages through (services.ChatAdapter)."""

from __future__ import annotations

from datetime import datetime

from handlers.teams.notifier import TeamsNotifier, TeamsOutbox
from handlers.teams.rota_notifier import TeamsRotaNotifier
from services.config import AppConfig, TeamsConfig, is_slack_user_id
from services.unit_of_work import TicketClocks
from storage.outbox import Outbox


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

    def reaches(self, person: str) -> bool:
        return not (self.alongside_slack and is_slack_user_id(person))

    def notifiers(
        self, outbox: Outbox, *, now: datetime, clocks: TicketClocks
    ) -> tuple[TeamsNotifier, TeamsRotaNotifier]:
        out = TeamsOutbox(outbox, reaches=self.reaches)
        notifier = TeamsNotifier(
            out,
            prefix=self.config.ticket_prefix,
            triage_channel=self.teams.triage_channel,
            zone=self.config.timezone,
            digest_channel=self.teams.digest_channel,
            lead_ids=sorted(self.config.rota.leads),
            people=self.people,
        )
        return notifier, TeamsRotaNotifier(out, zone=self.config.timezone, triage_channel=self.teams.triage_channel)
