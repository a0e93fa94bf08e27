"""Slack's Notifier: renders Block Kit and queues it in the outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from handlers.common.handover import HandoverView
from handlers.slack import blocks
from handlers.slack.digest_view import digest_message
from handlers.slack.handover_view import incoming_dm, nobody_on_duty_alert, outgoing_dm
from handlers.slack.sla_view import sla_alert_message
from rota.handover import HandoverDue
from storage.outbox import Outbox
from triage.digest import Digest
from triage.model import Ticket, TicketEvent
from triage.reminders import SlaNotice

SlaLine = Callable[[Ticket], str | None]

TRIAGE = "triage"
REQUESTER = "requester:"


def _card_key(ticket: Ticket, audience: str) -> str:
    return f"ticket:{ticket.id}:{audience}"


class SlackNotifier:
    """triage.ports.Notifier for Slack: DMs by user id, posts by channel id, cards updated in place."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        prefix: str,
        triage_channel: str,
        zone: ZoneInfo,
        sla_line: SlaLine = lambda ticket: None,
        digest_channel: str | None = None,
        lead_ids: Sequence[str] = (),
    ) -> None:
        self.outbox = outbox
        self.prefix = prefix
        self.triage_channel = triage_channel
        self.zone = zone
        self.sla_line = sla_line  # the ticket's clocks in words, for support's cards
        self.digest_channel = digest_channel
        self.lead_ids = tuple(lead_ids)

    def _render(self, ticket: Ticket, audience: str) -> blocks.Message:
        if audience == TRIAGE:
            return blocks.triage_card(ticket, self.prefix, sla=self.sla_line(ticket))
        if audience.startswith(REQUESTER):
            return blocks.requester_card(ticket, self.prefix)
        return blocks.assignee_card(ticket, self.prefix, for_user=audience, sla=self.sla_line(ticket))

    def _show_card(self, ticket: Ticket, audience: str, channel: str) -> None:
        assert ticket.id is not None
        key = _card_key(ticket, audience)
        message = self._render(ticket, audience)
        # A card they had before (the ticket came back to them) is posted afresh; updates follow the new one.
        self.outbox.register_card(key=key, ticket_id=ticket.id, audience=audience)
        self.outbox.post(channel, message, card_key=key)

    def ticket_opened(self, ticket: Ticket) -> None:
        self._show_card(ticket, TRIAGE, self.triage_channel)
        self._show_card(ticket, REQUESTER + ticket.requester_id, ticket.requester_id)

    def ticket_assigned(self, ticket: Ticket) -> None:
        if ticket.assignee_id:
            self._show_card(ticket, ticket.assignee_id, ticket.assignee_id)

    def ticket_changed(self, ticket: Ticket) -> None:
        assert ticket.id is not None
        for card in self.outbox.cards_for(ticket.id):
            channel = self.triage_channel if card.audience == TRIAGE else card.audience.removeprefix(REQUESTER)
            self.outbox.update(card.key, channel, self._render(ticket, card.audience))

    def tell_participants(self, ticket: Ticket, event: TicketEvent) -> None:
        message = blocks.participant_update(ticket, self.prefix, event)
        for user in ticket.participant_ids:
            if user != event.actor_id:
                self.outbox.post(user, message)

    def alert(self, ticket: Ticket, user_ids: Sequence[str], *, reason: str) -> None:
        message = blocks.alert_message(ticket, self.prefix, reason)
        for user in user_ids:
            self.outbox.post(user, message)

    def sla_alert(self, ticket: Ticket, notice: SlaNotice, user_ids: Sequence[str], *, in_triage: bool) -> None:
        message = sla_alert_message(ticket, self.prefix, notice, zone=self.zone)
        private = sla_alert_message(ticket, self.prefix, notice, zone=self.zone, public=True)
        for user in user_ids:  # a GDPR request's contents go to its assignee only
            self.outbox.post(user, private if ticket.is_private and user != ticket.assignee_id else message)
        if in_triage:
            self.outbox.post(self.triage_channel, private)

    def digest(self, digest: Digest) -> None:
        message = digest_message(digest, prefix=self.prefix, zone=self.zone)
        for channel in [self.digest_channel] if self.digest_channel else sorted(self.lead_ids):
            self.outbox.post(channel, message)

    def handed_over(
        self, handover: HandoverDue, tickets: Sequence[Ticket], moved: frozenset[int], *, lead_ids: Sequence[str]
    ) -> None:
        view = HandoverView(handover, tickets, moved, self.prefix, self.zone)
        if handover.outgoing and handover.outgoing != handover.incoming:
            self.outbox.post(handover.outgoing, outgoing_dm(view))
        if handover.incoming:
            self.outbox.post(handover.incoming, incoming_dm(view))
        else:
            for lead in sorted(lead_ids):
                self.outbox.post(lead, nobody_on_duty_alert(handover, self.zone))
