"""Slack's RotaNotifier: renders Block Kit and queues it in the outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.slack import rota_cancel_view, rota_views
from handlers.slack.handover_view import shift_reminder_dm, triage_post
from rota.handover import ShiftReminder
from rota.ports import RequestStatus, RotaRequest
from rota.roster import Duty, Leave, Override
from rota.rotation import SupportLine
from storage.outbox import Outbox


class SlackRotaNotifier:
    """DMs by user id (they land in the app's Messages tab); nothing is sent unless the transaction commits."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        zone: ZoneInfo,
        triage_channel: str = "",
        usergroups: Mapping[SupportLine, str] | None = None,
    ) -> None:
        self.outbox = outbox
        self.zone = zone
        self.triage_channel = triage_channel
        self.usergroups = dict(usergroups or {})  # line -> Slack user group id (config `usergroup`)

    def request_made(self, request: RotaRequest) -> None:
        self.outbox.post(request.target_id, rota_views.request_message(request, self.zone))

    def approval_needed(self, request: RotaRequest, lead_ids: Sequence[str]) -> None:
        message = rota_views.approval_message(request, self.zone)
        for lead in lead_ids:
            self.outbox.post(lead, message)

    def request_decided(self, request: RotaRequest) -> None:
        """The requester always hears; the target too when someone else (a lead, or the requester cancelling) decided."""
        message = rota_views.outcome_message(request, self.zone)
        people = [request.requester_id]
        if (
            request.status in (RequestStatus.ACCEPTED, RequestStatus.REJECTED, RequestStatus.CANCELLED)
            and request.decided_by != request.target_id
        ):
            people.append(request.target_id)
        for user in people:
            self.outbox.post(user, message)

    def leave_conflicts(self, leave: Leave, conflicts: Sequence[Duty], lead_ids: Sequence[str]) -> None:
        message = rota_views.leave_conflict_message(leave, conflicts, self.zone)
        for lead in lead_ids:
            self.outbox.post(lead, message)

    def leave_cancelled(self, leave: Leave, *, by: str, back_on: Sequence[Duty]) -> None:
        self.outbox.post(
            leave.user_id, rota_cancel_view.leave_cancelled_message(leave, by=by, back_on=back_on, zone=self.zone)
        )

    def override_removed(self, override: Override, *, by: str, instead: Sequence[Duty]) -> None:
        """The one who was covering and each person on duty instead, once each; not the lead who removed it."""
        message = rota_cancel_view.override_removed_message(override, by=by, instead=instead, zone=self.zone)
        people = [override.user_id, *(d.user_id for d in instead if d.user_id)]
        for user in dict.fromkeys(p for p in people if p != by):
            self.outbox.post(user, message)

    def change_confirmed(self, person_id: str, message: str) -> None:
        self.outbox.post(person_id, {"text": message})

    def shift_reminder(self, reminder: ShiftReminder) -> None:
        self.outbox.post(reminder.user_id, shift_reminder_dm(reminder, self.zone))

    def duty_posted(self, word: str, on_duty: Mapping[SupportLine, str | None], at: datetime) -> None:
        self.outbox.post(self.triage_channel, triage_post(word, on_duty, at, self.zone))

    def duty_group_changed(self, line: SupportLine, person_ids: Sequence[str]) -> None:
        """usergroups.users.update, once delivered; an older membership still waiting is dropped."""
        group = self.usergroups.get(line)
        if group is not None:
            self.outbox.set_usergroup(group, person_ids, note=f"{line.label} user group is now {', '.join(person_ids)}")
