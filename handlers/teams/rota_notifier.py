"""Teams' RotaNotifier: the rota's messages as Adaptive Cards (rota_cards.py, digest_cards.py), queued in the
outbox inside the caller's transaction, to the same people as Slack's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.teams import rota_cards
from handlers.teams.digest_cards import shift_reminder_card, triage_post_card
from handlers.teams.notifier import TeamsOutbox
from handlers.teams.text import People, known_by_key
from rota.handover import ShiftReminder
from rota.ports import RequestStatus, RotaRequest
from rota.roster import Duty, Leave, Override
from rota.rotation import SupportLine


class TeamsRotaNotifier:
    def __init__(
        self, outbox: TeamsOutbox, *, zone: ZoneInfo, triage_channel: str | None, who: People = known_by_key
    ) -> None:
        self.out = outbox
        self.zone = zone
        self.triage_channel = triage_channel
        self.who = who

    def request_made(self, request: RotaRequest) -> None:
        card = rota_cards.request_card(request, self.zone, people=self.who)
        self.out.to_person(request.target_id, card.payload())

    def approval_needed(self, request: RotaRequest, lead_ids: Sequence[str]) -> None:
        card = rota_cards.approval_card(request, self.zone, people=self.who).payload()
        for lead in lead_ids:
            self.out.to_person(lead, card)

    def request_decided(self, request: RotaRequest) -> None:
        """The requester always hears; the target too when someone else (a lead, or the requester cancelling) decided."""
        card = rota_cards.outcome_card(request, self.zone, people=self.who).payload()
        people = [request.requester_id]
        if (
            request.status in (RequestStatus.ACCEPTED, RequestStatus.REJECTED, RequestStatus.CANCELLED)
            and request.decided_by != request.target_id
        ):
            people.append(request.target_id)
        for user in dict.fromkeys(people):
            self.out.to_person(user, card)

    def leave_conflicts(self, leave: Leave, conflicts: Sequence[Duty], lead_ids: Sequence[str]) -> None:
        card = rota_cards.leave_conflict_card(leave, conflicts, self.zone, people=self.who).payload()
        for lead in lead_ids:
            self.out.to_person(lead, card)

    def leave_cancelled(self, leave: Leave, *, by: str, back_on: Sequence[Duty]) -> None:
        card = rota_cards.leave_cancelled_card(leave, by=by, back_on=back_on, zone=self.zone, people=self.who)
        self.out.to_person(leave.user_id, card.payload())

    def override_removed(self, override: Override, *, by: str, instead: Sequence[Duty]) -> None:
        """The one who was covering and each person on duty instead, once each; not the lead who removed it."""
        card = rota_cards.override_removed_card(override, by=by, instead=instead, zone=self.zone, people=self.who)
        people = [override.user_id, *(d.user_id for d in instead if d.user_id)]
        for user in dict.fromkeys(p for p in people if p != by):
            self.out.to_person(user, card.payload())

    def change_confirmed(self, person_id: str, message: str) -> None:
        self.out.to_person(person_id, {"text": message})

    def shift_reminder(self, reminder: ShiftReminder) -> None:
        self.out.to_person(reminder.user_id, shift_reminder_card(reminder, self.zone, people=self.who).payload())

    def duty_posted(self, word: str, on_duty: Mapping[SupportLine, str | None], at: datetime) -> None:
        card = triage_post_card(word, on_duty, at, self.zone, people=self.who)
        self.out.to_conversation(self.triage_channel, card.payload())

    def duty_group_changed(self, line: SupportLine, person_ids: Sequence[str]) -> None:
        """No Teams equivalent without Microsoft Graph (a tag): nothing to do (TeamsChat says so at start-up)."""
