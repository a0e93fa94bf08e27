"""Teams' RotaNotifier for this slice: plain-text 1:1 messages (cards come with handlers/teams/rota_cards.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.teams.cards import text_message
from handlers.teams.notifier import TeamsOutbox
from rota.handover import ShiftReminder
from rota.ports import RotaRequest
from rota.roster import Duty, Leave, Override
from rota.rotation import SupportLine


class TeamsRotaNotifier:
    def __init__(self, outbox: TeamsOutbox, *, zone: ZoneInfo, triage_channel: str | None) -> None:
        self.out = outbox
        self.zone = zone
        self.triage_channel = triage_channel

    def _at(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.zone):%a %d %b %H:%M}"

    def _request(self, request: RotaRequest) -> str:
        return (
            f"{request.kind.value} request on {request.line.label} from {request.requester_id} to "
            f"{request.target_id}, {self._at(request.given_from)} to {self._at(request.given_to)}"
        )

    def request_made(self, request: RotaRequest) -> None:
        self.out.to_person(request.target_id, text_message(f"New {self._request(request)}. Open `rota` to answer."))

    def approval_needed(self, request: RotaRequest, lead_ids: Sequence[str]) -> None:
        for lead in lead_ids:
            self.out.to_person(lead, text_message(f"Approval needed: {self._request(request)}."))

    def request_decided(self, request: RotaRequest) -> None:
        message = text_message(f"The {self._request(request)} is {request.status.value}.")
        for user in dict.fromkeys([request.requester_id, request.target_id]):
            self.out.to_person(user, message)

    def leave_conflicts(self, leave: Leave, conflicts: Sequence[Duty], lead_ids: Sequence[str]) -> None:
        for lead in lead_ids:
            self.out.to_person(
                lead, text_message(f"{leave.user_id}'s leave leaves {len(conflicts)} shift(s) uncovered.")
            )

    def leave_cancelled(self, leave: Leave, *, by: str, back_on: Sequence[Duty]) -> None:
        self.out.to_person(leave.user_id, text_message(f"Your leave was cancelled by {by}."))

    def override_removed(self, override: Override, *, by: str, instead: Sequence[Duty]) -> None:
        people = [override.user_id, *(d.user_id for d in instead if d.user_id)]
        for user in dict.fromkeys(p for p in people if p != by):
            self.out.to_person(user, text_message(f"A rota override was removed by {by}."))

    def change_confirmed(self, person_id: str, message: str) -> None:
        self.out.to_person(person_id, text_message(message))

    def shift_reminder(self, reminder: ShiftReminder) -> None:
        self.out.to_person(
            reminder.user_id,
            text_message(f"Reminder: you are on {reminder.line.label} from {self._at(reminder.starts_at)}."),
        )

    def duty_posted(self, word: str, on_duty: Mapping[SupportLine, str | None], at: datetime) -> None:
        lines = "; ".join(f"{line.label}: {who or 'nobody'}" for line, who in on_duty.items())
        self.out.to_conversation(self.triage_channel, text_message(f"On duty this {word}: {lines}"))

    def duty_group_changed(self, line: SupportLine, person_ids: Sequence[str]) -> None:
        """No Teams equivalent without Microsoft Graph (a tag): nothing to do."""
