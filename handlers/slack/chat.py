"""Slack on the chat seam: the notifiers a unit of work queues Slack messages through (services.ChatAdapter)."""

from __future__ import annotations

from datetime import datetime

from handlers.slack.notifier import SlackNotifier
from handlers.slack.rota_notifier import SlackRotaNotifier
from handlers.slack.sla_view import sla_line
from services.config import AppConfig
from services.unit_of_work import TicketClocks
from storage.outbox import Outbox
from triage.model import Ticket


class SlackChat:
    """Renders Block Kit from the domain's values and queues it, addressed to Slack channels and user ids."""

    def __init__(self, config: AppConfig) -> None:
        self.config = config

    def notifiers(
        self, outbox: Outbox, *, now: datetime, clocks: TicketClocks
    ) -> tuple[SlackNotifier, SlackRotaNotifier]:
        config = self.config
        day_seconds = config.sla.calendar.day_seconds

        def clocks_in_words(ticket: Ticket) -> str | None:
            return sla_line(clocks(ticket), now=now, zone=config.timezone, day_seconds=day_seconds, live=False)

        notifier = SlackNotifier(
            outbox,
            prefix=config.ticket_prefix,
            triage_channel=config.triage_channel,
            zone=config.timezone,
            sla_line=clocks_in_words,
            digest_channel=config.digest_channel,
            lead_ids=sorted(config.rota.leads),
        )
        rota_notifier = SlackRotaNotifier(
            outbox, zone=config.timezone, triage_channel=config.triage_channel, usergroups=config.usergroups
        )
        return notifier, rota_notifier
