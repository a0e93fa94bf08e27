"""Scheduled rota work: handovers (DMs, ticket moves, triage post), shift reminders, user-group sync.

Like bot/jobs/tickets.py: takes `now`, one transaction per handover (or reminder), and idempotent: each piece of
work claims a unique key in sent_notices in the transaction that queues its messages, so a second run, or
a second process, sends nothing twice. Keys are read first without a write lock, so the every-minute run
costs a read when there is nothing to do. The policy is rota/handover.py's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from rota.handover import HandoverDue, duty_changes, handovers_due, on_duty_now, period_word, reminders_due
from rota.roster import Rota
from services.unit_of_work import Deps
from storage.models import SentNoticeRow
from triage.handover import hand_over_tickets
from triage.ports import ConcurrentUpdate

log = logging.getLogger(__name__)


@dataclass
class RotaRunResult:
    handovers: int = 0
    moved: int = 0
    reminders: int = 0
    usergroups: int = 0

    def summary(self) -> str:
        return (
            f"{self.handovers} handover(s), {self.moved} ticket(s) moved, {self.reminders} shift reminder(s), "
            f"{self.usergroups} user-group update(s)"
        )


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


class RotaJobs:
    """The rota's scheduled work; `run(now)` each minute from `serve`, and from `supportbot sweep`."""

    def __init__(self, deps: Deps, *, sync_at_start: bool = True) -> None:
        self.deps = deps
        # A long-running process sets every user group once at its first run, so it is right after a deploy
        # (or a hand edit in Slack); `sweep` passes False, so running it twice sends nothing new.
        self._sync_pending = sync_at_start

    def run(self, now: datetime) -> RotaRunResult:
        """Every handover of the last hours not yet done, reminders due, user groups to follow the rota."""
        rota = self.deps.rota
        result = RotaRunResult()
        due = handovers_due(rota, since=None, now=now)
        todo = self._unclaimed(h.key for h in due)
        for handover in due:
            if handover.key not in todo:
                continue
            together = [h for h in due if h.at == handover.at]
            moved = self.hand_over(rota, handover, now, word=period_word(min(h.period_days for h in together)))
            if moved is not None:
                result.handovers += 1
                result.moved += moved
        result.reminders = self.send_shift_reminders(rota, now)
        result.usergroups = self.sync_usergroups(rota, now)
        return result

    def _unclaimed(self, keys: Iterable[str]) -> set[str]:
        """The keys nobody has claimed yet, read without a write lock."""
        wanted = set(keys)
        if not wanted:
            return set()
        with self.deps.read_sessions.begin() as session:
            taken = set(session.scalars(select(SentNoticeRow.key).where(SentNoticeRow.key.in_(sorted(wanted)))))
        return wanted - taken

    # -- handovers ------------------------------------------------------------------------------

    def hand_over(self, rota: Rota, handover: HandoverDue, now: datetime, *, word: str) -> int | None:
        """One transaction: claim, hand the line's tickets over (triage.handover), post the duty; moves or None."""
        try:
            with self.deps.unit_of_work(now=now) as uow:
                if not uow.timers.claim(handover.key, ticket_id=None, kind="handover", now=now):
                    return None  # another process (or an earlier run) did it
                moved = hand_over_tickets(
                    handover=handover, tickets=uow.tickets, notifier=uow.notifier, lead_ids=sorted(rota.leads), now=now
                )
                # Both lines usually hand over together: one post per instant, naming every line.
                if uow.timers.claim(f"rota-post:{_iso(handover.at)}", ticket_id=None, kind="rota_post", now=now):
                    uow.rota_notifier.duty_posted(word, on_duty_now(rota, handover.at), handover.at)
        except ConcurrentUpdate:
            log.info("handover %s: a ticket changed meanwhile; the next run tries again", handover.key)
            return None
        log.info(
            "handover %s: %s -> %s, %d ticket(s) moved", handover.key, handover.outgoing, handover.incoming, len(moved)
        )
        return len(moved)

    # -- shift reminders ------------------------------------------------------------------------

    def send_shift_reminders(self, rota: Rota, now: datetime) -> int:
        """The DM the working day before each stretch of duty starts; once each."""
        due = reminders_due(rota, self.deps.sla.calendar, now=now)
        todo = self._unclaimed(r.key for r in due)
        sent = 0
        for reminder in due:
            if reminder.key not in todo:
                continue
            with self.deps.unit_of_work(now=now) as uow:
                if uow.timers.claim(reminder.key, ticket_id=None, kind="shift_reminder", now=now):
                    uow.rota_notifier.shift_reminder(reminder)
                    sent += 1
        return sent

    # -- user groups ------------------------------------------------------------------------------

    def sync_usergroups(self, rota: Rota, now: datetime) -> int:
        """Point each configured user group at whoever is on duty: at each change, and once at start-up."""
        force, self._sync_pending = self._sync_pending, False
        updates = 0
        groups = [
            (line, group) for line, group in sorted(self.deps.config.usergroups.items()) if line in rota.rotations
        ]
        changes = {line: {c.key for c in duty_changes(rota, line, since=None, now=now)} for line, _ in groups}
        todo = self._unclaimed(key for keys in changes.values() for key in keys)  # one read for every line
        for line, group in groups:
            keys = changes[line] & todo
            if not keys and not force:
                continue
            user = rota.on_duty(line, now)
            with self.deps.unit_of_work(now=now) as uow:
                claimed = (
                    uow.timers.claim_all(dict.fromkeys(keys, "usergroup"), ticket_id=None, now=now) if keys else set()
                )
                if not claimed and not force:
                    continue
                if user is None:  # Slack refuses an empty group; the leads hear about the gap from the handover
                    log.warning("nobody is on duty for %s: user group %s left as it is", line.label, group)
                    continue
                uow.rota_notifier.duty_group_changed(line, [user])
                updates += 1
        return updates
