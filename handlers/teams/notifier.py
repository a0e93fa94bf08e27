"""Teams' Notifier: renders Adaptive Cards from the domain's values and queues them in the outbox (platform
"teams"), inside the caller's transaction. Channels are Teams conversation ids; people are person keys, which
the sender turns into a stored 1:1 conversation (made once per person)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from handlers.common.handover import HandoverView
from handlers.teams import cards
from handlers.teams.cards import REQUESTER, TRIAGE, Payload
from handlers.teams.digest_cards import (
    digest_card,
    incoming_card,
    nobody_on_duty_card,
    outgoing_card,
    sla_alert_card,
)
from handlers.teams.text import People, known_by_key
from rota.handover import HandoverDue
from storage.outbox import Outbox
from triage.digest import Digest
from triage.model import Ticket, TicketEvent
from triage.reminders import SlaNotice

PLATFORM = "teams"
TO_PERSON = "person"
TO_CONVERSATION = "conversation"


def card_key(ticket: Ticket, audience: str) -> str:
    """Teams cards have their own keys: a desk on both platforms keeps one card per platform and audience."""
    return f"teams:ticket:{ticket.id}:{audience}"


class TeamsOutbox:
    """The outbox addressed the Teams way: a conversation (a channel) or a person (their 1:1 chat)."""

    def __init__(self, outbox: Outbox, *, reaches: Callable[[str], bool] = lambda person: True) -> None:
        self.outbox = outbox
        self.reaches = reaches  # whether a person key is one Teams can reach (a desk on both platforms)

    def to_conversation(self, conversation: str | None, payload: Payload, *, card_key: str | None = None) -> None:
        if conversation:
            self.outbox.post(conversation, {**payload, "to": TO_CONVERSATION}, card_key=card_key, platform=PLATFORM)

    def to_person(self, person: str | None, payload: Payload, *, card_key: str | None = None) -> None:
        if person and self.reaches(person):
            self.outbox.post(person, {**payload, "to": TO_PERSON}, card_key=card_key, platform=PLATFORM)


class TeamsNotifier:
    """triage.ports.Notifier for Teams: posts to the configured channels, 1:1 cards to people, edits in place."""

    def __init__(
        self,
        outbox: TeamsOutbox,
        *,
        prefix: str,
        triage_channel: str | None,
        zone: ZoneInfo,
        digest_channel: str | None = None,
        lead_ids: Sequence[str] = (),
        people: Sequence[str] = (),
        sla_line: Callable[[Ticket], str | None] = lambda ticket: None,
        who: People = known_by_key,
    ) -> None:
        self.out = outbox
        self.prefix = prefix
        self.triage_channel = triage_channel
        self.zone = zone
        self.digest_channel = digest_channel
        self.lead_ids = tuple(lead_ids)
        self.people = tuple(people)  # whom a ticket may be reassigned to (rota members and leads)
        self.sla_line = sla_line  # the ticket's clocks in words, for support's cards
        self.who = who  # a person key -> their name and Teams id, for mentions

    def render(self, ticket: Ticket, audience: str) -> Payload:
        return render_card(
            ticket, audience, prefix=self.prefix, people=self.people, sla=self.sla_line(ticket), who=self.who
        )

    def _show_card(self, ticket: Ticket, audience: str) -> None:
        assert ticket.id is not None
        key = card_key(ticket, audience)
        if audience == TRIAGE:
            if not self.triage_channel:
                return
        elif not self.out.reaches(audience.removeprefix(REQUESTER)):
            return
        self.out.outbox.register_card(key=key, ticket_id=ticket.id, audience=audience, platform=PLATFORM)
        payload = self.render(ticket, audience)
        if audience == TRIAGE:
            self.out.to_conversation(self.triage_channel, payload, card_key=key)
        else:
            self.out.to_person(audience.removeprefix(REQUESTER), payload, card_key=key)

    def ticket_opened(self, ticket: Ticket) -> None:
        self._show_card(ticket, TRIAGE)
        self._show_card(ticket, REQUESTER + ticket.requester_id)

    def ticket_assigned(self, ticket: Ticket) -> None:
        if ticket.assignee_id:
            self._show_card(ticket, ticket.assignee_id)

    def ticket_changed(self, ticket: Ticket) -> None:
        assert ticket.id is not None
        for card in self.out.outbox.cards_for(ticket.id, platform=PLATFORM):
            if card.audience == TRIAGE:
                if self.triage_channel:
                    payload = {**self.render(ticket, TRIAGE), "to": TO_CONVERSATION}
                    self.out.outbox.update(card.key, self.triage_channel, payload, platform=PLATFORM)
                continue
            who = card.audience.removeprefix(REQUESTER)
            payload = {**self.render(ticket, card.audience), "to": TO_PERSON}
            self.out.outbox.update(card.key, who, payload, platform=PLATFORM)

    def tell_participants(self, ticket: Ticket, event: TicketEvent) -> None:
        message = cards.participant_update(ticket, self.prefix, event.kind.value, event.actor_id, who=self.who)
        for user in ticket.participant_ids:
            if user != event.actor_id:
                self.out.to_person(user, message)

    def alert(self, ticket: Ticket, user_ids: Sequence[str], *, reason: str) -> None:
        message = cards.alert_message(ticket, self.prefix, reason, people=self.people, who=self.who)
        for user in user_ids:
            self.out.to_person(user, message)

    def sla_alert(self, ticket: Ticket, notice: SlaNotice, user_ids: Sequence[str], *, in_triage: bool) -> None:
        message = sla_alert_card(ticket, self.prefix, notice, zone=self.zone, people=self.who).payload()
        private = sla_alert_card(ticket, self.prefix, notice, zone=self.zone, people=self.who, public=True).payload()
        for user in user_ids:  # a GDPR request's contents go to its assignee only
            self.out.to_person(user, private if ticket.is_private and user != ticket.assignee_id else message)
        if in_triage:
            self.out.to_conversation(self.triage_channel, private)

    def digest(self, digest: Digest) -> None:
        message = digest_card(digest, prefix=self.prefix, zone=self.zone, people=self.who).payload()
        if self.digest_channel:
            self.out.to_conversation(self.digest_channel, message)
        else:
            for lead in sorted(self.lead_ids):
                self.out.to_person(lead, message)

    def handed_over(
        self, handover: HandoverDue, tickets: Sequence[Ticket], moved: frozenset[int], *, lead_ids: Sequence[str]
    ) -> None:
        view = HandoverView(handover, tickets, moved, self.prefix, self.zone)
        if handover.outgoing and handover.outgoing != handover.incoming:
            self.out.to_person(handover.outgoing, outgoing_card(view, people=self.who).payload())
        if handover.incoming:
            self.out.to_person(handover.incoming, incoming_card(view, people=self.who).payload())
        else:
            alert = nobody_on_duty_card(handover, self.zone, people=self.who).payload()
            for lead in sorted(lead_ids):
                self.out.to_person(lead, alert)


def render_card(
    ticket: Ticket,
    audience: str,
    *,
    prefix: str,
    people: Sequence[str] = (),
    sla: str | None = None,
    who: People = known_by_key,
) -> Payload:
    """A ticket's card for one audience: the triage channel, the requester, or a support person."""
    if audience == TRIAGE:
        return cards.triage_card(ticket, prefix, sla=sla, people=people, who=who)
    if audience.startswith(REQUESTER):
        return cards.requester_card(ticket, prefix, who=who)
    return cards.assignee_card(ticket, prefix, for_user=audience, sla=sla, people=people, who=who)
